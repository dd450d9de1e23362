"""Which of a page's text a reader could actually see, and where each piece of it is drawn.

pypdf reports every operator of a page (and of the form XObjects it draws) to
`visitor_operand_before`, and every run of text it decodes to `visitor_text`. `InkTracker` follows
those operators the way a renderer would and decides, for each piece of shown text, whether it
would show. Text is hidden when a reader could not see it:

1. it cannot be told from what is painted under it: against the topmost colour painted beneath it
   at that spot (the page being white), its colour has a luminance contrast ratio under
   `MIN_CONTRAST` (1.25 : 1, the contrast of 90% grey on white) and differs by less than
   `MIN_DELTA_E` (CIE76 Delta E 10), so a vivid colour of about the same lightness, yellow on
   white, still shows. This covers white or near-white text on the page and black text on a black
   box, and keeps white text on a coloured box. Where the colour beneath cannot be known (an
   image, a shading, a pattern, a colour space we do not convert, a soft mask or an unusual
   blend mode) the text counts as visible: text is never dropped on a guess;
2. it is covered by an opaque fill or image painted after it over its position. Only an
   axis-aligned rectangle (a cell fill, a box, an image) that holds the glyphs' body from 10% to
   60% of the type size counts, so thin rules, cell borders and underlines never hide text; a
   semi-transparent highlight hides it only if, blended over the text and its background, the
   two can no longer be told apart;
3. it is clipped away: outside the bounding box of the clipping path (`W`/`W*`, the bounding box of
   a form XObject, text clip modes), saved and restored with `q`/`Q`, or behind a clip less than
   a point wide;
4. it is outside the visible page (the crop box within the media box, corners sorted, an
   empty box falling back to the next: `page_box`). For 3 and 4 a glyph counts as gone when the
   middle of its body is more than half an em beyond the edge, so a word running a little over
   the edge keeps its last letters;
5. it is drawn in an invisible render mode (`3 Tr`, or `7 Tr` when nothing is then painted through
   the clip it makes), fully transparent (`ca`/`CA` at most 0.03, or the /None colourant), or in
   an optional-content layer that is off when the document opens. The one exception is a
   scan's OCR layer: `3 Tr` text over a raster image covering most of the page, on a page
   with next to no visible text, is what the reader sees in the image (`_settle_ocr`); the
   page is then marked (`PageText.ocr_layer`) so quotes can be checked against the image;
6. it is too small to read: its em, the font size taken through horizontal scaling (`Tz`), the
   text matrix and the transformation matrix, is under `MIN_EM` (2 pt) high or wide. 1.2 pt type,
   and 12 pt type squeezed to 1% width, are hidden; 5-6 pt footnotes and superscripts are not.

Positions are followed in page space: the transformation matrix (`cm`, `q`/`Q`), a form
XObject's `/Matrix`, the text matrix (advanced by the font's glyph widths, `Tc`, `Tw`, `Tz`), the
text rise; fragments are reported from the visible page's lower left corner, with how far their
glyphs reach (`Fragment.width`: layout finds columns by the gaps between them). Colours are
tracked in DeviceGray, DeviceRGB, DeviceCMYK, CalGray/CalRGB, ICCBased (by
component count), Lab, Indexed over those, and a zero tint of a Separation or DeviceN colour
(no ink). Each form XObject is read with its own resources.

Each text-showing operator is judged glyph by glyph for 3 and 4, and for 1 and 2 every few
glyphs (up to `SEGMENTS` points along it), so a run that is partly hidden keeps its visible part.
pypdf reports text in runs that may join several operators; each run is matched back to the
glyphs of the operators that drew it (decoded as pypdf decodes them), and a run that cannot be
matched is judged as a whole: one hidden part hides it all. Painted areas and pieces of text are
kept in a coarse grid over the page, so following a page costs time in proportion to its
operators. (pypdf's own extractor is made linear too while we read: see `_linear_pypdf`.)
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import accumulate
from typing import Any

MIN_CONTRAST = 1.25  # luminance contrast ratio below which text cannot be read (90% grey on white)
MIN_DELTA_E = 10.0  # ... unless its colour differs this much (CIE76): yellow on white shows
MIN_EM = 2.0  # points: an em smaller than this, high or wide, cannot be read
THIN = 1.0  # points: a painted area narrower than this is a rule, never a background or a cover
OPAQUE = 0.97  # an alpha at least this hides what is under it
CLEAR = 0.03  # an alpha at most this shows nothing
SEGMENTS = 8  # points at which one text-showing operator is judged (contrast, covers)
_PER_SEGMENT = 3  # glyphs, at least, in each of those segments
SCAN_COVER = 0.7  # a raster image over at least this share of the page may be a scan...
SCAN_VISIBLE = 20  # ...when the page shows at most this many visible characters, or this
SCAN_VISIBLE_SHARE = 0.1  # share of its invisible text up to SCAN_VISIBLE_MAX (a stamp, a
SCAN_VISIBLE_MAX = 200  # footer line): then its invisible text is the scan's OCR layer
_OCR_CANDIDATE = "invisible over an image"  # settled in `finish`: an OCR layer, or hidden
_MAX_SCANS = 16  # page-sized images remembered on one page
_BODY = (0.1, 0.6)  # the glyph body, as fractions of the em above the baseline
_GRID = 16
_MAX_CANDIDATES = 8
_MAX_FORM_DEPTH = 16

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
Colour = tuple[float, float, float]  # sRGB, each 0-1
WHITE: Colour = (1.0, 1.0, 1.0)


@dataclass(frozen=True, slots=True)
class Fragment:
    """One piece of text as drawn: baseline position (points, origin bottom-left), size, and
    how far it reaches to the right (`width`, from the font's glyph widths; 0 when unknown,
    as in fragments made by hand: layout then estimates it from the size)."""

    x: float
    y: float
    size: float
    text: str
    bold: bool = False
    width: float = 0.0


@dataclass(frozen=True, slots=True)
class PageText:
    """What one page draws: the visible fragments (placed from the visible page's lower left
    corner), the size of the visible page, the runs of hidden text, and whether the text is a
    scan's OCR layer (invisible text over a page-sized image, read as the page's text)."""

    fragments: tuple[Fragment, ...]
    width: float
    height: float
    hidden: tuple[str, ...] = ()
    ocr_layer: bool = False
    rules: int = 0  # horizontal or vertical edges it paints, the fewer: a ruled table has 3+


US_LETTER: Box = (0.0, 0.0, 612.0, 792.0)
_EVERYWHERE: Box = (-14400.0, -14400.0, 28800.0, 28800.0)  # beyond any page a PDF can have


def page_box(media: Sequence[Any] | None, crop: Sequence[Any] | None = None) -> Box | None:
    """The visible page: the crop box within the media box, each with its corners sorted (a
    box may be written [0 792 612 0]); the media box when the crop box is empty, degenerate or
    off the media box; None when the media box is empty too.

    >>> page_box([0, 0, 612, 792], [0, 792, 612, 0]), page_box([0, 0, 0, 0])
    ((0.0, 0.0, 612.0, 792.0), None)
    """

    def normal(box: Sequence[Any] | None) -> Box | None:
        try:
            x0, y0, x1, y1 = (float(v) for v in (box or ())[:4])
        except (TypeError, ValueError):  # missing, short or not numbers
            return None
        if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
            return None
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        return (x0, y0, x1, y1) if x1 - x0 >= 1.0 and y1 - y0 >= 1.0 else None

    outer, inner = normal(media), normal(crop)
    if outer is None:
        return inner
    if inner is None:
        return outer
    both = _intersect(outer, inner)
    return both if both[2] - both[0] >= 1.0 and both[3] - both[1] >= 1.0 else outer


def extract_page(page: Any) -> PageText:
    """The visible fragments of one pypdf page, its size, and its hidden text runs in drawing
    order (consecutive pieces hidden for the same reason joined into one run). Text is judged
    against the visible page (`page_box`); a page with no usable box at all is taken as US
    Letter grown to hold what it draws."""
    box = page_box(_box_numbers(page, "/MediaBox"), _box_numbers(page, "/CropBox"))
    inherited = getattr(page, "get_inherited", None)
    resources = inherited("/Resources", None) if inherited else page.get("/Resources")
    tracker = InkTracker(
        box or _EVERYWHERE,
        _resolve(resources) or {},
        pdf=getattr(page, "pdf", None),
        layers_off=layers_off(getattr(page, "pdf", None)),
    )
    _linear_pypdf()
    token = _SHORT_OUTPUT.set(True)
    try:
        page.extract_text(
            visitor_operand_before=lambda op, operands, cm, tm: tracker.before(op, operands),
            visitor_operand_after=lambda op, operands, cm, tm: tracker.after(op),
            visitor_text=tracker.text,
        )
    finally:
        _SHORT_OUTPUT.reset(token)
    fragments, hidden = tracker.finish()
    if box is None:  # no page size at all: what it draws, on at least a sheet of US Letter
        box = _bbox(
            [US_LETTER[:2], US_LETTER[2:]]
            + [(f.x, f.y - 0.25 * f.size) for f in fragments]
            + [(f.x + (f.width or 0.5 * f.size * len(f.text)), f.y + f.size) for f in fragments]
        )
    left, bottom = box[0], box[1]
    if left or bottom:  # layout measures from the visible page's lower left corner
        fragments = [replace(f, x=f.x - left, y=f.y - bottom) for f in fragments]
    return PageText(
        tuple(fragments),
        box[2] - left,
        box[3] - bottom,
        tuple(hidden),
        tracker.ocr_layer,
        tracker.rules,
    )


def _box_numbers(page: Any, name: str) -> Sequence[Any] | None:
    """A page box as written, inherited from the page tree if need be (pypdf's own properties
    fall back from one box to another and keep the corners as written)."""
    try:
        value = page.get_inherited(name, None) if hasattr(page, "get_inherited") else None
        if value is None:
            value = page.get(name)
        value = _resolve(value)
        if value is None:
            return None
        return [_resolve(v) for v in value]
    except Exception:
        return None


_SHORT_OUTPUT: ContextVar[bool] = ContextVar("ink_short_output", default=False)


def _linear_pypdf() -> None:
    """Make pypdf's text extraction linear in a page's text while `extract_page` runs.

    pypdf 7.1 keeps everything extracted so far in `TextExtraction.output` and copies it at every
    text operator (`(output + text)[-1:]` in `crlf_space_check`), so one page of 2 MB of text
    takes minutes. While extracting, only the last character of `output` is ever read; we use
    the visitors, not the text it returns. So pypdf's extractor class is replaced, once, by a
    subclass that keeps just that last character, and only when `extract_page` asked for it
    (`_SHORT_OUTPUT`): any other `extract_text()` call, in any thread, is unchanged.
    """
    try:
        import pypdf._page as pypdf_page
        from pypdf._text_extraction._text_extractor import TextExtraction
    except ImportError:  # pragma: no cover - another pypdf: extraction is only slower
        return
    if getattr(pypdf_page, "TextExtraction", None) is not TextExtraction:
        return  # already replaced, or pypdf has changed: leave it alone

    class ShortOutputTextExtraction(TextExtraction):
        def _post_process_text_operation(self, str_widths: float) -> None:
            if len(self.output) > 1 and _SHORT_OUTPUT.get():
                self.output = self.output[-1:]
            super()._post_process_text_operation(str_widths)

    setattr(pypdf_page, "TextExtraction", ShortOutputTextExtraction)  # noqa: B010


# -- colour ------------------------------------------------------------------------------------
def _linear(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab_to_rgb(lightness: float, a: float, b: float) -> Colour:
    fy = (lightness + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def inverse(f: float) -> float:
        return f**3 if f > 6 / 29 else 3 * (6 / 29) ** 2 * (f - 4 / 29)

    x, y, z = 0.95047 * inverse(fx), inverse(fy), 1.08883 * inverse(fz)
    linear = (
        3.2406 * x - 1.5372 * y - 0.4986 * z,
        -0.9689 * x + 1.8758 * y + 0.0415 * z,
        0.0557 * x - 0.2040 * y + 1.0570 * z,
    )

    def gamma(c: float) -> float:
        c = min(1.0, max(0.0, c))
        return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055

    r, g, bl = (gamma(c) for c in linear)
    return r, g, bl


def rgb(family: str, values: Sequence[float]) -> Colour | None:
    """A colour as sRGB (0-1 each), or None when it cannot be known.

    >>> rgb("gray", [1.0]), rgb("cmyk", [0, 0, 0, 1]), rgb("tint", [0.5])
    ((1.0, 1.0, 1.0), (0.0, 0.0, 0.0), None)
    """
    clamped = [min(1.0, max(0.0, float(v))) for v in values]
    if family == "gray" and len(clamped) >= 1:
        return clamped[0], clamped[0], clamped[0]
    if family == "rgb" and len(clamped) >= 3:
        return clamped[0], clamped[1], clamped[2]
    if family == "cmyk" and len(clamped) >= 4:
        c, m, y, k = clamped[:4]
        return (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    if family == "lab" and len(values) >= 3:
        return _lab_to_rgb(min(100.0, max(0.0, values[0])), values[1], values[2])
    if family == "tint" and values:
        return WHITE if all(v <= 0.0 for v in values) else None  # no ink is paper
    return None


def luminance(colour: Colour) -> float:
    """Relative luminance, 0 (black) to 1 (white)."""
    r, g, b = colour
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast(a: Colour, b: Colour) -> float:
    """The luminance contrast ratio of two colours, 1 (none) to 21 (black on white).

    >>> round(contrast((0.93, 0.93, 0.93), WHITE), 2), round(contrast((0.5,) * 3, WHITE), 2)
    (1.17, 3.98)
    """
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _lab(colour: Colour) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in colour)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def colour_difference(a: Colour, b: Colour) -> float:
    """CIE76 colour difference (Delta E): about 2 is just noticeable, 100 black from white.

    >>> round(colour_difference((1.0, 1.0, 0.0), WHITE))  # yellow on white: dim but vivid
    97
    """
    la, lb = _lab(a), _lab(b)
    return math.dist(la, lb)


@lru_cache(maxsize=4096)
def legible(text: Colour, under: Colour) -> bool:
    """Whether text in one colour can be read on another: it is hidden only when both the
    luminance contrast and the colour difference are too small (90% grey or yellow on white
    show; 93% grey on white and black on black do not)."""
    if text == under:
        return False
    return contrast(text, under) >= MIN_CONTRAST or colour_difference(text, under) >= MIN_DELTA_E


def blend(under: Colour, over: Colour, alpha: float, mode: str = "normal") -> Colour:
    """The colour seen where `over` is painted with `alpha` on `under`."""
    if alpha >= 1.0 and mode == "normal":
        return over
    if mode == "multiply":
        r, g, b = (u * ((1 - alpha) + alpha * o) for u, o in zip(under, over, strict=True))
    else:
        r, g, b = ((1 - alpha) * u + alpha * o for u, o in zip(under, over, strict=True))
    return r, g, b


@dataclass(frozen=True, slots=True)
class ColourSpace:
    """A colour space as far as its colours go: its family, component count and, for Indexed,
    the base space and lookup table."""

    family: str  # gray | rgb | cmyk | lab | tint | indexed | pattern | none | other
    components: int = 1
    base: ColourSpace | None = None
    lookup: bytes = b""
    hival: int = 0

    def initial(self) -> list[float]:
        """The colour a space starts with when selected (black, or full tint)."""
        if self.family == "cmyk":
            return [0.0, 0.0, 0.0, 1.0]
        if self.family == "tint":
            return [1.0] * self.components
        return [0.0] * self.components

    def colour(self, values: Sequence[float]) -> Colour | None:
        if self.family == "indexed" and self.base is not None and values:
            index = min(self.hival, max(0, int(values[0])))
            n = self.base.components
            raw = self.lookup[index * n : index * n + n]
            if len(raw) < n:
                return None
            return self.base.colour([b / 255 for b in raw])
        return rgb(self.family, values)


GRAY, RGB, CMYK = ColourSpace("gray", 1), ColourSpace("rgb", 3), ColourSpace("cmyk", 4)
PATTERN, OTHER = ColourSpace("pattern", 0), ColourSpace("other", 0)
NONE = ColourSpace("none", 1)  # the /None colourant: paints nothing
_DEVICE = {
    "/DeviceGray": GRAY,
    "/G": GRAY,
    "/CalGray": GRAY,
    "/DeviceRGB": RGB,
    "/RGB": RGB,
    "/CalRGB": RGB,
    "/DeviceCMYK": CMYK,
    "/CMYK": CMYK,
    "/Pattern": PATTERN,
}


def colour_space(
    value: Any, named: Callable[[str], Any] | None = None, depth: int = 0
) -> ColourSpace:
    """A colour space from its name or array (names looked up with `named`, a page's
    /ColorSpace resources). Anything unfamiliar is `other`, whose colours are unknown.

    >>> colour_space("/DeviceRGB").family, colour_space(["/ICCBased", {"/N": 4}]).family
    ('rgb', 'cmyk')
    """
    value = _resolve(value)
    if depth > 4:
        return OTHER
    if isinstance(value, str):
        if value in _DEVICE:
            return _DEVICE[value]
        found = named(value) if named is not None else None
        return colour_space(found, named, depth + 1) if found is not None else OTHER
    if not isinstance(value, Sequence) or isinstance(value, bytes) or not value:
        return OTHER
    head = str(_resolve(value[0]))
    try:
        if head in ("/CalGray", "/CalRGB") or head in _DEVICE:
            return _DEVICE.get(head, OTHER)
        if head == "/ICCBased":
            n = int(_resolve(_resolve(value[1]).get("/N", 0)))
            return {1: GRAY, 3: RGB, 4: CMYK}.get(n, OTHER)
        if head == "/Lab":
            return ColourSpace("lab", 3)
        if head == "/Separation":
            return NONE if str(_resolve(value[1])) == "/None" else ColourSpace("tint", 1)
        if head == "/DeviceN":
            names = [str(_resolve(v)) for v in _resolve(value[1])]
            if names and all(n == "/None" for n in names):
                return NONE
            return ColourSpace("tint", max(1, len(names)))
        if head == "/Indexed":
            base = colour_space(value[1], named, depth + 1)
            table = _resolve(value[3])
            data = table.get_data() if hasattr(table, "get_data") else table
            if isinstance(data, str):
                data = data.encode("latin-1", "replace")
            return ColourSpace("indexed", 1, base, bytes(data), int(_resolve(value[2])))
    except Exception:  # a malformed colour space only makes its colours unknown
        return OTHER
    return OTHER


# -- the graphics state ---------------------------------------------------------------------------
def multiply(m: Sequence[float], n: Sequence[float]) -> Matrix:
    """The matrix product m x n (PDF row-vector convention: m is applied first)."""
    a, b, c, d, e, f = m[:6]
    a2, b2, c2, d2, e2, f2 = n[:6]
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def apply(m: Sequence[float], x: float, y: float) -> tuple[float, float]:
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


def _axis_aligned(m: Sequence[float]) -> bool:
    return (abs(m[1]) < 1e-9 and abs(m[2]) < 1e-9) or (abs(m[0]) < 1e-9 and abs(m[3]) < 1e-9)


def em_size(
    font_size: float, scale: float, tm: Sequence[float], ctm: Sequence[float], glyph=(1.0, 1.0)
) -> tuple[float, float]:
    """The em of shown text on the page, (width, height) in points: the font size through the
    horizontal scaling (`Tz`, as a fraction), the text matrix and the transformation matrix.
    `glyph` scales a Type 3 font's em.

    >>> em_size(12, 0.01, IDENTITY, IDENTITY)[0] < MIN_EM  # squeezed to 1%
    True
    """
    m = multiply(tm, ctm)
    width = abs(font_size * scale * glyph[0]) * math.hypot(m[0], m[1])
    height = abs(font_size * glyph[1]) * math.hypot(m[2], m[3])
    return width, height


class _State:
    """The parts of the graphics state that decide what shows, copied by `q`."""

    __slots__ = (
        "blend",
        "char_space",
        "clip",
        "clip_exact",
        "ctm",
        "fill",
        "fill_alpha",
        "fill_space",
        "font",
        "leading",
        "line_width",
        "masked",
        "mode",
        "rise",
        "scale",
        "size",
        "stroke",
        "stroke_alpha",
        "stroke_space",
        "text_clip",
        "word_space",
    )

    def __init__(self, clip: Box) -> None:
        self.ctm: Matrix = IDENTITY
        self.fill_space = GRAY
        self.fill: Colour | None = (0.0, 0.0, 0.0)  # None: unknown (a pattern, an odd space)
        self.stroke_space = GRAY
        self.stroke: Colour | None = (0.0, 0.0, 0.0)
        self.fill_alpha = 1.0
        self.stroke_alpha = 1.0
        self.blend = "normal"  # normal | multiply | other
        self.masked = False  # a soft mask: how much shows is unknown
        self.mode = 0
        self.line_width = 1.0
        self.clip = clip
        self.clip_exact = True
        self.font: _Font | None = None
        self.size = 0.0
        self.char_space = 0.0
        self.word_space = 0.0
        self.scale = 1.0
        self.leading = 0.0
        self.rise = 0.0
        self.text_clip: tuple[_Segment, ...] = ()

    def copy(self) -> _State:
        other = _State.__new__(_State)
        for name in _State.__slots__:
            setattr(other, name, getattr(self, name))
        return other


@dataclass(frozen=True, slots=True)
class _GState:
    """What an /ExtGState sets that matters here (None: left as it is)."""

    fill_alpha: float | None = None
    stroke_alpha: float | None = None
    blend: str | None = None
    masked: bool | None = None
    line_width: float | None = None


def ext_gstate(value: Any) -> _GState:
    value = _resolve(value)
    if not isinstance(value, Mapping):
        return _GState()
    blend = None
    mode = _resolve(value.get("/BM"))
    if mode is not None:
        name = str(_resolve(mode[0]) if isinstance(mode, Sequence) and mode else mode)
        blend = {"/Normal": "normal", "/Compatible": "normal", "/Multiply": "multiply"}.get(
            name, "other"
        )
    mask = _resolve(value.get("/SMask"))
    return _GState(
        _opt_number(value.get("/ca")),
        _opt_number(value.get("/CA")),
        blend,
        None if mask is None else str(mask) != "/None",
        _opt_number(value.get("/LW")),
    )


# -- fonts ----------------------------------------------------------------------------------------
class _Font:
    """Decodes shown strings the way pypdf does (so pieces can be matched to its runs) and gives
    each glyph's advance in thousandths of an em."""

    __slots__ = (
        "char_map",
        "encoding",
        "glyph",
        "space_char",
        "space_width",
        "vertical",
        "widths",
    )

    def __init__(
        self, font: Any = None, glyph: tuple[float, float] = (1.0, 1.0), vertical: bool = False
    ) -> None:
        self.glyph = glyph  # a Type 3 font's em, relative to the usual 1000 units
        self.vertical = vertical  # written top to bottom (a CMap with WMode 1)
        if font is None:  # unknown font: pypdf shows every byte as U+FFFD
            self.encoding: str | dict[int, str] = dict.fromkeys(range(256), "\ufffd")
            self.char_map: dict[Any, Any] = {}
            self.widths: dict[str, float] = {"default": 500.0}
            self.space_char, self.space_width = " ", 250.0
        else:
            self.encoding = font.encoding
            self.char_map = font.character_map or {}
            self.widths = dict(font.character_widths)
            self.space_char, self.space_width = font.space_char, float(font.space_width)

    def glyphs(self, shown: Any) -> tuple[list[str], list[float], list[bool]]:
        """For each glyph of a shown string: its text, width (1/1000 em), and whether it is the
        single-byte space that word spacing applies to."""
        if isinstance(shown, str) and not isinstance(shown, bytes):
            raw = list(shown)
            texts = raw
            spaces = [c == " " for c in raw]
        else:
            data = bytes(shown)
            decoded: list[str]
            if isinstance(self.encoding, str):
                try:
                    string = data.decode(self.encoding, "surrogatepass")
                except UnicodeDecodeError:
                    string = data.decode(self.encoding, "replace")
                except LookupError:
                    string = data.decode("latin-1")
                raw = decoded = list(string)
                spaces = [False] * len(raw)
            else:
                encoding = self.encoding
                raw = [chr(b) for b in data]
                decoded = [encoding.get(b, chr(b)) for b in data]
                spaces = [b == 32 for b in data]
            char_map = self.char_map
            if char_map:
                texts = [
                    char_map.get(t, t) if len(t) == 1 else "".join(char_map.get(c, c) for c in t)
                    for t in decoded
                ]
            else:
                texts = list(decoded)
        widths = self.widths
        default = widths.get("default", 500.0)
        space_char, space_width = self.space_char, self.space_width
        advances = [
            space_width if c == space_char else widths.get(c, default) for c in raw
        ]  # pypdf's widths
        return texts, advances, spaces


