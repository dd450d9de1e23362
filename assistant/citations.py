"""Check that every quote really appears on the page it cites, as an independent reader sees it.

A quote is taken from the page text that our layout analysis produced (reading order, columns,
furniture removed). Checking it against that same text could never catch a layout mistake: two
columns interleaved line by line make a "quote" that exists nowhere in the PDF, and it would
still match. So a quote counts as verified only if its words appear, in order, in the text of the
cited page as a second, independent extractor reads it from the original file: PDFium
(pypdfium2), or pypdf's plain extraction where PDFium cannot read the file; never the layout
analysis that made the chunk (`Library.reference_text`).

A page we read by OCR (it had no text layer) and a section of a Word document or saved web page
have no second reading: their quotes are checked against the text we stored (the page's OCR
text; the section's text), and the citation says which (`Citation.origin`); a section's citation
names the paragraph that holds the quote.

The comparison is on words: letters and digits, case-folded, after Unicode compatibility
normalisation (so the ligature "ﬁ" is "fi" and full-width forms are plain). Tolerated, and only
these: any whitespace, line breaks and punctuation between words (quotes, dashes, brackets); a
word hyphenated across a line on the page ("organi-" + "sation") matching the whole word; and a
footnote marker the page prints between or after words, and the number of a paragraph that
starts between two quoted sentences (1 to 3 digits each, at most two in a row; our layout drops
both from the body text), never a figure inside the quote. Nothing else is forgiven: a missing,
changed or reordered word fails.

>>> words_in_order("the transfer of staff", "The trans-\\nfer of2 staff took place")
True
>>> words_in_order("the transfer of staff", "the staff transfer of")
False
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.pdftext import Reference
from assistant.safety import escape_markers
from assistant.text import normalise
from assistant.types import Citation

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_MARKER = re.compile(r"\d{1,3}")


def words(text: str) -> list[str]:
    """The words of a text as the comparison sees them (see the module docstring)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _at(quote: Sequence[str], page: Sequence[str], start: int) -> bool:
    """Whether the quote's words match the page's words from `start`, with the tolerances."""
    j = start
    for i, q in enumerate(quote):
        if j >= len(page):
            return False
        p = page[j]
        if p == q:
            j += 1
        elif j + 1 < len(page) and p + page[j + 1] == q:  # hyphenated across a line
            j += 2
        elif not q[-1].isdigit() and p.startswith(q) and _MARKER.fullmatch(p[len(q) :]):
            j += 1  # "England7": a footnote marker printed against the word
        elif i > 0 and _MARKER.fullmatch(p) and not _MARKER.fullmatch(q):
            # a footnote marker between two words, or the next paragraph's number after one,
            # or both ("employer.9 38. That"): at most two such numbers in a row
            skip = 1
            if j + skip < len(page) and page[j + skip] != q and _MARKER.fullmatch(page[j + skip]):
                skip += 1
            if j + skip < len(page) and page[j + skip] == q:
                j += skip + 1
            else:
                return False
        else:
            return False
    return True


def words_in_order(quote: str, page_text: str) -> bool:
    """True when the quote's words appear, in order and together, in the page text."""
    wanted = words(quote)
    if not wanted:
        return False
    page = words(page_text)
    first = wanted[0]
    return any(
        _at(wanted, page, start)
        for start, word in enumerate(page)
        if word == first or word.startswith(first) or first.startswith(word)
    )


def quote_on_page(quote: str, page_text: str) -> bool:
    """True when the quote appears in our own page text once both are whitespace-normalised (a
    document's "[3]" read the same as the "[ref 3]" it is shown as): for highlighting a quote in
    the page view, not for verifying it."""
    wanted = normalise(escape_markers(quote))
    return bool(wanted) and wanted in normalise(escape_markers(page_text))


class QuoteVerifier:
    """Marks each citation verified or not against an independent reading of the cited page.

    `reference_text(version, page)` returns that page's text as a second extractor reads it from
    the original file, or None if the page does not exist or cannot be read (not verified).
    """

    def __init__(self, reference_text: Callable[[str, int], str | None]) -> None:
        self.reference_text = reference_text

    def verify(self, citation: Citation, version: str) -> Citation:
        """The citation marked verified or not; where the text was our own reading (a page read
        by OCR, a section of a Word document or web page: `Reference`), it also says so
        (`origin`), and a section's citation gets the number of the paragraph it quotes."""
        text = self.reference_text(version, citation.page)
        ok = text is not None and words_in_order(citation.quote, text)
        if not isinstance(text, Reference):
            return replace(citation, verified=ok)
        paragraph = citation.paragraph
        if ok and paragraph is None and text.page is not None and text.page.is_section:
            paragraph = text.page.paragraph_of(citation.quote, words_in_order)
        return replace(citation, verified=ok, origin=text.origin, paragraph=paragraph)
