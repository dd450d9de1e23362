"""Cleaning and structure on crafted pages: furniture, footnotes, markers, columns, hyphens."""

import pytest

from assistant.types import Page
from ingest.chunking import StructuredChunker
from ingest.layout import Fragment, analyse

pytestmark = pytest.mark.unit
W, H = 595.0, 842.0


def body_lines(x, top, texts, size=10.5, leading=14.0):
    return [Fragment(x, top - i * leading, size, t) for i, t in enumerate(texts)]


def page(fragments, label):
    furniture = [
        Fragment(65, 801, 8.0, "Spin-out guide - digest"),
        Fragment(295, 30, 8.5, label),
    ]
    return (furniture + fragments, W, H)


WIDE = "x" * 80  # a full-width line of body text


def test_running_header_folio_and_footnote_are_kept_apart_from_body():
    fragments = [
        Fragment(65, 760, 16.0, "3 The business case"),
        *body_lines(
            65,
            730,
            [
                "14.  The business case sets out what the mutual will deliver, at what cost and",
                "with what risks, and cabinet must approve it before staff are asked to commit.",
            ],
        ),
        Fragment(540, 718, 7.0, "4"),  # a raised footnote marker after "commit."
        Fragment(65, 80, 7.0, "4 Local Government Act 1972, section 123."),
    ]
    pages = [page(fragments, str(n)) for n in (1, 2, 3)]
    layout = analyse(pages, ["1", "2", "3"])[1]
    assert "Spin-out guide - digest" in layout.furniture
    assert "2" in layout.furniture
    kinds = [b.kind for b in layout.blocks]
    assert kinds == ["heading", "paragraph", "footnote"]
    paragraph = layout.blocks[1].text
    assert paragraph.endswith("asked to commit.")  # no glued marker "commit.4"
    assert layout.footnote_text == "4 Local Government Act 1972, section 123."
    assert "section 123" not in layout.body_text


def test_numbered_paragraphs_and_gaps_start_new_blocks():
    fragments = body_lines(
        65,
        700,
        [
            "12.  First paragraph opens here and runs on for the whole width of the page text",
            "and ends here.",
            "13.  Second paragraph, numbered, starts straight after without a gap at all here.",
        ],
    )
    layout = analyse([page(fragments, "1")], ["1"])[0]
    assert [b.text[:3] for b in layout.blocks] == ["12.", "13."]


def test_two_columns_are_read_left_then_right():
    left = body_lines(65, 700, [f"Left column line {i} about the council." for i in range(10)])
    right = body_lines(312, 700, [f"Right column line {i} about the mutual." for i in range(10)])
    heading = Fragment(65, 740, 16.0, "2 A two-column case study heading")
    layout = analyse([page([heading, *right, *left], "1")], ["1"])[0]
    text = layout.body_text
    assert text.index("Left column line 9") < text.index("Right column line 0")
    assert text.index("2 A two-column") < text.index("Left column line 0")
    assert "council. Right" not in text  # lines at the same height were not merged


def test_hyphenation_rejoined_only_for_words_the_document_uses():
    fragments = body_lines(
        65,
        700,
        [
            "The organisation must adopt a co-operative structure and the organi-",
            "sation then elects its board from the co-",
            "operative membership.",
        ],
    )
    text = analyse([page(fragments, "1")], ["1"])[0].body_text
    assert "organisation then elects" in text
    assert "co-operative membership" in text


def test_contents_page_detected_and_not_chunked():
    toc = body_lines(65, 700, [f"{i} Chapter number {i} ........ {i + 1}" for i in range(1, 9)])
    body = body_lines(65, 700, ["1.  A real paragraph of guidance text for officers to read."])
    layouts = analyse([page(toc, "ii"), page(body, "1")], ["ii", "1"])
    assert layouts[0].is_contents and not layouts[1].is_contents
    pages = [
        Page("d.pdf", "Doc", i + 1, lab, lay.body_text)
        for i, (lab, lay) in enumerate(zip(["ii", "1"], layouts, strict=True))
    ]
    chunks = StructuredChunker().chunk(pages, layouts, "v1")
    assert {c.page for c in chunks} == {2}


def test_chunks_carry_heading_path_paragraph_numbers_and_continuations():
    first = [
        Fragment(65, 760, 16.0, "4 Pensions"),
        Fragment(65, 730, 12.5, "Admission agreements"),
        *body_lines(
            65,
            700,
            [
                "47.  The usual route is for the mutual to become an admission body in the fund by",
                "signing an admission agreement with the administering authority and the council",
            ],
        ),
    ]
    second = [
        *body_lines(
            65,
            760,
            [
                "before the transfer date, so that staff keep building up LGPS benefits without a",
                "break in membership.",
            ],
        ),
        Fragment(65, 720, 12.5, "Bonds and guarantees"),
        *body_lines(65, 700, ["48.  The admission body must assess the risk to the fund."]),
    ]
    labels = ["7", "8"]
    layouts = analyse([page(first, "7"), page(second, "8")], labels)
    pages = [
        Page("p.pdf", "People", i + 1, labels[i], lay.body_text) for i, lay in enumerate(layouts)
    ]
    chunks = StructuredChunker().chunk(pages, layouts, "v1", kind="guidance")
    by_start = {c.text[:12]: c for c in chunks}
    assert by_start["47. The usua"].heading == "4 Pensions > Admission agreements"
    continued = next(c for c in chunks if c.text.startswith("before the transfer"))
    assert (continued.page, continued.page_label, continued.paragraphs) == (2, "8", ("47",))
    last = by_start["48. The admi"]
    assert last.heading == "4 Pensions > Bonds and guarantees" and last.paragraphs == ("48",)
    assert "Pensions" in last.context_text() and "People" in last.context_text()