def _load_font(value: Any) -> _Font:
    try:
        from pypdf.generic import DictionaryObject
        from pypdf.generic._font import Font

        font = _resolve(value)
        if not isinstance(font, DictionaryObject):
            font = DictionaryObject(font) if isinstance(font, Mapping) else None
        if font is None:
            return _Font()
        glyph = (1.0, 1.0)
        if str(font.get("/Subtype")) == "/Type3":
            matrix = [float(_resolve(v)) for v in (_resolve(font.get("/FontMatrix")) or [])]
            if len(matrix) == 6:
                bbox = [float(_resolve(v)) for v in (_resolve(font.get("/FontBBox")) or [])]
                height = abs(bbox[3] - bbox[1]) if len(bbox) == 4 else 0.0
                height = height if height > 0 else 1000.0
                glyph = (abs(matrix[0]) * 1000, abs(matrix[3]) * height)
        encoding = _resolve(font.get("/Encoding"))
        vertical = str(font.get("/Subtype")) == "/Type0" and (
            str(encoding).endswith("-V")
            if isinstance(encoding, str)
            else isinstance(encoding, Mapping) and _opt_number(encoding.get("/WMode")) == 1
        )
        return _Font(Font.from_font_resource(font), glyph, vertical)
    except Exception:  # an unreadable font still shows text; only its metrics are estimated
        return _Font()


