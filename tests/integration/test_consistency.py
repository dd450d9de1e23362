"""A crash between writing chunks and switching the registry must be invisible to readers and
cleaned up afterwards; and the library works the same against a `chroma run` server."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.library import Library
from assistant.types import Chunk, Status
from ingest.pipeline import IngestPipeline
from tests.helpers import (
    BIN,
    CORPUS,
    SAMPLE_DOCS,
    free_port,
    start_server,
    stop,
    wait_for_http,
)

pytestmark = pytest.mark.integration


def test_orphaned_chunks_are_never_retrieved_and_recover_removes_them(
    library_copy, guide_factory, embedder
):
    guide = guide_factory(library_copy)
    question = "What did the Committee say about procurement rules for mutuals?"
    text = "Orphan text about procurement rules for mutuals, from an interrupted ingest."
    orphan = Chunk("dead:0", "dead-version", "ghost.pdf", "Ghost", 1, "1", text)
    vector = embedder.embed_query(question)  # as close to the question as it can be
    guide.library.store.add([orphan], [vector])
    answer = guide.ask(question)
    assert all(h.chunk.source_file != "ghost.pdf" for h in answer.retrieved)
    assert guide.library.recover() == ["dead-version"]
    assert guide.library.store.count(["dead-version"]) == 0


def test_chroma_server_mode(tmp_path, embedder, guide_factory):
    port = free_port()
    log = tmp_path / "chroma.log"
    args = [
        str(BIN / "chroma"),
        "run",
        "--path",
        str(tmp_path / "chroma-server"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    server = start_server(args, log)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", server, timeout=60, log=log)
        settings = Settings(data_dir=tmp_path / "lib", chroma_host="127.0.0.1", chroma_port=port)
        results = IngestPipeline(settings, embedder=embedder).run([CORPUS / SAMPLE_DOCS[2]])
        assert [r.status for r in results] == ["added"]
        assert not (tmp_path / "lib" / "chroma").exists()  # vectors live in the server
        guide = guide_factory(tmp_path / "lib", chroma_host="127.0.0.1", chroma_port=port)
        answer = guide.ask(
            "What information must the old employer give the new employer before a TUPE transfer?"
        )
        assert answer.status is not Status.NO_ANSWER
        assert {c.source_file for c in answer.citations} == {SAMPLE_DOCS[2]}
        assert Library(settings).store.count() == results[0].chunks
    finally:
        stop(server)


def test_a_store_rebuilt_by_another_process_keeps_serving(tmp_path, embedder, guide_factory):
    """Rebuilding the store (tidy does it when the store looks damaged) replaces the server's
    collection; another process holding the old one must find the new one, not fail."""
    port = free_port()
    log = tmp_path / "chroma.log"
    args = [str(BIN / "chroma"), "run", "--path", str(tmp_path / "chroma-server")]
    server = start_server([*args, "--host", "127.0.0.1", "--port", str(port)], log)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", server, timeout=60, log=log)
        settings = Settings(data_dir=tmp_path / "lib", chroma_host="127.0.0.1", chroma_port=port)
        results = IngestPipeline(settings, embedder=embedder).run([CORPUS / SAMPLE_DOCS[2]])
        assert [r.status for r in results] == ["added"]
        serving = guide_factory(tmp_path / "lib", chroma_host="127.0.0.1", chroma_port=port)
        question = (
            "What information must the old employer give the new employer before a TUPE transfer?"
        )
        assert {c.source_file for c in serving.ask(question).citations} == {SAMPLE_DOCS[2]}
        assert Library(settings).rebuild_store() == results[0].chunks  # "another process"
        answer = serving.ask(question)
        assert {c.source_file for c in answer.citations} == {SAMPLE_DOCS[2]}
        assert serving.library.store.count() == results[0].chunks
    finally:
        stop(server)
