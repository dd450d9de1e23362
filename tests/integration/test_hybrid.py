"""The keyword index and the vector store describe the same chunks through every change, the
keyword index survives a restart without a rebuild, and filters limit what is searched."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.keyword import KeywordIndex
from assistant.library import Library
from assistant.retrieval import SearchFilters
from ingest.pipeline import IngestPipeline
from tests.checks import consistent
from tests.helpers import CORPUS, SAMPLE_DOCS
from tests.pdfs import text_pdf

pytestmark = pytest.mark.integration


def test_indexes_agree_through_add_replace_and_remove(library_copy, embedder, tmp_path):
    settings = Settings(data_dir=library_copy)
    pipeline = IngestPipeline(settings, embedder=embedder)
    library = pipeline.library
    consistent(library)

    doc = text_pdf(
        tmp_path / "local-policy.pdf",
        ["Our council's co-operative commissioning policy dates from March 2014."],
    )
    pipeline.run([doc])
    consistent(library)
    hits = library.keyword_index().search("co-operative commissioning policy", 3)
    assert hits and hits[0][0].startswith(library.find("local-policy.pdf").version)

    old_version = library.find("local-policy.pdf").version
    text_pdf(doc, ["The policy was revised in May 2016 to add social value scoring."])
    pipeline.run([doc])
    consistent(library)
    assert old_version in library.superseded_versions()  # kept, and ranked below the current
    assert library.keyword_index().search("social value scoring", 3)

    library.remove(SAMPLE_DOCS[3])
    consistent(library)
    assert all(c.source_file != SAMPLE_DOCS[3] for c in library.current_chunks())


def test_keyword_index_loads_after_restart_without_rebuild(library_copy, monkeypatch):
    def no_rebuild(*args, **kwargs):
        raise AssertionError("the keyword index was rebuilt instead of loaded")

    monkeypatch.setattr(KeywordIndex, "build", classmethod(no_rebuild))
    fresh = Library(Settings(data_dir=library_copy))  # a new process would start like this
    index = fresh.keyword_index()
    assert index.generation == fresh.generation()
    assert index.search("TUPE employee liability information", 5)


def test_missing_keyword_index_is_rebuilt_once(library_copy):
    library = Library(Settings(data_dir=library_copy))
    for folder in (library_copy / "keyword").iterdir():
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
    consistent(library)
    assert (library_copy / "keyword" / library.generation() / "ids.json").exists()


def test_filters_limit_documents_and_kinds(sample_library, guide_factory):
    guide = guide_factory(sample_library)
    only = SearchFilters(documents=(SAMPLE_DOCS[1],))
    hits = guide.retriever.retrieve("pensions for transferring staff", filters=only)
    assert hits and {h.chunk.source_file for h in hits} == {SAMPLE_DOCS[1]}
    kind = guide.library.find(SAMPLE_DOCS[0]).kind
    hits = guide.retriever.retrieve("procurement", filters=SearchFilters(kinds=(kind,)))
    assert hits and {h.chunk.kind for h in hits} == {kind}


def test_hybrid_finds_an_exact_term_the_embedding_misses(sample_library, guide_factory):
    guide = guide_factory(sample_library)
    hits = guide.retriever.retrieve("SI 2006/246")
    assert any("2006/246" in h.chunk.text for h in hits[:3])
    assert all(CORPUS.joinpath(h.chunk.source_file).exists() for h in hits)
