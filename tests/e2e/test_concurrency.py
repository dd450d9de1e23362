"""Parallel uploads and questions against the real app: every question is answered while uploads
run, every upload lands whole, and the library is consistent afterwards. Latencies are printed
(run with -s to see them), not asserted: timing belongs in benchmarks."""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.library import Library
from tests.checks import consistent
from tests.helpers import CORPUS, serving

pytestmark = pytest.mark.e2e

UPLOADS = [
    "02-government-response-2013-digest.pdf",
    "03-what-is-a-public-service-mutual.pdf",
    "10-social-value-right-to-challenge-asset-transfer.pdf",
]
QUESTIONS = [
    "What information must be given to the new employer before a TUPE transfer?",
    "How does a council reserve a contract for a public service mutual?",
    "What did the committee recommend about the community right to challenge?",
    "What is regulation 77 of the Public Contracts Regulations 2015?",
]


def test_parallel_uploads_and_questions(sample_library: Path, tmp_path: Path):
    from gradio_client import Client, handle_file

    data_dir = tmp_path / "library"
    shutil.copytree(sample_library, data_dir)
    uploads = [u for u in UPLOADS if (CORPUS / u).exists()]
    assert len(uploads) == len(UPLOADS), "the bundled corpus changed: update UPLOADS"
    with serving(data_dir, tmp_path / "serve.log") as url:

        def upload(name: str) -> dict:
            return Client(url, verbose=False).predict(
                [handle_file(str(CORPUS / name))], api_name="/upload"
            )

        def ask(question: str) -> tuple[float, dict]:
            start = time.perf_counter()
            answer = Client(url, verbose=False).predict(question, api_name="/ask")
            return time.perf_counter() - start, answer

        quiet = [ask(q)[0] for q in QUESTIONS]
        with ThreadPoolExecutor(max_workers=len(uploads) + len(QUESTIONS)) as pool:
            uploaded = [pool.submit(upload, name) for name in uploads]
            asked = [pool.submit(ask, q) for q in QUESTIONS * 2]
            answers = [f.result(timeout=600) for f in asked]
            results = [f.result(timeout=600) for f in uploaded]

        for _, answer in answers:
            assert answer["status"] in {"answered", "partial"}, answer
            assert answer["citations"]
        assert [r["files"][0]["status"] for r in results] == ["added"] * len(uploads)
        listed = Client(url, verbose=False).predict(api_name="/documents")
        assert {d["source_file"] for d in listed["documents"]} >= set(uploads)
        busy = sorted(t for t, _ in answers)
        print(
            f"\nquestion latency, quiet: max {max(quiet):.2f}s; "
            f"during {len(uploads)} uploads: median {busy[len(busy) // 2]:.2f}s, "
            f"max {busy[-1]:.2f}s"
        )
    library = Library(Settings(data_dir=data_dir))
    assert len(library.documents()) == 4 + len(uploads)
    consistent(library)
