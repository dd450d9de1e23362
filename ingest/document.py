"""The one record every reader produces, whatever the file: a document as a sequence of pages
(`ReadPage`), each holding blocks in reading order (`ingest.layout.PageLayout`).

A PDF page is a page. An OCR'd PDF page is a page whose blocks came from text recognition
(`origin="ocr"`). A Word document or a saved web page has no pages, so each *section* (a
heading and what follows it, up to the next heading) is one record: its `label` is the heading,
and its paragraphs are numbered within it, which is what a citation then shows ("section
"Budget", para. 3") instead of a page. Chunking, flags, quote verification and citations read
only these records, so none of them cares where a document came from.

>>> sections([("heading", "Budget", 1), ("paragraph", "We spent it.", 0)], "docx")[0].label
'Budget'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.errors import RefusedFile
from assistant.types import Page
from ingest.flags import Flag, find_flags
from ingest.layout import Block, PageLayout
from ingest.metadata import Suggested

MIN_TEXT_CHARS = 20  # a page with less than this is blank or a scan

# What can be uploaded, and how each suffix is read. The upload box and the CLI read these.
FORMATS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}
ACCEPTED_SUFFIXES = tuple(FORMATS)
FILE_EXTENSIONS = {"pdf": "pdf", "docx": "docx", "html": "html"}  # the stored original's suffix
_MACROS = (
    "it is a macro-enabled Office file ({suffix}): macros are programs that can run when the "
    "file is opened, so it is not accepted. Save it as a Word document (.docx) without macros "
    "and upload that"
)
# Suffixes refused with their own reason (a folder scan picks them up, so staff see why).
REFUSED_SUFFIXES = {
    ".docm": _MACROS,
    ".dotm": _MACROS,
    ".doc": "it is an old Word 97-2003 document (.doc); open it in Word and save it as a "
    "Word document (.docx), then upload that",
}
ORIGINS = ("pdf", "ocr", "docx", "html")
SECTION_ORIGINS = ("docx", "html")  # records are sections, cited by heading and paragraph
BEFORE_FIRST_HEADING = "Before the first heading"
MAX_LABEL_CHARS = 120

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()\-]{0,150}\.(pdf|docx|html?)$", re.IGNORECASE)


def format_of(name: str) -> str:
    """ "pdf", "docx" or "html" by the name's suffix; "" for anything else."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return FORMATS.get(suffix, "")


def check_file_name(name: str) -> None:
    """Refuse names that could escape a folder or confuse people: path parts, control characters,
    leading dots or dashes, a suffix that is not one we read (a macro-enabled one says why)."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if "/" not in name and "\\" not in name and suffix in REFUSED_SUFFIXES:
        raise RefusedFile(name, REFUSED_SUFFIXES[suffix].format(suffix=suffix))
    if "/" in name or "\\" in name or name in {".", ".."} or not _SAFE_NAME.match(name):
        raise RefusedFile(
            name,
            "the file name is not allowed: use letters, digits, spaces, '.', '-', '_' or "
            "brackets, ending in .pdf, .docx, .html or .htm, with no folder parts",
        )


@dataclass(frozen=True, slots=True)
class ReadPage:
    """One page (or section) as read: the one record that travels through ingest (chunking,
    flags, the library's page texts), so no step pairs up parallel lists of pages, layouts and
    hidden text.
    """

    number: int  # 1-based index in the document (page, or section of a Word or web page)
    label: str  # the page number as printed ("iv", "12"), or the section's heading
    layout: PageLayout  # its blocks in reading order, without page furniture
    hidden: tuple[str, ...] = ()  # runs of text drawn so that nobody can see them
    unreadable: str = ""  # why some of its text was garbage and left out, or ""
    origin: str = "pdf"  # pdf | ocr | docx | html: how its text was read (see ORIGINS)

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

    @property
    def paragraph_numbers(self) -> tuple[int, ...]:
        """For a section: each body block's paragraph number in the section (0 for its heading
        and table rows), in the order of `text`'s blocks; () for a page."""
        if self.origin not in SECTION_ORIGINS:
            return ()
        numbers, count = [], 0
        for block in self.layout.blocks:
            if block.kind == "footnote":
                continue
            if block.kind == "paragraph":
                count += 1
                numbers.append(count)
            else:
                numbers.append(0)
        return tuple(numbers)

    def as_page(self, source_file: str, document: str) -> Page:
        """The page as the library keeps it, under the document's name and title."""
        return Page(
            source_file,
            document,
            self.number,
            self.label,
            self.text,
            self.footnotes,
            origin=self.origin,
            paragraph_numbers=self.paragraph_numbers,
        )


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """A file as read by its reader (ingest.readers): its records and what to prefill."""

    source_file: str
    title: str  # the best title found (see `suggested` for all candidates)
    kind: str  # the document's own subject, when it names a kind
    pages: tuple[ReadPage, ...]
    data: bytes
    suggested: Suggested | None = None  # title, date and kind to prefill the upload form
    format: str = "pdf"  # pdf | docx | html: what the stored original is

    @property
    def layouts(self) -> tuple[PageLayout, ...]:
        return tuple(p.layout for p in self.pages)

    @property
    def hidden(self) -> tuple[tuple[str, ...], ...]:
        return tuple(p.hidden for p in self.pages)

    @property
    def unreadable(self) -> tuple[str, ...]:
        return tuple(p.unreadable for p in self.pages)

    @property
    def ocr(self) -> tuple[bool | str, ...]:
        """Per page: its text is a scan's OCR layer (True), or was read by our OCR (the note)."""
        return tuple(OCR_READ_NOTE if p.origin == "ocr" else p.layout.ocr_layer for p in self.pages)

    def as_pages(
        self, source_file: str | None = None, title: str | None = None
    ) -> tuple[Page, ...]:
        name, document = source_file or self.source_file, title or self.title
        return tuple(p.as_page(name, document) for p in self.pages)

    @property
    def flags(self) -> tuple[Flag, ...]:
        """Instruction-like, hidden and unreadable text, for staff to review."""
        return find_flags(self.as_pages(), self.hidden, self.unreadable, self.ocr)


