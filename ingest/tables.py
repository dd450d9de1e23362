"""Tables on a PDF page, read so that every figure keeps its row and its column.

Our layout analysis (ingest.layout) reads a table as lines of loose cells: a figure then reaches
the chunker without the column heading that says which year it is for. Here pdfplumber's table
finder (its "lines" strategy: cells are the boxes a table's rules enclose) gives each ruled
table's cell grid, and each cell is filled with the *visible* text fragments that ingest.ink
found inside it (never pdfplumber's own characters, which include hidden text). Each row then
becomes one table block, cells joined by " | " as the Word reader writes them
(ingest.document.table_row), the first row (the headings) marked level 1, so the chunker and
the answer composer read a PDF table exactly as a Word one: "Item: Grant allocation; 2024-25:
£2.45m".

pdfplumber lays out a whole page with pdfminer, which is slow on big pages, so it runs only on
pages that paint the edges of a ruled table (`PageText.rules`: three or more horizontal and
vertical ones), with no more than `MAX_PAGE_CHARS` of text, and within a budget of pages and
seconds for the file; past the budget, pages keep their tables as the layout reads them.
Unruled tables (columns aligned by space alone) are left to the layout analysis.

Everything but `find_tables` is pure, and is unit-tested on hand-made grids and fragments.

>>> lines = [[], [(700, "2023-24")], [(680, "Budget")], [(680, "£1.2m")]]
>>> [b.text for b in table_blocks(((0, 1), (2, 3)), lines)]
['| 2023-24', 'Budget | £1.2m']
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.document import table_row
from ingest.ink import Fragment
from ingest.layout import Block

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 from the page's lower left, y up

MIN_RULES = 3  # horizontal and vertical edges a page paints, each, for a table to be looked for
MAX_PAGE_CHARS = 20_000  # a page with more text than this is not given to pdfplumber
MAX_TABLE_PAGES = 200  # pages of one file pdfplumber may lay out
TABLE_SECONDS = 30.0  # and the time it may take over them
_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_BUCKET = 8.0  # points of height per bucket in `Visible`
_DIGIT = re.compile(r"\d")
_SAME_LINE = 2.0  # points apart the lines of a row's cells may be and still be one line


@dataclass(frozen=True, slots=True)
class FoundTable:
    """A table's cell grid: `cells` are the boxes of its cells, `grid[r][c]` the cell that
    covers row r, column c (the same cell in several places where it spans them; -1 where no
    cell does); `lines` each cell's visible text, line by line, with each line's height."""

    box: Box
    cells: tuple[Box, ...]
    grid: tuple[tuple[int, ...], ...]
    lines: tuple[tuple[tuple[float, str], ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Char:
    """One character as pdfplumber places it, in fragment space: its centre."""

    x: float
    y: float
    text: str


def pages_worth_looking_at(
    rules: Sequence[int], chars: Sequence[int], rotated: Sequence[bool]
) -> list[int]:
    """The 1-based numbers of the pages whose tables pdfplumber should look for: enough rules
    painted, not too much text, not rotated (pdfminer and our fragments would not agree on
    where things are), at most `MAX_TABLE_PAGES` of them."""
    chosen = [
        i + 1
        for i, (n, c, r) in enumerate(zip(rules, chars, rotated, strict=True))
        if n >= MIN_RULES and 0 < c <= MAX_PAGE_CHARS and not r
    ]
    return chosen[:MAX_TABLE_PAGES]


def find_tables(
    data: bytes,
    pages: Mapping[int, tuple[Sequence[Fragment], tuple[float, float], tuple[float, float]]],
    seconds: float,
) -> dict[int, list[FoundTable]]:
    """The ruled tables pdfplumber finds on the pages given (number: the page's visible
    fragments, its `page_offset` and the visible page's lower left corner), in fragment space,
    with their cells' visible text; only those whose cells hold all the visible text inside them
    (`complete`). The cells' text is PDFium's (pypdfium2), the reader quotes are verified
    against (assistant.pdftext), so a row quoted from a table reads as the check reads it; each
    character is kept only where one of our visible fragments lies (`Visible`). Stops looking
    after `seconds`; a file pdfplumber or PDFium cannot read has no tables (the layout then
    reads them as before)."""
    import io

    import pdfplumber
    import pypdfium2 as pdfium

    from assistant.pdftext import PDFIUM_LOCK

    found: dict[int, list[FoundTable]] = {}
    start = time.monotonic()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf, PDFIUM_LOCK:
            document = pdfium.PdfDocument(data, password="")
            for number, (fragments, offset, corner) in pages.items():
                if time.monotonic() - start > seconds:
                    break
                page = pdf.pages[number - 1]
                shaped = (shape(t.cells, offset) for t in page.find_tables(_SETTINGS))
                shapes = [t for t in shaped if t is not None]
                page.close()
                if not shapes:
                    continue
                chars = _pdfium_chars(document[number - 1], corner)
                shown = Visible(fragments)
                tables = []
                for table in shapes:
                    lines = cell_lines(table, chars, shown)
                    read = FoundTable(table.box, table.cells, table.grid, lines)
                    if complete(read, fragments):
                        tables.append(read)
                if tables:
                    found[number] = tables
            document.close()
    except Exception:  # pdfminer and PDFium raise many kinds on a file pypdf could read
        return found
    return found


def _pdfium_chars(page: Any, corner: tuple[float, float]) -> list[Char]:
    """The page's characters as PDFium reads them, in its order (its own spaces among them),
    each at the centre of its box (the font's full height, so a line's characters share it) in
    fragment space."""
    textpage = page.get_textpage()
    try:
        out = []
        for i in range(textpage.count_chars()):
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            out.append(
                Char(
                    (left + right) / 2 - corner[0],
                    (bottom + top) / 2 - corner[1],
                    textpage.get_text_range(i, 1),
                )
            )
        return out
    finally:
        textpage.close()
        page.close()


def cell_lines(
    table: FoundTable, chars: Sequence[Char], shown: Visible
) -> tuple[tuple[tuple[float, str], ...], ...]:
    """Each cell's visible characters as lines, top down: (the line's height, its text). A
    space is kept between characters of a cell's line, where PDFium puts one."""
    members: list[list[Char]] = [[] for _ in table.cells]
    for char in chars:
        if not _inside((char.x, char.y), table.box):
            continue
        blank = not char.text.strip()
        if not blank and not shown.covers((char.x, char.y)):
            continue  # hidden: white, covered, clipped, off the page
        for cell, box in enumerate(table.cells):
            if _inside((char.x, char.y), box):
                members[cell].append(Char(char.x, char.y, " " if blank else char.text))
                break
    out = []
    for group in members:
        lines: list[tuple[float, list[str]]] = []
        for char in group:
            if not char.text.strip():
                if lines:
                    lines[-1][1].append(" ")
                continue
            if lines and abs(lines[-1][0] - char.y) <= _SAME_LINE:
                lines[-1][1].append(char.text)
            else:
                lines.append((char.y, [char.text]))
        lines.sort(key=lambda line: -line[0])
        texts = ((y, " ".join("".join(t).split())) for y, t in lines)
        out.append(tuple((y, t) for y, t in texts if t))
    return tuple(out)


