"""Files that cannot join the library are refused with a reason a person understands, and the
library is exactly as it was."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.library import Library
from ingest.pdf import PdfLoader
from ingest.pipeline import IngestPipeline
from tests.helpers import CORPUS, SAMPLE_DOCS
from tests.pdfs import blank_pdf, encrypted_pdf, scanned_pdf, text_pdf, truncated_pdf

pytestmark = pytest.mark.integration


def make_zoo(folder):
    good = CORPUS / SAMPLE_DOCS[0]
    folder.mkdir()
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "notes.pdf").write_text("Meeting notes, not a PDF at all.")
    truncated_pdf(folder / "truncated.pdf", good)
    encrypted_pdf(folder / "locked.pdf", text_pdf(folder.parent / "plain.pdf", ["Secret text."]))
    scanned_pdf(folder / "scan.pdf")
    blank_pdf(folder / "blank-thousand.pdf", 1000)
    return {
        "empty.pdf": "empty",
        "notes.pdf": "not a PDF",
        "truncated.pdf": "damaged",
        "locked.pdf": "encrypted",
        "scan.pdf": "OCR",
        "blank-thousand.pdf": "OCR",
    }


def test_each_bad_file_is_refused_with_its_reason(library_copy, embedder, tmp_path):
    expected = make_zoo(tmp_path / "zoo")
    library = Library(Settings(data_dir=library_copy))
    registry = (library_copy / "registry.json").read_bytes()
    chunks = library.store.count()
    results = IngestPipeline(Settings(data_dir=library_copy), embedder=embedder).run(
        [tmp_path / "zoo"]
    )
    reasons = {r.path.rsplit("/", 1)[-1]: (r.status, r.reason) for r in results}
    for name, words in expected.items():
        status, reason = reasons[name]
        assert status == "refused", name
        assert words.lower() in reason.lower(), (name, reason)
    assert (library_copy / "registry.json").read_bytes() == registry
    assert library.store.count() == chunks


def test_size_and_page_limits_are_configurable(tmp_path):
    doc = text_pdf(tmp_path / "long.pdf", [f"Page {i} of a long report." for i in range(5)])
    with pytest.raises(Exception, match="over the 3 limit"):
        PdfLoader(max_pages=3).load(doc)
    with pytest.raises(Exception, match="MB limit"):
        PdfLoader(max_mb=0.0001).load(doc)


@pytest.mark.parametrize("name", ["../escape.pdf", ".hidden.pdf", "a\nb.pdf", "report.exe"])
def test_file_names_with_path_tricks_are_refused(tmp_path, name):
    data = text_pdf(tmp_path / "ok.pdf", ["A perfectly good page of text."]).read_bytes()
    with pytest.raises(Exception, match="file name is not allowed"):
        PdfLoader().load_bytes(data, name)
