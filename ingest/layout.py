"""Read a page the way a person does: body text in reading order, apart from the page furniture.

`ingest.ink` reads what a page draws and keeps only the text a reader can see, as fragments with
their position and size (`Fragment`); text nobody can see is reported apart (`PageText.hidden`).
From the fragments we rebuild lines and blocks and sort out:

- running headers and footers, and folios: lines in the top or bottom margin that repeat across
  pages (numbers ignored) or are just a page number, unless they are all a page says;
- footnotes: small type below the last line of body text; kept apart from the body;
- footnote markers: small raised figures inside body lines; dropped from the body text;
- headings: lines set larger or bold than the body; tables: lines of widely spaced cells;
- columns: bands of the page that a gutter (a stretch left free of text row after row) cuts
  into columns of prose, each read top to bottom, left to right, with what is above and below
  a band (a masthead, a full-width heading or footer) kept in its place (`split_columns`);
- tables: rows a gutter divides that are not prose stay lines of cells, and a table row whose
  cells wrap onto several lines is read cell by cell as one line;
- words hyphenated at line ends: rejoined when the joined word occurs elsewhere in the document.

Everything here is pure (no pypdf), so it is unit-tested on crafted fragments, and it takes time
in proportion to a page's text (see `ingest/bench_layout.py`).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ingest.ink import Fragment
from ingest.ink import PageText as PageText  # re-exported: pages are read through this module
from ingest.ink import extract_page as extract_page

LAYOUT_VERSION = "layout-v5"  # bump when extraction output changes: documents are re-ingested
_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"^[ivxlcdm]+$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d{1,3})\.\s+\S")
_BULLET = re.compile(r"^([-\u2022\u2013*]|\(?[a-z]\)|\(?[ivx]+\))\s+")
_WORD = re.compile(r"[A-Za-z]+")
_CONTENTS_END = re.compile(r"(\s|\.)(\d{1,3}|[ivxlc]{1,6})$")
_FOOTNOTE_START = re.compile(r"^\d{1,3}\s")
# a match can only start where a word starts: without the look-behind a long run of letters with
# no "- " after it would be rescanned from every letter (quadratic)
_HYPHENATED = re.compile(r"(?<![A-Za-z])([A-Za-z]{2,})- ([a-z][A-Za-z]*)")
_BUCKET = 8.0  # points of baseline height per bucket in assemble_lines
_TOP_MARGIN, _BOTTOM_MARGIN = 0.91, 0.07  # running headers above, footers below these heights


@dataclass(slots=True)
class Line:
    y: float
    x: float
    size: float
    text: str
    bold: bool = False
    cells: int = 1  # fragments separated by wide gaps: >1 means a table row


@dataclass(frozen=True, slots=True)
class Block:
    """A heading, a paragraph (or bullet), a table row, or a footnote."""

    kind: str  # heading | paragraph | table | footnote
    text: str
    level: int = 0  # heading level, 1 = largest


@dataclass(slots=True)
class PageLayout:
    number: int  # 1-based PDF page index
    blocks: list[Block] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)  # removed headers, footers, folios
    is_contents: bool = False
    ocr_layer: bool = False  # the text is a scan's OCR layer (invisible text over the image)

    @property
    def body_text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks if b.kind != "footnote")

    @property
    def footnote_text(self) -> str:
        return "\n".join(b.text for b in self.blocks if b.kind == "footnote")


# -- lines ---------------------------------------------------------------------------------------
def body_size(fragments: Sequence[Fragment]) -> float:
    """The most common font size, weighted by characters."""
    weights: Counter[float] = Counter()
    for f in fragments:
        weights[round(f.size, 1)] += len(f.text.strip())
    return weights.most_common(1)[0][0] if weights else 10.0


def assemble_lines(fragments: Sequence[Fragment], body: float) -> list[Line]:
    """Group fragments into lines by baseline; drop raised small figures (footnote markers).

    Fragments are taken from the top down; each joins the first line (in the order lines were
    started) whose anchor, its largest fragment, is within max(2, 0.3 x size) of its baseline.
    Anchors are found through buckets of baseline height, so this is linear in the fragments.
    """
    ordered = sorted(fragments, key=lambda f: (-f.y, f.x))
    lines: list[list[Fragment]] = []
    anchors: list[Fragment] = []
    buckets: dict[int, list[int]] = {}  # floor(anchor y / _BUCKET) -> lines, in order started

    def bucket(y: float) -> int:
        return int(y // _BUCKET)

    for frag in ordered:
        tolerance = max(2.0, 0.3 * frag.size)
        # every anchor so far is at or above frag (fragments come top down), so only anchors
        # from frag.y up to frag.y + tolerance can take it
        best = -1
        for key in range(bucket(frag.y), bucket(frag.y + tolerance) + 1):
            for index in buckets.get(key, ()):
                if (best < 0 or index < best) and abs(anchors[index].y - frag.y) <= tolerance:
                    best = index
        if best < 0:
            best = len(lines)
            lines.append([frag])
            anchors.append(frag)
            buckets.setdefault(bucket(frag.y), []).append(best)
            continue
        lines[best].append(frag)
        anchor = anchors[best]
        if frag.size > anchor.size:  # the first of the largest fragments anchors the line
            members = buckets[bucket(anchor.y)]
            members.remove(best)
            anchors[best] = frag
            members = buckets.setdefault(bucket(frag.y), [])
            members.append(best)
            members.sort()
    result: list[Line] = []
    for parts in lines:
        main = max(parts, key=lambda f: (f.size, len(f.text)))
        kept = [
            f
            for f in parts
            if not (f.size < 0.8 * main.size and f.y > main.y + 0.5 and f.text.strip().isdigit())
        ]
        kept.sort(key=lambda f: f.x)
        pieces: list[str] = []
        cells, last_end, inked, last_char = 1, None, False, ""
        for f in kept:
            piece = f.text
            if last_end is not None:
                gap = f.x - last_end
                if gap > 2.5 * f.size and inked:
                    pieces.append(" | ")
                    last_char = " "
                    cells += 1
                elif (
                    last_char
                    and last_char != " "
                    and not piece.startswith(" ")
                    and gap > 0.15 * f.size
                ):
                    pieces.append(" ")
                    last_char = " "
            pieces.append(piece)
            if piece:
                last_char = piece[-1]
                inked = inked or not piece.isspace()
            last_end = _extent(f)[1] if f.width > 0 else f.x + 0.5 * f.size * len(piece)
        text = " ".join("".join(pieces).split())
        if text:
            result.append(
                Line(main.y, kept[0].x if kept else main.x, main.size, text, main.bold, cells)
            )
    result.sort(key=lambda line: -line.y)
    return result


# -- columns ---------------------------------------------------------------------------------
MIN_COLUMN_ROWS = 5  # rows of text the longest column of a band needs...
MIN_SHORT_COLUMN_ROWS = 3  # ...and each of the others (the end of a column from a page before)
MIN_COLUMN_CHARS = 20  # the median characters of a column's rows: prose, not cells or numbers
MIN_LEVEL_CHARS = 35  # ... when most rows have text in two columns at once, as a table's do
_FILLED_ROWS = 8  # rows of level columns of short lines that must fill their column...
_FILL = 0.85  # ...to this share of the longest line (the 90th percentile)
_MAX_LEADING = 1.75  # a column's lines are at most this many times their size apart
_CELL_GAP_EM = 1.6  # rows closer than this many body ems may be lines of one table row
_HALF_LINE = 0.45  # steps between rows smaller than this share of the type: half a line off
_CELL_LINES = 8  # lines a table row's cells may wrap onto
_ROW_STEP = 1.2  # a step this much wider than a table's line spacing is the next table row
_CELL_PAD_EM = 0.45  # cells of a table row are at least this many body ems apart
_GUTTER_EM = 0.8  # a gutter is at least this many body ems wide (LaTeX's is 1 em)
_BREAK_EM = 3.0  # a gap between rows this many body ems deep ends every gutter
_SIBLING = 0.7  # gutters beside over this share of each other's rows: columns of one band
_COLUMN_DEPTH = 6  # bands within bands (columns of a band, bands above and below one)
_COLUMN_TRIES = 8  # gutters tried as the one that makes a band, longest first


def _extent(f: Fragment) -> tuple[float, float]:
    """Where a fragment's text runs along the line: its glyphs' reach as ink measured it, or
    half an em a character."""
    width = f.width if f.width > 0 else 0.5 * f.size * len(f.text)
    return (f.x, f.x + width) if width >= 0 else (f.x + width, f.x)


@dataclass(slots=True)
class _Row:
    """Fragments on about one baseline, and the stretches of the line their text covers
    (merged where closer together than a gutter), left to right."""

    top: float
    bottom: float
    fragments: list[Fragment]
    spans: list[tuple[float, float]]


def _rows(fragments: Sequence[Fragment], body: float, min_gap: float) -> list[_Row]:
    ordered = sorted(fragments, key=lambda f: -f.y)
    tolerance = max(2.0, 0.3 * body)
    groups: list[list[Fragment]] = []
    for f in ordered:
        if groups and groups[-1][0].y - f.y <= tolerance:
            groups[-1].append(f)
        else:
            groups.append([f])
    return [
        _Row(
            group[0].y,
            group[-1].y,
            group,
            _merge((_extent(f) for f in group if f.text.strip()), min_gap),
        )
        for group in groups
    ]


def _merge(
    extents: Iterable[tuple[float, float]], min_gap: float = 0.0
) -> list[tuple[float, float]]:
    """Stretches of a line, left to right, joined where less than `min_gap` apart."""
    merged: list[tuple[float, float]] = []
    for a, b in sorted(extents):
        if merged and a - merged[-1][1] < min_gap:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


@dataclass(slots=True)
class _Gutter:
    """A stretch of the line free of text over consecutive rows (`first` to `last`): `a` to
    `b`, what is free in all of them; with the rows and heights of the text either side."""

    a: float
    b: float
    first: int
    last: int = -1
    left_rows: int = 0
    right_rows: int = 0
    left_span: tuple[float, float] = (math.inf, -math.inf)  # lowest and highest baseline
    right_span: tuple[float, float] = (math.inf, -math.inf)

    def add(self, index: int, row: _Row) -> None:
        """A row this gutter runs through: its text is all to the left or right of it."""
        self.last = index
        if row.spans and row.spans[0][0] < self.a:
            self.left_rows += 1
            self.left_span = (min(self.left_span[0], row.bottom), max(self.left_span[1], row.top))
        if row.spans and row.spans[-1][1] > self.b:
            self.right_rows += 1
            self.right_span = (
                min(self.right_span[0], row.bottom),
                max(self.right_span[1], row.top),
            )

    def divides(self) -> bool:
        """Text beside it on both sides, in enough rows, side by side rather than one side
        above the other."""
        if (
            min(self.left_rows, self.right_rows) < MIN_SHORT_COLUMN_ROWS
            or max(self.left_rows, self.right_rows) < MIN_COLUMN_ROWS
        ):
            return False
        (lo_l, hi_l), (lo_r, hi_r) = self.left_span, self.right_span
        overlap = min(hi_l, hi_r) - max(lo_l, lo_r)
        return overlap >= 0.5 * min(hi_l - lo_l, hi_r - lo_r)


def _gaps(row: _Row, left: float, right: float, min_gap: float) -> list[tuple[float, float]]:
    """The stretches of a row between `left` and `right` free of text, at least `min_gap`."""
    out = []
    x = left
    for a, b in row.spans:
        if a - x >= min_gap:
            out.append((x, a))
        x = max(x, b)
    if right - x >= min_gap:
        out.append((x, right))
    return out


def _gutters(rows: Sequence[_Row], min_gap: float, depth: float) -> list[_Gutter]:
    """Every gutter of a set of rows, found top down in one pass: a gutter runs on while each
    next row leaves a gap of `min_gap` or more within it (narrowing to what is free in all its
    rows), and ends at a row that has text across it or after a vertical gap deeper than
    `depth`. The gutters open at once are disjoint, so this is linear in the rows' gaps."""
    left = min((r.spans[0][0] for r in rows if r.spans), default=0.0)
    right = max((r.spans[-1][1] for r in rows if r.spans), default=0.0)
    done: list[_Gutter] = []
    active: list[_Gutter] = []
    for index, row in enumerate(rows):
        if index and rows[index - 1].bottom - row.top > depth:
            done.extend(active)
            active = []
        gaps = _gaps(row, left, right, min_gap)
        kept: list[_Gutter] = []
        k = 0
        for gutter in active:  # left to right, like the gaps
            while k < len(gaps) and gaps[k][1] <= gutter.a:
                k += 1
            best: tuple[float, float] | None = None
            j = k
            while j < len(gaps) and gaps[j][0] < gutter.b:
                a, b = max(gutter.a, gaps[j][0]), min(gutter.b, gaps[j][1])
                if b - a >= min_gap and (best is None or b - a > best[1] - best[0]):
                    best = (a, b)
                j += 1
            if best is None:
                done.append(gutter)
                continue
            gutter.a, gutter.b = best
            gutter.add(index, row)
            kept.append(gutter)
        fresh: list[_Gutter] = []
        j = 0
        for a, b in gaps:  # a gap no gutter runs on through starts one
            while j < len(kept) and kept[j].b <= a:
                j += 1
            if j < len(kept) and kept[j].a < b:
                continue
            gutter = _Gutter(a, b, index)
            gutter.add(index, row)
            fresh.append(gutter)
        active = sorted(kept + fresh, key=lambda g: g.a) if fresh else kept
    done.extend(active)
    return done


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0


