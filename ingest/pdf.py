"""Read a PDF with pypdf, page by page, refusing with a reason anything that cannot be used."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.errors import RefusedFile
from assistant.types import Page
from ingest.flags import Flag, find_flags
from ingest.garbled import UNREADABLE, garbled_reason
from ingest.layout import Fragment, PageLayout, analyse, extract_page
from ingest.metadata import Suggested, read_metadata, suggest

MIN_TEXT_CHARS = 20  # a page with less than this is blank or a scan


@dataclass(frozen=True, slots=True)
class ReadPage:
    """One page as read: the one record that travels through ingest (chunking, flags, the
    library's page texts), so no step pairs up parallel lists of pages, layouts and hidden text.
    """

    number: int  # 1-based index in the PDF
    label: str  # the page number as printed ("iv", "12")
    layout: PageLayout  # its blocks in reading order, without page furniture
    hidden: tuple[str, ...] = ()  # runs of text drawn so that nobody can see them
    unreadable: str = ""  # why some of its text was garbage and left out, or ""

    @property
    def page(self) -> int:  # as `assistant.types.Page` calls it
        return self.number

    @property
    def text(self) -> str:
        return self.layout.body_text

    @property
    def footnotes(self) -> str:
        return self.layout.footnote_text

    @property
    def full_text(self) -> str:
        return f"{self.text}\n{self.footnotes}" if self.footnotes else self.text

    def as_page(self, source_file: str, document: str) -> Page:
        """The page as the library keeps it, under the document's name and title."""
        return Page(source_file, document, self.number, self.label, self.text, self.footnotes)


@dataclass(frozen=True, slots=True)
class LoadedPdf:
    source_file: str
    title: str  # the best title found (see `suggested` for all candidates)
    kind: str  # the PDF's Subject, when it names a kind
    pages: tuple[ReadPage, ...]
    data: bytes
    suggested: Suggested | None = None  # title, date and kind to prefill the upload form

    @property
    def layouts(self) -> tuple[PageLayout, ...]:
        return tuple(p.layout for p in self.pages)

    @property
    def hidden(self) -> tuple[tuple[str, ...], ...]:
        return tuple(p.hidden for p in self.pages)

    @property
    def unreadable(self) -> tuple[str, ...]:
        return tuple(p.unreadable for p in self.pages)

    def as_pages(
        self, source_file: str | None = None, title: str | None = None
    ) -> tuple[Page, ...]:
        name, document = source_file or self.source_file, title or self.title
        return tuple(p.as_page(name, document) for p in self.pages)

    @property
    def flags(self) -> tuple[Flag, ...]:
        """Instruction-like, hidden and unreadable text, for staff to review."""
        ocr = tuple(p.layout.ocr_layer for p in self.pages)
        return find_flags(self.as_pages(), self.hidden, self.unreadable, ocr)


_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()\-]{0,150}\.pdf$", re.IGNORECASE)


def check_file_name(name: str) -> None:
    """Refuse names that could escape a folder or confuse people: path parts, control characters,
    leading dots or dashes, no .pdf ending."""
    if "/" in name or "\\" in name or name in {".", ".."} or not _SAFE_NAME.match(name):
        raise RefusedFile(
            name,
            "the file name is not allowed: use letters, digits, spaces, '.', '-', '_' or "
            "brackets, ending in .pdf, with no folder parts",
        )


