"""Chunks that follow the document: split at headings and numbered paragraphs, never across a
page (so a citation's page is exact), each carrying its heading path and paragraph numbers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.types import Chunk, Page
from ingest.layout import Block

if TYPE_CHECKING:
    from ingest.document import ReadPage

CHUNKER_VERSION = "structured-v3"  # bump when chunk output changes
_NUMBERED = re.compile(r"^(\d{1,3})\.\s+")


class StructuredChunker:
    """Groups whole paragraphs under their heading into passages of about `target` characters.

    A heading always starts a new passage; a numbered paragraph that runs onto the next page
    keeps its number there; an over-long paragraph is split at sentence boundaries (LangChain's
    recursive splitter); table rows are kept together, and a table too long for one passage
    has its headings row repeated at the top of each passage it runs on to, so every figure is
    read under its column headings; footnotes become their own passage;
    contents pages are not indexed (they match every question and answer none).
    """

    def __init__(self, target: int = 1000, maximum: int = 1200) -> None:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.target = target
        self.maximum = maximum
        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=maximum,
            chunk_overlap=0,
            separators=[". ", "; ", ", ", " "],
            keep_separator="end",
        )
        self.version = f"{CHUNKER_VERSION}-{target}-{maximum}"

    def chunk(
        self,
        pages: Sequence[ReadPage],
        source_file: str,
        document: str,
        doc_version: str,
        kind: str = "",
    ) -> list[Chunk]:
        """Chunks of the pages as read, for the document `source_file` titled `document`."""
        out = _Collector(doc_version, kind)
        headings: list[tuple[int, str]] = []
        last_paragraph: str | None = None
        for read in pages:
            layout = read.layout
            if layout.is_contents:
                continue
            page = read.as_page(source_file, document)
            out.start_page(page)
            body = [b for b in layout.blocks if b.kind != "footnote"]
            header: str | None = None  # the headings row of the table being read, if any
            for index, block in enumerate(body):
                if block.kind != "table":
                    header = None
                elif block.level == 1:
                    header = block.text
                if block.kind == "heading":
                    out.flush()
                    if _same_words(block.text, page.document):
                        continue  # the title page's title is not a section
                    while headings and headings[-1][0] >= block.level:
                        headings.pop()
                    headings.append((block.level, block.text))
                    out.heading = " > ".join(h for _, h in headings)
                    continue
                role = "table" if block.kind == "table" else "body"
                if out.role != role:
                    out.flush()
                    out.role = role
                number = _number_of(block, index, last_paragraph)
                if number:
                    last_paragraph = number
                for piece in self._pieces(block):
                    if out.pieces and out.size + len(piece) > self.target:
                        out.flush()
                        out.role = role
                        if role == "table" and header is not None and piece != header:
                            out.add(header, None)  # a long table's next passage: its headings
                    out.add(piece, number)
            out.flush()
            if layout.footnote_text:
                out.role = "footnotes"
                out.add(layout.footnote_text, None)
                out.flush()
        return out.chunks

    def _pieces(self, block: Block) -> list[str]:
        if len(block.text) <= self.maximum:
            return [block.text]
        return [p.strip() for p in self.splitter.split_text(block.text) if p.strip()]


def _same_words(a: str, b: str) -> bool:
    return a.lower().split() == b.lower().split()


def _number_of(block: Block, index: int, last: str | None) -> str | None:
    """The paragraph number a block carries, or continues from the previous page."""
    match = _NUMBERED.match(block.text)
    if match:
        return match.group(1)
    if index == 0 and block.kind == "paragraph" and block.text[:1].islower():
        return last  # the page opens mid-paragraph
    return None


class _Collector:
    """Accumulates a page's pieces into chunks (state kept here, not in closures)."""

    def __init__(self, doc_version: str, kind: str) -> None:
        self.doc_version = doc_version
        self.kind = kind
        self.chunks: list[Chunk] = []
        self.page: Page | None = None
        self.heading = ""
        self.role = "body"
        self.pieces: list[str] = []
        self.numbers: list[str] = []

    @property
    def size(self) -> int:
        return sum(map(len, self.pieces))

    def start_page(self, page: Page) -> None:
        self.page = page

    def add(self, piece: str, number: str | None) -> None:
        self.pieces.append(piece)
        if number:
            self.numbers.append(number)

    def flush(self) -> None:
        text = "\n\n".join(p for p in self.pieces if p.strip())
        if len(text) >= 25 and self.page is not None:
            page = self.page
            digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
            self.chunks.append(
                Chunk(
                    chunk_id=f"{self.doc_version}:{len(self.chunks):05d}:{digest}",
                    doc_version=self.doc_version,
                    source_file=page.source_file,
                    document=page.document,
                    page=page.page,
                    page_label=page.page_label,
                    text=text,
                    ordinal=len(self.chunks),
                    paragraphs=tuple(dict.fromkeys(self.numbers)),
                    heading=self.heading,
                    kind=self.kind,
                    role=self.role,
                )
            )
        self.pieces, self.numbers, self.role = [], [], "body"
