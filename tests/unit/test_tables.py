"""Tables read into rows whose figures keep their headings: the pure logic of ingest.tables
(grids, spans, titles, grouped headings, rows ruled in bands, hidden characters), the markers
that put a table in reading order (ingest.pdf), the chunker repeating a long table's headings,
and the composer reading a headings row with an empty first cell."""

from __future__ import annotations

import pytest

from assistant.generation.extractive import sentences_of
from assistant.types import Chunk
from ingest.chunking import StructuredChunker
from ingest.document import sections
from ingest.ink import Fragment
from ingest.layout import Block, PageLayout
from ingest.pdf import _mark, _with_tables
from ingest.tables import (
    Char,
    FoundTable,
    Visible,
    cell_lines,
    complete,
    page_offset,
    shape,
    table_blocks,
    to_fragment_space,
)

pytestmark = pytest.mark.unit


def one_line(*texts: str, y: float = 700.0) -> list[list[tuple[float, str]]]:
    return [[(y, t)] if t else [] for t in texts]


def test_a_figure_row_carries_the_headings_row_above_it():
    grid = ((0, 1, 2), (3, 4, 5))
    lines = one_line("Service", "2022-23", "2023-24") + one_line(
        "Youth outreach", "£0.9m", "£1.2m", y=680
    )
    blocks = table_blocks(grid, lines)
    assert [(b.kind, b.level, b.text) for b in blocks] == [
        ("table", 1, "Service | 2022-23 | 2023-24"),
        ("table", 0, "Youth outreach | £0.9m | £1.2m"),
    ]


def test_a_heading_over_a_group_of_columns_completes_the_headings_under_it():
    # "Budget" spans the two year columns; the row heading's cell spans both heading rows
    grid = ((0, 1, 1), (0, 2, 3), (4, 5, 6))
    lines = [[(700, "Service")], [(700, "Budget")], [(680, "2022-23")], [(680, "2023-24")]]
    lines += one_line("Home care", "£8.4m", "£8.9m", y=660)
    assert [b.text for b in table_blocks(grid, lines)] == [
        "Service | Budget 2022-23 | Budget 2023-24",
        "Home care | £8.4m | £8.9m",
    ]


def test_a_title_across_the_table_is_a_paragraph_and_empty_rows_and_columns_go():
    grid = ((0, 0, 0, 0), (1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12))
    lines = one_line("Budget by service, £m")
    lines += one_line("Service", "2023-24", "", "2024-25", y=680)
    lines += one_line("", "", "", "", y=660)
    lines += one_line("Libraries", "2.0", "", "1.9", y=640)
    blocks = table_blocks(grid, lines)
    assert [(b.kind, b.level, b.text) for b in blocks] == [
        ("paragraph", 0, "Budget by service, £m"),
        ("table", 1, "Service | 2023-24 | 2024-25"),
        ("table", 0, "Libraries | 2.0 | 1.9"),
    ]


def test_a_label_spanning_rows_repeats_in_each_but_a_block_of_text_does_not():
    grid = ((0, 1, 2), (3, 4, 5), (3, 6, 7), (8, 9, 10), (8, 11, 12))
    lines = one_line("Area", "Plan", "Members")
    lines += [[(680, "North")], [(680, "Care")], [(680, "120")], [(660, "Leisure")], [(660, "80")]]
    lines += [[(640, "A long note"), (630, "over three"), (620, "lines")]]
    lines += one_line("Housing", "30", "Transport", "12", y=640)
    texts = [b.text for b in table_blocks(grid, lines)]
    assert texts[1:3] == ["North | Care | 120", "North | Leisure | 80"]
    assert texts[3:] == ["A long note over three lines | Housing | 30", "| Transport | 12"]


def test_rows_ruled_in_bands_are_split_into_their_lines_but_wrapped_headings_are_not():
    grid = ((0, 1), (2, 3))
    lines = [
        [(700, "Date of"), (690, "notice")],
        [(700, "Workers"), (690, "affected")],
        [(670, "Alabama"), (660, "Alaska"), (650, "Arizona")],
        [(670, "18,870"), (660, "209"), (650, "2,303")],
    ]
    assert [b.text for b in table_blocks(grid, lines)] == [
        "Date of notice | Workers affected",
        "Alabama | 18,870",
        "Alaska | 209",
        "Arizona | 2,303",
    ]


