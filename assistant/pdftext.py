"""Page texts of the library's stored PDFs as an independent extractor reads them, for checking
quotes (assistant.citations): PDFium through pypdfium2, and pypdf's plain `extract_text` for a
file PDFium cannot open. Neither is the layout analysis that made the chunks.

PDFium is not thread-safe, so every call into it holds one lock; the app answers on several
threads. Pages are read on demand and kept for the most recently used documents.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.types import Page

_PDFIUM = threading.Lock()
PDFIUM_LOCK = _PDFIUM  # held by every caller of PDFium in this process (ingest.ocr too)


class Reference(str):
    """The text to check a quote against when there is no second reading of the original: the
    stored text of a page read by OCR, or of a section of a Word document or web page. It is
    that text (a `str`, so every caller reads it as before) that also says how it was read
    (`origin`: ocr | docx | html) and can find which of a section's paragraphs holds a quote."""

    origin: str
    page: Page | None

    def __new__(cls, text: str, origin: str, page: Page | None = None) -> Reference:
        made = super().__new__(cls, text)
        made.origin = origin
        made.page = page
        return made

    @classmethod
    def of(cls, page: Page) -> Reference:
        return cls(page.full_text, page.origin, page)


class ReferenceText:
    def __init__(self, documents: int = 32) -> None:
        self.documents = documents
        self._pages: OrderedDict[Path, dict[int, str | None]] = OrderedDict()
        self._lock = threading.Lock()

    def page(self, path: Path, number: int) -> str | None:
        """The text of 1-based page `number` of the PDF at `path`; None if it cannot be read."""
        with self._lock:
            pages = self._pages.get(path)
            if pages is not None and number in pages:
                self._pages.move_to_end(path)
                return pages[number]
        text = _pdfium_page(path, number)
        if text is None:
            text = _pypdf_page(path, number)
        with self._lock:
            self._pages.setdefault(path, {})[number] = text
            self._pages.move_to_end(path)
            while len(self._pages) > self.documents:
                self._pages.popitem(last=False)
        return text


def _pdfium_page(path: Path, number: int) -> str | None:
    import pypdfium2 as pdfium

    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(str(path), password="")
        except Exception:  # PDFium's own errors (damaged, unsupported): try pypdf
            return None
        try:
            if not 1 <= number <= len(document):
                return None
            page = document[number - 1]
            textpage = page.get_textpage()
            text = str(textpage.get_text_bounded())
            textpage.close()
            page.close()
            return text
        except Exception:
            return None
        finally:
            document.close()


def _pypdf_page(path: Path, number: int) -> str | None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            reader.decrypt("")
        if not 1 <= number <= len(reader.pages):
            return None
        return reader.pages[number - 1].extract_text() or ""
    except Exception:  # a file neither reader can open verifies nothing
        return None
