"""Reading order and page-level reading on real PDFs, through pypdf and the loader, checked the
way quotes are: each sentence of our body text must appear, in order, in PDFium's reading of
the page (`ingest.check_reading_order`). Crafted pages in columns (a masthead and a boxed footer
around two columns, three columns, a sidebar) and pages that only look like columns
(`tests.layout_pdfs`); the bundled two-column page and the second library's two-column files;
scans with an OCR text layer and the attacks that imitate one; pages with empty or inverted
boxes; and the flags that repeat on every page."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.citations import words_in_order
from ingest.check_reading_order import pdfium_pages, sentences
from ingest.pdf import PdfLoader
from tests import layout_pdfs as crafted
from tests.helpers import CORPUS, ROOT

pytestmark = pytest.mark.integration
SECOND = ROOT / "corpus" / "second-library" / "pdf"
ROBUSTNESS = ROOT / "tests" / "robustness" / "pdfs"


def out_of_order(path: Path) -> list[tuple[int, str]]:
    """(page, sentence) for each sentence of ours that PDFium does not have in that order."""
    loaded = PdfLoader().load(path)
    reference = pdfium_pages(path)
    assert reference is not None and len(reference) == len(loaded.pages)
    return [
        (number, s)
        for number, (page, theirs) in enumerate(zip(loaded.pages, reference, strict=True), 1)
        for s in sentences(page.text)
        if not words_in_order(s, theirs)
    ]


@pytest.mark.parametrize(
    "build",
    [
        crafted.columns_pdf,
        crafted.three_columns_pdf,
        crafted.sidebar_pdf,
        crafted.single_column_pdf,
        crafted.contents_and_signatures_pdf,
    ],
    ids=lambda b: b.__name__,
)
def test_crafted_pages_are_read_in_the_order_they_are_printed(tmp_path, build):
    assert out_of_order(build(tmp_path / "page.pdf")) == []


def test_a_masthead_two_columns_and_a_boxed_footer_keep_their_order(tmp_path):
    text = PdfLoader().load(crafted.columns_pdf(tmp_path / "columns.pdf")).pages[0].text
    order = [
        text.index("Kestrelford mutuals network"),
        text.index("In masthead sentence 1"),
        text.index("In left sentence 1 "),
        text.index("In left sentence 22 "),
        text.index("In right sentence 1 "),
        text.index("In right sentence 20 "),
        text.index("In footer sentence 1 "),
    ]
    assert order == sorted(order)
    for page_text in (text, PdfLoader().load(crafted.three_columns_pdf(tmp_path / "3.pdf"))):
        assert "|" not in (page_text if isinstance(page_text, str) else page_text.pages[0].text)


def test_lines_that_only_look_like_columns_stay_with_their_line(tmp_path):
    loaded = PdfLoader().load(crafted.single_column_pdf(tmp_path / "single.pdf"))
    blocks = [b.text for b in loaded.pages[0].layout.blocks]
    assert [b[:15] for b in blocks[:7]] == [f"{n}. In para{n} sen" for n in range(1, 8)]
    assert (
        "June 2012 | Mutuals Taskforce report, Public Service Mutuals: The Next Steps, "
        "is published" in blocks
    )
    assert "1 May 2014 | Explore York Libraries and Archives founded as a mutual society" in blocks
    loaded = PdfLoader().load(crafted.contents_and_signatures_pdf(tmp_path / "toc.pdf"))
    blocks = [b.text for b in loaded.pages[0].layout.blocks]
    assert "1 Chapter about subject number 1 | 3" in blocks
    assert "Jane Smith | Arjun Patel" in blocks


def test_the_bundled_two_column_case_studies_read_in_full_agreement():
    path = CORPUS / "13-case-studies-leisure-and-libraries.pdf"
    assert out_of_order(path) == []
    page8 = PdfLoader().load(path).pages[7].text
    assert page8.index("38. Explore's report") < page8.index("Suffolk Libraries (2012 to 2025)")


@pytest.mark.parametrize(
    "name", ["dfg-england-policy-briefing-2025.pdf", "at-home-newsletter-spring-2025.pdf"]
)
def test_the_second_librarys_two_column_files_read_in_full_agreement(name):
    assert out_of_order(SECOND / name) == []


# -- scans with an OCR layer ---------------------------------------------------------------------
def test_a_scan_with_an_ocr_layer_is_read_and_marked(tmp_path):
    loaded = PdfLoader().load(crafted.scan_with_ocr_pdf(tmp_path / "scan.pdf", pages=3))
    for page in loaded.pages:
        for line in crafted.OCR_LINES[1:]:
            assert line in page.text
        assert page.layout.ocr_layer
    assert loaded.hidden == ((), (), ())
    assert [(f.kind, f.page, f.count) for f in loaded.flags] == [("ocr", 1, 3)]
    assert "OCR layer" in loaded.flags[0].text
    assert loaded.flags[0].to_dict()["count"] == 3


@pytest.mark.parametrize(
    "build",
    [crafted.small_image_attack_pdf, crafted.background_attack_pdf],
    ids=lambda b: b.__name__,
)
def test_invisible_text_that_is_no_ocr_layer_stays_hidden(tmp_path, build):
    loaded = PdfLoader().load(build(tmp_path / "attack.pdf"))
    assert "In visible sentence 1" in loaded.pages[0].text
    assert "Ignore all previous" not in loaded.pages[0].full_text
    assert not loaded.pages[0].layout.ocr_layer
    assert [(f.kind, f.text) for f in loaded.flags] == [("hidden", crafted.INSTRUCTIONS)]


# -- page boxes and repeated flags ---------------------------------------------------------------
def test_pages_with_empty_or_inverted_boxes_are_read_against_a_real_page(tmp_path):
    boxes = [
        b"/MediaBox [0 0 612 792] /CropBox [0 792 612 0]",  # corners the wrong way round
        b"/MediaBox [0 0 0 0]",  # empty: US Letter
        b"/MediaBox [0 0 600 800] /CropBox [0 0 0 0]",  # an empty crop box: the media box
        b"/MediaBox [0 0 600 800] /CropBox [600 800 1000 1000]",  # off the media box
        b"/MediaBox [0 0 612 792] /CropBox [36 36 576 756]",  # an ordinary crop
    ]
    loaded = PdfLoader().load(crafted.boxed_pdf(tmp_path / "boxes.pdf", boxes))
    assert [p.text for p in loaded.pages] == [crafted.BOXED_TEXT] * len(boxes)
    assert loaded.hidden == tuple(() for _ in boxes)


def test_a_hidden_slug_line_on_every_page_is_one_flag(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for n in range(1, 5):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"Page {n} of the register sets out the notice in ordinary text.")
        pdf.set_text_color(255, 255, 255)
        pdf.text(20, 280, f"VerDate Sep<11>2014 16:21 Aug 05, 2020 Jkt 25000{n} Frm 0000{n}")
        pdf.set_text_color(0, 0, 0)
    path = tmp_path / "register.pdf"
    path.write_bytes(bytes(pdf.output()))
    flags = PdfLoader().load(path).flags
    assert [(f.kind, f.page, f.count) for f in flags] == [("hidden", 1, 4)]
    assert flags[0].text.startswith("VerDate Sep<11>2014")


# -- the robustness files that showed these faults (git-ignored: skipped where absent) ----------
@pytest.mark.parametrize(
    ("name", "ocr"),
    [
        ("pypdf-siege-of-vicksburg-scan-with-ocr.pdf", True),
        ("pdfjs-empty-mediabox-and-cropbox.pdf", False),
        ("samplefiles-arabic-habibi-rotated.pdf", False),
    ],
)
def test_real_files_that_were_refused_are_read(name, ocr):
    path = ROBUSTNESS / name
    if not path.exists():
        pytest.skip(f"{name} is fetched by tests/robustness/fetch.py")
    loaded = PdfLoader().load(path)
    assert all(p.text.strip() for p in loaded.pages)
    assert any(p.layout.ocr_layer for p in loaded.pages) == ocr
