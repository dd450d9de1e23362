"""The few frozen types that flow one way through the product: Page -> Chunk -> Hit -> Answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class Page:
    """One page's text as extracted, with where it sits in its document. For a Word document or
    a saved web page, which have no pages, it is one section: `page_label` is its heading and
    `paragraph_numbers` number its paragraphs (see ingest.document)."""

    source_file: str
    document: str
    page: int  # 1-based index in the PDF (or of the section)
    page_label: str  # the number printed on the page ("iv", "12"); str(page) when none is defined
    text: str  # body text in reading order, without running headers, folios or footnotes
    footnotes: str = ""
    origin: str = "pdf"  # how the text was read: pdf | ocr (a scanned page) | docx | html
    # a section's blocks of `text` ("\n\n" apart): each one's paragraph number, 0 if none
    paragraph_numbers: tuple[int, ...] = ()

    @property
    def is_section(self) -> bool:
        """A section of a Word document or web page, cited by heading and paragraph."""
        return self.origin in ("docx", "html")

    def paragraph_of(self, quote: str, contains: Callable[[str, str], bool]) -> str | None:
        """The number of the section paragraph whose text `contains(quote, text)`, or None."""
        blocks = self.text.split("\n\n")
        if len(blocks) != len(self.paragraph_numbers):
            return None
        for block, number in zip(blocks, self.paragraph_numbers, strict=True):
            if number and contains(quote, block):
                return str(number)
        return None

    @property
    def full_text(self) -> str:
        """Everything printed on the page that a quote may come from."""
        return f"{self.text}\n{self.footnotes}" if self.footnotes else self.text


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable passage: always within one page, so its citation is exact."""

    chunk_id: str
    doc_version: str  # identifies one ingested version of one document
    source_file: str
    document: str
    page: int
    page_label: str
    text: str
    ordinal: int = 0  # position within the document
    paragraphs: tuple[str, ...] = ()  # numbered paragraphs the chunk holds, e.g. ("12", "13")
    heading: str = ""  # heading path, e.g. "4 Pensions > Bonds, guarantees and risk assessment"
    kind: str = ""  # document kind, for filters
    role: str = "body"  # body | table | footnotes

    def context_text(self) -> str:
        """What is embedded and keyword-indexed: the passage with its document and headings,
        so a passage that never names its subject can still be found by it."""
        where = f"{self.document}. {self.heading}." if self.heading else f"{self.document}."
        return f"{where}\n{self.text}"

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata as Chroma stores it."""
        return {
            "doc_version": self.doc_version,
            "source_file": self.source_file,
            "document": self.document,
            "page": self.page,
            "page_label": self.page_label,
            "ordinal": self.ordinal,
            "paragraphs": ",".join(self.paragraphs),
            "heading": self.heading,
            "kind": self.kind,
            "role": self.role,
        }

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
        paragraphs = str(meta.get("paragraphs") or "")
        return cls(
            chunk_id=chunk_id,
            doc_version=str(meta["doc_version"]),
            source_file=str(meta["source_file"]),
            document=str(meta["document"]),
            page=int(meta["page"]),
            page_label=str(meta["page_label"]),
            text=text,
            ordinal=int(meta.get("ordinal", 0)),
            paragraphs=tuple(p for p in paragraphs.split(",") if p),
            heading=str(meta.get("heading") or ""),
            kind=str(meta.get("kind") or ""),
            role=str(meta.get("role") or "body"),
        )


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk, its ranking score (higher is better) and its cosine similarity to the
    question (what abstention judges closeness by)."""

    chunk: Chunk
    score: float
    similarity: float = 0.0


@dataclass(frozen=True, slots=True)
class Citation:
    """What a person needs to check a statement: document, page as printed, paragraph, quote."""

    n: int
    document: str
    source_file: str
    page: int
    page_label: str
    quote: str
    paragraph: str | None = None
    verified: bool = True
    version: str = ""  # the document version quoted
    superseded: str = ""  # e.g. "superseded on 2026-11-24 by a newer version of this document"
    # how the cited text was read (set when the quote is verified): pdf | ocr | docx | html;
    # for docx and html, `page_label` is the section's heading and `paragraph` its paragraph
    origin: str = "pdf"


class Status(StrEnum):
    ANSWERED = "answered"
    PARTIAL = "partial"
    NO_ANSWER = "no_answer"


@dataclass(frozen=True, slots=True)
class Answer:
    """What every caller (CLI, UI, eval) reads: the text, its citations and its evidence."""

    question: str
    text: str
    status: Status
    citations: tuple[Citation, ...] = ()
    retrieved: tuple[Hit, ...] = ()
    search_query: str = ""  # the question as retrieval saw it (follow-ups are rewritten)
    suggestions: tuple[str, ...] = field(default_factory=tuple)
    notice: str = ""  # e.g. that the language model failed and the answer is extractive
    # the abstention signals the answer was judged on: best passage similarity ("relevance"),
    # key-term coverage ("coverage"), and how many of the question's names/figures were missing
    evidence: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "status": self.status.value,
            "citations": [asdict(c) for c in self.citations],
            "retrieved": [
                {
                    "source_file": h.chunk.source_file,
                    "page": h.chunk.page,
                    "page_label": h.chunk.page_label,
                    "document": h.chunk.document,
                    "score": round(h.score, 4),
                }
                for h in self.retrieved
            ],
            "search_query": self.search_query,
            "notice": self.notice,
            "evidence": dict(self.evidence),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """An answer back from `to_dict()` (a saved conversation): text, status and citations;
        the ranked passages are not restored (they are kept only as their page references)."""
        names = set(Citation.__dataclass_fields__)
        return cls(
            question=str(data.get("question", "")),
            text=str(data.get("answer", "")),
            status=Status(data.get("status", Status.ANSWERED.value)),
            citations=tuple(
                Citation(**{k: v for k, v in c.items() if k in names})
                for c in data.get("citations") or ()
                if isinstance(c, dict)
            ),
            search_query=str(data.get("search_query", "")),
            notice=str(data.get("notice", "")),
            evidence={k: float(v) for k, v in (data.get("evidence") or {}).items()},
        )
