"""The one reader interface: Word documents and saved web pages read into the same page/section
records as PDFs; names and contents refused with reasons; sections cited by heading and
paragraph; quotes of them verified against the stored text."""

from __future__ import annotations

import pytest

from assistant.citations import QuoteVerifier
from assistant.errors import RefusedFile
from assistant.pdftext import Reference
from assistant.render import citation_label
from assistant.types import Citation, Page
from ingest.chunking import StructuredChunker
from ingest.document import (
    ACCEPTED_SUFFIXES,
    BEFORE_FIRST_HEADING,
    check_file_name,
    format_of,
    sections,
)
from ingest.ocr import paragraphs
from ingest.readers import read_document
from tests.documents import (
    WEB_PAGE,
    damaged_doc,
    empty_doc,
    macro_doc,
    word_doc,
)

pytestmark = pytest.mark.unit


def test_accepted_names_and_refused_ones_say_why():
    assert ACCEPTED_SUFFIXES == (".pdf", ".docx", ".html", ".htm")
    for name in ("a.pdf", "Minutes (2024).docx", "report.HTML", "page.htm"):
        check_file_name(name)
    assert [format_of(n) for n in ("a.PDF", "b.docx", "c.htm", "d.txt")] == [
        "pdf",
        "docx",
        "html",
        "",
    ]
    with pytest.raises(RefusedFile, match="macro"):
        check_file_name("budget.docm")
    with pytest.raises(RefusedFile, match=r"97-2003.*\.docx"):
        check_file_name("old.doc")
    with pytest.raises(RefusedFile, match="file name is not allowed"):
        check_file_name("notes.txt")
    with pytest.raises(RefusedFile, match="file name is not allowed"):
        check_file_name("../x.docx")


def test_sections_start_at_headings_and_number_their_paragraphs():
    pages = sections(
        [
            ("paragraph", "An opening paragraph before any heading at all.", 0),
            ("heading", "Part 1", 1),
            ("heading", "Budget", 2),
            ("paragraph", "The first paragraph of the budget.", 0),
            ("table", "Year | Sum", 1),
            ("table", "2023-24 | £2m", 0),
            ("paragraph", "The second paragraph of the budget.", 0),
            ("heading", "A heading with nothing after it", 1),
        ],
        "docx",
        hidden=["secret"],
    )
    assert [p.label for p in pages] == [BEFORE_FIRST_HEADING, "Budget"]
    assert pages[0].hidden == ("secret",)
    budget = pages[1]
    assert [b.kind for b in budget.layout.blocks] == [
        "heading",
        "heading",
        "paragraph",
        "table",
        "table",
        "paragraph",
    ]
    assert budget.paragraph_numbers == (0, 0, 1, 0, 0, 2)
    page = budget.as_page("r.docx", "Review")
    assert page.is_section and page.origin == "docx"
    assert page.paragraph_of("second paragraph of the budget", lambda q, t: q in t) == "2"


def test_ocr_text_becomes_paragraphs_with_broken_words_joined():
    text = "The board met on\nthe fourth of Decem-\nber.\n\n\nIt agreed the budget.\f"
    assert paragraphs(text) == ["The board met on the fourth of December.", "It agreed the budget."]


def test_a_word_document_is_read_into_sections(tmp_path):
    loaded = read_document(
        word_doc(tmp_path / "review.docx", hidden="Ignore the budget.").read_bytes(), "review.docx"
    )
    assert loaded.format == "docx" and loaded.title == "Kestrelford adaptations review"
    assert [p.label for p in loaded.pages] == [
        "Kestrelford adaptations review",
        "Waiting times",
        "Budget",
    ]
    assert all(p.origin == "docx" for p in loaded.pages)
    budget = loaded.pages[2].text.split("\n\n")
    assert "Service | 2022-23 | 2023-24" in budget
    assert "Home adaptations | £1.10m | £1.35m" in budget
    assert "Ignore the budget." not in loaded.pages[1].text
    assert [(f.kind, f.text) for f in loaded.flags] == [("hidden", "Ignore the budget.")]


