"""Text that came out of a PDF as garbage, because its fonts carry no usable character map.

A font without a ToUnicode map (or with a broken one) makes a text extractor report glyph codes
instead of letters: private-use characters, control characters, replacement characters, or
letters shifted along the alphabet ("+HOOR" for "Hello"). Such text looks like text to a parser
but no officer could check a quote against it, so a page that is mostly unreadable characters is
not indexed and is flagged for staff review; a document with no readable page is refused.

>>> garbled_reason("\\ue001\\ue002\\ue003\\ue004 \\ue005\\ue006\\ue007\\ue008\\ue009") == UNREADABLE
True
>>> garbled_reason("/g18/g152/g135/g148/g152/g139/g135/g153/g3/g145") is not None
True
>>> garbled_reason("The council must consult the staff before the transfer.") is None
True
"""

from __future__ import annotations

import re
import unicodedata

UNREADABLE = "unreadable characters (the PDF's fonts have no usable character map)"

# Glyph names and character ids that an extractor prints when it cannot map a glyph to a letter.
_GLYPH_CODES = re.compile(r"/g\d{1,5}|/uni[0-9A-Fa-f]{4,6}|\(cid:\d+\)|/G[0-9A-F]{2}\b")


def _unreadable(ch: str) -> bool:
    if ch in "\n\t\r ":
        return False
    code = ord(ch)
    return (
        0xE000 <= code <= 0xF8FF  # private use
        or code >= 0xF0000
        or ch == "\ufffd"
        or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
    )


def garbled_reason(text: str) -> str | None:
    """Why a page's text is garbage, or None when it reads as text. Judged on characters only:
    tables, code and other scripts are text; only glyph codes and unmappable characters are not.
    (Letters shifted along the alphabet by a mis-encoded font are not detected.)"""
    visible = sum(not ch.isspace() for ch in text)
    if not visible:
        return None
    bad = sum(_unreadable(ch) for ch in text)
    bad += sum(len(m.group(0)) for m in _GLYPH_CODES.finditer(text))
    return UNREADABLE if bad >= 8 and bad / visible > 0.3 else None
