"""Write a small PDF from its objects by hand: the numbered objects, the cross-reference table
and the trailer. For the generators that make synthetic PDFs outside the tests (the layout
benchmark's hostile pages, the load script's uploads), so they need no PDF-writing library.

>>> pdf = serialise([b"<< /Type /Catalog /Pages 2 0 R >>", ...])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence


def serialise(objects: Sequence[bytes], info: int | None = None) -> bytes:
    """The PDF whose objects are `objects` (numbered from 1; the first is the catalog); `info`:
    the number of the document information object, if there is one."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    extra = b" /Info %d 0 R" % info if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
