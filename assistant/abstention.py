"""Decide whether the retrieved evidence answers the question at all, before composing anything.

Two signals, both cheap: how close the best passage is in meaning (cosine similarity), and how
many of the question's key terms the best passages contain. Thresholds live in Settings and are
calibrated on the test set (see README, Evaluation)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from assistant.text import key_terms, normalise, stem, weighted_coverage
from assistant.types import Hit

# Names (capitalised words not opening the question, acronyms) and figures (years, sums,
# percentages): the particulars that make a question about something the library may not cover.
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]+(?:'s)?|[A-Z]{2,})\b")
_FIGURE = re.compile(r"\b\d{4}(?:-\d{2,4})?\b|£\d[\d,.]*|\b\d+(?:\.\d+)?%")


def particulars(question: str) -> list[str]:
    """The names and figures in a question, in order, e.g. ["Scottish", "2021-22"]."""
    found = [m.group(1).removesuffix("'s") for m in _NAME.finditer(question)]
    found += [m.group(0) for m in _FIGURE.finditer(question)]
    return list(dict.fromkeys(found))


_LETTERS = re.compile(r"[^\W\d_]+")
# A name of at least this many letters matches a word this close to it (difflib's ratio): one
# wrong, missing or swapped letter in a word of 7 or more ("Knowlsey" for "Knowsley"). Figures
# and short names must match exactly, or by their plural or light stem.
_FUZZY_MIN_LETTERS = 6
_FUZZY_RATIO = 0.84


def mentions(particular: str, text: str) -> bool:
    """Whether a question's particular is in a (normalised, lower-case) text: as written, by
    its light stem (plural, possessive) or, for a name of 6+ letters, with a small typo."""
    p = particular.lower()
    if p in text or stem(p) in text:
        return True
    if len(p) < _FUZZY_MIN_LETTERS or not p.isalpha():
        return False
    return any(
        abs(len(w) - len(p)) <= 2
        and w[:1] == p[:1]
        and SequenceMatcher(None, p, w).ratio() >= _FUZZY_RATIO
        for w in set(_LETTERS.findall(text))
    )


@dataclass(frozen=True, slots=True)
class Evidence:
    relevance: float  # cosine similarity of the best passage
    coverage: float  # best share of the question's key terms found in one of the top passages
    missing: tuple[str, ...] = ()  # the question's names and figures no top passage contains
    # each top passage's key terms (with its headings and title), best passage first
    passage_terms: tuple[frozenset[str], ...] = ()

    def sufficient(self, min_relevance: float, min_overlap: float) -> bool:
        return not self.missing and self.relevance >= min_relevance and self.coverage >= min_overlap


def assess(
    question: str,
    hits: Sequence[Hit],
    passages: int = 5,
    context: str = "",
    titles: Iterable[str] = (),
) -> Evidence:
    """`titles`: the library's document titles and file names. A name in the question that is
    in one of them refers to a document ("under the Kestrelford policy"): retrieval already
    weighs it, and it is not demanded in the passage text."""
    if not hits:
        return Evidence(0.0, 0.0)
    focus, earlier = set(key_terms(question)), set(key_terms(context))
    found = tuple(frozenset(key_terms(h.chunk.context_text())) for h in hits[:passages])
    coverage = max((weighted_coverage(focus, earlier, set(f)) for f in found), default=0.0)
    text = " ".join(normalise(h.chunk.context_text()).lower() for h in hits[:passages])
    named = normalise(" ".join(titles)).lower()
    missing = tuple(
        p
        for p in particulars(question)
        if not mentions(p, text) and not (p.isalpha() and mentions(p, named))
    )
    return Evidence(max(h.similarity for h in hits), coverage, missing, found)


def closest_documents(hits: Sequence[Hit], limit: int = 3) -> list[str]:
    """Distinct documents among the hits, best first, as 'Title (p. label)'."""
    seen: dict[str, str] = {}
    for hit in hits:
        c = hit.chunk
        seen.setdefault(c.source_file, f"{c.document} (p. {c.page_label})")
    return list(seen.values())[:limit]