# -- resources ------------------------------------------------------------------------------------
class _Resources:
    """One resource dictionary (a page's or a form's), with what was read from it cached."""

    def __init__(self, resources: Any) -> None:
        self.raw = resources if isinstance(resources, Mapping) else {}
        self._cache: dict[tuple[str, str], Any] = {}

    def _entry(self, kind: str, name: Any) -> Any:
        group = _resolve(self.raw.get(kind))
        if not isinstance(group, Mapping):
            return None
        return _resolve(group.get(str(name)))

    def lookup(self, kind: str, name: Any, make: Callable[[Any], Any]) -> Any:
        key = (kind, str(name))
        if key not in self._cache:
            try:
                self._cache[key] = make(self._entry(kind, name))
            except Exception:
                self._cache[key] = make(None)
        return self._cache[key]

    def colour_space(self, name: Any) -> ColourSpace:
        if str(name) in _DEVICE:
            return _DEVICE[str(name)]
        return self.lookup(
            "/ColorSpace",
            name,
            lambda v: colour_space(v, lambda n: self._entry("/ColorSpace", n)) if v else OTHER,
        )

    def font(self, name: Any) -> _Font:
        return self.lookup("/Font", name, lambda v: _load_font(v) if v is not None else _Font())

    def gstate(self, name: Any) -> _GState:
        return self.lookup("/ExtGState", name, ext_gstate)

    def xobject(self, name: Any) -> Any:
        return self._entry("/XObject", name)

    def properties(self, name: Any) -> Any:
        return self._entry("/Properties", name)


def layers_off(pdf: Any) -> frozenset[int]:
    """Object ids of the optional-content groups that are off when the document opens."""
    try:
        properties = _resolve(_resolve(pdf.trailer["/Root"]).get("/OCProperties"))
        default = _resolve(properties.get("/D")) or {}
        groups = [_resolve(g) for g in (_resolve(properties.get("/OCGs")) or [])]
        if str(_resolve(default.get("/BaseState"))) == "/OFF":
            on = {id(_resolve(g)) for g in (_resolve(default.get("/ON")) or [])}
            return frozenset(id(g) for g in groups if id(g) not in on)
        return frozenset(id(_resolve(g)) for g in (_resolve(default.get("/OFF")) or []))
    except Exception:
        return frozenset()


