"""Scans, Word documents and saved web pages through the real `guide ingest` and the real
answer chain: a scanned page read by OCR and its quote verified and marked OCR; Word and web
page sections cited by heading and paragraph, their table figures with their headings; bad
files refused with reasons and the library exactly as before."""

from __future__ import annotations

import json

import pytest

from assistant.config import Settings
from assistant.library import Library
from assistant.types import Status
from tests.documents import (
    blank_image_pdf,
    damaged_doc,
    empty_doc,
    macro_doc,
    scanned_image_pdf,
    web_page,
    word_doc,
)
from tests.helpers import guide_cli
from tests.pdfs import blank_pdf

pytestmark = pytest.mark.integration


def test_scans_word_and_web_pages_through_the_cli_and_the_chain(
    library_copy, guide_factory, tmp_path
):
    folder = tmp_path / "arrived"
    folder.mkdir()
    scanned_image_pdf(folder / "signed-minutes.pdf")
    word_doc(folder / "adaptations-review.docx")
    web_page(folder / "outturn.html")
    run = guide_cli("ingest", str(folder), "--data-dir", str(library_copy), "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    results = {r["source_file"]: r for r in json.loads(run.stdout)["files"]}
    assert {r["status"] for r in results.values()} == {"added"}, results
    assert results["signed-minutes.pdf"]["flags"] == 1  # the OCR note for staff

    library = Library(Settings(data_dir=library_copy))
    formats = {r.source_file: r.format for r in library.documents()}
    assert formats["adaptations-review.docx"] == "docx" and formats["outturn.html"] == "html"
    assert (library.files_dir / f"{library.find('outturn.html').sha256}.html").exists()  # type: ignore[union-attr]

    guide = guide_factory(library_copy)
    scan = guide.ask("When will the Harbourside swimming pool reopen after the roof repairs?")
    assert scan.status is not Status.NO_ANSWER, scan.text
    cited = [c for c in scan.citations if c.source_file == "signed-minutes.pdf"]
    assert cited and all(c.verified and c.origin == "ocr" for c in cited)
    assert "3 March 2025" in scan.text

    word = guide.ask("How long was the average wait for a stairlift in Kestrelford?")
    cited = [c for c in word.citations if c.source_file == "adaptations-review.docx"]
    assert cited, word.text
    assert all(c.verified and c.origin == "docx" for c in cited)
    assert {(c.page_label, c.paragraph) for c in cited} == {("Waiting times", "2")}

    budget = guide.ask("What was the Northmoor grant allocation in 2024-25?")
    cited = [c for c in budget.citations if c.source_file == "outturn.html"]
    assert cited and all(c.verified and c.origin == "html" for c in cited), budget.text
    assert "2024-25: £2.45m" in budget.text  # the figure with its column heading
    assert "Grant allocation" in budget.text  # ... and its row's


def test_bad_documents_are_refused_with_reasons_and_change_nothing(library_copy, tmp_path):
    zoo = tmp_path / "zoo"
    zoo.mkdir()
    damaged_doc(zoo / "cut-off.docx")
    macro_doc(zoo / "budget.docm")
    macro_doc(zoo / "renamed-macros.docx")
    empty_doc(zoo / "nothing.docx")
    (zoo / "notes.html").write_text("Meeting notes, not a web page.")
    (zoo / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    blank_image_pdf(zoo / "blank-scan.pdf")
    blank_pdf(zoo / "blank.pdf", 3)
    for extra in ("plain-for-macro.docx", "whole-for-damage.docx"):  # the makers' sources
        (zoo / extra).unlink()
    expected = {
        "cut-off.docx": "damaged",
        "budget.docm": "macro",
        "renamed-macros.docx": "macros",
        "nothing.docx": "no text",
        "notes.html": "not a web page",
        "old.doc": "97-2003",
        "blank-scan.pdf": "OCR",
        "blank.pdf": "OCR",
    }
    registry = (library_copy / "registry.json").read_bytes()
    chunks = Library(Settings(data_dir=library_copy)).store.count()
    run = guide_cli("ingest", str(zoo), "--data-dir", str(library_copy), "--json")
    assert run.returncode == 1
    reasons = {r["path"].rsplit("/", 1)[-1]: r for r in json.loads(run.stdout)["files"]}
    assert set(reasons) == set(expected)
    for name, words in expected.items():
        assert reasons[name]["status"] == "refused", name
        assert words.lower() in reasons[name]["reason"].lower(), (name, reasons[name])
    assert (library_copy / "registry.json").read_bytes() == registry
    assert Library(Settings(data_dir=library_copy)).store.count() == chunks