def _prose_columns(rows: Sequence[_Row], cuts: Sequence[float]) -> bool:
    """Whether the rows cut at `cuts` make columns of prose, not the cells of a table, the
    numbers of a list, a contents page's page numbers or the names of a signature block.
    Each column needs `MIN_SHORT_COLUMN_ROWS` rows (one of them `MIN_COLUMN_ROWS`), a median
    row of `MIN_COLUMN_CHARS` characters, and lines set at a prose leading (a median step
    from one to the next of at most `_MAX_LEADING` times their size: a table's one-line cells
    are a row apart). When most rows have text in two columns at once, as a table's rows do
    (and columns set on one grid), each column must also have long lines (`MIN_LEVEL_CHARS`)
    or, over `_FILLED_ROWS` rows, lines that fill it (`_FILL` of the longest, as wrapped
    prose does and a column of cells rarely does)."""
    n = len(cuts) + 1
    chars: list[list[int]] = [[] for _ in range(n)]
    widths: list[list[float]] = [[] for _ in range(n)]
    steps: list[list[float]] = [[] for _ in range(n)]
    sizes: list[list[float]] = [[] for _ in range(n)]
    last: list[float | None] = [None] * n
    level = inked = 0
    for row in rows:
        counts = [0] * n
        reach: list[tuple[float, float]] = [(math.inf, -math.inf)] * n
        for f in row.fragments:
            column = bisect_right(cuts, f.x)
            counts[column] += len(f.text.strip())
            sizes[column].append(f.size)
            a, b = _extent(f)
            reach[column] = (min(reach[column][0], a), max(reach[column][1], b))
        filled = 0
        for column, count in enumerate(counts):
            if not count:
                continue
            filled += 1
            chars[column].append(count)
            widths[column].append(reach[column][1] - reach[column][0])
            previous = last[column]
            if previous is not None:
                steps[column].append(previous - row.top)
            last[column] = row.top
        inked += filled > 0
        level += filled > 1
    if max(len(c) for c in chars) < MIN_COLUMN_ROWS:
        return False
    for c in range(n):
        if (
            len(chars[c]) < MIN_SHORT_COLUMN_ROWS
            or _median(chars[c]) < MIN_COLUMN_CHARS
            or _median(steps[c]) > _MAX_LEADING * _median(sizes[c])
        ):
            return False
        if 2 * level >= inked and _median(chars[c]) < MIN_LEVEL_CHARS:
            ordered = sorted(widths[c])
            longest = ordered[int(0.9 * (len(ordered) - 1))]
            if len(ordered) < _FILLED_ROWS or _median(ordered) < _FILL * longest:
                return False
    return True