def _inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


class Visible:
    """Where the page's visible fragments lie, to keep only the characters of pdfplumber's a
    reader can see (it reads hidden text too: white, clipped, covered)."""

    def __init__(self, fragments: Sequence[Fragment]) -> None:
        self.rows: dict[int, list[Box]] = {}
        for f in fragments:
            if not f.text.strip():
                continue
            box = fragment_box(f)
            for key in range(int(box[1] // _BUCKET), int(box[3] // _BUCKET) + 1):
                self.rows.setdefault(key, []).append(box)

    def covers(self, point: tuple[float, float]) -> bool:
        return any(_inside(point, b) for b in self.rows.get(int(point[1] // _BUCKET), ()))


def fragment_box(f: Fragment) -> Box:
    """The box a fragment's glyphs fill: from below the baseline to the top of the type."""
    width = f.width if f.width > 0 else 0.5 * f.size * len(f.text)
    left, right = sorted((f.x, f.x + width))
    return (left - 0.5, f.y - 0.35 * f.size, right + 0.5, f.y + 0.95 * f.size)


def complete(table: FoundTable, fragments: Sequence[Fragment]) -> bool:
    """Whether the cells hold (nearly) all the visible text that lies inside the table: where
    they do not (text between cells pdfplumber did not see as one), the table is left to the
    layout, which loses nothing."""
    inside = sum(
        len("".join(f.text.split()))
        for f in fragments
        if _inside((f.x + 0.5, f.y + 0.3 * f.size), table.box)
    )
    held = sum(len("".join(t.split())) for cell in table.lines for _, t in cell)
    return inside > 0 and held >= 0.95 * inside


def taken(table: FoundTable, fragments: Sequence[Fragment]) -> set[int]:
    """The indexes of the fragments that start inside the table: its text, read from the cells,
    not to be read again as loose lines."""
    return {
        i for i, f in enumerate(fragments) if _inside((f.x + 0.5, f.y + 0.3 * f.size), table.box)
    }


def to_fragment_space(box: Sequence[float], offset: tuple[float, float]) -> Box:
    """A pdfplumber box (x0, top, x1, bottom: x as the PDF writes it, top measured down from
    the media box's top) in the space of ingest.ink's fragments (from the visible page's lower
    left corner, y up). `offset` is (the visible page's left edge, the media box's height less
    the visible page's bottom edge above the media box's), from `page_offset`."""
    x0, top, x1, bottom = (float(v) for v in box[:4])
    dx, dy = offset
    return (x0 - dx, dy - bottom, x1 - dx, dy - top)


def page_offset(media: Box, visible: Box) -> tuple[float, float]:
    """The `offset` of `to_fragment_space` for a page with these media and visible boxes."""
    return (visible[0], (media[3] - media[1]) - visible[1])


def shape(cells: Sequence[Sequence[float]], offset: tuple[float, float]) -> FoundTable | None:
    """A table from pdfplumber's cell boxes: the grid of rows and columns their edges make, each
    place in it given the cell that covers it. None for fewer than two rows or columns (a box
    round a paragraph, a rule under a heading)."""
    boxes = [to_fragment_space(c, offset) for c in cells]
    if not boxes:
        return None
    xs = sorted({round(v, 1) for b in boxes for v in (b[0], b[2])})
    ys = sorted({round(v, 1) for b in boxes for v in (b[1], b[3])}, reverse=True)
    if len(xs) < 3 or len(ys) < 3:
        return None
    grid = []
    for top, bottom in zip(ys, ys[1:], strict=False):
        y = (top + bottom) / 2
        row = []
        for left, right in zip(xs, xs[1:], strict=False):
            x = (left + right) / 2
            row.append(
                next(
                    (i for i, b in enumerate(boxes) if b[0] <= x <= b[2] and b[1] <= y <= b[3]), -1
                )
            )
        grid.append(tuple(row))
    box = (xs[0], ys[-1], xs[-1], ys[0])
    return FoundTable(box, tuple(boxes), tuple(grid))


def table_blocks(
    grid: Sequence[Sequence[int]], lines: Sequence[Sequence[tuple[float, str]]]
) -> list[Block]:
    """The table's rows as blocks, in the shape every reader gives (see the module docstring).

    - A cell spanning several columns or rows is repeated in each (as the Word reader repeats
      a merged cell); rows and columns with no text are dropped.
    - A row whose cells all hold the same number of lines, at the same heights, one of them
      a figure on every line, is that many rows (a table ruled every few rows, not every row);
      a cell whose text wraps stays one.
    - Rows at the top with one cell of text across most columns are its title: a paragraph.
    - The next row is the headings (level 1). When it has a cell spanning several columns (a
      heading over a group of them: "Budget" over "2022-23" and "2023-24"), the row under it
      completes the headings ("Budget 2022-23").

    Fewer than two rows or columns: no table."""
    rows = [(ids, cells) for ids, cells in _split_rows(grid, lines) if any(cells)]
    title: list[Block] = []
    while rows and _title(rows[0], range(len(grid[0]))):
        text = next(t for t in rows.pop(0)[1] if t)
        title.append(Block("paragraph", text))
    keep_cols = [c for c in range(len(grid[0]) if grid else 0) if any(r[1][c] for r in rows)]
    if len(rows) < 2 or len(keep_cols) < 2:
        return []
    ids = [[row_ids[c] for c in keep_cols] for row_ids, _ in rows]
    cells = [[row[c] for c in keep_cols] for _, row in rows]
    header, body = cells[0], cells[1:]
    spanning = any(a == b >= 0 for a, b in zip(ids[0], ids[0][1:], strict=False))
    # the row under completes the headings when its first place is the headings' own (a cell
    # spanning both rows) or empty, or the headings' is: not when a row heading starts both
    if (
        spanning
        and len(body) >= 2
        and ids[1] != ids[0]
        and (ids[1][0] == ids[0][0] or not body[0][0] or not header[0])
    ):
        under = body.pop(0)
        header = [_join(top, below) for top, below in zip(header, under, strict=True)]
    return title + [
        Block("table", " ".join(table_row(row).split()), 1 if index == 0 else 0)
        for index, row in enumerate([header, *body])
    ]


def _title(row: tuple[tuple[int, ...], list[str]], columns: Sequence[int]) -> bool:
    """Whether a row is a title over the table: one cell with text, across most columns."""
    ids, texts = row
    filled = {ids[c] for c in columns if texts[c]}
    return len(filled) == 1 and sum(ids[c] in filled for c in columns) > len(columns) / 2


def _split_rows(
    grid: Sequence[Sequence[int]], lines: Sequence[Sequence[tuple[float, str]]]
) -> list[tuple[tuple[int, ...], list[str]]]:
    """Each grid row as (the cell ids, each place's text), a row ruled round several rows of
    one-line cells split into them (see `table_blocks`)."""
    out: list[tuple[tuple[int, ...], list[str]]] = []
    for r, row in enumerate(grid):
        # cells that start in this row (a cell spanning rows from above repeats its text)
        own = [i for c, i in enumerate(row) if i >= 0 and (r == 0 or grid[r - 1][c] != i)]
        heights = [[y for y, _ in lines[i]] for i in dict.fromkeys(own) if lines[i]]
        n = len(heights[0]) if heights else 0
        split = (
            n > 1
            and len(heights) > 1
            and all(len(h) == n for h in heights)
            and all(
                abs(a - b) <= _SAME_LINE
                for h in heights
                for a, b in zip(h, heights[0], strict=True)
            )
            # rows of figures, not headings that all wrap alike: a column of numbers in each
            and any(all(_DIGIT.search(t) for _, t in lines[i]) for i in own if lines[i])
        )
        if not split:
            # a cell from the row above repeats only if it is a label (a line or two), not a
            # block of text that a badly ruled table put in one cell
            texts = [
                cell_text(lines[i]) if i >= 0 and (i in own or len(lines[i]) <= 2) else ""
                for i in row
            ]
            out.append((tuple(row), texts))
            continue
        starts = set(own)
        for k in range(n):
            texts = [
                (lines[i][k][1] if lines[i] else "")
                if i in starts
                else cell_text(lines[i])
                if i >= 0
                else ""
                for i in row
            ]
            # a sub-row gets an id of its own per line, so it is not read as a span
            out.append((tuple(i * 1000 + k if i >= 0 else -1 for i in row), texts))
    return out


def cell_text(lines: Sequence[tuple[float, str]]) -> str:
    """A cell's lines as one line: a line ending in a hyphen joins the next without a space, so
    "2023-" over "24" reads "2023-24"."""
    out = ""
    for _, line in lines:
        line = " ".join(line.split())
        if line:
            out = f"{out}{line}" if out.endswith("-") or not out else f"{out} {line}"
    return out


def _join(top: str, below: str) -> str:
    if not top or top == below:
        return below
    if not below:
        return top
    return f"{top} {below}"
