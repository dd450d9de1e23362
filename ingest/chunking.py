"""Split pages into passages. Each chunk stays within one page so that its citation is exact."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from assistant.types import Chunk, Page

_PARAGRAPH_START = re.compile(r"(?m)^\s*(\d{1,3})\.\s+\S")

CHUNKER_VERSION = "page-recursive-v1"


class PageChunker:
    """Recursive character splitting (LangChain's well-kept splitter) within each page, preferring
    paragraph and sentence boundaries. Structure-aware chunking replaces this in a later step."""

    def __init__(self, chunk_size: int = 900, overlap: int = 120) -> None:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=overlap,
            separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
            keep_separator="end",
        )
        self.version = f"{CHUNKER_VERSION}-{chunk_size}-{overlap}"

    def chunk(self, pages: Sequence[Page], doc_version: str, kind: str = "") -> list[Chunk]:
        chunks: list[Chunk] = []
        for page in pages:
            text = page.text.strip()
            if not text:
                continue
            for piece in self.splitter.split_text(text):
                piece = piece.strip()
                if len(piece) < 20:
                    continue
                digest = hashlib.sha1(piece.encode("utf-8")).hexdigest()[:8]
                chunks.append(
                    Chunk(
                        chunk_id=f"{doc_version}:{len(chunks):05d}:{digest}",
                        doc_version=doc_version,
                        source_file=page.source_file,
                        document=page.document,
                        page=page.page,
                        page_label=page.page_label,
                        text=piece,
                        ordinal=len(chunks),
                        paragraphs=tuple(_PARAGRAPH_START.findall(piece)),
                        kind=kind,
                    )
                )
        return chunks