def _band(rows: Sequence[_Row], gutters: Sequence[_Gutter]) -> tuple[int, int, list[float]] | None:
    """The rows (first, last) that are set in columns, and where to cut them (the middle of
    each gutter), or None. The longest gutter that divides prose is the band's; the gutters
    beside most of the same rows cut it into more columns (three columns have two)."""
    gutters = sorted(gutters, key=lambda g: (g.first - g.last, g.first, g.a))
    for primary in gutters[:_COLUMN_TRIES]:
        length = primary.last - primary.first + 1
        beside = [primary]
        for other in gutters:
            shared = min(other.last, primary.last) - max(other.first, primary.first) + 1
            if other is not primary and shared >= _SIBLING * max(
                length, other.last - other.first + 1
            ):
                beside.append(other)
        beside.sort(key=lambda g: g.a)
        apart = [beside[0]]
        for other in beside[1:]:
            if other.a >= apart[-1].b:
                apart.append(other)
        band = rows[primary.first : primary.last + 1]
        for chosen in (apart, [primary]) if len(apart) > 1 else ([primary],):
            cuts = [(g.a + g.b) / 2 for g in chosen]
            if _prose_columns(band, cuts):
                return primary.first, primary.last, cuts
    return None


def split_columns(
    fragments: Sequence[Fragment],
    body: float | None = None,
    height: float | None = None,
    depth: int = _COLUMN_DEPTH,
) -> list[list[Fragment]]:
    """Groups of fragments in reading order: what is above a band of columns, each column of
    the band from left to right, then what is below it, each looked at again the same way (a
    column may hold a sidebar, the part below another band).

    A band is found from its gutters, stretches of the line left free of text row after row
    (a whitespace "river"), not from where lines start: a gutter must have text on either
    side, side by side, in `MIN_COLUMN_ROWS` rows on one side and `MIN_SHORT_COLUMN_ROWS` on
    the other, and cut the rows into
    columns of prose (see `_prose_columns`), so a table, a hanging indent, a contents page's
    page numbers or a signature block stay one group. A full-width heading, masthead, footer
    or box crosses the gutter, so it ends the band and keeps its place above or below it.
    Rows are found once and gutters in one pass down them, so this takes time in proportion
    to the fragments (and their sorting) for each level of nesting.
    """
    if body is None:
        body = body_size(fragments)
    if depth <= 0 or len(fragments) < 2 * MIN_COLUMN_ROWS:
        return [list(fragments)]
    min_gap = max(_GUTTER_EM * body, 4.0)
    rows = _rows(fragments, body, min_gap)
    gutters = [g for g in _gutters(rows, min_gap, _BREAK_EM * body) if g.divides()]
    band = _band(rows, gutters)
    if band is None:
        return _table_groups(rows, gutters, body, height) if gutters else [list(fragments)]
    first, last, cuts = band
    groups: list[list[Fragment]] = []
    above = [f for row in rows[:first] for f in row.fragments]
    if above:
        groups += split_columns(above, body, height, depth - 1)
    columns: list[list[Fragment]] = [[] for _ in range(len(cuts) + 1)]
    for row in rows[first : last + 1]:
        for f in row.fragments:
            columns[bisect_right(cuts, f.x)].append(f)
    for column in columns:
        groups += split_columns(column, body, height, depth - 1)
    below = [f for row in rows[last + 1 :] for f in row.fragments]
    if below:
        groups += split_columns(below, body, height, depth - 1)
    return groups