class PdfLoader:
    """Validates and extracts one PDF.

    >>> PdfLoader(max_mb=50, max_pages=2000).load(Path("corpus/pdf/01-....pdf"))  # doctest: +SKIP
    """

    def __init__(
        self,
        max_mb: float = 50.0,
        max_pages: int = 2000,
        seconds: float | None = None,
        memory_mb: int = 2048,
    ) -> None:
        """With `seconds`, each file is read in a child process that is stopped past that time
        or `memory_mb` of memory (ingest.bounded); the file is then refused with the reason."""
        self.max_mb = max_mb
        self.max_pages = max_pages
        self.seconds = seconds
        self.memory_mb = memory_mb

    def load(self, path: Path, source_file: str | None = None) -> LoadedPdf:
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

        unbounded = PdfLoader(self.max_mb, self.max_pages)
        try:
            loaded: LoadedPdf = run_bounded(
                unbounded.load_bytes, data, name, seconds=self.seconds, memory_mb=self.memory_mb
            )
        except OverBudget as exc:
            raise RefusedFile(name, str(exc)) from exc
        return loaded

    def load_bytes(self, data: bytes, name: str, first_pages: int | None = None) -> LoadedPdf:
        """Read a PDF's bytes; `first_pages` reads only that many (the upload form's prefill)."""
        check_file_name(name)
        if not data:
            raise RefusedFile(name, "the file is empty (0 bytes)")
        if b"%PDF-" not in data[:1024]:
            raise RefusedFile(name, "this is not a PDF, whatever its name says")
        import io

        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                _open_without_password(reader, name)
            count = len(reader.pages)
        except RefusedFile:
            raise
        except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
            raise RefusedFile(
                name, f"the PDF is damaged or truncated and cannot be read ({exc})"
            ) from exc
        if count == 0:
            raise RefusedFile(name, "the PDF has no pages")
        if count > self.max_pages:
            raise RefusedFile(name, f"the PDF has {count} pages, over the {self.max_pages} limit")
        labels = _page_labels(reader, count)
        metadata = read_metadata(reader)  # read once, for the title, kind and date
        raw: list[tuple[list[Fragment], float, float]] = []
        hidden: list[tuple[str, ...]] = []
        ocr: list[bool] = []  # per page: its text is a scan's OCR layer
        try:
            for page in list(reader.pages)[:first_pages]:
                text = extract_page(page)
                raw.append((list(text.fragments), text.width, text.height))
                hidden.append(text.hidden)
                ocr.append(text.ocr_layer)
        except Exception as exc:  # pypdf raises many kinds on a broken content stream
            raise RefusedFile(
                name, f"the PDF is damaged: page {len(raw) + 1} cannot be read ({exc})"
            ) from exc
        layouts = analyse(raw, labels, ocr)
        pages = tuple(
            _readable(ReadPage(i + 1, labels[i], layout, hidden[i]))
            for i, layout in enumerate(layouts)
        )
        if sum(len(p.text.strip()) >= MIN_TEXT_CHARS for p in pages) == 0:
            if any(p.unreadable for p in pages):
                raise RefusedFile(
                    name,
                    "its text cannot be read: the PDF's fonts have no usable character map, so "
                    "what it prints comes out as codes, not letters. It needs OCR (text "
                    "recognition) before it can be added",
                )
            if any(hidden):
                raise RefusedFile(
                    name,
                    "all of its text is hidden (white, invisible or microscopic), so a reader "
                    "could not check anything quoted from it",
                )
            raise RefusedFile(
                name,
                "no text could be extracted: it looks like a scan or an image-only PDF. "
                "It needs OCR (text recognition) before it can be added",
            )
        suggested = suggest(metadata, pages, name)
        subject = str(metadata.get("subject") or "")
        return LoadedPdf(name, suggested.title, subject, pages, data, suggested)


def _readable(page: ReadPage) -> ReadPage:
    """The page without the blocks that are glyph codes rather than text (a font with no
    character map), noting why; all of it, if the codes are spread through every block."""
    blocks = page.layout.blocks
    kept = [b for b in blocks if not garbled_reason(b.text)]
    if garbled_reason("\n".join(b.text for b in kept)):
        kept = []
    if len(kept) == len(blocks):
        return page
    page.layout.blocks = kept
    return replace(page, unreadable=UNREADABLE)


def _open_without_password(reader: Any, name: str) -> None:
    """Decrypt a PDF that opens without a password: most encrypted PDFs that publishers send out
    carry only an owner password (restricting printing or copying) and an empty user password,
    and any viewer opens them. Only a PDF that really needs a password to open is refused."""
    from pypdf import PasswordType
    from pypdf.errors import DependencyError

    try:
        opened = reader.decrypt("")
    except (DependencyError, NotImplementedError) as exc:
        raise RefusedFile(
            name,
            f"the PDF is encrypted in a way this reader cannot undo ({exc}); save an "
            "unprotected copy and upload that",
        ) from exc
    if opened == PasswordType.NOT_DECRYPTED:
        raise RefusedFile(
            name,
            "the PDF is encrypted and needs a password to open; save a copy without the password "
            "(in a PDF viewer: print or export it to PDF) and upload that",
        )


def _page_labels(reader: object, count: int) -> list[str]:
    try:
        labels = list(reader.page_labels)  # type: ignore[attr-defined]
    except Exception:
        labels = []
    if len(labels) != count:
        return [str(i + 1) for i in range(count)]
    return [str(label) or str(i + 1) for i, label in enumerate(labels)]
