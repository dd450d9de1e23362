"""Fit the answerability model (assistant.answerability) and show its trade-off.

Every question of the tuning test set is answered with the check off (so each one's signals are
recorded, past the similarity floor), the questions are split in two halves (answerable and
unanswerable alike, fixed seed, whole conversations kept together), the model is fitted on one
half and its threshold chosen there (the most correct refusals at no more than --max-fr false
refusals), and it is checked on the other half and on any further library it never saw.

    python -m eval.fit_answerability --data-dir D --testset eval/testsets/mutuals-guide.jsonl \\
        --check D2=corpus/second-library/testset.jsonl [--write]

Needs scikit-learn (installed with the test tools); answering does not.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.answerability import FEATURES, MODEL_FILE, Model, fit

SEED = 20261202


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    conversation: str  # the first question of its conversation (halves keep these together)
    answerable: bool
    floor_refused: bool  # refused before judging (below the similarity floor): always refused
    x: tuple[float, ...]


def collect(data_dir: Path, testset: Path) -> list[Row]:
    """Answer every question with the check off and read back each one's signals."""
    from assistant.config import Settings
    from assistant.guide import Guide
    from eval.runner import run_testset
    from eval.testset import load_testsets

    guide = Guide(Settings(data_dir=data_dir, answerability="off"))
    items = load_testsets([testset])
    by_id = {i.id: i for i in items}

    def root(item_id: str) -> str:
        while by_id[item_id].follows:
            item_id = by_id[item_id].follows or item_id
        return item_id

    result = run_testset(guide, items)
    rows = []
    for r in result.items:
        e = r.evidence
        judged = all(f"signal_{f}" in e for f in FEATURES)
        x = tuple(float(e[f"signal_{f}"]) for f in FEATURES) if judged else ()
        rows.append(Row(r.id, root(r.id), r.answerable, not judged, x))
    return rows


def halves(rows: Sequence[Row], seed: int = SEED) -> tuple[list[Row], list[Row]]:
    """Two halves, each with about half the answerable and half the unanswerable questions;
    a conversation's turns stay in one half."""
    rng = random.Random(seed)
    first: list[Row] = []
    second: list[Row] = []
    for answerable in (True, False):
        roots = sorted({r.conversation for r in rows if r.answerable == answerable})
        rng.shuffle(roots)
        chosen = set(roots[: len(roots) // 2])
        for r in rows:
            if r.answerable == answerable:
                (first if r.conversation in chosen else second).append(r)
    return first, second


def outcome(model: Model, rows: Sequence[Row], threshold: float) -> tuple[float, float, int, int]:
    """(correct refusals, false refusals, unanswerable count, answerable count) at a threshold."""
    from assistant.answerability import Signals

    def refused(r: Row) -> bool:
        return r.floor_refused or model.probability(Signals(*r.x)) < threshold

    unanswerable = [refused(r) for r in rows if not r.answerable]
    answerable = [refused(r) for r in rows if r.answerable]
    cr = sum(unanswerable) / len(unanswerable) if unanswerable else float("nan")
    fr = sum(answerable) / len(answerable) if answerable else float("nan")
    return cr, fr, len(unanswerable), len(answerable)


def choose_threshold(model: Model, rows: Sequence[Row], max_fr: float) -> float:
    """The threshold with the most correct refusals at no more than max_fr false refusals."""
    best, best_cr = 0.0, -1.0
    for step in range(1, 100):
        t = step / 100
        cr, fr, _, _ = outcome(model, rows, t)
        if fr <= max_fr + 1e-9 and cr > best_cr:
            best, best_cr = t, cr
    return best


def curve(model: Model, rows: Sequence[Row]) -> list[tuple[float, float, float]]:
    return [(t / 20, *outcome(model, rows, t / 20)[:2]) for t in range(1, 20)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the tuning library")
    parser.add_argument("--testset", type=Path, required=True, help="its test set")
    parser.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="DATA_DIR=TESTSET",
        help="a library and test set to check on (never fitted on); repeatable",
    )
    parser.add_argument("--max-fr", type=float, default=0.04, help="false refusals allowed")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_FILE.name}")
    args = parser.parse_args(argv)

    rows = collect(args.data_dir, args.testset)
    fit_half, check_half = halves(rows)
    train = [r for r in fit_half if not r.floor_refused]
    model = fit([r.x for r in train], [r.answerable for r in train], c=args.c)
    threshold = choose_threshold(model, fit_half, args.max_fr)
    model = replace(
        model,
        threshold=threshold,
        fitted_on=f"{args.testset.name}: {len(fit_half)} of {len(rows)} questions (seed {SEED}), "
        f"threshold for <= {args.max_fr:.2f} false refusals",
    )
    print(f"fitted on {len(fit_half)} questions ({len(train)} past the floor)")
    for name, w in zip(FEATURES, model.coef, strict=True):
        print(f"  {name:18s} {w:+.3f}")
    print(f"  {'intercept':18s} {model.intercept:+.3f}   threshold {threshold:.2f}")

    def report(label: str, part: Sequence[Row]) -> None:
        cr, fr, nu, na = outcome(model, part, threshold)
        floor = sum(r.floor_refused for r in part if r.answerable)
        print(
            f"{label}: correct refusals {cr:.3f} of {nu}, false refusals {fr:.3f} of {na} "
            f"({floor} of them below the similarity floor)"
        )

    report("fit half", fit_half)
    report("check half", check_half)
    print("trade-off on the check half (threshold, correct refusals, false refusals):")
    for t, cr, fr in curve(model, check_half):
        print(f"  {t:.2f} {cr:.3f} {fr:.3f}")
    for spec in args.check:
        data_dir, _, testset = spec.partition("=")
        other = collect(Path(data_dir), Path(testset))
        report(f"check library {Path(testset).name}", other)
        print("  its trade-off (threshold, correct refusals, false refusals):")
        for t, cr, fr in curve(model, other):
            print(f"  {t:.2f} {cr:.3f} {fr:.3f}")
    if args.write:
        import json

        MODEL_FILE.write_text(json.dumps(model.to_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