def _table_groups(
    rows: Sequence[_Row], gutters: Sequence[_Gutter], body: float, height: float | None = None
) -> list[list[Fragment]]:
    """Rows that gutters divide but not into prose: a table, or a list with hanging labels.
    Read line by line, except a table row whose cells wrap onto more lines: read line by line
    its cells would interleave ("up to Partly accepted"), so each such row is read cell by
    cell, left to right, as one line of cells (cut into cells where all its rows leave a
    gap). Table rows are found among runs of rows less than `_CELL_GAP_EM` apart, one of them
    under a gutter (`_table_rows`). A list label (a number, a letter, a bullet) alone in the
    first cell is a hanging indent, read line by line; and rows in the page's top or bottom
    margin (`height` given) stay lines, so running headers and footers are still found."""
    top, bottom = (_TOP_MARGIN * height, _BOTTOM_MARGIN * height) if height else (math.inf, 0.0)
    covered = [False] * len(rows)
    for g in gutters:
        for i in range(g.first, g.last + 1):
            covered[i] = True
    pad = _CELL_PAD_EM * body
    groups: list[list[Fragment]] = []
    as_lines: list[Fragment] = []
    start = 0
    while start < len(rows):
        end = start + 1
        while end < len(rows) and rows[end - 1].bottom - rows[end].top < _CELL_GAP_EM * body:
            end += 1
        run = rows[start:end]
        table_rows = _table_rows(run, pad) if len(run) > 1 and any(covered[start:end]) else [run]
        for table_row in table_rows:
            # a "row" of many lines is a table read wrong: its lines are better than its cells
            inside = table_row[0].top <= top and table_row[-1].bottom >= bottom
            cuts = (
                _common_gaps(table_row, pad) if inside and 1 < len(table_row) <= _CELL_LINES else []
            )
            cells = _cells(table_row, cuts)
            if len(cells) > 1 and not _list_label(table_row, cuts):
                if as_lines:
                    groups.append(as_lines)
                    as_lines = []
                groups.append(_one_line(cells, table_row[0]))
            else:
                as_lines.extend(f for row in table_row for f in row.fragments)
        start = end
    if as_lines:
        groups.append(as_lines)
    return groups


