"""The REST API of a real `guide serve` process: health checks, the OpenAPI document checked
against the running app, API tokens, every role enforced on the server, background uploads
with each file's state, and one JSON log line per request that keeps questions out."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ONE_PER_ROLE, add_accounts, api_token, serving
from tests.pdfs import text_pdf

pytestmark = pytest.mark.e2e
PASSWORDS = ONE_PER_ROLE


@dataclass
class Served:
    url: str
    data_dir: Path
    log: Path
    tokens: dict[str, str]

    def call(self, method: str, path: str, who: str | None = None, **kw: Any) -> Any:
        import httpx

        headers = dict(kw.pop("headers", {}))
        if who:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return httpx.request(method, self.url + path, headers=headers, timeout=120, **kw)


@pytest.fixture(scope="module")
def served(sample_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("rest")
    data_dir = root / "library"
    shutil.copytree(sample_library, data_dir)
    add_accounts(data_dir, PASSWORDS)  # the first must be an admin
    log = root / "serve.log"
    with serving(data_dir, log) as url:
        base = url.rstrip("/")
        tokens = {
            name: api_token(base, name, password, f"{name} script")
            for name, (_, password) in PASSWORDS.items()
        }
        yield Served(base, data_dir, log, tokens)


def test_health_and_readiness(served: Served):
    assert served.call("GET", "/healthz").json() == {"status": "alive"}
    ready = served.call("GET", "/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert set(checks) == {"model", "registry", "store"}
    assert all(c["ok"] for c in checks.values()), checks
    assert checks["store"]["detail"].split()[0] != "0"


def test_the_openapi_document_is_valid_and_matches_the_running_app(served: Served):
    from openapi_spec_validator import validate

    spec = served.call("GET", "/api/v1/openapi.json").json()
    validate(spec)
    paths = spec["paths"]
    for expected in (
        "/ask",
        "/documents",
        "/documents/{source_file}",
        "/jobs/{job_id}",
        "/jobs/{job_id}/cancel",
        "/eval/runs",
        "/eval/runs/{run_id}/report",
        "/tokens",
        "/library/check",
    ):
        assert expected in paths, sorted(paths)
    # every parameterless GET the document lists answers (as an admin) with JSON or HTML
    for path, operations in paths.items():
        if "get" in operations and "{" not in path:
            answer = served.call("GET", "/api/v1" + path, "ada")
            assert answer.status_code == 200, (path, answer.text)
    # and the document says the request bodies that the app really takes
    ask_body = paths["/ask"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "$ref" in ask_body or "properties" in ask_body


def test_every_role_is_enforced_on_the_server(served: Served):
    question = {"question": "What is a public service mutual?"}
    assert served.call("POST", "/api/v1/ask", json=question).status_code == 401
    bad = served.call(
        "POST", "/api/v1/ask", json=question, headers={"Authorization": "Bearer mg_nope_nope"}
    )
    assert bad.status_code == 401
    expected = {  # (method, path, body) -> which roles may
        ("POST", "/api/v1/ask", json.dumps(question)): {"ada", "sam", "olu", "eve"},
        ("GET", "/api/v1/documents", None): {"ada", "sam"},
        ("GET", "/api/v1/jobs", None): {"ada", "sam"},
        ("GET", "/api/v1/eval/runs", None): {"ada", "eve"},
        ("GET", "/api/v1/eval/testsets", None): {"ada", "eve"},
    }
    for (method, path, body), may in expected.items():
        for who in PASSWORDS:
            kw = {"content": body, "headers": {"Content-Type": "application/json"}} if body else {}
            import httpx

            answer = httpx.request(
                method,
                served.url + path,
                timeout=120,
                headers={**kw.pop("headers", {}), "Authorization": f"Bearer {served.tokens[who]}"},
                **kw,
            )
            if who in may:
                assert answer.status_code == 200, (who, path, answer.text)
            else:
                assert answer.status_code == 403, (who, path, answer.text)
                assert "role" in answer.json()["detail"]
    answer = served.call("POST", "/api/v1/ask", "olu", json=question).json()
    assert answer["status"] == "answered" and answer["citations"]


def test_a_revoked_token_stops_at_once(served: Served):
    import httpx

    made = served.call("POST", "/api/v1/tokens", "olu", json={"label": "short-lived"}).json()
    headers = {"Authorization": f"Bearer {made['token']}"}
    assert httpx.get(served.url + "/api/v1/whoami", headers=headers).json()["user"] == "olu"
    listed = served.call("GET", "/api/v1/tokens", "olu").json()["tokens"]
    assert all("token" not in t for t in listed) and {t["account"] for t in listed} == {"olu"}
    assert served.call("DELETE", f"/api/v1/tokens/{made['id']}", "olu").status_code == 200
    assert httpx.get(served.url + "/api/v1/whoami", headers=headers).status_code == 401
    # another officer's token cannot be revoked by olu
    other = served.call("GET", "/api/v1/tokens", "ada").json()["tokens"]
    eve_token = next(t for t in other if t["account"] == "eve" and not t["revoked_at"])
    assert served.call("DELETE", f"/api/v1/tokens/{eve_token['id']}", "olu").status_code == 400


def _guide(served: Served, *args: str) -> Any:
    import os
    import subprocess

    from tests.helpers import BIN

    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDE_")}
    return subprocess.run(
        [str(BIN / "guide"), *args],
        capture_output=True,
        text=True,
        env={**env, "GUIDE_DATA_DIR": str(served.data_dir)},
        timeout=120,
    )


def test_tokens_from_the_command_line_and_an_account_removed_takes_its_tokens(served: Served):
    import httpx

    def whoami(token: str) -> Any:
        return httpx.get(
            served.url + "/api/v1/whoami", headers={"Authorization": f"Bearer {token}"}
        )

    made = _guide(served, "users", "token", "add", "sam", "--label", "nightly import")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()  # only the token on stdout, so a script can capture it
    assert token.startswith("mg_") and "\n" not in token
    assert whoami(token).json()["user"] == "sam"  # made by another process, used at once
    listed = json.loads(_guide(served, "users", "token", "list", "sam", "--json").stdout)
    mine = next(t for t in listed["tokens"] if t["label"] == "nightly import")
    assert token not in json.dumps(listed)  # never shown again
    revoked = _guide(served, "users", "token", "revoke", mine["id"])
    assert revoked.returncode == 0, revoked.stderr
    assert whoami(token).status_code == 401
    again = _guide(served, "users", "token", "revoke", mine["id"])
    assert again.returncode != 0 and "No active token" in again.stderr + again.stdout
    nobody = _guide(served, "users", "token", "add", "nobody", "--label", "x")
    assert nobody.returncode != 0 and "No account called 'nobody'" in nobody.stderr

    # an account removed and added again under its name does not get the old tokens back
    add_accounts(served.data_dir, {"tam": ("staff", "tam-password-1")})
    old = _guide(served, "users", "token", "add", "tam", "--label", "old script").stdout.strip()
    assert whoami(old).json()["user"] == "tam"
    gone = _guide(served, "users", "remove", "tam")
    assert gone.returncode == 0 and "Revoked its 1 API token" in gone.stdout, gone.stdout
    add_accounts(served.data_dir, {"tam": ("staff", "tam-password-2")})
    assert whoami(old).status_code == 401
    actions = [
        json.loads(line)["action"]
        for line in (served.data_dir / "audit" / "audit.jsonl").read_text().splitlines()
    ]
    assert {"token_create", "token_revoke"} <= set(actions)


def _poll(fetch: Any, done: Any, limit: float, what: str) -> Any:
    """`fetch()` until `done(value)`; the last value. Waits on the condition, polling."""
    deadline = time.monotonic() + limit
    value = fetch()
    while not done(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {limit:.0f}s: {value}")
        time.sleep(0.2)  # polling interval, not a timed assertion
        value = fetch()
    return value


def _log_lines(served: Served) -> list[dict]:
    """The server log's JSON lines (every JSON-looking line must parse)."""
    text = served.log.read_text(errors="replace")
    return [json.loads(raw) for raw in text.splitlines() if raw.startswith("{")]


