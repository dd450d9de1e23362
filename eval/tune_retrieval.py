"""Choose the rerank weights on one half of the test set and report them on the other half.

    python -m eval.tune_retrieval --data-dir .data

Candidates and their signals are computed once per question; each weight setting only re-sorts
them, so a grid of several hundred settings takes seconds. The split is fixed (alternate
answerable questions), so the held-out half never influences the choice. The chosen weights are
copied by hand into `RerankWeights` with the figures in the README.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from assistant.config import Settings
from assistant.followup import follow_up_query
from assistant.retrieval import Candidate, RerankWeights, rank
from eval import metrics
from eval.runner import history_for
from eval.testset import TestItem, load_testset

DEFAULT_TESTSET = Path(__file__).parent / "testsets" / "mutuals-guide.jsonl"

GRID = {
    "keyword": (0.0, 0.15, 0.25, 0.4, 0.6),
    "coverage": (0.0, 0.2, 0.35, 0.5, 0.7),
    "heading": (0.0, 0.1, 0.2),
    "numbers": (0.0, 0.15, 0.3),
    "same_document": (0.0, 0.03, 0.06),
}


def score(
    pools: Sequence[tuple[TestItem, list[Candidate]]], weights: RerankWeights
) -> dict[str, float]:
    hits1, hits5, rrs = [], [], []
    for item, pool in pools:
        gold = {(g.source_file, g.page) for g in item.gold}
        ranked = metrics.dedupe((h.chunk.source_file, h.chunk.page) for h in rank(pool, weights))
        r = metrics.first_relevant_rank(ranked[:10], gold)
        hits1.append(metrics.hit_at(r, 1))
        hits5.append(metrics.hit_at(r, 5))
        rrs.append(metrics.reciprocal_rank(r))
    return {"hit@1": metrics.mean(hits1), "hit@5": metrics.mean(hits5), "mrr": metrics.mean(rrs)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(".data"))
    parser.add_argument("--testset", type=Path, default=DEFAULT_TESTSET)
    args = parser.parse_args(argv)

    from assistant.guide import Guide
    from assistant.retrieval import HybridRetriever

    guide = Guide(Settings(data_dir=args.data_dir))
    retriever = guide.retriever
    assert isinstance(retriever, HybridRetriever)  # the product's own, with its signals
    items = load_testset(args.testset)
    by_id = {i.id: i for i in items}
    answerable = [i for i in items if i.answerable]
    pools = []
    for item in answerable:
        query = follow_up_query(item.question, history_for(item, by_id))
        pools.append((item, retriever.candidates(query.text, context=query.context)))
    dev, held_out = pools[0::2], pools[1::2]

    base = RerankWeights()
    best = (score(dev, base)["mrr"], base)
    for values in itertools.product(*GRID.values()):
        weights = replace(base, **dict(zip(GRID, values, strict=True)))
        mrr = score(dev, weights)["mrr"]
        if mrr > best[0] + 1e-9:
            best = (mrr, weights)
    chosen = best[1]
    for name, weights in (("current", base), ("chosen on dev", chosen)):
        d, h = score(dev, weights), score(held_out, weights)
        print(f"{name}: {weights}")
        print("  dev      " + "  ".join(f"{k} {v:.3f}" for k, v in d.items()))
        print("  held-out " + "  ".join(f"{k} {v:.3f}" for k, v in h.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