def _cells(rows: Sequence[_Row], cuts: Sequence[float]) -> list[list[Fragment]]:
    cells: list[list[Fragment]] = [[] for _ in range(len(cuts) + 1)]
    for row in rows:
        for f in row.fragments:
            cells[bisect_right(cuts, f.x)].append(f)
    return [cell for cell in cells if cell]


def _table_rows(rows: Sequence[_Row], pad: float) -> list[Sequence[_Row]]:
    """A run of close rows split into table rows. Where the run has two spacings, the lines
    of a cell and a wider step from one table row to the next (cell padding), it is split at
    the wider steps (the line spacing is the smallest step that recurs; one under
    `_HALF_LINE` of the type is a cell set in the middle of its row, half a line off its
    neighbour's lines). Each part may still be several one-line rows set close
    (`_full_rows`)."""
    steps = [rows[i - 1].bottom - rows[i].top for i in range(1, len(rows))]
    size = _median([f.size for row in rows for f in row.fragments])
    # the line spacing: the smallest step that recurs (one odd step is a raised figure)
    recurring = Counter(round(step * 2) / 2 for step in steps if step >= _HALF_LINE * size)
    lines = [step for step, n in recurring.items() if n > 1]
    parts: list[list[_Row]] = [[rows[0]]]
    if lines and max(steps) > _ROW_STEP * min(lines):
        wide = _ROW_STEP * min(lines)
        for row, step in zip(rows[1:], steps, strict=True):
            if step > wide:
                parts.append([row])
            else:
                parts[-1].append(row)
    else:
        parts = [list(rows)]
    return [table_row for part in parts for table_row in _full_rows(part, pad)]