# -- painted areas and pieces of text -------------------------------------------------------------
class _Area:
    """A painted axis-aligned box in page space. `exact`: the box is what was painted (not the
    bounding box of a curve, a rotated shape, or a fill under an odd clip). `colour` None:
    unknown. `solid`: it hides what is under it when opaque (not a pattern or masked image)."""

    __slots__ = ("alpha", "base", "blend", "colour", "exact", "solid", "x0", "x1", "y0", "y1")

    def __init__(
        self,
        box: Box,
        colour: Colour | None,
        alpha: float,
        blend: str,
        exact: bool,
        solid: bool,
    ) -> None:
        self.x0, self.y0, self.x1, self.y1 = box
        self.colour, self.alpha, self.blend = colour, alpha, blend
        self.exact, self.solid = exact, solid
        self.base = exact and solid and alpha >= OPAQUE and blend == "normal"

    def holds(self, box: Box) -> bool:
        return self.x0 <= box[0] and box[2] <= self.x1 and self.y0 <= box[1] and box[3] <= self.y1


class _Segment:
    """A few glyphs of one text-showing operator, judged at their centre: `body` is the box (page
    space) around the middle of the glyph body there, 0.3 em wide and from 10% to 60% of the em
    high; a background or a cover must hold all of it. `start`: the baseline where the glyphs
    begin. `pairs`: (text, background) colours that can still be told apart; None when
    unknown."""

    __slots__ = ("body", "cell", "end", "pairs", "reason", "start", "text", "through")

    def __init__(
        self, text: str, start: tuple[float, float], end: tuple[float, float] | None = None
    ) -> None:
        self.text = text
        self.start = start
        self.end = end or start  # the baseline where the last glyph's box ends
        self.body: Box = (*start, *start)
        self.cell = 0  # the grid cell of the body's lower left corner
        self.reason: str | None = None
        self.pairs: list[tuple[Colour, Colour]] | None = None
        self.through = False  # clip-mode text: visible if something is painted through it


class _Grid:
    """A coarse grid over the page; a box goes into every cell it touches (a ring of cells
    outside the page takes anything beyond it)."""

    def __init__(self, bounds: Box, n: int = _GRID) -> None:
        left, bottom, right, top = bounds
        self.left, self.bottom, self.n = left, bottom, n
        self.dx = max(right - left, 1.0) / n
        self.dy = max(top - bottom, 1.0) / n
        self.cells: list[list[Any]] = [[] for _ in range((n + 2) * (n + 2))]

    def _index(self, value: float, n: int) -> int:
        """0 below the grid, 1..n inside it, n + 1 above it (NaN counts as below)."""
        if not value >= 0:
            return 0
        return n + 1 if value >= n else int(value) + 1

    def _col(self, x: float) -> int:
        return self._index((x - self.left) / self.dx, self.n)

    def _row(self, y: float) -> int:
        return self._index((y - self.bottom) / self.dy, self.n)

    def cell(self, x: float, y: float) -> int:
        return self._row(y) * (self.n + 2) + self._col(x)

    def span(self, box: Box) -> list[tuple[int, bool]]:
        """The cells a box touches, each with whether the box covers it entirely (never true
        of the outer ring)."""
        c0, c1 = self._col(box[0]), self._col(box[2])
        r0, r1 = self._row(box[1]), self._row(box[3])
        out: list[tuple[int, bool]] = []
        width = self.n + 2
        for row in range(r0, r1 + 1):
            cy0 = self.bottom + (row - 1) * self.dy
            inner_row = 0 < row <= self.n and box[1] <= cy0 and cy0 + self.dy <= box[3]
            for col in range(c0, c1 + 1):
                cx0 = self.left + (col - 1) * self.dx
                full = inner_row and 0 < col <= self.n and box[0] <= cx0 and cx0 + self.dx <= box[2]
                out.append((row * width + col, full))
        return out


@dataclass(slots=True)
class _Frame:
    """What a form XObject's `Do` saved: the state, the depth of the q and marked-content
    stacks, pypdf's base matrix outside it; and whether the form is in a hidden layer."""

    state: _State
    saved: int
    marked: int
    base: Matrix
    hidden: bool = False


class _Run:
    """One run of text pypdf reported, split into pieces by the segments that drew them."""

    __slots__ = ("bold", "pieces", "size", "x", "y")

    def __init__(self, x: float, y: float, size: float, bold: bool) -> None:
        self.x, self.y, self.size, self.bold = x, y, size, bold
        self.pieces: list[tuple[str, tuple[_Segment, ...]]] = []


class _Path:
    __slots__ = ("closed", "curved", "points", "rect")

    def __init__(self, point: tuple[float, float]) -> None:
        self.points = [point]
        self.curved = False
        self.closed = False
        self.rect: Box | None = None


def _points_rect(points: Sequence[tuple[float, float]]) -> Box | None:
    """The box, when a closed polygon is an axis-aligned rectangle."""
    pts = list(points)
    if len(pts) == 5 and pts[0] == pts[-1]:
        pts = pts[:4]
    if len(pts) != 4:
        return None
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        if abs(x0 - x1) > 1e-6 and abs(y0 - y1) > 1e-6:
            return None
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def _intersect(a: Box, b: Box) -> Box:
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def _bbox(points: Sequence[tuple[float, float]]) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