def _job(served: Served, job_id: str) -> Any:
    return lambda: served.call("GET", f"/api/v1/jobs/{job_id}", "sam").json()


def _finished(served: Served, job_id: str, limit: float = 300) -> dict:
    return _poll(_job(served, job_id), lambda j: j["state"] in ("done", "cancelled"), limit, job_id)


def test_uploads_run_in_the_background_with_each_files_state(served: Served, tmp_path: Path):
    good = text_pdf(
        tmp_path / "lantern-trust.pdf",
        [
            "1. The Lantern Trust runs the council's twelve branch libraries as a community "
            "benefit society, owned by its staff and library users."
        ],
        title="Lantern Trust annual review",
    )
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"this is not a PDF at all")
    with good.open("rb") as g, bad.open("rb") as b:
        queued = served.call(
            "POST",
            "/api/v1/documents",
            "sam",
            files=[
                ("files", ("lantern-trust.pdf", g, "application/pdf")),
                ("files", ("notes.pdf", b, "application/pdf")),
            ],
            data={"kind": "evidence"},
        )
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert job["state"] in ("queued", "running") and len(job["files"]) == 2
    done = _finished(served, job["id"])
    states = {f["name"]: f for f in done["files"]}
    assert states["lantern-trust.pdf"]["state"] == "added", states
    assert states["notes.pdf"]["state"] == "refused" and states["notes.pdf"]["reason"]
    listed = served.call("GET", "/api/v1/documents", "sam").json()["documents"]
    assert any(d["source_file"] == "lantern-trust.pdf" and d["kind"] == "evidence" for d in listed)
    answer = served.call(
        "POST", "/api/v1/ask", "olu", json={"question": "Who runs the branch libraries?"}
    ).json()
    assert any(c["source_file"] == "lantern-trust.pdf" for c in answer["citations"]), answer
    # cancelling a finished job is refused with a reason; removing works
    assert served.call("POST", f"/api/v1/jobs/{job['id']}/cancel", "sam").status_code == 400
    gone = served.call("DELETE", "/api/v1/documents/lantern-trust.pdf", "sam")
    assert gone.status_code == 200 and gone.json()["removed"]