def _full_rows(rows: Sequence[_Row], pad: float) -> list[Sequence[_Row]]:
    """Rows of one spacing split into table rows, when most (three in four) have text in every
    cell, as a table of one-line rows set close has: each such row starts one, the rows
    before the first of them making one more (a header). Otherwise (the lines of one table
    row's wrapped cells, a cell of one line set in the middle of a cell of three) they are
    one table row."""
    cuts = _common_gaps(rows, pad)
    if not cuts:
        return [rows]
    full = [len({bisect_right(cuts, f.x) for f in row.fragments}) > len(cuts) for row in rows]
    if sum(full) < (1 if full[0] else 2) or 4 * sum(full) < 3 * len(full):
        return [rows]
    out: list[list[_Row]] = []
    for row, starts in zip(rows, full, strict=True):
        if not out or starts:
            out.append([row])
        else:
            out[-1].append(row)
    return list(out)


# a list label: 12. 2.1 (a) b) iv. F21 R3 or a bullet
_LABEL = re.compile(
    r"^(\(?\d{1,3}(\.\d{1,3}){0,3}[.)]?|\(?[A-Za-z][.)]|\(?[ivxlc]{1,5}[.)]|[A-Z]{1,2}\d{1,3}"
    r"|[-\u2022\u2013*\u25aa\u25cf])$"
)


def _list_label(rows: Sequence[_Row], cuts: Sequence[float]) -> bool:
    """Whether rows of two cells are a hanging indent: the first cell holds only list labels
    ("(a)", "2.1", "F21", a bullet), each on the first line of its item's text, read line by
    line. (A number set in the middle of a table row, with no text beside it, is a cell.)"""
    if len(cuts) != 1:
        return False
    found = False
    for row in rows:
        label = " ".join(
            f.text.strip() for f in sorted(row.fragments, key=lambda f: f.x) if f.x < cuts[0]
        )
        if not label:
            continue
        if not _LABEL.match(label) or all(f.x < cuts[0] for f in row.fragments):
            return False
        found = True
    return found


def _one_line(cells: Sequence[Sequence[Fragment]], first: _Row) -> list[Fragment]:
    """A table row's cells laid out one after another on its first baseline, each cell's lines
    in order, far enough apart that `assemble_lines` reads them as cells of one line."""
    y = max(f.y for f in first.fragments)
    x = min(f.x for cell in cells for f in cell)
    out: list[Fragment] = []
    for cell in cells:
        ordered = sorted(cell, key=lambda f: (-round(f.y, 1), f.x))
        previous: Fragment | None = None
        for f in ordered:
            if previous is not None and abs(previous.y - f.y) > 0.5:
                x += 0.3 * f.size  # the next line of the cell: a space
            a, b = _extent(f)
            out.append(replace(f, x=x, y=y))
            x += b - a
            previous = f
        x += 3.0 * max(f.size for f in cell)  # wider than a cell gap
    return out


