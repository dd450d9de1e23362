"""Cleaning and structure on crafted pages: furniture, footnotes, markers, columns, hyphens."""

import pytest

from ingest.chunking import StructuredChunker
from ingest.layout import Fragment, analyse
from ingest.pdf import ReadPage

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
        ReadPage(i + 1, lab, lay) for i, lab, lay in zip((0, 1), ("ii", "1"), layouts, strict=True)
    ]
    chunks = StructuredChunker().chunk(pages, "d.pdf", "Doc", "v1")
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
    pages = [ReadPage(i + 1, labels[i], lay) for i, lay in enumerate(layouts)]
    chunks = StructuredChunker().chunk(pages, "p.pdf", "People", "v1", kind="guidance")
    by_start = {c.text[:12]: c for c in chunks}
    assert by_start["47. The usua"].heading == "4 Pensions > Admission agreements"
    continued = next(c for c in chunks if c.text.startswith("before the transfer"))
    assert (continued.page, continued.page_label, continued.paragraphs) == (2, "8", ("47",))
    last = by_start["48. The admi"]
    assert last.heading == "4 Pensions > Bonds and guarantees" and last.paragraphs == ("48",)
    assert "Pensions" in last.context_text() and "People" in last.context_text()


# -- linear time, same lines ---------------------------------------------------------------------
def reference_lines(fragments, body):
    """assemble_lines as it was (each fragment against every line so far): the output the
    bucketed version must reproduce."""
    from ingest.layout import Line

    ordered = sorted(fragments, key=lambda f: (-f.y, f.x))
    lines = []
    for frag in ordered:
        tolerance = max(2.0, 0.3 * frag.size)
        for line in lines:
            anchor = max(line, key=lambda f: f.size)
            if abs(anchor.y - frag.y) <= tolerance or (
                frag.size < 0.8 * anchor.size and 0 < frag.y - anchor.y <= 0.6 * anchor.size
            ):
                line.append(frag)
                break
        else:
            lines.append([frag])
    result = []
    for parts in lines:
        main = max(parts, key=lambda f: (f.size, len(f.text)))
        kept = [
            f
            for f in parts
            if not (f.size < 0.8 * main.size and f.y > main.y + 0.5 and f.text.strip().isdigit())
        ]
        kept.sort(key=lambda f: f.x)
        text, cells, last_end = "", 1, None
        for f in kept:
            piece = f.text
            if last_end is not None:
                gap = f.x - last_end
                if gap > 2.5 * f.size and text.strip():
                    text = text.rstrip() + " | "
                    cells += 1
                elif text and not text.endswith(" ") and not piece.startswith(" "):
                    text += " " if gap > 0.15 * f.size else ""
            text += piece
            last_end = f.x + 0.5 * f.size * len(piece)
        text = " ".join(text.split())
        if text:
            result.append(
                Line(main.y, kept[0].x if kept else main.x, main.size, text, main.bold, cells)
            )
    result.sort(key=lambda line: -line.y)
    return result


@pytest.mark.parametrize("seed", range(12))
def test_lines_are_the_same_as_comparing_every_fragment_with_every_line(seed):
    import random

    from ingest.layout import assemble_lines

    rng = random.Random(seed)
    pieces = ["word", " spaced ", "12", "3", "", " ", "Heading text", "a", "x" * 30, "\u00a0b"]
    fragments = []
    for row in range(rng.randint(1, 60)):
        y = 800 - row * rng.choice([3.0, 7.5, 12.0, 14.0]) + rng.uniform(-2.5, 2.5)
        for _ in range(rng.randint(1, 8)):
            size = rng.choice([5.0, 7.0, 10.5, 10.5, 10.5, 16.0, 40.0])
            fragments.append(
                Fragment(
                    rng.uniform(40, 560),
                    y + rng.choice([0, 0, 0, 3.5, -1.0]),
                    size,
                    rng.choice(pieces),
                    rng.random() < 0.2,
                )
            )
    rng.shuffle(fragments)
    assert assemble_lines(fragments, 10.5) == reference_lines(fragments, 10.5)


# -- columns -------------------------------------------------------------------------------------
def words(tag, n, per_line=6):
    """`n` lines of about 40 characters: '<tag> 3 line words ...', each line its own."""
    filler = ["council", "mutual", "board", "staff", "contract", "report", "cabinet"]
    return [f"{tag}{i} " + " ".join(filler[(i + k) % 7] for k in range(per_line)) for i in range(n)]


