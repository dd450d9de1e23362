"""Read a page the way a person does: body text in reading order, apart from the page furniture.

pypdf reports every piece of text it draws with its position and font (`visitor_text`). From
that we rebuild lines and blocks and sort out:

- running headers and footers, and folios: lines in the top or bottom margin that repeat across
  pages (numbers ignored) or are just a page number;
- footnotes: small type below the last line of body text; kept apart from the body;
- footnote markers: small raised figures inside body lines; dropped from the body text;
- headings: lines set larger or bold than the body; tables: lines of widely spaced cells;
- two-column pages: lines that start in the right half beside lines in the left half, read
  left column first;
- words hyphenated at line ends: rejoined when the joined word occurs elsewhere in the document.

Everything here is pure (no pypdf import) except `extract_fragments`, so it is unit-tested on
crafted fragments.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

LAYOUT_VERSION = "layout-v1"  # bump when extraction output changes: documents are re-ingested
_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"^[ivxlcdm]+$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d{1,3})\.\s+\S")
_BULLET = re.compile(r"^([-\u2022\u2013*]|\(?[a-z]\)|\(?[ivx]+\))\s+")
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True, slots=True)
class Fragment:
    """One piece of text as drawn: baseline position (points, origin bottom-left) and size."""

    x: float
    y: float
    size: float
    text: str
    bold: bool = False


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

    @property
    def body_text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks if b.kind != "footnote")

    @property
    def footnote_text(self) -> str:
        return "\n".join(b.text for b in self.blocks if b.kind == "footnote")


def extract_fragments(page: object) -> tuple[list[Fragment], float, float]:
    """Fragments of one pypdf page, with the page's width and height."""
    fragments: list[Fragment] = []

    def visit(
        text: str, cm: Sequence[float], tm: Sequence[float], font: object, size: float
    ) -> None:
        if not text or not text.strip():
            return
        a = tm[0] * cm[0] + tm[1] * cm[2]
        b = tm[0] * cm[1] + tm[1] * cm[3]
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        effective = abs(size) * (a * a + b * b) ** 0.5
        name = ""
        if isinstance(font, dict):
            name = str(font.get("/BaseFont", ""))
        bold = "bold" in name.lower() or "black" in name.lower()
        fragments.append(Fragment(x, y, round(effective, 2), text.replace("\n", " "), bold))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    box = page.mediabox  # type: ignore[attr-defined]
    return fragments, float(box.width), float(box.height)


# -- lines ---------------------------------------------------------------------------------------
def body_size(fragments: Sequence[Fragment]) -> float:
    """The most common font size, weighted by characters."""
    weights: Counter[float] = Counter()
    for f in fragments:
        weights[round(f.size, 1)] += len(f.text.strip())
    return weights.most_common(1)[0][0] if weights else 10.0


def assemble_lines(fragments: Sequence[Fragment], body: float) -> list[Line]:
    """Group fragments into lines by baseline; drop raised small figures (footnote markers)."""
    ordered = sorted(fragments, key=lambda f: (-f.y, f.x))
    lines: list[list[Fragment]] = []
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
    result: list[Line] = []
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