def _common_gaps(rows: Sequence[_Row], min_gap: float) -> list[float]:
    """The middles of the stretches, between the rows' first and last text, that every row
    leaves free (at least `min_gap` wide)."""
    lines = [
        _Row(
            r.top, r.bottom, r.fragments, _merge(_extent(f) for f in r.fragments if f.text.strip())
        )
        for r in rows
    ]
    left = min((r.spans[0][0] for r in lines if r.spans), default=0.0)
    right = max((r.spans[-1][1] for r in lines if r.spans), default=0.0)
    free = [(left, right)]
    for row in lines:
        gaps = _gaps(row, left, right, min_gap)
        free = [
            (max(a, c), min(b, d))
            for a, b in free
            for c, d in gaps
            if min(b, d) - max(a, c) >= min_gap
        ]
        if not free:
            return []
    return [(a + b) / 2 for a, b in free if left < a and b < right]


# -- furniture -------------------------------------------------------------------------------
def furniture_key(text: str) -> str:
    """Header/footer text with numbers removed, so 'Report - 12' matches 'Report - 13'."""
    return _DIGITS.sub("#", text.lower()).strip()


def is_folio(text: str, label: str) -> bool:
    t = text.strip().strip("-\u2013 ").lower()
    return (
        t == label.lower()
        or t.isdigit()
        or bool(_ROMAN.match(t))
        or (t.startswith("page ") and len(t) < 16)
    )


@dataclass(slots=True)
class _RawPage:
    number: int
    label: str
    width: float
    height: float
    lines: list[Line]
    body: float


def _margin_lines(page: _RawPage) -> list[Line]:
    """Lines in the top 9% or bottom 7% of the page."""
    return [
        ln
        for ln in page.lines
        if ln.y > _TOP_MARGIN * page.height or ln.y < _BOTTOM_MARGIN * page.height
    ]


