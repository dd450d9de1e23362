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

Text nobody can see is kept out of the body and reported apart (`PageText.hidden`), because a
person checking a citation could never find it on the page: white or near-white ink on the
white page, invisible render modes (`3 Tr`, `7 Tr`), fully transparent ink, type under 1 pt, and
text drawn outside the visible page. White text on a dark box or an image is ordinary, visible
text. pypdf reports text in runs, not per operator, so a run that mixes visible and hidden ink is
treated as hidden as a whole: it is left out of the body and shown to staff as a flag.

Everything here is pure (no pypdf import) except `extract_page`, so it is unit-tested on
crafted fragments and operator sequences.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

LAYOUT_VERSION = "layout-v2"  # bump when extraction output changes: documents are re-ingested
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


@dataclass(frozen=True, slots=True)
class PageText:
    """What one page draws: the visible fragments, the page size, and the runs of hidden text."""

    fragments: tuple[Fragment, ...]
    width: float
    height: float
    hidden: tuple[str, ...] = ()


def extract_fragments(page: object) -> tuple[list[Fragment], float, float]:
    """Visible fragments of one pypdf page, with the page's width and height."""
    text = extract_page(page)
    return list(text.fragments), text.width, text.height


_SHOW = {b"Tj", b"TJ", b"'", b'"'}


def extract_page(page: Any) -> PageText:
    """The visible fragments of one pypdf page, its size, and its hidden text runs in drawing
    order (consecutive hidden pieces joined into one run)."""
    tracker = InkTracker(*_page_resources(page))
    crop = page.cropbox
    bounds = (float(crop.left), float(crop.bottom), float(crop.right), float(crop.top))
    pending: list[str | None] = []  # the ink of each operator shown since the last report
    last: list[str | None] = [None]
    fragments: list[Fragment] = []
    runs: list[str] = []
    run: list[str] = []  # the hidden run being collected
    run_reason: list[str | None] = [None]

    def before(op: bytes, operands: list[Any], cm: list[float], tm: list[float]) -> None:
        if op in _SHOW and shows_text(op, operands):
            last[0] = tracker.ink_reason()
            pending.append(last[0])
        tracker.before(op, operands, cm)

    def after(op: bytes, operands: list[Any], cm: list[float], tm: list[float]) -> None:
        tracker.after(op)

    def visit(
        text: str, cm: Sequence[float], tm: Sequence[float], font: object, size: float
    ) -> None:
        if not text:
            return
        inks = pending[:] or [last[0]]
        pending.clear()
        if not text.strip():
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
        fragment = Fragment(x, y, round(effective, 2), text.replace("\n", " "), bold)
        reason = hidden_reason(
            fragment,
            inks,
            on_dark=tracker.on_dark(x, y, effective),
            bounds=None if tracker.in_form else bounds,
        )
        if run and reason != run_reason[0]:
            runs.append(" ".join(" ".join(run).split()))
            run.clear()
        run_reason[0] = reason
        if reason is None:
            fragments.append(fragment)
        else:
            run.append(fragment.text)

    page.extract_text(
        visitor_operand_before=before, visitor_operand_after=after, visitor_text=visit
    )
    if run:
        runs.append(" ".join(" ".join(run).split()))
    box = page.mediabox
    return PageText(tuple(fragments), float(box.width), float(box.height), tuple(runs))


def _page_resources(page: Any) -> tuple[dict[str, str], dict[str, tuple[float, float]], set[str]]:
    """Colour space families, graphics-state alphas and image names the page's resources
    define, for `InkTracker`."""
    spaces: dict[str, str] = {}
    alphas: dict[str, tuple[float, float]] = {}
    images: set[str] = set()
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        for name, value in (resources.get("/ColorSpace") or {}).items():
            spaces[str(name)] = colour_family(value.get_object())
        for name, value in (resources.get("/ExtGState") or {}).items():
            state = value.get_object()
            alphas[str(name)] = (_number(state.get("/ca"), 1.0), _number(state.get("/CA"), 1.0))
        for name, value in (resources.get("/XObject") or {}).items():
            if str(value.get_object().get("/Subtype")) == "/Image":
                images.add(str(name))
    except Exception:  # odd resources only cost the finer checks, never the page
        pass
    return spaces, alphas, images


# -- hidden text ---------------------------------------------------------------------------------
WHITE = 0.97  # a colour at least this light reads as white on a white page
MIN_VISIBLE_SIZE = 1.0  # points: smaller type cannot be read
_FILL = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
_NO_FILL = {b"S", b"s", b"n"}
_FAMILIES = {
    "/DeviceGray": "gray",
    "/CalGray": "gray",
    "/G": "gray",
    "/DeviceRGB": "rgb",
    "/CalRGB": "rgb",
    "/RGB": "rgb",
    "/DeviceCMYK": "cmyk",
    "/CMYK": "cmyk",
    "/Separation": "tint",
    "/DeviceN": "tint",
}


