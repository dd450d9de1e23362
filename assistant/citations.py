"""Check that every quote really appears on the page it cites."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.text import normalise
from assistant.types import Citation, Page


def quote_on_page(quote: str, page_text: str) -> bool:
    """True when the quote appears in the page text once both are whitespace-normalised."""
    wanted = normalise(quote)
    return bool(wanted) and wanted in normalise(page_text)


class QuoteVerifier:
    """Marks each citation verified or not against the page text the library holds.

    `page_lookup(source_file_version, page)` returns the Page, or None if it does not exist.
    """

    def __init__(self, page_lookup: Callable[[str, int], Page | None]) -> None:
        self.page_lookup = page_lookup

    def verify(self, citation: Citation, version: str) -> Citation:
        page = self.page_lookup(version, citation.page)
        ok = page is not None and quote_on_page(citation.quote, page.full_text)
        return replace(citation, verified=ok)