def column(x, top, texts, size=10.5, leading=14.7):
    return body_lines(x, top, texts, size, leading)


def groups_text(groups):
    return [[f.text.split()[0] for f in sorted(g, key=lambda f: -f.y)] for g in groups]


def test_two_columns_with_offset_baselines_are_read_left_then_right():
    from ingest.layout import split_columns

    # the right column's baselines sit 4.5 pt below the left's (doc 13, page 8): close enough
    # to be merged into one line each if the page were read line by line
    left = column(65, 700, words("L", 20))
    right = column(330, 695.5, words("R", 18))
    groups = split_columns([*right, *left], 10.5)
    assert groups_text(groups) == [[f"L{i}" for i in range(20)], [f"R{i}" for i in range(18)]]
    text = analyse([page([*left, *right], "1")], ["1"])[0].body_text
    assert text.index("L19") < text.index("R0") and "|" not in text


def test_a_heading_above_and_a_footer_box_below_the_columns_keep_their_place():
    from ingest.layout import split_columns

    masthead = Fragment(65, 780, 18.0, "Kestrelford mutuals network newsletter, issue four, spring")
    footer = Fragment(
        65, 120, 10.5, "Contact the network office for copies of this newsletter " * 2
    )
    left = column(65, 740, words("L", 15))
    right = column(330, 740, words("R", 15))
    groups = split_columns([footer, *left, masthead, *right], 10.5)
    firsts = [g[0].text.split()[0] for g in groups]
    assert firsts == ["Kestrelford", "L0", "R0", "Contact"]


def test_a_sidebar_beside_one_wide_column_is_read_after_it():
    from ingest.layout import split_columns

    main = column(65, 760, words("M", 40))  # about 45 characters: 240 pt
    sidebar = column(400, 600, words("S", 8, per_line=3), size=9.0, leading=12.0)
    groups = split_columns([*main, *sidebar], 10.5)
    assert groups_text(groups) == [[f"M{i}" for i in range(40)], [f"S{i}" for i in range(8)]]


def test_three_columns_on_one_grid_are_read_in_turn():
    from ingest.layout import split_columns

    # level baselines, 9 pt type, lines of 30 characters that fill their column
    lines = [[f"C{n}x{i:02d} the board and the mutual" for i in range(20)] for n in range(3)]
    cols = [column(56 + 168 * n, 700, lines[n], 9.0, 11.0) for n in range(3)]
    groups = split_columns([f for c in cols for f in c], 9.0)
    assert [g[0].text.split()[0] for g in groups] == ["C0x00", "C1x00", "C2x00"]
    assert [len(g) for g in groups] == [20, 20, 20]


def test_the_end_of_a_column_beside_a_full_one_is_a_column_too():
    from ingest.layout import split_columns

    left = column(65, 700, words("L", 25))
    right = column(330, 700, words("R", 3))  # the last lines of a column from the page before
    groups = split_columns([*left, *right], 10.5)
    assert groups_text(groups) == [[f"L{i}" for i in range(25)], ["R0", "R1", "R2"]]


def test_a_column_band_needs_its_columns_side_by_side():
    from ingest.layout import split_columns

    left = column(65, 700, words("L", 10))
    below = column(330, 300, words("R", 10))  # right of the left lines, but far below them
    assert len(split_columns([*left, *below], 10.5)) == 1


def test_pages_that_only_look_like_columns_are_read_line_by_line():
    # hanging indents: numbers drawn apart from their paragraphs
    numbered = []
    for n in range(6):
        top = 760 - n * 80
        numbered.append(Fragment(65, top, 10.5, f"{n + 1}."))
        numbered += column(95, top, words(f"P{n}x", 4, per_line=9))
    # a contents page: entries and right-aligned page numbers
    contents = [Fragment(65, 300 - 16 * i, 10.5, f"{i} Chapter on subject {i}") for i in range(8)]
    contents += [Fragment(520, 300 - 16 * i, 10.5, str(3 * i + 1)) for i in range(8)]
    layout = analyse([page(numbered, "1"), page(contents, "2")], ["1", "2"])
    blocks = [b.text for b in layout[0].blocks]
    assert [b[:5] for b in blocks] == ["1. P0", "2. P1", "3. P2", "4. P3", "5. P4", "6. P5"]
    lines = [b.text for b in layout[1].blocks]
    assert lines[:2] == ["0 Chapter on subject 0 | 1", "1 Chapter on subject 1 | 4"]


