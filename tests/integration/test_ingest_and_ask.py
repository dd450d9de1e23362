"""The walking skeleton end to end on real parts: pypdf, the packaged MiniLM model, embedded
Chroma, the real chain and the `guide` CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.config import Settings
from assistant.library import Library
from assistant.text import normalise
from assistant.types import Status
from ingest.pipeline import IngestPipeline
from tests.helpers import CORPUS, SAMPLE_DOCS, guide_cli
from tests.pdfs import text_pdf

pytestmark = pytest.mark.integration


def pdf_page_text(source_file: str, page: int) -> str:
    """The page's text read afresh from the bundled PDF, independent of the library."""
    return PdfReader(CORPUS / source_file).pages[page - 1].extract_text()


def pdf_page_label(source_file: str, page: int) -> str:
    return PdfReader(CORPUS / source_file).page_labels[page - 1]


def test_answer_quotes_appear_on_the_cited_pages(sample_library, guide_factory):
    guide = guide_factory(sample_library)
    answer = guide.ask(
        "How do transferring staff keep membership of the Local Government Pension Scheme?"
    )
    assert answer.status is Status.ANSWERED
    assert answer.citations
    for c in answer.citations:
        assert f"[{c.n}]" in answer.text
        assert normalise(c.quote) in normalise(pdf_page_text(c.source_file, c.page))
        assert c.page_label == pdf_page_label(c.source_file, c.page)
    assert any("pension" in c.quote.lower() for c in answer.citations)
    assert len(answer.retrieved) == guide.settings.top_k


def test_printed_page_labels_differ_from_pdf_index_for_front_matter(sample_library):
    library = Library(Settings(data_dir=sample_library))
    record = library.find(SAMPLE_DOCS[0])
    assert record is not None
    labels = [p.page_label for p in library.pages(record.version)]
    assert labels[:3] == ["i", "ii", "iii"]
    assert "1" in labels and labels.index("1") > 2


def test_out_of_scope_question_gets_no_answer(sample_library, guide_factory):
    answer = guide_factory(sample_library).ask("What is the speed limit on motorways in France?")
    assert answer.status is Status.NO_ANSWER
    assert answer.citations == ()
    assert "does not answer" in answer.text


def test_follow_up_uses_the_earlier_question(sample_library, guide_factory):
    guide = guide_factory(sample_library)
    first = "What must the council tell staff and unions before a TUPE transfer?"
    answer = guide.ask("And what about their pensions?", history=[first])
    assert "TUPE" in answer.search_query
    assert answer.status is not Status.NO_ANSWER
    assert any("pension" in c.quote.lower() for c in answer.citations)


def test_reingest_unchanged_adds_nothing_and_changed_file_replaces(
    library_copy, embedder, tmp_path
):
    settings = Settings(data_dir=library_copy)
    pipeline = IngestPipeline(settings, embedder=embedder)
    before = pipeline.library.summary()
    results = pipeline.run([CORPUS / SAMPLE_DOCS[1]])
    assert [r.status for r in results] == ["unchanged"]
    assert pipeline.library.summary() == before

    doc = tmp_path / "policy.pdf"
    text_pdf(doc, ["The council adopted a co-operative commissioning policy in March 2014."])
    assert [r.status for r in pipeline.run([doc])] == ["added"]
    old_version = pipeline.library.find("policy.pdf").version
    text_pdf(
        doc,
        [
            "The council revised its co-operative commissioning policy in May 2016.",
            "A second page about social value in contracts and tenders.",
        ],
    )
    (result,) = pipeline.run([doc])
    assert (result.status, result.pages) == ("replaced", 2)
    assert "superseded" in result.reason
    library = pipeline.library
    old = library.find_version(old_version)
    assert old is not None and old.status == "superseded"
    assert library.find("policy.pdf").version != old_version
    store = library.store
    assert store.count([old_version]) == old.chunks  # kept, marked superseded
    assert store.count() == sum(d.chunks for d in library.records())


def test_cli_ingest_json_contract_and_refusal_leaves_index_unchanged(library_copy, tmp_path):
    registry = (library_copy / "registry.json").read_bytes()
    chunks_before = Library(Settings(data_dir=library_copy)).store.count()
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% cut short")
    good = CORPUS / SAMPLE_DOCS[0]
    run = guide_cli("ingest", str(bad), str(good), "--data-dir", str(library_copy), "--json")
    assert run.returncode == 1, run.stderr
    files = json.loads(run.stdout)["files"]
    by_path = {Path(f["path"]).name: f for f in files}
    assert {"path", "status", "reason", "pages", "chunks"} <= set(by_path["broken.pdf"])
    assert by_path["broken.pdf"]["status"] == "refused"
    assert "damaged" in by_path["broken.pdf"]["reason"]
    assert by_path[good.name]["status"] == "unchanged"
    assert (library_copy / "registry.json").read_bytes() == registry
    assert Library(Settings(data_dir=library_copy)).store.count() == chunks_before


def test_cli_ask_json_contract(sample_library):
    run = guide_cli(
        "ask",
        "What is regulation 77 of the Public Contracts Regulations 2015?",
        "--data-dir",
        str(sample_library),
        "--json",
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert {"question", "answer", "status", "citations", "retrieved"} <= set(out)
    assert out["status"] in {"answered", "partial"}
    assert {"n", "document", "source_file", "page", "page_label", "quote"} <= set(
        out["citations"][0]
    )
    assert {"source_file", "page", "score"} <= set(out["retrieved"][0])
    scores = [r["score"] for r in out["retrieved"]]
    assert scores == sorted(scores, reverse=True)


def test_cli_reports_empty_library_in_one_line(tmp_path):
    run = guide_cli("ask", "What is a mutual?", "--data-dir", str(tmp_path / "empty"))
    assert run.returncode == 2
    assert run.stderr.startswith("Error: The library is empty")
    assert "Traceback" not in run.stderr
