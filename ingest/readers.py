"""One way in for every file: check its size and name, then read it with the reader for its
format, in a child process stopped past a time and memory budget (ingest.bounded), into the
records every reader produces (ingest.document).

| format | suffix | reader |
|---|---|---|
| PDF, OCR'd where scanned | .pdf | `ingest.pdf.read_pdf` (pypdf, our layout analysis; Tesseract) |
| Word | .docx | `ingest.word.read_docx` (python-docx) |
| saved web page | .html, .htm | `ingest.webpage.read_html` (Beautiful Soup on lxml) |

Anything else is refused by name (a macro-enabled `.docm` and an old `.doc` with their own
reasons), and each reader refuses a file that is not what its name says.

>>> DocumentLoader(max_mb=50, max_pages=2000).load(Path("minutes.docx"))  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from assistant.errors import RefusedFile
from ingest.document import (
    ACCEPTED_SUFFIXES,
    LoadedDocument,
    check_file_name,
    format_of,
)

__all__ = ["ACCEPTED_SUFFIXES", "DocumentLoader", "read_document"]


def read_document(
    data: bytes,
    name: str,
    max_pages: int = 2000,
    first_pages: int | None = None,
    seconds: float = 600.0,
) -> LoadedDocument:
    """Read a file's bytes with the reader its name calls for. `first_pages` reads only that
    many pages or sections (the upload form's prefill). RefusedFile with the reason."""
    check_file_name(name)
    if not data:
        raise RefusedFile(name, "the file is empty (0 bytes)")
    kind = format_of(name)
    if kind == "docx":
        from ingest.word import read_docx

        return read_docx(data, name, max_pages, first_pages)
    if kind == "html":
        from ingest.webpage import read_html

        return read_html(data, name, max_pages, first_pages)
    from ingest.pdf import read_pdf

    return read_pdf(data, name, max_pages, first_pages, ocr_seconds=seconds)


class DocumentLoader:
    """Validates and reads one file of any accepted format.

    >>> DocumentLoader(max_pages=2000).load(Path("corpus/pdf/01-....pdf"))  # doctest: +SKIP
    """

    def __init__(
        self,
        max_mb: float = 50.0,
        max_pages: int = 2000,
        seconds: float | None = None,
        memory_mb: int = 2048,
    ) -> None:
        """With `seconds`, each file is read in a child process that is stopped past that time
        or `memory_mb` of memory (ingest.bounded); the file is then refused with the reason.
        OCR of a scan runs inside the same budget."""
        self.max_mb = max_mb
        self.max_pages = max_pages
        self.seconds = seconds
        self.memory_mb = memory_mb

    def load(self, path: Path, source_file: str | None = None) -> LoadedDocument:
        name = source_file or path.name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise RefusedFile(name, f"the file cannot be opened ({exc.strerror})") from exc
        if size == 0:
            raise RefusedFile(name, "the file is empty (0 bytes)")
        if size > self.max_mb * 1024 * 1024:
            raise RefusedFile(
                name, f"the file is {size / 1024 / 1024:.1f} MB, over the {self.max_mb:g} MB limit"
            )
        data = path.read_bytes()
        if self.seconds is None:
            return self.load_bytes(data, name)
        from ingest.bounded import OverBudget, run_bounded

        try:
            loaded: LoadedDocument = run_bounded(
                read_document,
                data,
                name,
                self.max_pages,
                None,
                # OCR stops a little before the budget, so its own reason is given
                max(1.0, self.seconds - 5),
                seconds=self.seconds,
                memory_mb=self.memory_mb,
            )
        except OverBudget as exc:
            raise RefusedFile(name, str(exc)) from exc
        return loaded

    def load_bytes(self, data: bytes, name: str, first_pages: int | None = None) -> LoadedDocument:
        """Read a file's bytes in this process; `first_pages` reads only that many."""
        return read_document(data, name, self.max_pages, first_pages)