def split_columns(fragments: Sequence[Fragment], width: float) -> list[list[Fragment]]:
    """Groups of fragments in reading order. A two-column page is one where many fragments
    start at one x position in the right half, level with fragments in the left half; it is
    read as: full-width text above the columns, the left column, then the right column.
    Anything else is one group."""
    middle = 0.45 * width
    starts = Counter(round(f.x) for f in fragments if f.x >= middle)
    if not starts:
        return [list(fragments)]
    col_x, count = starts.most_common(1)[0]
    right = [f for f in fragments if f.x >= col_x - 3]
    left_ys = [f.y for f in fragments if f.x < middle]
    level = sum(
        1 for f in right if abs(f.x - col_x) <= 3 and any(abs(f.y - y) < 2 for y in left_ys)
    )
    if count < 8 or level < 5:
        return [list(fragments)]
    top = max(f.y for f in right if abs(f.x - col_x) <= 3) + 2.0
    above = [f for f in fragments if f.y > top]
    below = [f for f in fragments if f.y <= top]
    return [
        above,
        [f for f in below if f.x < col_x - 3],
        [f for f in below if f.x >= col_x - 3],
    ]


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
    return [ln for ln in page.lines if ln.y > 0.91 * page.height or ln.y < 0.07 * page.height]


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
    ending = sum(bool(re.search(r"(\s|\.)(\d{1,3}|[ivxlc]{1,6})$", ln.text)) for ln in lines)
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
    blocks: list[Block] = []
    current: list[str] = []
    previous: Line | None = None

    def flush() -> None:
        if current:
            blocks.append(Block("paragraph", " ".join(current)))
            current.clear()

    for ln in lines:
        if ln.size < 0.85 * body and ln.y < last_body_y:
            flush()
            if blocks and blocks[-1].kind == "footnote" and not re.match(r"^\d{1,3}\s", ln.text):
                blocks[-1] = Block("footnote", blocks[-1].text + " " + ln.text)
            else:
                blocks.append(Block("footnote", ln.text))
            previous = ln
            continue
        heading_size = ln.size > body * 1.12
        if (heading_size or (ln.bold and len(ln.text) < 90)) and ln.cells == 1:
            flush()
            rounded = round(ln.size)
            level = (
                (sizes.index(rounded) + 1 if rounded in sizes else len(sizes))
                if heading_size
                else len(sizes) + 1
            )
            if (
                blocks
                and blocks[-1].kind == "heading"
                and previous is not None
                and previous.size == ln.size
                and previous.y - ln.y < 1.6 * ln.size
            ):
                blocks[-1] = Block("heading", blocks[-1].text + " " + ln.text, blocks[-1].level)
            else:
                blocks.append(Block("heading", ln.text, level))
            previous = ln
            continue
        if ln.cells > 1:
            flush()
            blocks.append(Block("table", ln.text))
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
    return blocks


def dehyphenate(blocks: list[Block], vocabulary: set[str]) -> list[Block]:
    """Rejoin 'organi- sation' as 'organisation' when that word occurs in the document; keep
    real compounds ('co- operative' -> 'co-operative')."""

    def fix(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        joined = head + tail
        return joined if joined.lower() in vocabulary else f"{head}-{tail}"

    pattern = re.compile(r"([A-Za-z]{2,})- ([a-z][A-Za-z]*)")
    return [Block(b.kind, pattern.sub(fix, b.text), b.level) for b in blocks]


def analyse(
    raw: Sequence[tuple[list[Fragment], float, float]], labels: Sequence[str]
) -> list[PageLayout]:
    """Turn every page's fragments into clean blocks, using the whole document to spot furniture
    and to decide hyphenation."""
    all_fragments = [f for fragments, _, _ in raw for f in fragments]
    body = body_size(all_fragments)
    pages = [
        _RawPage(
            i + 1,
            labels[i],
            width,
            height,
            [ln for group in split_columns(fragments, width) for ln in assemble_lines(group, body)],
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
        layout = PageLayout(page.number)
        for ln in page.lines:
            in_margin = id(ln) in margins
            if in_margin and (
                furniture_key(ln.text) in repeated
                or is_folio(ln.text, page.label)
                or ln.size < 0.9 * body
                and ln.y > 0.91 * page.height
            ):
                layout.furniture.append(ln.text)
                continue
            keep.append(ln)
        layout.is_contents = looks_like_contents(keep)
        layout.blocks = build_blocks(keep, body, heading_sizes)
        for block in layout.blocks:
            vocabulary.update(w.lower() for w in _WORD.findall(block.text))
        layouts.append(layout)
    for layout in layouts:
        layout.blocks = dehyphenate(layout.blocks, vocabulary)
    return layouts
