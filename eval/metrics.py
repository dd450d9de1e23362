"""Metric functions: pure, small, and unit-tested on hand-made cases."""

from __future__ import annotations

import math
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