def colour_family(space: Any) -> str:
    """gray | rgb | cmyk | tint (Separation, DeviceN) | other, for a colour space name or array.

    >>> colour_family("/DeviceRGB"), colour_family(["/Indexed", "/DeviceRGB", 255, b""])
    ('rgb', 'other')
    """
    if isinstance(space, str):
        return _FAMILIES.get(space, "other")
    if isinstance(space, Sequence) and space:
        head = str(space[0])
        if head == "/ICCBased" and len(space) > 1:
            try:
                components = int(space[1].get_object().get("/N", 0))
            except Exception:
                return "other"
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(components, "other")
        return _FAMILIES.get(head, "other")
    return "other"


def is_white(family: str, values: Sequence[float]) -> bool:
    """Whether a colour reads as white on paper: gray 1, rgb (1, 1, 1), cmyk (0, 0, 0, 0), no
    tint of a spot colour, and anything within 3% of those."""
    if family == "gray" and len(values) == 1 or family == "rgb" and len(values) == 3:
        return all(v >= WHITE for v in values)
    if family == "cmyk" and len(values) == 4 or family == "tint" and values:
        return all(v <= 1 - WHITE for v in values)
    return False


def _number(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def shows_text(op: bytes, operands: Sequence[Any]) -> bool:
    """Whether a text-showing operator shows anything but blanks."""
    strings: list[Any]
    if op == b"TJ":
        strings = list(operands[0]) if operands and isinstance(operands[0], Sequence) else []
    elif op == b'"':
        strings = list(operands[2:3])
    else:
        strings = list(operands[:1])
    for item in strings:
        if isinstance(item, bytes) and item.strip(b" \t\r\n\x00"):
            return True
        if isinstance(item, str) and item.strip():
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Ink:
    fill: str = "gray"  # colour family of the fill colour space
    fill_white: bool = False
    stroke: str = "gray"
    stroke_white: bool = False
    mode: int = 0  # text render mode (Tr)
    fill_alpha: float = 1.0
    stroke_alpha: float = 1.0


class InkTracker:
    """Follows the parts of the graphics state that decide whether text shows: fill and stroke
    colour (g rg k sc scn cs and their stroking twins), render mode (Tr), transparency (gs),
    saved and restored with q/Q and around form XObjects; and the dark areas painted so far
    (filled paths, images, shadings) on which white text is visible.

    Feed it every operator in order; pypdf's `visitor_operand_before` passes the current
    transformation matrix as `cm`.
    """

    def __init__(
        self,
        colour_spaces: dict[str, str] | None = None,
        alphas: dict[str, tuple[float, float]] | None = None,
        images: set[str] | None = None,
    ) -> None:
        self.colour_spaces = colour_spaces or {}
        self.alphas = alphas or {}
        self.images = images or set()
        self.ink = _Ink()
        self.areas: list[tuple[float, float, float, float]] = []  # dark boxes, page space
        self._saved: list[_Ink] = []
        self._forms: list[tuple[_Ink, int]] = []
        self._path: list[tuple[float, float]] = []

    @property
    def in_form(self) -> bool:
        """Inside a form XObject pypdf reports positions in the form's own space."""
        return bool(self._forms)

    def before(self, op: bytes, operands: Sequence[Any], cm: Sequence[float]) -> None:
        ink = self.ink
        if op == b"q":
            self._saved.append(ink)
        elif op == b"Q":
            if self._saved:
                self.ink = self._saved.pop()
        elif op == b"Tr" and operands:
            self.ink = replace(ink, mode=int(_number(operands[0], 0)))
        elif op in (b"g", b"rg", b"k"):
            family = {b"g": "gray", b"rg": "rgb", b"k": "cmyk"}[op]
            self.ink = replace(ink, fill=family, fill_white=is_white(family, _numbers(operands)))
        elif op in (b"G", b"RG", b"K"):
            family = {b"G": "gray", b"RG": "rgb", b"K": "cmyk"}[op]
            self.ink = replace(
                ink, stroke=family, stroke_white=is_white(family, _numbers(operands))
            )
        elif op == b"cs" and operands:
            self.ink = replace(ink, fill=self._family(operands[0]), fill_white=False)
        elif op == b"CS" and operands:
            self.ink = replace(ink, stroke=self._family(operands[0]), stroke_white=False)
        elif op in (b"sc", b"scn"):
            white = _all_numbers(operands) and is_white(ink.fill, _numbers(operands))
            self.ink = replace(ink, fill_white=white)
        elif op in (b"SC", b"SCN"):
            white = _all_numbers(operands) and is_white(ink.stroke, _numbers(operands))
            self.ink = replace(ink, stroke_white=white)
        elif op == b"gs" and operands and str(operands[0]) in self.alphas:
            fill_alpha, stroke_alpha = self.alphas[str(operands[0])]
            self.ink = replace(ink, fill_alpha=fill_alpha, stroke_alpha=stroke_alpha)
        elif op == b"Do" and operands:
            if str(operands[0]) in self.images:
                self.areas.append(_box(cm, [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (1.0, 0.0)]))
            self._forms.append((ink, len(self._saved)))
        else:
            self._path_operator(op, operands, cm)

    def after(self, op: bytes) -> None:
        """pypdf's `visitor_operand_after`: a form XObject ends with the state it started."""
        if op == b"Do" and self._forms:
            self.ink, depth = self._forms.pop()
            del self._saved[depth:]

    def _path_operator(self, op: bytes, operands: Sequence[Any], cm: Sequence[float]) -> None:
        numbers = _numbers(operands)
        if op == b"re" and len(numbers) == 4:
            x, y, w, h = numbers
            corners = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]
            self._path.extend(_transform(cm, p) for p in corners)
        elif op in (b"m", b"l", b"c", b"v", b"y") and len(numbers) >= 2:
            points = zip(numbers[::2], numbers[1::2], strict=False)
            self._path.extend(_transform(cm, p) for p in points)
        elif op in _FILL:
            ink = self.ink
            if self._path and not ink.fill_white and ink.fill_alpha > 1 - WHITE:
                xs = [p[0] for p in self._path]
                ys = [p[1] for p in self._path]
                self.areas.append((min(xs), min(ys), max(xs), max(ys)))
            self._path.clear()
        elif op in _NO_FILL:
            self._path.clear()
        elif op == b"sh":  # a shading paints the whole clipping area: assume the page
            self.areas.append((-1e9, -1e9, 1e9, 1e9))

    def _family(self, name: object) -> str:
        name = str(name)
        return _FAMILIES.get(name) or self.colour_spaces.get(name, "other")

    def ink_reason(self) -> str | None:
        """Why text drawn now would not show, or None when it would (on a white page)."""
        ink = self.ink
        if ink.mode in (3, 7):
            return "invisible render mode"
        channels = []
        if ink.mode in (0, 2, 4, 6):
            channels.append((ink.fill_white, ink.fill_alpha))
        if ink.mode in (1, 2, 5, 6):
            channels.append((ink.stroke_white, ink.stroke_alpha))
        opaque = [white for white, alpha in channels if alpha > 1 - WHITE]
        if not opaque:
            return "transparent text"
        if all(opaque):
            return "white text"
        return None

    def on_dark(self, x: float, y: float, size: float) -> bool:
        """Whether text at (x, y) sits on a dark area painted before it."""
        px, py = x + 0.25 * size, y + 0.3 * size
        return any(x0 <= px <= x1 and y0 <= py <= y1 for x0, y0, x1, y1 in self.areas)


