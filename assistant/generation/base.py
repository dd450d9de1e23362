"""The small interface every answer backend implements."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.types import Chunk, Hit


@dataclass(frozen=True, slots=True)
class Statement:
    """One sentence of an answer and the passage that supports it.

    `quote` must be the exact supporting text from `chunk` (it is verified against the page);
    `text` is what the reader sees (for the extractive backend, the same words).
    """

    text: str
    chunk: Chunk
    quote: str
    paragraph: str | None = None
    prefix: str = ""  # shown before the text: "1. " for a step
    starts_paragraph: bool = False  # begins a new paragraph (or line, for a step)


@dataclass(frozen=True, slots=True)
class Draft:
    statements: tuple[Statement, ...]
    dropped: int = 0  # claims the backend made without a usable citation (answer is partial)
    abstained: bool = False  # the backend said the sources do not answer the question
    # the best evidence is about a neighbouring particular (2018 for 2020, England for Wales):
    # says which, in plain words; the answer is withheld and the evidence offered as the nearest
    neighbour: str = ""
    # how close the lead statement is to the question in meaning (cosine; 0 when not measured):
    # one of the signals that decide whether the library answers (assistant.answerability)
    lead_similarity: float = 0.0


class AnswerGenerator(Protocol):
    """Writes a Draft from the retrieved passages. `streams` says whether `stream` yields text
    as it is written (a language model) or only the Draft (the extractive composer); `stream`
    always ends with the Draft."""

    streams: bool

    def generate(self, question: str, hits: Sequence[Hit], context: str = "") -> Draft:
        """`context`: the earlier questions a follow-up leans on (empty otherwise)."""
        ...

    def stream(
        self, question: str, hits: Sequence[Hit], context: str = ""
    ) -> Iterator[str | Draft]: ...