def test_one_row_or_one_column_is_no_table():
    assert table_blocks(((0, 1),), one_line("a", "b")) == []
    assert table_blocks(((0,), (1,)), one_line("a") + one_line("b", y=680)) == []


def test_the_grid_follows_the_cells_edges_with_spans():
    # pdfplumber's boxes: x0, top, x1, bottom from the top left of an A4 page
    cells = [(0, 0, 200, 20), (0, 20, 100, 40), (100, 20, 200, 40)]
    table = shape(cells, (0.0, 842.0))
    assert table is not None
    assert table.grid == ((0, 0), (1, 2))
    assert table.box == (0.0, 802.0, 200.0, 842.0)
    assert shape([(0, 0, 200, 20)], (0.0, 842.0)) is None  # a box round a paragraph


def test_boxes_move_into_the_fragments_space_of_a_cropped_page():
    offset = page_offset((0.0, 0.0, 612.0, 792.0), (36.0, 36.0, 576.0, 756.0))
    assert to_fragment_space((36.0, 36.0, 136.0, 56.0), offset) == (0.0, 700.0, 100.0, 720.0)


def test_hidden_characters_are_left_out_of_cells_and_spaces_kept():
    table = FoundTable((0, 0, 200, 20), ((0, 0, 100, 20), (100, 0, 200, 20)), ((0, 1),))
    visible = [Fragment(10, 8, 10, "Home care", width=45)]
    chars = [Char(12 + 5 * i, 11, c) for i, c in enumerate("Home care")]
    chars += [Char(120 + 5 * i, 11, c) for i, c in enumerate("secret")]  # white: no fragment
    lines = cell_lines(table, chars, Visible(visible))
    assert lines[0][0][1] == "Home care" and lines[1] == ()
    read = FoundTable(table.box, table.cells, table.grid, lines)
    assert complete(read, visible)
    assert not complete(read, [*visible, Fragment(150, 8, 10, "lost text", width=40)])


def test_a_table_takes_the_place_of_its_marker_and_one_set_aside_is_not_lost():
    rows = [Block("table", "Service | 2023-24", 1), Block("table", "Libraries | £2.0m")]
    layout = PageLayout(3, [Block("paragraph", f"Before the table. {_mark(3, 0)} After it.")])
    placed = _with_tables(layout, [(rows, False)])
    assert [b.text for b in placed.blocks] == [
        "Before the table.",
        "Service | 2023-24",
        "Libraries | £2.0m",
        "After it.",
    ]
    top = PageLayout(3, [Block("paragraph", "Body text.")], furniture=[_mark(3, 0)])
    placed = _with_tables(top, [(rows, True)])
    assert [b.text for b in placed.blocks] == [
        "Service | 2023-24",
        "Libraries | £2.0m",
        "Body text.",
    ]
    assert placed.furniture == []


def test_a_long_table_repeats_its_headings_in_every_passage():
    items = [("heading", "Budget", 1), ("table", "Service | 2022-23 | 2023-24", 1)]
    items += [("table", f"Service line {i} | £{i}.1m | £{i}.2m", 0) for i in range(60)]
    items += [("paragraph", "Budgets are reviewed by the cabinet every year.", 0)]
    chunks = StructuredChunker(target=400, maximum=600).chunk(
        sections(items, "docx"), "budget.docx", "Budget", "v1"
    )
    tables = [c for c in chunks if c.role == "table"]
    assert len(tables) >= 3
    assert all(c.text.split("\n\n")[0] == "Service | 2022-23 | 2023-24" for c in tables)
    rows = [r for c in tables for r in c.text.split("\n\n")[1:]]
    assert rows == [f"Service line {i} | £{i}.1m | £{i}.2m" for i in range(60)]  # none twice
    last = sentences_of(tables[-1])
    assert last and last[-1].text == "Service: Service line 59; 2022-23: £59.1m; 2023-24: £59.2m."


def test_a_headings_row_with_an_empty_first_cell_is_read():
    chunk = Chunk(
        "c1",
        "v1",
        "b.pdf",
        "Budget",
        1,
        "1",
        "| 2023-24 | 2024-25\n\nYouth outreach | £1.2m | £1.4m",
        role="table",
    )
    (row,) = sentences_of(chunk)
    assert row.text == "Youth outreach; 2023-24: £1.2m; 2024-25: £1.4m."
    assert row.quote == "Youth outreach £1.2m £1.4m"
