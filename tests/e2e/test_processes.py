"""Several app processes, one library: two real `guide serve` processes and a `guide ingest`
on one data dir and one `chroma run` server. Uploads through either app and the command line,
made at the same time, all land whole and once; both apps then list the same documents at the
same generation, and each answers from documents the other process (or the CLI) added."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    BIN,
    CORPUS,
    SAMPLE_DOCS,
    add_accounts,
    api_token,
    free_port,
    guide_env,
    start_server,
    stop,
    wait_for_http,
)
from tests.pdfs import text_pdf

pytestmark = pytest.mark.e2e

STAFF = {"ada": ("admin", "ada-password-1"), "sam": ("staff", "sam-password-1")}
FILLER = (
    "The council's commissioning team reviews the arrangement every year against the service "
    "specification, the social value plan and the budget agreed by Cabinet. "
)

# name -> (the one page that says something no other document says, a question only it answers)
NEW_DOCS = {
    "brackenfold-ferry.pdf": (
        "1. The Brackenfold Ferry Mutual operates the river ferry crossings at Ostwick as an "
        "employee-owned company, spun out of the council in 2021.",
        "Who operates the river ferry crossings at Ostwick?",
    ),
    "tamsworth-allotments.pdf": (
        "1. The Tamsworth Allotment Co-operative manages the forty allotment sites of "
        "Tamsworth, and its members elect the board every spring.",
        "Who manages the allotment sites of Tamsworth?",
    ),
    "corvale-lido.pdf": (
        "1. The Corvale Lido Society runs the open-air swimming pool at Corvale Park as a "
        "community benefit society, owned by its swimmers.",
        "Who runs the open-air swimming pool at Corvale Park?",
    ),
    "hollinby-meals.pdf": (
        "1. Hollinby Community Meals delivers hot lunches to older residents of Hollinby as a "
        "social enterprise owned by its cooks and drivers.",
        "Who delivers hot lunches to older residents of Hollinby?",
    ),
    "wrenmoor-parks.pdf": (
        "1. The Wrenmoor Parks Trust maintains the heathland and bridleways of Wrenmoor under "
        "a twenty-year lease from the council.",
        "Who maintains the heathland and bridleways of Wrenmoor?",
    ),
}
# through which door each new document comes in: app 0's API, app 1's API, or `guide ingest`
VIA_APP = ({"brackenfold-ferry.pdf", "tamsworth-allotments.pdf"}, {"corvale-lido.pdf"})
VIA_CLI = ("hollinby-meals.pdf", "wrenmoor-parks.pdf")


def _make_pdfs(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    # three pages each, so a document is several passages and a half-written one would show
    return {
        name: text_pdf(folder / name, [fact, FILLER * 6, FILLER * 5], title=name[:-4])
        for name, (fact, _) in NEW_DOCS.items()
    }


def _token(base: str, name: str, password: str) -> str:
    return api_token(base, name, password, f"{name} script")


def _call(base: str, token: str, method: str, path: str, **kw: Any) -> Any:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    answer = httpx.request(method, base + path, headers=headers, timeout=180, **kw)
    assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
    return answer.json()


def _upload(base: str, token: str, paths: list[Path]) -> str:
    handles = [p.open("rb") for p in paths]
    try:
        files = [
            ("files", (p.name, h, "application/pdf")) for p, h in zip(paths, handles, strict=True)
        ]
        job = _call(base, token, "POST", "/api/v1/documents", files=files)
    finally:
        for h in handles:
            h.close()
    return str(job["id"])


def _finished(base: str, token: str, job_id: str, limit: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = _call(base, token, "GET", f"/api/v1/jobs/{job_id}")
        if job["state"] in ("done", "cancelled"):
            return job
        time.sleep(0.5)  # polling interval, not a timed assertion
    raise AssertionError(f"job {job_id} did not finish: {job}")


def _store_counts(port: int, collection: str) -> Counter[str]:
    """Passages per document version, as the Chroma server holds them."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(
        host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)
    )
    found = client.get_collection(collection, embedding_function=None).get(include=["metadatas"])
    assert len(set(found["ids"])) == len(found["ids"])
    return Counter(str(m["doc_version"]) for m in found["metadatas"] or [])


