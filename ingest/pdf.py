"""Read a PDF with pypdf, page by page, refusing with a reason anything that cannot be used."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import RefusedFile
from assistant.types import Page
from ingest.flags import Flag, find_flags
from ingest.layout import Fragment, PageLayout, analyse, extract_page
from ingest.metadata import Suggested, suggest

MIN_TEXT_CHARS = 20  # a page with less than this is blank or a scan


@dataclass(frozen=True, slots=True)
class LoadedPdf:
    source_file: str
    title: str
    kind: str
    pages: tuple[Page, ...]
    layouts: tuple[PageLayout, ...]
    data: bytes
    hidden: tuple[tuple[str, ...], ...] = ()  # per page: text drawn so nobody can see it
    suggested: Suggested | None = None  # title, date and kind to prefill the upload form

    @property
    def flags(self) -> tuple[Flag, ...]:
        """Instruction-like and hidden text, for staff to review."""
        return find_flags(self.pages, self.hidden)


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

    def __init__(self, max_mb: float = 50.0, max_pages: int = 2000) -> None:
        self.max_mb = max_mb
        self.max_pages = max_pages

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
        return self.load_bytes(data, name)

    def load_bytes(self, data: bytes, name: str) -> LoadedPdf:
        check_file_name(name)
        if not data:
            raise RefusedFile(name, "the file is empty (0 bytes)")
        if b"%PDF-" not in data[:1024]:
            raise RefusedFile(name, "this is not a PDF, whatever its name says")
        import io

        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise RefusedFile(
                    name,
                    "the PDF is encrypted or password-protected; save an unprotected copy "
                    "and upload that",
                )
            count = len(reader.pages)
        except RefusedFile:
            raise
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            raise RefusedFile(
                name, f"the PDF is damaged or truncated and cannot be read ({exc})"
            ) from exc
        if count == 0:
            raise RefusedFile(name, "the PDF has no pages")
        if count > self.max_pages:
            raise RefusedFile(name, f"the PDF has {count} pages, over the {self.max_pages} limit")
        labels = _page_labels(reader, count)
        title = _title(reader, name)
        raw: list[tuple[list[Fragment], float, float]] = []
        hidden: list[tuple[str, ...]] = []
        try:
            for page in reader.pages:
                text = extract_page(page)
                raw.append((list(text.fragments), text.width, text.height))
                hidden.append(text.hidden)
        except Exception as exc:  # pypdf raises many kinds on a broken content stream
            raise RefusedFile(
                name, f"the PDF is damaged: page {len(raw) + 1} cannot be read ({exc})"
            ) from exc
        layouts = analyse(raw, labels)
        pages = tuple(
            Page(name, title, i + 1, labels[i], layout.body_text, layout.footnote_text)
            for i, layout in enumerate(layouts)
        )
        if sum(len(p.text.strip()) >= MIN_TEXT_CHARS for p in pages) == 0:
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
        return LoadedPdf(
            name,
            title,
            _subject(reader),
            pages,
            tuple(layouts),
            data,
            tuple(hidden),
            suggest(reader, pages, layouts),
        )


def _page_labels(reader: object, count: int) -> list[str]:
    try:
        labels = list(reader.page_labels)  # type: ignore[attr-defined]
    except Exception:
        labels = []
    if len(labels) != count:
        return [str(i + 1) for i in range(count)]
    return [str(label) or str(i + 1) for i, label in enumerate(labels)]


def _subject(reader: object) -> str:
    try:
        meta = reader.metadata  # type: ignore[attr-defined]
        return str(meta.subject).strip() if meta and meta.subject else ""
    except Exception:
        return ""


def _title(reader: object, name: str) -> str:
    try:
        meta = reader.metadata  # type: ignore[attr-defined]
        title = str(meta.title).strip() if meta and meta.title else ""
    except Exception:
        title = ""
    if title:
        return title
    stem = Path(name).stem
    return re.sub(r"[-_]+", " ", re.sub(r"^\d+[-_ ]+", "", stem)).strip().capitalize() or stem
