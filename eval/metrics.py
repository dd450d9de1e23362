"""Metric functions: pure, small, and unit-tested on hand-made cases."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

PageRef = tuple[str, int]


def dedupe(refs: Iterable[PageRef]) -> list[PageRef]:
    """Ranked pages with repeats removed (several chunks may come from one page)."""
    seen: dict[PageRef, None] = {}
    for ref in refs:
        seen.setdefault(ref, None)
    return list(seen)


def first_relevant_rank(ranked: Sequence[PageRef], gold: set[PageRef]) -> int | None:
    """1-based rank of the first gold item in an already de-duplicated ranking."""
    for rank, ref in enumerate(ranked, 1):
        if ref in gold:
            return rank
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def ndcg_at(ranked: Sequence[PageRef], gold: set[PageRef], k: int = 10) -> float:
    """Binary-relevance nDCG over the top k of a de-duplicated ranking."""
    if not gold:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, ref in enumerate(ranked[:k]) if ref in gold)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), k)))
    return dcg / ideal


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 100]."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


# -- answers ------------------------------------------------------------------------------------
_MARKER = re.compile(r"\[\d+\]")
_ARTICLES = {"a", "an", "the"}
_FACT_NUMBER = re.compile(r"£?\d[\d,]*(?:[.-]\d+)?%?")
_NAME = re.compile(
    r"\b(?:[A-Z][a-zA-Z'&-]*[A-Z0-9]?[a-z0-9]*|[A-Z]{2,}s?)(?:\s+(?:of\s+|and\s+)?"
    r"[A-Z][a-zA-Z'&-]*)*"
)
_COMMON_STARTS = {
    "The",
    "A",
    "An",
    "It",
    "They",
    "This",
    "That",
    "These",
    "Those",
    "Under",
    "In",
    "On",
    "For",
    "By",
    "Yes",
    "No",
    "If",
    "When",
    "Its",
    "Their",
    "Each",
    "All",
    "Any",
    "Staff",
    "Councils",
    "Council",
    "Most",
    "Some",
    "Both",
}


def answer_tokens(text: str) -> list[str]:
    """SQuAD-style normalisation: citation markers and punctuation out, lower case, no
    articles."""
    text = _MARKER.sub(" ", text).lower()
    text = re.sub(r"[^\w£%.\s-]|(?<!\d)\.|\.(?!\d)", " ", text)
    return [t for t in text.split() if t not in _ARTICLES]


def token_f1(prediction: str, reference: str) -> float:
    """Harmonic mean of token precision and recall between an answer and the reference."""
    pred, ref = answer_tokens(prediction), answer_tokens(reference)
    if not pred or not ref:
        return 0.0
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def key_facts(reference: str) -> set[str]:
    """The checkable particulars of a reference answer: numbers, sums, dates, percentages and
    names (capitalised terms and acronyms), lower-cased; common sentence openers excluded."""
    facts = {n.replace(",", "").rstrip(".") for n in _FACT_NUMBER.findall(reference)}
    for match in _NAME.finditer(reference):
        words = match.group(0).split()
        while words and words[0] in _COMMON_STARTS:
            words = words[1:]  # "The Procurement Act" -> "Procurement Act"
        name = " ".join(words)
        if len(name) >= 2:
            facts.add(name.lower())
    return {f for f in facts if f}


def key_fact_recall(answer: str, reference: str) -> float | None:
    """Share of the reference's key facts that the answer states (None if it has none)."""
    facts = key_facts(reference)
    if not facts:
        return None
    flat = _MARKER.sub(" ", answer).replace(",", "").lower()
    found = sum(1 for f in facts if re.search(rf"(?<![\w.]){re.escape(f)}(?![\w]|\.\d)", flat))
    return found / len(facts)


def first_sentence(answer: str) -> str:
    """What an answer says first: its text up to its first citation marker (each statement of an
    answer ends with its marker), or its first line."""
    text = answer.strip()
    marker = _MARKER.search(text)
    head = text[: marker.start()] if marker else text
    return head.split("\n", 1)[0].strip()


def answer_first(answer: str, reference: str) -> float | None:
    """1.0 when the answer's first sentence states a key fact of the reference, else 0.0; None
    when the reference has no key facts (or there is no answer), so the item is left out."""
    if not answer.strip() or not key_facts(reference):
        return None
    recall = key_fact_recall(first_sentence(answer), reference)
    return 1.0 if recall else 0.0


# -- citations against gold pages --------------------------------------------------------------
def citation_page_precision(cited: Iterable[PageRef], gold: set[PageRef]) -> float | None:
    """Share of the distinct pages an answer cites that are gold pages: |cited & gold| / |cited|.
    None when nothing is cited (precision is undefined; the item is left out of the mean)."""
    pages = set(cited)
    if not pages:
        return None
    return len(pages & gold) / len(pages)


def citation_page_recall(cited: Iterable[PageRef], gold: set[PageRef]) -> float | None:
    """Share of the gold pages that the answer cites: |cited & gold| / |gold|, 0.0 when it cites
    nothing. None when there are no gold pages (an unanswerable question)."""
    if not gold:
        return None
    return len(set(cited) & gold) / len(gold)


# -- uncertainty ----------------------------------------------------------------------------------
Interval = tuple[float, float]
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0


def finite(values: Iterable[float | None]) -> list[float]:
    """The values that are numbers: None and NaN dropped."""
    return [float(v) for v in values if v is not None and not math.isnan(v)]


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> Interval | None:
    """Wilson score interval for a proportion: unlike the normal approximation it stays inside
    [0, 1] and is sensible at 0/n and n/n, which small per-type groups often are.
    None when there are no trials.

        >>> wilson_interval(8, 10)  # (0.490..., 0.943...)
    """
    if trials <= 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(int(successes), int(trials)).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return (float(ci.low), float(ci.high))


def bootstrap_interval(
    values: Iterable[float | None],
    confidence: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Interval | None:
    """Percentile-bootstrap interval for the mean of per-item scores (MRR, nDCG, F1...), whose
    distribution is far from normal. The seed is fixed, so a run's report is reproducible.
    None and NaN values are dropped; None when nothing is left."""
    import numpy as np

    data = np.asarray(finite(values), dtype=float)
    if data.size == 0:
        return None
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return (float(low), float(high))