def hidden_reason(
    fragment: Fragment,
    inks: Sequence[str | None],
    on_dark: bool = False,
    bounds: tuple[float, float, float, float] | None = None,
) -> str | None:
    """Why a reported text run cannot be seen, or None when it can.

    `inks` are `InkTracker.ink_reason()` for each operator that drew part of the run: one hidden
    part hides the whole run. White text on a dark area shows. `bounds` is the visible page
    (left, bottom, right, top); None skips the position test.
    """
    reasons = [r for r in inks if r and not (r == "white text" and on_dark)]
    if reasons:
        return reasons[0]
    if fragment.size < MIN_VISIBLE_SIZE:
        return "tiny type"
    if bounds is not None:
        left, bottom, right, top = bounds
        end = fragment.x + 0.5 * fragment.size * len(fragment.text)
        if (
            fragment.x >= right
            or end <= left
            or fragment.y >= top
            or fragment.y + fragment.size <= bottom
        ):
            return "outside the page"
    return None


def _numbers(operands: Sequence[Any]) -> list[float]:
    return [float(v) for v in operands if isinstance(v, int | float) and not isinstance(v, bool)]


def _all_numbers(operands: Sequence[Any]) -> bool:
    """A colour given by numbers alone (a pattern colour ends with a name)."""
    return bool(operands) and len(_numbers(operands)) == len(operands)


def _transform(cm: Sequence[float], point: tuple[float, float]) -> tuple[float, float]:
    x, y = point
    return x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5]


def _box(
    cm: Sequence[float], points: Sequence[tuple[float, float]]
) -> tuple[float, float, float, float]:
    corners = [_transform(cm, p) for p in points]
    xs = [p[0] for p in corners]
    ys = [p[1] for p in corners]
    return min(xs), min(ys), max(xs), max(ys)


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