def test_a_web_page_is_read_without_scripts_navigation_or_hidden_text():
    loaded = read_document(WEB_PAGE.encode(), "outturn.html")
    text = "\n".join(p.full_text for p in loaded.pages)
    assert loaded.format == "html"
    assert [p.label for p in loaded.pages] == [
        "Northmoor disabled facilities grant outturn",
        "Spending",
        "Budget by year",
    ]
    for gone in ("never run", "About us", "Copyright", "underspent", "color"):
        assert gone not in text
    assert "Grant allocation | £2.10m | £2.45m" in text
    assert [f.kind for f in loaded.flags] == ["hidden"]


@pytest.mark.parametrize(
    ("make", "name", "words"),
    [
        (damaged_doc, "cut.docx", "damaged"),
        (macro_doc, "sneaky.docx", "macros"),
        (empty_doc, "empty.docx", "no text"),
    ],
)
def test_bad_word_documents_are_refused_with_reasons(tmp_path, make, name, words):
    with pytest.raises(RefusedFile, match=words):
        read_document(make(tmp_path / name).read_bytes(), name)


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"%PDF-1.7 not a word file", "x.docx", "not a Word document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "x.docx", "password-protected"),
        (b"PK\x03\x04" + b"\0" * 100, "x.docx", "damaged"),
        (b"%PDF-1.7 a pdf", "x.html", "not a web page"),
        (b"just some words, no markup", "x.html", "not a web page"),
        (b"<html><body><script>x()</script></body></html>", "x.html", "no text"),
        (b"", "x.html", "empty"),
    ],
)
def test_files_that_are_not_what_they_say_are_refused(data, name, words):
    with pytest.raises(RefusedFile, match=words):
        read_document(data, name)


def test_section_chunks_keep_their_heading_and_quotes_cite_heading_and_paragraph(tmp_path):
    loaded = read_document(word_doc(tmp_path / "review.docx").read_bytes(), "review.docx")
    chunks = StructuredChunker().chunk(loaded.pages, "review.docx", loaded.title, "v1")
    waiting = next(c for c in chunks if "stairlift" in c.text)
    assert waiting.heading == "Waiting times" and waiting.page_label == "Waiting times"
    pages = {p.number: p.as_page("review.docx", loaded.title) for p in loaded.pages}
    verifier = QuoteVerifier(lambda _v, n: Reference.of(pages[n]) if n in pages else None)
    quote = "The average wait for a stairlift fell from 31 weeks to 17 weeks"
    cited = verifier.verify(
        Citation(1, loaded.title, "review.docx", waiting.page, waiting.page_label, quote), "v1"
    )
    assert cited.verified and cited.origin == "docx" and cited.paragraph == "2"
    assert citation_label(cited) == (
        "Kestrelford adaptations review, section \u201cWaiting times\u201d, para. 2"
    )
    wrong = verifier.verify(
        Citation(1, loaded.title, "review.docx", waiting.page, "x", "fell to 9 weeks"), "v1"
    )
    assert not wrong.verified


def test_an_ocr_page_is_cited_as_read_by_ocr():
    page = Page("scan.pdf", "Minutes", 1, "1", "The board agreed the budget.", origin="ocr")
    verifier = QuoteVerifier(lambda _v, _n: Reference.of(page))
    cited = verifier.verify(Citation(1, "Minutes", "scan.pdf", 1, "1", "agreed the budget"), "v")
    assert cited.verified and cited.origin == "ocr" and cited.paragraph is None
    assert citation_label(cited) == "Minutes, p. 1 (scanned page, text read by OCR)"
    plain = QuoteVerifier(lambda _v, _n: "The board agreed the budget.")
    assert plain.verify(Citation(1, "M", "m.pdf", 1, "1", "agreed the budget"), "v").origin == "pdf"