def test_each_request_is_one_json_log_line_without_the_question(served: Served):
    secret = "Which pension scheme suits the zebra crossing co-operative?"
    answer = served.call(
        "POST",
        "/api/v1/ask",
        "olu",
        json={"question": secret},
        headers={"X-Request-ID": "trace-me-42"},
    )
    assert answer.headers["X-Request-ID"] == "trace-me-42"
    lines = _poll(
        lambda: _log_lines(served),
        lambda got: any(
            r.get("request_id") == "trace-me-42" and r["event"] == "request" for r in got
        ),
        30,
        "the request's log line",
    )
    mine = [r for r in lines if r.get("request_id") == "trace-me-42"]
    request = next(r for r in mine if r["event"] == "request")
    assert request["user"] == "olu" and request["outcome"] == 200
    assert request["duration_ms"] > 0 and request["action"] == "/api/v1/ask"
    assert "zebra" not in served.log.read_text(errors="replace")


def test_gradio_events_are_logged_too_with_the_user_and_without_the_question(served: Served):
    from gradio_client import Client

    secret = "Which pension scheme suits the walrus ferry co-operative?"
    client = Client(
        served.url,
        headers={"Authorization": f"Bearer {served.tokens['olu']}"},
        verbose=False,
    )
    answer = client.predict(question=secret, api_name="/ask")
    assert answer["status"]
    refused = None
    try:
        client.predict(api_name="/documents")  # an officer may not manage documents
    except Exception as exc:  # gradio_client raises the app's message
        refused = str(exc)
    assert refused and "cannot manage documents" in refused
    lines = _poll(
        lambda: _log_lines(served),
        lambda got: any(r.get("action") == "documents" for r in got),
        30,
        "the refused event's log line",
    )
    events = [r for r in lines if r["event"] in ("ui_event", "answer")]
    asked = next(e for e in events if e["event"] == "ui_event" and e["action"] == "ask")
    assert asked["user"] == "olu" and asked["outcome"] == "ok" and asked["duration_ms"] > 0
    assert asked["request_id"]  # each event has its own id
    said = next(e for e in events if e["event"] == "answer" and e["user"] == "olu")
    assert said["outcome"] == answer["status"]
    denied = next(e for e in events if e["event"] == "ui_event" and e["action"] == "documents")
    assert denied["user"] == "olu" and denied["outcome"] == "refused"
    assert "walrus" not in served.log.read_text()  # no question text at INFO


def _long_pdf(path: Path, pages: int = 60) -> Path:
    """A document long enough that embedding it takes a while: varied sentences, numbered
    paragraphs, so each page gives several passages."""
    import random

    words = [
        "council",
        "mutual",
        "co-operative",
        "staff",
        "contract",
        "service",
        "pension",
        "transfer",
        "board",
        "members",
        "community",
        "asset",
        "library",
        "leisure",
        "care",
        "youth",
        "budget",
        "procurement",
        "tender",
        "social",
        "value",
        "governance",
        "trust",
        "surplus",
        "reinvest",
        "employees",
        "ownership",
        "risk",
        "review",
        "officer",
    ]
    rng = random.Random(path.name)
    text = []
    for page in range(pages):
        paragraphs = [
            f"{page * 6 + n + 1}. "
            + " ".join(
                " ".join(rng.choice(words) for _ in range(12)).capitalize() + "." for _ in range(5)
            )
            for n in range(6)
        ]
        text.append("\n".join(paragraphs))
    return text_pdf(path, text, title=f"Long review {path.stem}")