def test_tables_signature_blocks_and_right_aligned_lines_are_not_columns():
    from ingest.layout import split_columns

    dates = ["1 May 2014", "17 July 2014", "1 April 2016", "1 November 2017", "April 2019"]
    table = [Fragment(65, 600 - 19 * i, 8.5, d) for i, d in enumerate(dates)]
    table += [
        Fragment(230, 600 - 19 * i, 8.5, f"Event number {i} in the timeline") for i in range(5)
    ]
    names = ["Signed for the council", "Jane Smith", "Director of Housing", "Date: 12 March"]
    signatures = [Fragment(65, 300 - 14 * i, 10.5, t) for i, t in enumerate(names)]
    signatures += [
        Fragment(330, 300 - 14 * i, 10.5, t.replace("council", "mutual"))
        for i, t in enumerate(names)
    ]
    dated = [Fragment(420, 200 - 14 * i, 10.5, f"Reference {i}: KBC/2025/11{i}") for i in range(5)]
    for fragments in (table, signatures, [*table, *dated]):
        assert len(split_columns(fragments, 10.5)) == 1
    text = analyse([page(table, "1")], ["1"])[0].body_text
    assert "1 May 2014 | Event number 0 in the timeline" in text


def test_a_table_row_with_a_wrapped_cell_is_read_cell_by_cell():
    rows = [
        (Fragment(65, 620, 8.5, "3 April 2012"), ["About the community rights contracts"]),
        (
            Fragment(65, 594, 8.5, "June 2012"),
            ["Mutuals Taskforce report, Public Service", "Mutuals: The Next Steps"],
        ),
        (Fragment(65, 568, 8.5, "27 June 2012"), ["Community Right to Challenge in operation"]),
        (
            Fragment(65, 549, 8.5, "10 September 2012"),
            ["Francis Maude and Don Foster give evidence"],
        ),
        (Fragment(65, 530, 8.5, "6 December 2012"), ["Committee report HC 112 published"]),
        (Fragment(65, 511, 8.5, "31 January 2013"), ["Social Value Act sections 1 and 2 in force"]),
    ]
    fragments = []
    for date, lines in rows:
        fragments.append(date)
        top = date.y + 6.2 * (len(lines) - 1)  # the date sits in the middle of its row
        fragments += [Fragment(230, top - 12.4 * i, 8.5, t) for i, t in enumerate(lines)]
    text = analyse([page(fragments, "1")], ["1"])[0].body_text
    assert "June 2012 | Mutuals Taskforce report, Public Service Mutuals: The Next Steps" in text
    assert "27 June 2012 | Community Right to Challenge in operation" in text


def test_a_running_header_that_is_all_a_page_says_is_kept():
    lone = [(([Fragment(65, 801, 10.5, "Only line on the page")], W, H)) for _ in range(4)]
    layouts = analyse(lone, ["1", "2", "3", "4"])
    assert [lay.body_text for lay in layouts] == ["Only line on the page"] * 4
    assert all(lay.furniture == [] for lay in layouts)


def test_many_columns_of_many_rows_are_split_in_one_pass():
    from ingest.layout import split_columns

    # the shape of ingest/bench_layout.py's page: five columns of 2,000 lines
    cols = [
        column(36 + 400 * n, 14000, words(f"K{n}x", 400, per_line=8), 6.0, 7.0) for n in range(5)
    ]
    groups = split_columns([f for c in cols for f in c], 6.0)
    assert [len(g) for g in groups] == [400] * 5


def test_hyphenation_only_starts_at_a_word_start():
    from ingest.layout import Block, dehyphenate

    blocks = [
        Block("paragraph", "x" * 5000 + " the organi- sation and co- operative " + "y" * 5000)
    ]
    text = dehyphenate(blocks, {"organisation"})[0].text
    assert "the organisation and co-operative" in text and text.startswith("x" * 5000)


def test_the_layout_benchmark_page_holds_the_text_it_claims():
    from ingest.bench_layout import measure, synthetic_page

    data, chars = synthetic_page(2)
    assert data.startswith(b"%PDF-") and 1500 <= chars <= 2500
    row = measure(2)  # raises if the page lost text; times are reported, never asserted
    assert row["chars"] == chars and set(row) >= {"pypdf", "extract_page", "analyse"}