# -- the tracker ----------------------------------------------------------------------------------
class InkTracker:
    """Follows a page's operators and pypdf's text runs; `finish` returns the visible fragments
    and the hidden runs.

    Feed it every operator in order (`before`, and `after` so it sees where a form XObject ends)
    and every run pypdf reports (`text`, pypdf's `visitor_text`). `resources` is the page's
    resource dictionary; `pdf` the reader, to read form XObjects pypdf skips (those without
    resources of their own may still paint boxes over text).

    >>> t = InkTracker((0, 0, 595, 842))
    >>> for op, args in [(b"g", [1]), (b"BT", []), (b"Tf", ["/F1", 12]), (b"Td", [72, 700]),
    ...                  (b"Tj", ["Unseen"]), (b"ET", [])]:
    ...     t.before(op, args)
    >>> t.text("Unseen", IDENTITY, (1, 0, 0, 1, 72, 700), None, 12)
    >>> t.finish()
    ([], ['Unseen'])
    """

    def __init__(
        self,
        bounds: Box = (0.0, 0.0, 595.0, 842.0),
        resources: Any = None,
        *,
        pdf: Any = None,
        layers_off: frozenset[int] = frozenset(),
    ) -> None:
        self.bounds = bounds
        self.pdf = pdf
        self._layers_off = layers_off
        self.state = _State(bounds)
        self._saved: list[_State] = []
        self._resources = [_Resources(resources)]
        self._frames: list[_Frame | None] = []  # one per Do: None for an image
        self._base: Matrix = IDENTITY  # pypdf's matrices inside a form are relative to this
        self._next_base: Matrix | None = None
        self._marked: list[bool] = []  # marked-content stack: True where a hidden layer begins
        self._hidden_layer = 0  # hidden layers open now: marked content and forms
        self._reading = 0  # depth of form XObjects followed here, not by pypdf
        self._areas = _Grid(bounds)
        self._samples = _Grid(bounds)
        self._path: list[_Path] = []
        self._clip_pending: str | None = None
        self._tm: Matrix = IDENTITY
        self._tlm: Matrix = IDENTITY
        self._block_clip: list[_Segment] = []  # clip-mode text shown since BT
        self._block_clip_box: Box | None = None
        self._pending: deque[_Segment] = deque()
        self._pos = 0  # characters of _pending[0] already matched to a run
        self._runs: list[_Run] = []
        self.unmatched_runs = 0  # runs judged as a whole (for diagnostics)
        self.orphan_runs = 0  # runs no shown glyph accounts for, kept as visible (diagnostics)
        self.hidden_reasons: list[str] = []
        self.ocr_layer = False  # set by `finish`: invisible text was read as the scan's OCR
        # horizontal and vertical edges painted (lines, sides of boxes): a ruled table's
        self._across = self._down = 0
        self.rules = 0  # the fewer of the two: a table has at least three of each
        self._scans: list[Box] = []  # raster images covering most of the page
        self._ocr_candidates: list[_Segment] = []  # invisible text that may be an OCR layer
        self._page_area = max(bounds[2] - bounds[0], 0.0) * max(bounds[3] - bounds[1], 0.0)
        self._legible: dict[Any, list[tuple[Colour, Colour]]] = {}
        self._handlers: dict[bytes, Callable[[Sequence[Any]], None]] = {
            b"q": self._q,
            b"Q": self._Q,
            b"cm": self._cm,
            b"g": lambda a: self._colour(True, GRAY, a),
            b"G": lambda a: self._colour(False, GRAY, a),
            b"rg": lambda a: self._colour(True, RGB, a),
            b"RG": lambda a: self._colour(False, RGB, a),
            b"k": lambda a: self._colour(True, CMYK, a),
            b"K": lambda a: self._colour(False, CMYK, a),
            b"cs": lambda a: self._space(True, a),
            b"CS": lambda a: self._space(False, a),
            b"sc": lambda a: self._set(True, a),
            b"scn": lambda a: self._set(True, a),
            b"SC": lambda a: self._set(False, a),
            b"SCN": lambda a: self._set(False, a),
            b"gs": self._gs,
            b"w": self._w,
            b"m": self._m,
            b"l": self._l,
            b"c": self._curve,
            b"v": self._curve,
            b"y": self._curve,
            b"h": self._h,
            b"re": self._re,
            b"W": lambda a: self._clip("nonzero"),
            b"W*": lambda a: self._clip("evenodd"),
            b"n": lambda a: self._paint_path(False, False, False),
            b"f": lambda a: self._paint_path(True, False, False),
            b"F": lambda a: self._paint_path(True, False, False),
            b"f*": lambda a: self._paint_path(True, False, True),
            b"S": lambda a: self._paint_path(False, True, False),
            b"s": lambda a: self._paint_path(False, True, False, close=True),
            b"B": lambda a: self._paint_path(True, True, False),
            b"B*": lambda a: self._paint_path(True, True, True),
            b"b": lambda a: self._paint_path(True, True, False, close=True),
            b"b*": lambda a: self._paint_path(True, True, True, close=True),
            b"sh": self._sh,
            b"Do": self._do,
            b"INLINE IMAGE": self._inline_image,
            b"BT": self._bt,
            b"ET": self._et,
            b"Tf": self._tf,
            b"Tc": lambda a: self._text_param("char_space", a),
            b"Tw": lambda a: self._text_param("word_space", a),
            b"TL": lambda a: self._text_param("leading", a),
            b"Ts": lambda a: self._text_param("rise", a),
            b"Tz": self._tz,
            b"Tr": self._tr,
            b"Td": self._td,
            b"TD": self._td_leading,
            b"Tm": self._tm_op,
            b"T*": lambda a: self._td([0, -self.state.leading]),
            b"Tj": self._tj,
            b"TJ": self._tj_array,
            b"'": self._quote,
            b'"': self._double_quote,
            b"BMC": lambda a: self._begin_marked(None),
            b"BDC": lambda a: self._begin_marked(a),
            b"EMC": self._end_marked,
        }

    # -- operators --------------------------------------------------------------------------------
    def before(self, op: bytes, operands: Sequence[Any]) -> None:
        """pypdf's `visitor_operand_before`: one operator, in drawing order."""
        if self._next_base is not None:  # the first operator of a form XObject
            self._base, self._next_base = self._next_base, None
        handler = self._handlers.get(op)
        if handler is not None:
            with suppress(*_MALFORMED):  # a malformed operator changes nothing, as in a viewer
                handler(operands)

    def after(self, op: bytes) -> None:
        """pypdf's `visitor_operand_after`: a form XObject ends with the state it started."""
        if op == b"Do" and self._frames:
            frame = self._frames.pop()
            self._next_base = None
            if frame is not None:
                self.state = frame.state
                del self._saved[frame.saved :]
                self._hidden_layer -= sum(self._marked[frame.marked :]) + frame.hidden
                del self._marked[frame.marked :]
                self._resources.pop()
                self._base = frame.base

    def _frame(self) -> _Frame | None:
        for frame in reversed(self._frames):
            if frame is not None:
                return frame
        return None

    @property
    def in_form(self) -> bool:
        """Whether the operators now arriving belong to a form XObject."""
        return any(f is not None for f in self._frames)

    def _q(self, _: Sequence[Any]) -> None:
        self._saved.append(self.state.copy())

    def _Q(self, _: Sequence[Any]) -> None:
        frame = self._frame()
        if len(self._saved) > (frame.saved if frame is not None else 0):
            self.state = self._saved.pop()

    def _cm(self, operands: Sequence[Any]) -> None:
        m = _six(operands)
        if m is not None:
            self.state.ctm = multiply(m, self.state.ctm)

    def _colour(self, fill: bool, space: ColourSpace, operands: Sequence[Any]) -> None:
        values = _numbers(operands)
        colour = space.colour(values) if len(values) >= space.components else None
        if fill:
            self.state.fill_space, self.state.fill = space, colour
        else:
            self.state.stroke_space, self.state.stroke = space, colour

    def _space(self, fill: bool, operands: Sequence[Any]) -> None:
        space = self._resources[-1].colour_space(operands[0])
        self._colour(fill, space, space.initial())

    def _set(self, fill: bool, operands: Sequence[Any]) -> None:
        space = self.state.fill_space if fill else self.state.stroke_space
        values = _numbers(operands)
        if len(values) != len(operands):  # a pattern (a name at the end): colour unknown
            space = PATTERN
        self._colour(fill, space, values)

    def _gs(self, operands: Sequence[Any]) -> None:
        g = self._resources[-1].gstate(operands[0])
        state = self.state
        if g.fill_alpha is not None:
            state.fill_alpha = g.fill_alpha
        if g.stroke_alpha is not None:
            state.stroke_alpha = g.stroke_alpha
        if g.blend is not None:
            state.blend = g.blend
        if g.masked is not None:
            state.masked = g.masked
        if g.line_width is not None:
            state.line_width = g.line_width

    def _w(self, operands: Sequence[Any]) -> None:
        self.state.line_width = float(operands[0])

    # -- paths ------------------------------------------------------------------------------------
    def _point(self, x: Any, y: Any) -> tuple[float, float]:
        return apply(self.state.ctm, float(x), float(y))

    def _m(self, operands: Sequence[Any]) -> None:
        self._path.append(_Path(self._point(operands[0], operands[1])))

    def _l(self, operands: Sequence[Any]) -> None:
        point = self._point(operands[0], operands[1])
        if not self._path or self._path[-1].closed:
            self._path.append(_Path(point))
        else:
            self._path[-1].points.append(point)

    def _curve(self, operands: Sequence[Any]) -> None:
        numbers = _numbers(operands)
        points = [self._point(x, y) for x, y in zip(numbers[::2], numbers[1::2], strict=False)]
        if not points:
            return
        if not self._path or self._path[-1].closed:
            self._path.append(_Path(points[0]))
        self._path[-1].points.extend(points)
        self._path[-1].curved = True

    def _h(self, _: Sequence[Any]) -> None:
        if self._path:
            self._path[-1].closed = True

    def _re(self, operands: Sequence[Any]) -> None:
        x, y, w, h = (float(v) for v in operands[:4])
        corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
        path = _Path(self._point(*corners[0]))
        path.points.extend(self._point(*c) for c in corners[1:])
        path.closed = True
        if _axis_aligned(self.state.ctm):
            path.rect = _bbox(path.points)
        self._path.append(path)

    def _clip(self, rule: str) -> None:
        self._clip_pending = rule

    def _paint_path(self, fill: bool, stroke: bool, evenodd: bool, close: bool = False) -> None:
        paths, self._path = self._path, []
        if close and paths:
            paths[-1].closed = True
        state = self.state
        if (fill or stroke) and not self._hidden_layer:
            self._count_rules(paths)
        if fill:
            for path in paths:
                if len(path.points) < 3:
                    continue
                rect = path.rect or (None if path.curved else _points_rect(path.points))
                exact = rect is not None and (len(paths) == 1 or not evenodd)
                if state.fill_space is NONE:
                    continue
                solid = state.fill_space is not PATTERN
                self._paint(rect or _bbox(path.points), state.fill, state.fill_alpha, exact, solid)
        if stroke:
            self._stroke(paths)
        if self._clip_pending is not None:
            points = [p for path in paths for p in path.points]
            if points:  # a clip with no path at all is ignored, as most viewers do
                exact = len(paths) == 1 and (
                    paths[0].rect is not None
                    or (not paths[0].curved and _points_rect(paths[0].points) is not None)
                )
                state.clip = _intersect(state.clip, _bbox(points))
                state.clip_exact = state.clip_exact and exact
            self._clip_pending = None

    def _count_rules(self, paths: Sequence[_Path]) -> None:
        """Count the horizontal and vertical edges of straight paths painted: a ruled table's
        lines, or the sides of its cells' boxes (`rules`: the fewer of the two)."""
        for path in paths:
            if path.curved:
                continue
            points = path.points + (path.points[:1] if path.closed else [])
            for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
                if abs(y0 - y1) < 0.5 and abs(x0 - x1) >= 0.5:
                    self._across += 1
                elif abs(x0 - x1) < 0.5 and abs(y0 - y1) >= 0.5:
                    self._down += 1
        self.rules = min(self._across, self._down)

    def _stroke(self, paths: Sequence[_Path]) -> None:
        state = self.state
        if state.stroke_space is NONE:
            return
        m = state.ctm
        width = abs(state.line_width) * math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))
        if width < THIN:
            return
        half = width / 2
        for path in paths:
            if path.curved:
                continue
            points = path.points + (path.points[:1] if path.closed else [])
            for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
                if abs(y0 - y1) < 1e-6:
                    box = (min(x0, x1), y0 - half, max(x0, x1), y0 + half)
                elif abs(x0 - x1) < 1e-6:
                    box = (x0 - half, min(y0, y1), x0 + half, max(y0, y1))
                else:
                    continue
                self._paint(box, state.stroke, state.stroke_alpha, True, True)

    def _sh(self, _: Sequence[Any]) -> None:
        self._paint(self.state.clip, None, self.state.fill_alpha, False, False)

    def _image(self, solid: bool) -> None:
        m = self.state.ctm
        box = _bbox([apply(m, 0, 0), apply(m, 1, 0), apply(m, 0, 1), apply(m, 1, 1)])
        if not self._hidden_layer and len(self._scans) < _MAX_SCANS and self._page_area > 0:
            seen = _intersect(_intersect(box, self.state.clip), self.bounds)
            area = max(seen[2] - seen[0], 0.0) * max(seen[3] - seen[1], 0.0)
            if area >= SCAN_COVER * self._page_area:  # it may be a scan (see `_settle_ocr`)
                self._scans.append(seen)
        self._paint(box, None, self.state.fill_alpha, _axis_aligned(m), solid)

    def _inline_image(self, operands: Any) -> None:
        settings = operands.get("settings", {}) if isinstance(operands, Mapping) else {}
        mask = settings.get("/IM", settings.get("/ImageMask", False))
        self._image(solid=not bool(mask) and "/SMask" not in settings)

    def _paint(
        self, box: Box, colour: Colour | None, alpha: float, exact: bool, solid: bool
    ) -> None:
        """Something is painted over `box`: it may paint clip-mode text through, cover text
        drawn before it, and become the background of text drawn after it."""
        state = self.state
        if state.text_clip:
            for segment in state.text_clip:
                if segment.through and segment.reason == "invisible render mode":
                    segment.reason = None
            state.text_clip = ()
        if self._hidden_layer:
            return
        box = _intersect(box, state.clip)
        if box[2] - box[0] < THIN or box[3] - box[1] < THIN:
            return
        mode = "other" if state.masked else state.blend
        area = _Area(
            box, colour, alpha, mode, exact and state.clip_exact, solid and not state.masked
        )
        if area.exact and alpha > CLEAR:
            self._cover(area)
        for cell, full in self._areas.span(box):
            if full and area.base:
                self._areas.cells[cell] = [area]
            else:
                self._areas.cells[cell].append(area)

    def _cover(self, area: _Area) -> None:
        """Text drawn earlier under `area` is hidden if the two can no longer be told apart."""
        cells = self._samples.cells
        for cell, _ in self._samples.span((area.x0, area.y0, area.x1, area.y1)):
            kept = []
            for segment in cells[cell]:
                if segment.reason is not None:
                    continue
                if area.holds(segment.body):
                    if area.colour is None or area.blend == "other" or segment.pairs is None:
                        if area.base:
                            segment.reason = "covered"
                            continue
                    else:
                        over, alpha, mode = area.colour, area.alpha, area.blend
                        pairs = [
                            (blend(t, over, alpha, mode), blend(b, over, alpha, mode))
                            for t, b in segment.pairs
                        ]
                        segment.pairs = [(t, b) for t, b in pairs if legible(t, b)]
                        if not segment.pairs:
                            segment.reason = "covered"
                            continue
                kept.append(segment)
            cells[cell] = kept

    def _background(self, body: Box, cell: int) -> list[Colour] | None:
        """The colours that may be painted under a glyph body (several when a shape's exact
        outline is not known); None when they cannot be known. `cell`: the grid cell of the
        body's lower left corner."""
        areas = self._areas.cells[cell]
        if not areas:
            return [WHITE]
        layers: list[_Area] = []
        for area in reversed(areas):
            if area.holds(body):
                layers.append(area)
                if area.base:
                    break
        candidates = [WHITE]
        for area in reversed(layers):
            if area.colour is None or area.blend == "other":
                return None
            painted = [blend(c, area.colour, area.alpha, area.blend) for c in candidates]
            candidates = painted if area.exact else list(dict.fromkeys(candidates + painted))
            if len(candidates) > _MAX_CANDIDATES:
                return None
        return candidates

    # -- form XObjects and images -----------------------------------------------------------------
    def _do(self, operands: Sequence[Any]) -> None:
        xobject = self._resources[-1].xobject(operands[0])
        subtype = str(_resolve(xobject.get("/Subtype"))) if isinstance(xobject, Mapping) else ""
        if subtype == "/Image":
            self._frames.append(None)
            mask = _resolve(xobject.get("/ImageMask", False))
            self._image(solid=not mask and "/SMask" not in xobject and "/Mask" not in xobject)
            return
        outer = self.state
        frame = _Frame(outer, len(self._saved), len(self._marked), self._base)
        inner = self.state = outer.copy()
        resources: Any = None
        if isinstance(xobject, Mapping):
            matrix = _six(_resolve(xobject.get("/Matrix")) or []) or IDENTITY
            resources = _resolve(xobject.get("/Resources"))
            inner.ctm = multiply(matrix, outer.ctm)
            bbox = _numbers(_resolve(xobject.get("/BBox")) or [])
            if len(bbox) == 4:
                corners = [
                    apply(inner.ctm, x, y) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])
                ]
                inner.clip = _intersect(inner.clip, _bbox(corners))
                inner.clip_exact = inner.clip_exact and _axis_aligned(inner.ctm)
            frame.hidden = self._layer_hidden(xobject.get("/OC"))
        self._frames.append(frame)
        self._hidden_layer += frame.hidden
        self._resources.append(_Resources(resources if resources else self._resources[-1].raw))
        self._next_base = inner.ctm  # pypdf reports text before the form with the old base
        if isinstance(xobject, Mapping) and (not resources or self._reading):
            self._read_form(xobject)  # pypdf reads no form without resources of its own

    def _read_form(self, xobject: Any) -> None:
        """Follow the painting in a form XObject pypdf does not read (it has no resources of
        its own, or sits inside one that has none); its text is never extracted, so its text
        operators are skipped."""
        if self.pdf is None or len(self._frames) > _MAX_FORM_DEPTH:
            return
        try:
            from pypdf.generic import ContentStream

            operations = ContentStream(xobject, self.pdf, "bytes").operations
        except Exception:
            return
        base = self._base  # pypdf may still report text from before the form with it
        self._reading += 1
        try:
            for operands, op in operations:
                if op in _SHOW_OPS:
                    continue  # pypdf shows none of it, so nothing of it is indexed
                self.before(op, operands)
                self.after(op)
        finally:
            self._reading -= 1
            self._base, self._next_base = base, None

    # -- marked content ---------------------------------------------------------------------------
    def _layer_hidden(self, value: Any) -> bool:
        if not self._layers_off:
            return False
        group = _resolve(value)
        if not isinstance(group, Mapping):
            return False
        if str(_resolve(group.get("/Type"))) == "/OCMD":
            members = _resolve(group.get("/OCGs"))
            if isinstance(members, Mapping):
                members = [members]
            off = [id(_resolve(g)) in self._layers_off for g in (members or [])]
            if not off:
                return False
            policy = str(_resolve(group.get("/P")) or "/AnyOn")
            return {
                "/AllOn": any(off),
                "/AnyOff": not any(off),
                "/AllOff": not all(off),
            }.get(policy, all(off))
        return id(group) in self._layers_off

    def _begin_marked(self, operands: Sequence[Any] | None) -> None:
        hidden = False
        if operands and len(operands) >= 2 and str(operands[0]) == "/OC":
            props = operands[1]
            if isinstance(props, str):
                props = self._resources[-1].properties(props)
            hidden = self._layer_hidden(props)
        self._marked.append(hidden)
        self._hidden_layer += hidden

    def _end_marked(self, _: Sequence[Any]) -> None:
        frame = self._frame()
        if len(self._marked) > (frame.marked if frame is not None else 0):
            self._hidden_layer -= self._marked.pop()

    # -- text -------------------------------------------------------------------------------------
    def _bt(self, _: Sequence[Any]) -> None:
        self._tm = self._tlm = IDENTITY
        self._block_clip = []
        self._block_clip_box = None

    def _et(self, _: Sequence[Any]) -> None:
        # glyphs shown in a clip mode (4-7) since BT clip what follows, whatever the mode now
        if self._block_clip_box is not None:
            state = self.state
            state.clip = _intersect(state.clip, self._block_clip_box)
            state.clip_exact = False
            state.text_clip = tuple(self._block_clip)
        self._block_clip = []
        self._block_clip_box = None

    def _tf(self, operands: Sequence[Any]) -> None:
        self.state.font = self._resources[-1].font(operands[0])
        self.state.size = float(operands[1])

    def _text_param(self, name: str, operands: Sequence[Any]) -> None:
        setattr(self.state, name, float(operands[0]))

    def _tz(self, operands: Sequence[Any]) -> None:
        self.state.scale = float(operands[0]) / 100

    def _tr(self, operands: Sequence[Any]) -> None:
        self.state.mode = int(float(operands[0]))

    def _td(self, operands: Sequence[Any]) -> None:
        tx, ty = float(operands[0]), float(operands[1])
        self._tlm = multiply((1.0, 0.0, 0.0, 1.0, tx, ty), self._tlm)
        self._tm = self._tlm

    def _td_leading(self, operands: Sequence[Any]) -> None:
        self.state.leading = -float(operands[1])
        self._td(operands)

    def _tm_op(self, operands: Sequence[Any]) -> None:
        m = _six(operands)
        if m is not None:
            self._tm = self._tlm = m

    def _quote(self, operands: Sequence[Any]) -> None:
        self._td([0, -self.state.leading])
        self._tj(operands[-1:])

    def _double_quote(self, operands: Sequence[Any]) -> None:
        self.state.word_space = float(operands[0])
        self.state.char_space = float(operands[1])
        self._quote(operands[2:3])

    def _tj(self, operands: Sequence[Any]) -> None:
        if operands and isinstance(operands[0], _TEXTS):
            self._show([operands[0]])

    def _tj_array(self, operands: Sequence[Any]) -> None:
        if operands and isinstance(operands[0], Sequence):
            self._show(list(operands[0]))

    def _show(self, items: Sequence[Any]) -> None:
        """One text-showing operator: its glyphs are placed along the baseline; stretches of
        them off the page or clipped away are hidden as they stand, and the rest is split into
        at most `SEGMENTS` segments, each judged by its contrast at its centre."""
        state = self.state
        font = state.font or _Font()
        size, scale = state.size, state.scale
        texts: list[str] = []
        centres: list[float] = []
        starts: list[float] = []
        pen = 0.0
        unit = size / 1000 * font.glyph[0]
        tc, tw = state.char_space, state.word_space
        vertical = font.vertical  # glyphs go down the page, an em each, unscaled by Tz
        if vertical:
            scale = 1.0
        for item in items:
            if isinstance(item, _TEXTS):
                try:
                    glyph_texts, widths, spaces = font.glyphs(item)
                except Exception:  # never lose a piece of text: estimate its glyphs
                    glyph_texts, widths, spaces = _Font().glyphs(item)
                if vertical:
                    widths = [1000.0] * len(widths)
                texts.extend(glyph_texts)
                if tw:
                    advances = [
                        (w * unit + tc + (tw if sp else 0.0)) * scale
                        for w, sp in zip(widths, spaces, strict=True)
                    ]
                else:
                    advances = [(w * unit + tc) * scale for w in widths]
                placed = list(accumulate(advances, initial=pen))
                pen = placed.pop()
                starts.extend(placed)
                half_unit = unit * scale / 2  # a glyph's centre: spacing is not the glyph
                centres.extend(x + w * half_unit for x, w in zip(placed, widths, strict=True))
            elif isinstance(item, _REALS) and not isinstance(item, bool):
                pen -= float(item) / 1000 * size * scale
        tm = self._tm
        self._tm = multiply(
            (1.0, 0.0, 0.0, 1.0, 0.0, -pen) if vertical else (1.0, 0.0, 0.0, 1.0, pen, 0.0), tm
        )
        if not texts:
            return
        m = multiply(tm, state.ctm)
        reason = self._text_reason(em_size(size, state.scale, tm, state.ctm, font.glyph))
        em = abs(size * font.glyph[1])
        sign = 1.0 if size >= 0 else -1.0
        lo_y = state.rise + sign * _BODY[0] * em
        hi_y = state.rise + sign * _BODY[1] * em
        if vertical:  # judged along the column: (along, across) -> text space (across, -along)
            m = multiply((0.0, -1.0, 1.0, 0.0, 0.0, 0.0), m)
            lo_y, hi_y = -0.25 * em, 0.25 * em
        stretches: list[tuple[int, int, str | None]]
        # invisible text may be a scan's OCR layer: judged by the page edge and clips as if
        # visible, and settled in `finish` once every image is known
        ocr = reason == "invisible render mode" and state.mode == 3
        if reason is not None and not ocr:
            stretches = [(0, len(texts), reason)]
        else:
            stretches = self._stretches(m, centres, (lo_y + hi_y) / 2, em)
            if ocr:
                stretches = [(a, b, why or _OCR_CANDIDATE) for a, b, why in stretches]
        half = 0.15 * em * scale
        inks = self._inks()
        m0, m4 = m[0], m[4]
        upright = abs(m[1]) < 1e-9 and abs(m[2]) < 1e-9  # the usual case: boxes by hand
        half_x = abs(half * m0)
        y_lo, y_hi = sorted((lo_y * m[3] + m[5], hi_y * m[3] + m[5]))
        clip_mode = state.mode >= 4
        areas = self._areas
        on_paper: tuple[str | None, list[tuple[Colour, Colour]] | None] | None = None
        for first, last, why in stretches:
            # judged every few glyphs (at least _PER_SEGMENT each, at most SEGMENTS in all)
            groups = 1 if why is not None else max(1, min(SEGMENTS, (last - first) // _PER_SEGMENT))
            for g in range(groups):
                a = first + g * (last - first) // groups
                b = first + (g + 1) * (last - first) // groups
                segment = _Segment(
                    "".join(texts[a:b]),
                    apply(m, starts[a], 0.0),
                    apply(m, 2 * centres[b - 1] - starts[b - 1], 0.0),  # the glyph's far edge
                )
                centre = (centres[a] + centres[b - 1]) / 2
                if upright:
                    x0 = centre * m0 + m4
                    segment.body = (x0 - half_x, y_lo, x0 + half_x, y_hi)
                else:
                    segment.body = _bbox(
                        [apply(m, centre + dx, y) for dx in (-half, half) for y in (lo_y, hi_y)]
                    )
                segment.cell = cell = areas.cell(segment.body[0], segment.body[1])
                if why is not None:
                    segment.reason = why
                elif areas.cells[cell]:
                    segment.reason = self._contrast_reason(segment, inks)
                elif on_paper is not None:  # nothing painted here: as the last on bare paper
                    segment.reason, segment.pairs = on_paper
                else:
                    segment.reason = self._contrast_reason(segment, inks)
                    on_paper = (segment.reason, segment.pairs)
                if segment.reason == _OCR_CANDIDATE:
                    self._ocr_candidates.append(segment)
                if clip_mode:
                    self._block_clip.append(segment)
                    if state.mode == 7 and segment.reason == "invisible render mode":
                        segment.through = True
                if segment.reason is None:
                    self._samples.cells[segment.cell].append(segment)
                self._pending.append(segment)
        if clip_mode:
            box = _bbox([apply(m, x, y) for x in (0.0, pen) for y in (-0.2 * em, 0.9 * em)])
            previous = self._block_clip_box
            if previous is not None:
                box = (
                    min(previous[0], box[0]),
                    min(previous[1], box[1]),
                    max(previous[2], box[2]),
                    max(previous[3], box[3]),
                )
            self._block_clip_box = box

    def _stretches(
        self, m: Matrix, centres: Sequence[float], mid: float, em: float
    ) -> list[tuple[int, int, str | None]]:
        """Split an operator's glyphs into stretches: (first, end, reason) with reason
        "outside the page", "clipped" or None. A glyph is off the page or clipped when the
        middle of its body lies more than half an em beyond the edge, so a word running a
        little over the edge keeps its last letters."""
        clip = self.state.clip
        if clip[2] - clip[0] < THIN or clip[3] - clip[1] < THIN:  # a slit: nothing reads through
            return [(0, len(centres), "clipped")]
        x0, y0 = apply(m, 0.0, mid)
        margin = 0.5 * em * (m[2] * m[2] + m[3] * m[3]) ** 0.5
        page_lo, page_hi = _along(x0, y0, m[0], m[1], self.bounds, margin)
        clip_lo, clip_hi = _along(x0, y0, m[0], m[1], clip, margin)
        low, high = min(centres), max(centres)
        if max(page_lo, clip_lo) <= low and high <= min(page_hi, clip_hi):
            return [(0, len(centres), None)]  # the usual case: all of it shows
        out: list[tuple[int, int, str | None]] = []
        for i, c in enumerate(centres):
            why: str | None = None
            if not page_lo <= c <= page_hi:
                why = "outside the page"
            elif not clip_lo <= c <= clip_hi:
                why = "clipped"
            if out and out[-1][2] == why:
                out[-1] = (out[-1][0], i + 1, why)
            else:
                out.append((i, i + 1, why))
        return out

    def _text_reason(self, em: tuple[float, float]) -> str | None:
        """Why text shown now cannot be seen wherever it is, or None."""
        state = self.state
        if self._hidden_layer:
            return "hidden layer"
        if state.mode in (3, 7):
            return "invisible render mode"
        alphas = []
        if state.mode in (0, 2, 4, 6):
            alphas.append(state.fill_alpha)
        if state.mode in (1, 2, 5, 6):
            alphas.append(state.stroke_alpha)
        none = []
        if state.mode in (0, 2, 4, 6):
            none.append(state.fill_space is NONE)
        if state.mode in (1, 2, 5, 6):
            none.append(state.stroke_space is NONE)
        if all(none) or (all(a <= CLEAR for a in alphas) and not state.masked):
            return "transparent text"
        if min(em) < MIN_EM:
            return "tiny type"
        return None

    def _inks(self) -> tuple[tuple[Colour, float], ...] | None:
        """The colours text is drawn in now (fill and/or stroke, by render mode) with their
        alphas; None when one of them, or how it blends, cannot be known."""
        state = self.state
        if state.masked or state.blend == "other":
            return None
        inks = []
        if state.mode in (0, 2, 4, 6):
            inks.append((state.fill, state.fill_alpha))
        if state.mode in (1, 2, 5, 6):
            inks.append((state.stroke, state.stroke_alpha))
        shown = []
        for ink, alpha in inks:
            if alpha > CLEAR:
                if ink is None:
                    return None
                shown.append((ink, alpha))
        return tuple(shown)

    def _contrast_reason(
        self, segment: _Segment, inks: tuple[tuple[Colour, float], ...] | None
    ) -> str | None:
        """ "low contrast" when a segment cannot be told from what is painted under it, else
        None; keeps the colours that can still be told apart, for later covers."""
        if inks is None:
            return None
        under = self._background(segment.body, segment.cell)
        if under is None:
            return None
        key = (inks, self.state.blend, tuple(under))
        pairs = self._legible.get(key)
        if pairs is None:
            mode = self.state.blend
            every = [(blend(b, ink, alpha, mode), b) for ink, alpha in inks for b in under]
            pairs = self._legible[key] = [(t, b) for t, b in every if legible(t, b)]
        segment.pairs = pairs
        return None if pairs else "low contrast"

    # -- runs -------------------------------------------------------------------------------------
    def text(
        self, text: str, cm: Sequence[float], tm: Sequence[float], font: Any, size: float
    ) -> None:
        """pypdf's `visitor_text`: a run of decoded text starting at (tm x cm), which inside a
        form XObject is relative to the form's space."""
        if not text:
            return
        pieces = self._match(text)
        if not text.strip():
            return
        m = multiply(multiply(tm, cm), self._base)
        x, y = m[4], m[5]
        effective = abs(size) * (m[0] * m[0] + m[1] * m[1]) ** 0.5
        name = str(_resolve(font.get("/BaseFont", ""))) if isinstance(font, Mapping) else ""
        bold = "bold" in name.lower() or "black" in name.lower()
        run = _Run(x, y, round(effective, 2), bold)
        run.pieces = pieces
        self._runs.append(run)

    def _match(self, text: str) -> list[tuple[str, tuple[_Segment, ...]]]:
        """Split a run into pieces, each with the segment that drew it (whitespace pypdf added
        has none). A run that does not match the shown glyphs is one piece, judged by the
        segments that hold as many characters: one of them hidden hides it all."""
        pending = self._pending
        pieces: list[tuple[str, tuple[_Segment, ...]]] = []
        i, n = 0, len(text)
        consumed: list[_Segment] = []
        while i < n:
            while pending and self._pos >= len(pending[0].text):
                pending.popleft()
                self._pos = 0
            if not pending:
                break
            segment = pending[0]
            rest = segment.text[self._pos :] if self._pos else segment.text
            if text.startswith(rest, i):
                pieces.append((rest, (segment,)))
                consumed.append(segment)
                i += len(rest)
                self._pos = len(segment.text)
                continue
            k = _common_prefix(text, i, rest)
            if k:
                pieces.append((text[i : i + k], (segment,)))
                consumed.append(segment)
                i += k
                self._pos += k
            elif text[i].isspace():
                pieces.append((text[i], ()))
                i += 1
            else:
                break
        if i < n and text[i:].strip():  # unmatched: judge the whole run by all it may hold
            # the segments that account for as many characters as the rest of the run: the
            # run (reordered right to left, say) is judged by them, and they are used up
            wanted = len("".join(text[i:].split()))
            held = list(consumed)
            while pending and wanted > 0:
                segment = pending.popleft()
                rest = segment.text[self._pos :]
                self._pos = 0
                held.append(segment)
                wanted -= len("".join(rest.split()))
            if held:
                self.unmatched_runs += 1
            else:
                self.orphan_runs += 1  # nothing shown accounts for it: pypdf decoded more
            return [(text, tuple(dict.fromkeys(held)))]
        if i < n:
            pieces.append((text[i:], ()))
        return pieces

    def finish(self) -> tuple[list[Fragment], list[str]]:
        """The visible fragments and the hidden runs, now that everything has been painted
        (`hidden_reasons` then says why each run is hidden, `ocr_layer` whether invisible
        text was taken as the page's OCR layer). A hidden piece that only repeats visible text
        drawn at the same place (a redraw) is no hidden text at all and is left out."""
        self._settle_ocr()
        pieces: list[_Piece] = []
        for run in self._runs:
            verdicts = [_verdict(segments) for _, segments in run.pieces]
            known = {v for v, (_, s) in zip(verdicts, run.pieces, strict=True) if s}
            if len(known) <= 1:  # the usual case: the whole run shows, or none of it
                text = "".join(t for t, _ in run.pieces)
                verdict = known.pop() if known else None
                pieces.append(_Piece(text, verdict, (run.x, run.y), run, run.pieces))
                continue
            # a run partly hidden: each stretch on its own, whitespace going with what precedes
            stretches: list[tuple[str | None, tuple[float, float], list[str], list[Any]]] = []
            lead: list[str] = []
            for (said, segments), verdict in zip(run.pieces, verdicts, strict=True):
                if segments and (not stretches or verdict != stretches[-1][0]):
                    where = segments[0].start if stretches else (run.x, run.y)
                    stretches.append((verdict, where, lead, []))
                    lead = []
                if stretches:
                    stretches[-1][2].append(said)
                    stretches[-1][3].append((said, segments))
                else:
                    lead.append(said)
            for verdict, where, parts, held in stretches:
                pieces.append(_Piece("".join(parts), verdict, where, run, held))
        fragments: list[Fragment] = []
        for piece in pieces:
            if piece.reason is None and piece.text.strip():
                right = piece.right()
                width = right - piece.where[0] if right is not None else 0.0
                fragments.append(
                    Fragment(
                        piece.where[0],
                        piece.where[1],
                        piece.run.size,
                        piece.text.replace("\n", " "),
                        piece.run.bold,
                        width if 0.0 < width < math.inf else 0.0,
                    )
                )
        redraws = _Redraws([p for p in pieces if p.reason is None])
        hidden: list[str] = []
        collected: list[str] = []
        reason_now: str | None = None
        self.hidden_reasons = []
        for piece in pieces:
            text, reason = piece.text, piece.reason
            if not text.strip() or (reason is not None and redraws.shown(piece)):
                continue
            if collected and reason != reason_now:
                hidden.append(" ".join(" ".join(collected).split()))
                self.hidden_reasons.append(reason_now or "")
                collected.clear()
            reason_now = reason
            if reason is not None:
                collected.append(text)
        if collected:
            hidden.append(" ".join(" ".join(collected).split()))
            self.hidden_reasons.append(reason_now or "")
        return fragments, hidden

    def _settle_ocr(self) -> None:
        """Decide whether the page is a scan with an OCR text layer: text in render mode 3
        (invisible) over a raster image that covers at least `SCAN_COVER` of the page, on a page
        with next to no visible text (`SCAN_VISIBLE` characters, or up to `SCAN_VISIBLE_MAX` if
        that is at most `SCAN_VISIBLE_SHARE` of the invisible text: a stamp or a footer line
        added to the scan); the image may be painted before or after the text. Such text is
        what a reader sees in the image, and is kept (the page is marked `ocr_layer`); any
        other invisible text stays hidden, so an image is no licence to hide instructions
        behind it."""
        candidates, self._ocr_candidates = self._ocr_candidates, []
        if not candidates:
            return
        over_scan = [
            s
            for s in candidates
            if s.reason == _OCR_CANDIDATE and any(_holds(box, s.body) for box in self._scans)
        ]
        ocr_chars = sum(len("".join(s.text.split())) for s in over_scan)
        visible = 0
        for run in self._runs:
            for piece, segments in run.pieces:
                if segments and _verdict(segments) is None:
                    visible += len("".join(piece.split()))
        little = max(SCAN_VISIBLE, min(SCAN_VISIBLE_MAX, SCAN_VISIBLE_SHARE * ocr_chars))
        is_scan = bool(over_scan) and visible <= little
        kept = {id(s) for s in over_scan} if is_scan else set()
        for segment in candidates:
            if segment.reason == _OCR_CANDIDATE:
                segment.reason = None if id(segment) in kept else "invisible render mode"
        self.ocr_layer = is_scan


class _Piece:
    """A stretch of one run that shows, or is hidden for one reason; `where` is its start as
    pypdf reports it, `held` the pieces of the run (with the segments that drew them)."""

    __slots__ = ("held", "reason", "run", "text", "where")

    def __init__(
        self,
        text: str,
        reason: str | None,
        where: tuple[float, float],
        run: _Run,
        held: Sequence[tuple[str, Sequence[_Segment]]],
    ) -> None:
        self.text, self.reason, self.where, self.run, self.held = text, reason, where, run, held

    def right(self) -> float | None:
        """How far right its glyphs reach on the page (None: no glyph known)."""
        ends = [s.end[0] for _, segments in self.held for s in segments]
        return max(ends) if ends else None

    def origin(self) -> tuple[float, float]:
        """Where its first glyph is drawn, as followed here (pypdf's `where` may be the start
        of a text object rather than of these glyphs)."""
        for _, segments in self.held:
            if segments:
                return segments[0].start
        return self.where


class _Redraws:
    """The visible pieces by baseline, to tell whether a hidden piece only repeats text that
    is shown at the same place (text drawn twice: a knockout under it, a copy clipped or
    covered, fake bold)."""

    def __init__(self, shown: Sequence[_Piece]) -> None:
        self._lines: dict[int, list[tuple[float, str]]] = {}
        for piece in shown:
            x, y = piece.origin()
            self._lines.setdefault(round(y / 4), []).append((x, "".join(piece.text.split())))
        for line in self._lines.values():
            line.sort()

    def shown(self, piece: _Piece) -> bool:
        compact = "".join(piece.text.split())
        if not compact or not self._lines:
            return False
        x, y = piece.origin()
        near = max(2.0, 0.5 * abs(piece.run.size))
        key = round(y / 4)
        for k in (key - 1, key, key + 1):
            line = self._lines.get(k)
            if not line:
                continue
            i = bisect_left(line, (x - near,))
            if i >= len(line) or line[i][0] > x + near:
                continue
            shown = ""
            for _, part in line[i : i + 64]:  # what is shown from there on along the line
                shown += part
                if len(shown) >= len(compact):
                    break
            if shown.startswith(compact):
                return True
        return False


def _holds(box: Box, inner: Box) -> bool:
    return box[0] <= inner[0] and inner[2] <= box[2] and box[1] <= inner[1] and inner[3] <= box[3]


_SHOW_OPS = {b"Tj", b"TJ", b"'", b'"'}
_TEXTS = (str, bytes)  # tuples: `str | bytes` would build a union object at every call
_REALS = (int, float)
_MALFORMED = (TypeError, ValueError, IndexError, KeyError, AttributeError, ArithmeticError)


def _along(
    x0: float, y0: float, dx: float, dy: float, box: Box, margin: float
) -> tuple[float, float]:
    """The stretch of t for which (x0 + t dx, y0 + t dy) lies in `box` grown by `margin`
    (empty: lo > hi)."""
    lo, hi = -math.inf, math.inf
    for start, step, low, high in ((x0, dx, box[0], box[2]), (y0, dy, box[1], box[3])):
        low, high = low - margin, high + margin
        if abs(step) < 1e-12:
            if not low <= start <= high:
                return math.inf, -math.inf
            continue
        a, b = (low - start) / step, (high - start) / step
        lo, hi = max(lo, min(a, b)), min(hi, max(a, b))
    return lo, hi


def _common_prefix(text: str, start: int, other: str) -> int:
    """How many characters of `other` match `text` from `start` (binary search on slices)."""
    low, high = 0, min(len(other), len(text) - start)
    while low < high:
        middle = (low + high + 1) // 2
        if text.startswith(other[:middle], start):
            low = middle
        else:
            high = middle - 1
    return low


def _verdict(segments: Sequence[_Segment]) -> str | None:
    for segment in segments:
        if segment.reason is not None:
            return segment.reason
    return None


def _resolve(value: Any) -> Any:
    getter = getattr(value, "get_object", None)
    if getter is None:
        return value
    try:
        return getter()
    except Exception:
        return None


def _numbers(operands: Any) -> list[float]:
    if not isinstance(operands, Sequence) or isinstance(operands, _TEXTS):
        return []
    return [float(v) for v in operands if isinstance(v, _REALS) and not isinstance(v, bool)]


def _opt_number(value: Any) -> float | None:
    value = _resolve(value)
    if isinstance(value, _REALS) and not isinstance(value, bool):
        return float(value)
    return None


def _six(operands: Any) -> Matrix | None:
    numbers = _numbers(operands)
    if len(numbers) < 6:
        return None
    a, b, c, d, e, f = numbers[:6]
    return a, b, c, d, e, f
