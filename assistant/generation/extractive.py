"""The default answer, with no LLM: the sentences of the retrieved passages that best answer the
question, quoted verbatim and kept in document order, each tied to its passage."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.embeddings import Embedder
from assistant.generation.base import Draft, Statement
from assistant.safety import instruction_like
from assistant.text import key_terms, prose_sentences, weighted_coverage, without_footnote_number
from assistant.types import Hit

_PARAGRAPH_START = re.compile(r"(?m)^\s*(\d{1,3})\.\s+")
_LEADING_NUMBER = re.compile(r"^\(?(\d{1,3})[.)]\s+")


@dataclass(frozen=True, slots=True)
class _Candidate:
    text: str  # as shown, without a leading paragraph number
    quote: str
    hit_rank: int
    position: int  # order within its chunk
    paragraph: str | None
    terms: frozenset[str]


def _paragraph_at(chunk_text: str, offset: int) -> str | None:
    number = None
    for match in _PARAGRAPH_START.finditer(chunk_text):
        if match.start() > offset:
            break
        number = match.group(1)
    return number


def candidates(hits: Sequence[Hit]) -> list[_Candidate]:
    """Every usable sentence of the given passages (short fragments and headings dropped)."""
    out: list[_Candidate] = []
    for rank, hit in enumerate(hits):
        text = hit.chunk.text
        flat = " ".join(text.split())
        for position, sentence in enumerate(prose_sentences(text)):
            paragraph = None
            lead = _LEADING_NUMBER.match(sentence)
            if lead:
                paragraph = lead.group(1)
                sentence = sentence[lead.end() :]
            words = sentence.split()
            if len(words) < 6 or not re.search(r"[a-z]", sentence) or instruction_like(sentence):
                continue
            if paragraph is None:
                offset = flat.find(sentence[:40])
                paragraph = _paragraph_at(text, offset) if offset >= 0 else None
            out.append(
                _Candidate(
                    without_footnote_number(sentence),
                    sentence,
                    rank,
                    position,
                    paragraph,
                    frozenset(key_terms(sentence)),
                )
            )
    return out


class ExtractiveGenerator:
    """Scores each candidate sentence by meaning (embedding similarity to the question) and by the
    question's key terms it contains, keeps the best few that are not repeats, and orders them as
    they stand in the documents so that steps read in sequence."""

    def __init__(self, embedder: Embedder, passages: int = 5, max_sentences: int = 4) -> None:
        self.embedder = embedder
        self.passages = passages
        self.max_sentences = max_sentences

    def generate(self, question: str, hits: Sequence[Hit], context: str = "") -> Draft:
        top = list(hits[: self.passages])
        pool = candidates(top)
        if not pool:
            return Draft(())
        focus, earlier = set(key_terms(question)), set(key_terms(context))
        q_vec = self.embedder.embed_in_context(question, context)
        s_vecs = self.embedder.encode([c.text for c in pool])
        scored: list[tuple[float, _Candidate]] = []
        for cand, vec in zip(pool, s_vecs, strict=True):
            semantic = sum(a * b for a, b in zip(q_vec, vec, strict=True))
            lexical = weighted_coverage(focus, earlier, set(cand.terms))
            prior = top[cand.hit_rank].score
            score = 0.55 * semantic + 0.30 * lexical + 0.15 * prior
            scored.append((score, cand))
        scored.sort(key=lambda item: item[0], reverse=True)
        best = scored[0][0]
        chosen: list[_Candidate] = []
        for score, cand in scored:
            if len(chosen) >= self.max_sentences or score < best - 0.12:
                break
            if any(_similar(cand.terms, other.terms) for other in chosen):
                continue
            chosen.append(cand)
        # documents in the order their best passage ranked; within one, reading order
        first_rank: dict[str, int] = {}
        for cand in chosen:
            doc = top[cand.hit_rank].chunk.source_file
            first_rank[doc] = min(first_rank.get(doc, cand.hit_rank), cand.hit_rank)
        chosen.sort(
            key=lambda c: (
                first_rank[top[c.hit_rank].chunk.source_file],
                top[c.hit_rank].chunk.page,
                top[c.hit_rank].chunk.ordinal,
                c.position,
            )
        )
        return Draft(
            tuple(Statement(c.text, top[c.hit_rank].chunk, c.quote, c.paragraph) for c in chosen)
        )


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) > 0.6
