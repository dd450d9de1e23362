"""Decide whether the retrieved evidence answers the question at all, before composing anything.

Two signals, both cheap: how close the best passage is in meaning (cosine similarity), and how
many of the question's key terms the best passages contain. Thresholds live in Settings and are
calibrated on the test set (see README, Evaluation)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from assistant.text import key_terms, normalise, stem, weighted_coverage
from assistant.types import Hit

# Names (capitalised words not opening the question, acronyms) and figures (years, sums,
# percentages): the particulars that make a question about something the library may not cover.
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]+(?:'s)?|[A-Z]{2,})\b")
# a year or a span of years as councils write them: 2023, 2023-24, 2023/24, 2023-2024
_SPAN = r"\b(\d{4})(?:\s?[-/\u2013\u2014]\s?(\d{2}|\d{4}))?\b"
_FIGURE = re.compile(_SPAN + r"|£\d[\d,.]*|\b\d+(?:\.\d+)?%")
_YEARS = re.compile(_SPAN + r"$")


# Titles of people say nothing about which passage answers ("was it Cllr Ramanathan?": the
# passage says "Councillor"); the name that follows them is the particular.
_HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "lord",
        "lady",
        "rev",
        "cllr",
        "councillor",
        "cllrs",
        "councillors",
    ]
)


def particulars(question: str) -> list[str]:
    """The names and figures in a question, in order, e.g. ["Scottish", "2021-22"]."""
    found = [
        name
        for m in _NAME.finditer(question)
        if (name := m.group(1).removesuffix("'s")).lower() not in _HONORIFICS
    ]
    found += [m.group(0) for m in _FIGURE.finditer(question)]
    return list(dict.fromkeys(found))


def _years_in(span: re.Match[str], text: str) -> bool:
    """A year span in a text, whatever separator it is written with and whether the second
    year is given in two digits or four ("2023/24" matches "2023-24" and "2023 to 2024")."""
    start, end = span.group(1), span.group(2)
    if end is None:
        return re.search(rf"\b{start}\b", text) is not None
    ends = {end, end[-2:], start[:2] + end[-2:]}
    alternatives = "|".join(sorted(ends, key=len, reverse=True))
    pattern = rf"\b{start}\s?(?:[-/\u2013\u2014]|to)\s?(?:{alternatives})\b"
    return re.search(pattern, text) is not None


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
    years = _YEARS.match(p)
    if years:
        return _years_in(years, text)
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
    # the question's names and figures that no single top passage holds together: those the
    # passage holding most of them lacks
    missing: tuple[str, ...] = ()
    # each top passage's key terms (with its headings and title), best passage first
    passage_terms: tuple[frozenset[str], ...] = ()

    # the question's content words that no passage of the library uses at all
    unfamiliar: tuple[str, ...] = ()

    def sufficient(
        self, min_relevance: float, min_overlap: float, familiar_relevance: float = 0.0
    ) -> bool:
        """Every particular found, the floor and the key-term share met; and, below
        `familiar_relevance`, fewer than UNFAMILIAR_LIMIT words the library never uses."""
        if self.missing or self.relevance < min_relevance or self.coverage < min_overlap:
            return False
        return self.relevance >= familiar_relevance or len(self.unfamiliar) < UNFAMILIAR_LIMIT


# A question only loosely close to its best passage, two or more of whose words the library
# never uses ("planning permission for a conservatory", "appeal a parking fine"), is about
# something else: a paraphrase changes a word or so, not the subject.
UNFAMILIAR_LIMIT = 2
Frequencies = Callable[[Iterable[str]], tuple[int, dict[str, int]]]


def unfamiliar(question: str, frequencies: Frequencies | None) -> tuple[str, ...]:
    """The question's content words (past the generic ones every question uses) that occur in
    no passage of the library, as `frequencies` (passage count, each term's passage count)
    reports them."""
    from assistant.followup import GENERIC

    terms = [t for t in key_terms(question) if t not in GENERIC]
    if not frequencies or not terms:
        return ()
    _, df = frequencies(terms)
    return tuple(t for t in terms if not df.get(t, 0))


# How many of the best passages may hold the question's particulars. They must all be in one
# passage (its text, headings and document title): "Wales" in one passage and "2020" in another
# is the near miss that answers about England in 2020 or Wales in 2018.
PARTICULAR_PASSAGES = 3


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
    named = normalise(" ".join(titles)).lower()
    wanted = [p for p in particulars(question) if not (p.isalpha() and mentions(p, named))]
    missing: tuple[str, ...] = ()
    if wanted:
        texts = [normalise(h.chunk.context_text()).lower() for h in hits[:PARTICULAR_PASSAGES]]
        lacking = [tuple(p for p in wanted if not mentions(p, t)) for t in texts]
        missing = min(lacking, key=len)  # the first passage lacking fewest; () if one has all
    return Evidence(max(h.similarity for h in hits), coverage, missing, found)


def closest_documents(hits: Sequence[Hit], limit: int = 3) -> list[str]:
    """Distinct documents among the hits, best first, as 'Title (p. label)'."""
    seen: dict[str, str] = {}
    for hit in hits:
        c = hit.chunk
        seen.setdefault(c.source_file, f"{c.document} (p. {c.page_label})")
    return list(seen.values())[:limit]
