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

from tests.helpers import ONE_PER_ROLE, add_accounts, serving
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
    import httpx

    root = tmp_path_factory.mktemp("rest")
    data_dir = root / "library"
    shutil.copytree(sample_library, data_dir)
    add_accounts(data_dir, PASSWORDS)  # the first must be an admin
    log = root / "serve.log"
    with serving(data_dir, log) as url:
        base = url.rstrip("/")
        tokens = {}
        for name, (_, password) in PASSWORDS.items():
            with httpx.Client(base_url=base, timeout=60) as browser:
                signed = browser.post(
                    "/login",
                    data={"username": name, "password": password},
                    headers={"Accept": "application/json"},
                )
                assert signed.status_code == 200, signed.text
                made_token = browser.post("/api/v1/tokens", json={"label": f"{name} script"})
                assert made_token.status_code == 201, made_token.text
                tokens[name] = made_token.json()["token"]
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


def _finished(served: Served, job_id: str, who: str = "sam", limit: float = 300) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        job = served.call("GET", f"/api/v1/jobs/{job_id}", who).json()
        if job["state"] in ("done", "cancelled"):
            return job
        time.sleep(0.5)  # polling interval, not a timed assertion
    raise AssertionError(f"job {job_id} did not finish: {job}")


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
    deadline = time.monotonic() + 30
    lines: list[dict] = []
    while time.monotonic() < deadline:
        lines = []
        for raw in served.log.read_text(errors="replace").splitlines():
            if raw.startswith("{"):
                lines.append(json.loads(raw))  # every JSON-looking line parses
        if any(r.get("request_id") == "trace-me-42" and r["event"] == "request" for r in lines):
            break
        time.sleep(0.2)
    mine = [r for r in lines if r.get("request_id") == "trace-me-42"]
    request = next(r for r in mine if r["event"] == "request")
    assert request["user"] == "olu" and request["outcome"] == 200
    assert request["duration_ms"] > 0 and request["action"] == "/api/v1/ask"
    assert "zebra" not in served.log.read_text(errors="replace")