def test_two_apps_and_the_cli_share_one_library_through_a_chroma_server(tmp_path: Path):
    chroma_port = free_port()
    chroma = start_server(
        [str(BIN / "chroma"), "run", "--path", str(tmp_path / "chroma-server")]
        + ["--host", "127.0.0.1", "--port", str(chroma_port)],
        tmp_path / "chroma.log",
    )
    apps: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        wait_for_http(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", chroma, timeout=60)
        data_dir = tmp_path / "library"
        env = guide_env(data_dir=str(data_dir), chroma_host="127.0.0.1", chroma_port=chroma_port)
        started = time.monotonic()
        built = subprocess.run(
            [
                str(BIN / "guide"),
                "ingest",
                str(CORPUS / SAMPLE_DOCS[0]),
                str(CORPUS / SAMPLE_DOCS[3]),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert built.returncode == 0, built.stdout + built.stderr
        assert not (data_dir / "chroma").exists()  # the vectors live in the server
        add_accounts(data_dir, STAFF)
        for index in range(2):
            port, log = free_port(), tmp_path / f"serve-{index}.log"
            args = [str(BIN / "guide"), "serve", "--port", str(port)]
            apps.append((start_server(args, log, env), f"http://127.0.0.1:{port}", log))
        for proc, base, log in apps:
            wait_for_http(base + "/healthz", proc, timeout=240, log=log)
        bases = [base for _, base, _ in apps]
        print(f"library built and both apps up in {time.monotonic() - started:.0f}s")
        # signed in on one app, the token works on the other: one account store
        token = _token(bases[0], "sam", STAFF["sam"][1])
        assert _call(bases[1], token, "GET", "/api/v1/whoami")["user"] == "sam"

        pdfs = _make_pdfs(tmp_path / "new")
        started = time.monotonic()
        cli = subprocess.Popen(
            [str(BIN / "guide"), "ingest", "--json", *(str(pdfs[n]) for n in VIA_CLI)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        with ThreadPoolExecutor(2) as pool:
            uploads = [
                pool.submit(_upload, base, token, [pdfs[n] for n in sorted(names)])
                for base, names in zip(bases, VIA_APP, strict=True)
            ]
            jobs = [(base, u.result()) for base, u in zip(bases, uploads, strict=True)]
        out, err = cli.communicate(timeout=300)
        assert cli.returncode == 0, out + err
        assert {r["status"] for r in json.loads(out)["files"]} == {"added"}, out
        # either app reports any job (one queue), and every file was added exactly once
        done = [_finished(bases[1 - i], token, job_id) for i, (_, job_id) in enumerate(jobs)]
        print(f"uploads and ingest finished in {time.monotonic() - started:.0f}s")
        states = {f["name"]: f["state"] for job in done for f in job["files"]}
        assert states == {n: "added" for names in VIA_APP for n in names}, done

        registry = json.loads((data_dir / "registry.json").read_text(encoding="utf-8"))
        records = registry["documents"]
        expected = {SAMPLE_DOCS[0], SAMPLE_DOCS[3], *NEW_DOCS}
        assert sorted(r["source_file"] for r in records) == sorted(expected)  # once each
        assert all(r["status"] == "current" and r["chunks"] >= 2 for r in records), records
        # the server holds exactly each version's passages: none missing, none twice, no orphans
        assert _store_counts(chroma_port, "mutuals-guide") == {
            r["version"]: r["chunks"] for r in records
        }
        audited = Counter(
            json.loads(line).get("what", {}).get("document")
            for line in (data_dir / "audit" / "audit.jsonl").read_text().splitlines()
            if json.loads(line).get("action") == "upload"
        )
        assert all(audited[name] == 1 for name in NEW_DOCS), audited  # no file worked twice

        listings = [_call(base, token, "GET", "/api/v1/documents") for base in bases]
        generations = {listing["generation"] for listing in listings}
        assert len(generations) == 1, generations
        # the keyword index saved for that generation holds exactly the registry's passages
        (generation,) = generations
        keyword_ids = json.loads((data_dir / "keyword" / generation / "ids.json").read_text())
        chunk_ids = [
            c["chunk_id"]
            for r in records
            for c in json.loads((data_dir / "chunks" / f"{r['version']}.json").read_text())[
                "chunks"
            ]
        ]
        assert sorted(keyword_ids) == sorted(chunk_ids)
        assert [sorted(d["version"] for d in x["documents"]) for x in listings] == [
            sorted(r["version"] for r in records)
        ] * 2
        for base in bases:
            ready = _call(base, token, "GET", "/readyz")
            assert (
                ready["checks"]["store"]["detail"]
                == f"{sum(r['chunks'] for r in records)} passages"
            )

        # each app answers from every new document, whichever process added it
        for base in bases:
            for name, (_, question) in NEW_DOCS.items():
                answer = _call(base, token, "POST", "/api/v1/ask", json={"question": question})
                cited = {c["source_file"] for c in answer["citations"]}
                assert answer["status"] == "answered" and name in cited, (base, name, answer)
    finally:
        for proc, _, _ in apps:
            stop(proc)
        stop(chroma)