def _upload(served: Served, pdf: Path, who: str = "sam") -> dict:
    with pdf.open("rb") as handle:
        queued = served.call(
            "POST",
            "/api/v1/documents",
            who,
            files=[("files", (pdf.name, handle, "application/pdf"))],
        )
    assert queued.status_code == 202, queued.text
    return queued.json()


def _wait_for_state(served: Served, job_id: str, states: set[str], limit: float = 180) -> dict:
    return _poll(
        _job(served, job_id),
        lambda j: bool({f["state"] for f in j["files"]} & states),
        limit,
        f"job {job_id} reaching {states}",
    )


def test_questions_are_answered_while_an_upload_is_being_embedded(served: Served, tmp_path: Path):
    job = _upload(served, _long_pdf(tmp_path / "long-review.pdf"))
    seen = _wait_for_state(served, job["id"], {"embedding"})
    (working,) = seen["files"]
    assert working["total"] > 0 and working["done"] <= working["total"], working
    asked = served.call(
        "POST",
        "/api/v1/ask",
        "olu",
        json={"question": "What information must the old employer give before a TUPE transfer?"},
    )
    assert asked.status_code == 200 and asked.json()["citations"], asked.text
    # the answer came while the upload was still being worked on, not after it
    during = served.call("GET", f"/api/v1/jobs/{job['id']}", "sam").json()
    assert during["state"] == "running", during
    done = _finished(served, job["id"])
    assert done["files"][0]["state"] == "added", done
    assert served.call("DELETE", "/api/v1/documents/long-review.pdf", "sam").status_code == 200


def test_a_job_cut_off_by_a_killed_app_finishes_after_the_restart(
    sample_library: Path, tmp_path: Path
):
    """The queue is kept on disk: an app killed (SIGKILL) while it embeds an upload leaves
    nothing of it in the library, and the restarted app adds it once, whole."""
    import httpx

    from assistant.config import Settings
    from assistant.library import Library
    from tests.helpers import BIN, free_port, start_server, wait_for_http

    data_dir = tmp_path / "library"
    shutil.copytree(sample_library, data_dir)
    before = Library(Settings(data_dir=data_dir)).summary()

    def start(log: Path) -> tuple[Any, str]:
        port = free_port()
        proc = start_server(
            [str(BIN / "guide"), "serve", "--data-dir", str(data_dir), "--port", str(port)], log
        )
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url + "/healthz", proc, log=log)
        return proc, url

    proc, url = start(tmp_path / "first.log")
    try:  # local single-user mode (no accounts): the API needs no token
        pdf = _long_pdf(tmp_path / "cut-off-review.pdf")
        with pdf.open("rb") as handle:
            job = httpx.post(
                url + "/api/v1/documents",
                files=[("files", (pdf.name, handle, "application/pdf"))],
                timeout=60,
            ).json()
        state = _poll(
            lambda: httpx.get(f"{url}/api/v1/jobs/{job['id']}", timeout=30).json(),
            lambda j: j["files"][0]["state"] == "embedding",
            180,
            "embedding",
        )
    finally:
        proc.kill()  # no chance to tidy up
        proc.wait()
    cut = Library(Settings(data_dir=data_dir))
    assert cut.summary() == before  # nothing of the file was added
    assert cut.find("cut-off-review.pdf") is None

    proc, url = start(tmp_path / "second.log")
    try:
        state = _poll(
            lambda: httpx.get(f"{url}/api/v1/jobs/{job['id']}", timeout=30).json(),
            lambda j: j["state"] == "done",
            300,
            "the job finishing after the restart",
        )
        assert state["files"][0]["state"] == "added", state
        listed = httpx.get(url + "/api/v1/documents", timeout=30).json()["documents"]
        assert [d["source_file"] for d in listed].count("cut-off-review.pdf") == 1
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    after = Library(Settings(data_dir=data_dir))
    record = after.find("cut-off-review.pdf")
    assert record is not None and record.chunks > 0
    assert after.store.count([record.version]) == record.chunks  # whole, and only once
    assert after.summary()["documents"] == before["documents"] + 1