def repeated_furniture(pages: Sequence[_RawPage]) -> set[str]:
    """Margin-line keys that recur on at least three pages (or a third of a short document)."""
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({furniture_key(ln.text) for ln in _margin_lines(page)})
    need = max(2, min(3, len(pages) // 3))
    return {key for key, n in counts.items() if n >= need}


# -- blocks ----------------------------------------------------------------------------------
def looks_like_contents(lines: Sequence[Line]) -> bool:
    """A contents page: most lines end in a page number or roman numeral."""
    if len(lines) < 6:
        return False
    ending = sum(bool(_CONTENTS_END.search(ln.text)) for ln in lines)
    return ending / len(lines) >= 0.6


def build_blocks(
    lines: Sequence[Line], body: float, heading_sizes: Sequence[int] = ()
) -> list[Block]:
    """Lines to blocks: headings (larger or bold and short), table rows, footnotes (small type
    below the last body line), and paragraphs split at numbered starts, bullets and gaps."""
    if not lines:
        return []
    body_lines = [ln for ln in lines if abs(ln.size - body) < 0.6]
    last_body_y = min((ln.y for ln in body_lines), default=-1.0)
    gaps = [
        a.y - b.y
        for a, b in zip(body_lines, body_lines[1:], strict=False)
        if 0 < a.y - b.y < 3 * body
    ]
    leading = sorted(gaps)[len(gaps) // 2] if gaps else 1.25 * body
    sizes = list(heading_sizes) or sorted(
        {round(ln.size) for ln in lines if ln.size > body * 1.12}, reverse=True
    )
    rank = {size: i + 1 for i, size in reversed(list(enumerate(sizes)))}
    # (kind, texts, level): a footnote or heading that runs on over lines gathers its texts
    # here and is joined once at the end
    blocks: list[tuple[str, list[str], int]] = []
    current: list[str] = []
    previous: Line | None = None

    def flush() -> None:
        if current:
            blocks.append(("paragraph", [" ".join(current)], 0))
            current.clear()

    for ln in lines:
        if ln.size < 0.85 * body and ln.y < last_body_y:
            flush()
            if blocks and blocks[-1][0] == "footnote" and not _FOOTNOTE_START.match(ln.text):
                blocks[-1][1].append(ln.text)
            else:
                blocks.append(("footnote", [ln.text], 0))
            previous = ln
            continue
        heading_size = ln.size > body * 1.12
        if (heading_size or (ln.bold and len(ln.text) < 90)) and ln.cells == 1:
            flush()
            rounded = round(ln.size)
            level = rank.get(rounded, len(sizes)) if heading_size else len(sizes) + 1
            if (
                blocks
                and blocks[-1][0] == "heading"
                and previous is not None
                and previous.size == ln.size
                and previous.y - ln.y < 1.6 * ln.size
            ):
                blocks[-1][1].append(ln.text)
            else:
                blocks.append(("heading", [ln.text], level))
            previous = ln
            continue
        if ln.cells > 1:
            flush()
            blocks.append(("table", [ln.text], 0))
            previous = ln
            continue
        new_block = (
            previous is None
            or previous.y - ln.y > 1.45 * leading
            or ln.y > previous.y  # text jumps back up: the next column
            or bool(_NUMBERED.match(ln.text))
            or bool(_BULLET.match(ln.text))
            or (previous is not None and previous.cells > 1)
            or (
                previous is not None
                and abs(previous.x - ln.x) > 3
                and previous.x < ln.x
                and previous.y - ln.y > 1.6 * leading
            )
        )
        if new_block:
            flush()
        current.append(ln.text)
        previous = ln
    flush()
    return [Block(kind, " ".join(texts), level) for kind, texts, level in blocks]


def dehyphenate(blocks: list[Block], vocabulary: set[str]) -> list[Block]:
    """Rejoin 'organi- sation' as 'organisation' when that word occurs in the document; keep
    real compounds ('co- operative' -> 'co-operative')."""

    def fix(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        joined = head + tail
        return joined if joined.lower() in vocabulary else f"{head}-{tail}"

    return [Block(b.kind, _HYPHENATED.sub(fix, b.text), b.level) for b in blocks]


def analyse(
    raw: Sequence[tuple[list[Fragment], float, float]],
    labels: Sequence[str],
    ocr: Sequence[bool] = (),
) -> list[PageLayout]:
    """Turn every page's fragments into clean blocks, using the whole document to spot furniture
    and to decide hyphenation. `ocr[i]`: page i's text is a scan's OCR layer (`PageText`), so
    its layout says so (`PageLayout.ocr_layer`)."""
    all_fragments = [f for fragments, _, _ in raw for f in fragments]
    body = body_size(all_fragments)
    pages = [
        _RawPage(
            i + 1,
            labels[i],
            width,
            height,
            [
                ln
                for group in split_columns(fragments, body, height)
                for ln in assemble_lines(group, body)
            ],
            body,
        )
        for i, (fragments, width, height) in enumerate(raw)
    ]
    repeated = repeated_furniture(pages)
    # heading levels ranked over the whole document, so "level 1" means the same on every page
    heading_sizes = sorted(
        {round(ln.size) for page in pages for ln in page.lines if ln.size > body * 1.12},
        reverse=True,
    )
    layouts: list[PageLayout] = []
    vocabulary: set[str] = set()
    for page in pages:
        margins = {id(ln) for ln in _margin_lines(page)}
        keep: list[Line] = []
        layout = PageLayout(page.number, ocr_layer=page.number <= len(ocr) and ocr[page.number - 1])
        for ln in page.lines:
            in_margin = id(ln) in margins
            if in_margin and (
                furniture_key(ln.text) in repeated
                or is_folio(ln.text, page.label)
                or ln.size < 0.9 * body
                and ln.y > _TOP_MARGIN * page.height
            ):
                layout.furniture.append(ln.text)
                continue
            keep.append(ln)
        if not keep and layout.furniture:  # never furniture that is all the page says
            keep = [ln for ln in page.lines if not is_folio(ln.text, page.label)]
            layout.furniture = [ln.text for ln in page.lines if is_folio(ln.text, page.label)]
        layout.is_contents = looks_like_contents(keep)
        layout.blocks = build_blocks(keep, body, heading_sizes)
        for block in layout.blocks:
            vocabulary.update(w.lower() for w in _WORD.findall(block.text))
        layouts.append(layout)
    for layout in layouts:
        layout.blocks = dehyphenate(layout.blocks, vocabulary)
    return layouts
