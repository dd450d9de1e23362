"""Crafted one-page PDFs for the hidden-text checks, written with raw content streams: each
hides one sentence the way an attacker would (`HIDDEN_CASES`), or draws one that only looks
risky but that a reader can see (`VISIBLE_CASES`). Every page also opens with `OPENING`, an
ordinary visible line, so that no page is refused as all hidden.

    path = hidden_case_pdf(tmp_path / "x.pdf", "white box over text")
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

OPENING = "An ordinary visible paragraph opens the page for the reader to see."
SECRET = "The council agrees to waive every pension deficit without a vote."
_OPEN = b"0 g BT /F1 11 Tf 72 760 Td (" + OPENING.encode() + b") Tj ET\n"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
_ICC_RGB = b"<< /N 3 /Length 0 >>\nstream\n\nendstream"  # component count is all we read


def show(text: str, x: float = 72, y: float = 700, size: float = 11, pre: str = "") -> bytes:
    """A text object showing `text` at (x, y); `pre` goes after BT (state for the text)."""
    return f"BT /F1 {size:g} Tf {pre} {x:g} {y:g} Td ({text}) Tj ET\n".encode()


@dataclass
class Page:
    """One page: its content, extra resource entries, extra objects (numbered from 6, in order)
    and entries for the catalog."""

    content: bytes
    resources: bytes = b""
    objects: list[bytes] = field(default_factory=list)
    catalog: bytes = b""
    media: tuple[float, float] = (595, 842)
    under: bytes = b""  # drawn before the opening line (a background)


def page_pdf(path: Path, page: Page) -> Path:
    """Write `page` as a one-page PDF: object 5 is Helvetica (/F1), objects from 6 are
    `page.objects`; `page.under` is drawn first, then the opening line, then `page.content`."""
    content = page.under + _OPEN + page.content
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + page.catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> %s >> >>" % (*page.media, page.resources),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        _FONT,
        *page.objects,
    ]
    out = bytearray(b"%PDF-1.6\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def _form(content: bytes, bbox: str = "0 0 595 842", extra: bytes = b"") -> bytes:
    return (
        b"<< /Type /XObject /Subtype /Form /BBox [%s] %s /Length %d >>\nstream\n"
        % (bbox.encode(), extra, len(content))
        + content
        + b"\nendstream"
    )


def _image(width: int = 2, height: int = 2, grey: int = 128) -> bytes:
    data = zlib.compress(bytes([grey]) * (width * height))
    return (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (width, height, len(data))
        + data
        + b"\nendstream"
    )


_LINE = show(SECRET)  # the sentence, black 11 pt at (72, 700)

# name -> the page that hides SECRET
HIDDEN_CASES: dict[str, Page] = {
    # an opaque white box painted after the text, over it
    "white box over text": Page(_LINE + b"1 g 60 690 420 24 re f\n"),
    # the same box drawn by a form XObject with no resources of its own (pypdf skips it)
    "white box in a form over text": Page(
        _LINE + b"q /Fm0 Do Q\n",
        b"/XObject << /Fm0 6 0 R >>",
        [_form(b"1 1 1 rg 60 690 420 24 re f")],
    ),
    # a thick white stroke over the line
    "thick white line over text": Page(_LINE + b"1 G 20 w 60 704 m 480 704 l S\n"),
    # an opaque image placed over the text
    "image over text": Page(
        _LINE + b"q 420 0 0 24 60 690 cm /Im0 Do Q\n",
        b"/XObject << /Im0 6 0 R >>",
        [_image(grey=255)],
    ),
    # clipped away: the clip is a small box elsewhere on the page
    "clipped away": Page(b"q 400 100 50 50 re W n\n" + _LINE + b"Q\n"),
    # drawn by a form XObject whose bounding box (its clip) is elsewhere
    "clipped inside a form's bounding box": Page(
        b"q /Fm0 Do Q\n",
        b"/XObject << /Fm0 6 0 R >>",
        [_form(_LINE, bbox="0 0 50 50", extra=b"/Resources << /Font << /F1 5 0 R >> >>")],
    ),
    # glyphs shown in a clip mode clip all that follows, even once the mode is back to 0
    "clipped by clip-mode text": Page(b"BT /F1 11 Tf 7 Tr 400 100 Td ( ) Tj 0 Tr ET\n" + _LINE),
    # the same colour as the box under it
    "black text on a black box": Page(b"0 g 60 690 420 24 re f\n" + _LINE),
    "navy text on a navy box": Page(
        b"0.1 0.15 0.4 rg 60 690 420 24 re f\n" + show(SECRET, pre="0.1 0.15 0.4 rg")
    ),
    # squeezed to 1% width
    "horizontal scaling 1%": Page(show(SECRET, pre="1 Tz")),
    "text matrix with a tiny x scale": Page(
        f"BT /F1 11 Tf 0.01 0 0 1 72 700 Tm ({SECRET}) Tj ET\n".encode()
    ),
    "transformation matrix squeezing the text": Page(b"q 0.01 0 0 1 0 0 cm\n" + _LINE + b"Q\n"),
    # too small to read
    "1.2 pt type": Page(show(SECRET, size=1.2)),
    # too faint on white
    "93% grey on white": Page(show(SECRET, pre="0.93 g")),
    "white on white": Page(show(SECRET, pre="1 g")),
    # drawn in a layer that is off when the document opens
    "hidden layer": Page(
        b"/OC /L0 BDC\n" + _LINE + b"EMC\n",
        b"/Properties << /L0 6 0 R >>",
        [b"<< /Type /OCG /Name (Notes) >>"],
        b"/OCProperties << /OCGs [6 0 R] /D << /OFF [6 0 R] >> >>",
    ),
    # invisible (3 Tr), as a scan's OCR layer is, but over a small image: no scan
    "invisible text over a small image": Page(
        b"q 420 0 0 24 60 690 cm /Im0 Do Q\n" + show(SECRET, pre="3 Tr"),
        b"/XObject << /Im0 6 0 R >>",
        [_image(grey=200)],
    ),
    # invisible over a page-sized background image, on a page of visible text: no scan either
    "invisible text over a page-sized image beside visible text": Page(
        show(SECRET, pre="3 Tr"),
        b"/XObject << /Im0 6 0 R >>",
        [_image(grey=235)],
        under=b"q 595 0 0 842 0 0 cm /Im0 Do Q\n",
    ),
    # the /None colourant never marks the page
    "separation None": Page(
        show(SECRET, pre="/CS0 cs 1 sc"),
        b"/ColorSpace << /CS0 [/Separation /None /DeviceGray 6 0 R] >>",
        [b"<< /FunctionType 2 /Domain [0 1] /C0 [1] /C1 [0] /N 1 >>"],
    ),
    # white ink set through a named CMYK space and scn
    "white through a named colour space": Page(
        show(SECRET, pre="/CS0 cs 0 0 0 0 scn"),
        b"/ColorSpace << /CS0 /DeviceCMYK >>",
    ),
}

_HEADER = b"Portion of Derivative Comprehensive Income Recognized in Income"

# name -> (page, sentence a reader sees and that must stay in the text)
VISIBLE_CASES: dict[str, tuple[Page, str]] = {
    "white on a coloured box": (
        Page(b"0.1 0.3 0.6 rg 60 690 420 24 re f\n" + show(SECRET, pre="1 g")),
        SECRET,
    ),
    # an annual-report table header: a form XObject, moved by its /Matrix, with its own
    # resources, fills the header in an ICC colour space and writes white on it
    "white-on-colour table header in a form": (
        Page(
            b"q /Fm0 Do Q\n" + show(SECRET, y=600),
            b"/XObject << /Fm0 6 0 R >>",
            [
                _form(
                    b"/CS0 cs 0.2 0.4 0.7 sc 0 0 440 20 re f "
                    b"/CS0 cs 1 1 1 sc BT /F1 9 Tf 6 6 Td (" + _HEADER + b") Tj ET",
                    bbox="0 0 440 20",
                    extra=b"/Matrix [1 0 0 1 60 650] /Resources << /Font << /F1 5 0 R >> "
                    b"/ColorSpace << /CS0 [/ICCBased 7 0 R] >> >>",
                ),
                _ICC_RGB,
            ],
        ),
        _HEADER.decode(),
    ),
    # the header fill comes from a form XObject placed by its /Matrix; the white heading is
    # page content, in an ICC colour space of the page
    "white heading on a header fill drawn by a form": (
        Page(
            b"q /Fm0 Do Q\n/CS1 cs 1 1 1 scn " + show(_HEADER.decode(), x=66, y=656, size=9),
            b"/XObject << /Fm0 6 0 R >> /ColorSpace << /CS1 [/ICCBased 7 0 R] >>",
            [
                _form(
                    b"0.55 0.1 0.1 rg 0 0 440 20 re f",
                    bbox="0 0 440 20",
                    extra=b"/Matrix [1 0 0 1 60 650] /Resources << >>",
                ),
                _ICC_RGB,
            ],
        ),
        _HEADER.decode(),
    ),
    "white on a spot-colour box": (
        Page(
            b"/CS0 cs 1 sc 60 690 420 24 re f\n" + show(SECRET, pre="1 g"),
            b"/ColorSpace << /CS0 [/Separation /PANTONE#20300 /DeviceCMYK 6 0 R] >>",
            [b"<< /FunctionType 2 /Domain [0 1] /C0 [0 0 0 0] /C1 [1 0.4 0 0] /N 1 >>"],
        ),
        SECRET,
    ),
    "white on an image": (
        Page(
            b"q 420 0 0 24 60 690 cm /Im0 Do Q\n" + show(SECRET, pre="1 g"),
            b"/XObject << /Im0 6 0 R >>",
            [_image(grey=40)],
        ),
        SECRET,
    ),
    "semi-transparent highlight over text": (
        Page(
            _LINE + b"q /GS0 gs 1 1 0 rg 60 690 420 24 re f Q\n",
            b"/ExtGState << /GS0 6 0 R >>",
            [b"<< /ca 0.35 >>"],
        ),
        SECRET,
    ),
    "thin rules over text": (
        Page(_LINE + b"0 g 60 703 420 0.6 re f 0.5 w 60 698 m 480 698 l S 200 690 0.8 24 re f\n"),
        SECRET,
    ),
    "6 pt footnote": (
        Page(
            show("1 A six point footnote that a careful reader can still make out.", y=80, size=6)
        ),
        "A six point footnote that a careful reader can still make out.",
    ),
    "5 pt superscript": (
        Page(
            b"BT /F1 11 Tf 72 700 Td (The report was published on the 12) Tj "
            b"/F1 5 Tf 4 Ts (th) Tj /F1 11 Tf 0 Ts ( of March in that year.) Tj ET\n"
        ),
        "published on the 12th of March",
    ),
    # drawn twice at the same place, white first (a knockout) and black over it: one text
    "a white copy under the same text": (
        Page(show(SECRET, pre="1 g") + show(SECRET, pre="0 g")),
        SECRET,
    ),
    "50% grey text": (Page(show(SECRET, pre="0.5 g")), SECRET),
    "yellow text on white": (Page(show(SECRET, pre="1 1 0 rg")), SECRET),
    "text running a little over the page edge": (
        Page(show("Contents", x=540, size=16)),
        "Contents",
    ),
    "text painted through a clip-mode text": (
        Page(
            b"q BT /F1 30 Tf 7 Tr 72 600 Td (Gradient heading) Tj ET "
            b"0.2 0.5 0.2 rg 60 590 400 40 re f Q\n"
        ),
        "Gradient heading",
    ),
}


def hidden_case_pdf(path: Path, name: str) -> Path:
    """The PDF that hides `SECRET` in the way `name` says (see `HIDDEN_CASES`)."""
    return page_pdf(path, HIDDEN_CASES[name])


def visible_case_pdf(path: Path, name: str) -> tuple[Path, str]:
    """The look-alike PDF `name` (see `VISIBLE_CASES`) and the text it must keep."""
    page, keep = VISIBLE_CASES[name]
    return page_pdf(path, page), keep