OCR_READ_NOTE = "text read by OCR (Tesseract) from a scanned image: check quotes against the image"


def sections(
    items: Iterable[tuple[str, str, int]], origin: str, hidden: Sequence[str] = ()
) -> tuple[ReadPage, ...]:
    """Records of a document without pages: `items` are (kind, text, level) in reading order,
    kind "heading" (level 1 = top), "paragraph" or "table" (one row: cells joined by " | ";
    level 1 marks a table's first row, its headings). Every heading starts a section; text
    before the first heading is a section of its own. `hidden` (text nobody sees) goes on the
    first record, to be flagged. A heading straight after another joins its section (so the
    chunker's heading path stays right); a heading with nothing after it is dropped."""
    out: list[tuple[str, list[Block]]] = []
    for kind, text, level in items:
        text = " ".join(text.split())
        if not text:
            continue
        if kind == "heading":
            block = Block("heading", text, max(1, level))
            if out and all(b.kind == "heading" for b in out[-1][1]):  # a heading over headings
                out[-1] = (_label(text), [*out[-1][1], block])
            else:
                out.append((_label(text), [block]))
            continue
        if not out:
            out.append((BEFORE_FIRST_HEADING, []))
        out[-1][1].append(Block(kind, text, level))
    records = [(label, blocks) for label, blocks in out if any(b.kind != "heading" for b in blocks)]
    pages = tuple(
        ReadPage(i + 1, label, PageLayout(i + 1, blocks), origin=origin)
        for i, (label, blocks) in enumerate(records)
    )
    if hidden and pages:
        first = pages[0]
        pages = (
            ReadPage(first.number, first.label, first.layout, tuple(hidden), origin=origin),
            *pages[1:],
        )
    return pages


def _label(heading: str) -> str:
    if len(heading) <= MAX_LABEL_CHARS:
        return heading
    return heading[: MAX_LABEL_CHARS - 1].rsplit(" ", 1)[0] + "\u2026"


def table_row(cells: Sequence[str]) -> str:
    """One table row as the chunker and the answer composer read it: cells joined by " | "
    (a "|" inside a cell becomes "/", so the cells stay in their columns)."""
    return " | ".join(" ".join(c.replace("|", "/").split()) for c in cells)


def has_text(pages: Sequence[ReadPage]) -> bool:
    return any(len(p.text.strip()) >= MIN_TEXT_CHARS for p in pages)
