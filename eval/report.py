"""Plain-text views of an evaluation run, for the terminal and CI logs, and the metric lists
every view of a run shares (ROWS, TYPE_COLUMNS and the one HEADLINE list)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from eval.records import Comparison, EvalRun
from eval.runner import EvalResult

ROWS = [
    ("Overall", ["pass_rate"]),
    ("Retrieval (page level, answerable questions)", ["hit@1", "hit@5", "mrr", "ndcg@10"]),
    ("Retrieval (document level)", ["doc_hit@1", "doc_hit@5", "doc_mrr"]),
    (
        "Citations",
        [
            "answers_citing_gold",
            "citation_page_precision",
            "citation_page_recall",
            "citations_verified",
        ],
    ),
    (
        "Answers",
        [
            "answer_token_f1",
            "key_fact_recall",
            "answer_first",
            "share_answered",
            "share_partial",
            "share_no_answer",
        ],
    ),
    ("Abstention", ["abstention_accuracy", "false_refusal_rate"]),
    ("Latency", ["latency_p50_ms", "latency_p95_ms"]),
]
TYPE_COLUMNS = ["hit@5", "mrr", "answers_citing_gold", "abstention_accuracy", "pass_rate"]
# The headline metrics, in order, with the plain words the Evaluate tab shows for them: the
# report's headline, the Evaluate tab's table and the run store's listing all read this one list.
HEADLINE = {
    "pass_rate": "questions passed",
    "hit@5": "gold page in the top 5",
    "mrr": "MRR",
    "answers_citing_gold": "answers citing a gold page",
    "citations_verified": "citations verified",
    "key_fact_recall": "key-fact recall",
    "abstention_accuracy": "unanswerable questions refused",
    "false_refusal_rate": "answerable questions refused",
    "latency_p95_ms": "latency p95 (ms)",
}


def fmt(value: Any, metric: str = "") -> str:
    """3 decimals for rates and scores, whole milliseconds for latencies, n/a for no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if metric.endswith("_ms"):
        return f"{value:.0f} ms"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def fmt_interval(interval: Any) -> str:
    if not interval or any(v is None for v in interval):
        return ""
    return f"[{interval[0]:.3f}, {interval[1]:.3f}]"


def fmt_delta(delta: Any, metric: str = "") -> str:
    """A change in a metric, as every view of a comparison shows it: latencies in plain words
    with their unit ("55.5 ms slower", "3.0 ms faster"), the rest signed to 3 decimals."""
    if delta is None or (isinstance(delta, float) and math.isnan(delta)):
        return ""
    if metric.endswith("_ms"):
        if round(delta, 1) == 0:
            return "no change in ms"
        return f"{abs(delta):.1f} ms {'slower' if delta > 0 else 'faster'}"
    return f"{delta:+.3f}"


def _run_header(run: EvalRun) -> list[str]:
    meta = run.meta
    lines = []
    if meta:
        lines.append(f"Run {meta.id or '?'}" + (f", {meta.started_at}" if meta.started_at else ""))
        if meta.testsets:
            names = [
                t.get("name") or t.get("path") if isinstance(t, Mapping) else t
                for t in meta.testsets
            ]
            lines.append("Test sets: " + ", ".join(str(n) for n in names))
        if meta.library:
            lines.append(
                "Library: "
                + ", ".join(
                    f"{v} {k}" for k, v in meta.library.items() if not isinstance(v, (dict, list))
                )
            )
    s = run.summary
    lines.append(
        f"{s.get('questions', 0)} questions: {s.get('answerable', 0)} answerable, "
        f"{s.get('unanswerable', 0)} unanswerable"
    )
    return lines


def _metric_lines(summary: Mapping[str, Any], intervals: Mapping[str, Any]) -> list[str]:
    lines = []
    for title, keys in ROWS:
        present = [k for k in keys if k in summary]
        if not present:
            continue
        lines.append(f"\n{title}")
        for key in present:
            ci = fmt_interval(intervals.get(key))
            lines.append(f"  {key:<24} {fmt(summary[key], key):>8}  {ci}".rstrip())
    return lines


def _type_lines(by_type: Mapping[str, Any]) -> list[str]:
    if not by_type:
        return []
    lines = [
        "\nBy question type",
        f"  {'type':<14} {'n':>4}  " + "  ".join(f"{c:>10}" for c in _short(TYPE_COLUMNS)),
    ]
    for qtype, group in by_type.items():
        s = group.get("summary") or {}
        cells = "  ".join(f"{fmt(s.get(c)):>10}" for c in TYPE_COLUMNS)
        lines.append(f"  {qtype:<14} {group.get('count', 0):>4}  {cells}")
    return lines


def _short(names: list[str]) -> list[str]:
    aliases = {"answers_citing_gold": "cites gold", "abstention_accuracy": "abstention"}
    return [aliases.get(n, n) for n in names]


def _comparison_lines(comparison: Comparison) -> list[str]:
    previous = comparison.previous or "the earlier run"
    lines = [f"\nCompared with {previous}"]
    lines.extend(f"  note: {n}" for n in comparison.notes)
    for label, direction in (("Better", "better"), ("Worse", "worse")):
        moved = comparison.moved(direction)
        lines.append(f"  {label}:" + ("" if moved else " none"))
        lines.extend(
            f"    {m:<24} {fmt(c['before'], m):>8} -> {fmt(c['after'], m):>8}  "
            f"({fmt_delta(c['delta'], m)})"
            for m, c in moved
        )
    lines.append(f"  Questions: {comparison.questions_sentence()}")
    for key, label in (("newly_failing", "Newly failing"), ("newly_passing", "Newly passing")):
        listed = comparison.items.get(key) or ()
        if listed:
            lines.append(f"  {label}:")
            lines.extend(
                f"    {i['id']}: {i.get('question', '')}"
                + (f"  ({i['failure']})" if i.get("failure") else "")
                for i in listed[:15]
            )
            if len(listed) > 15:
                lines.append(f"    ... and {len(listed) - 15} more")
    return lines


def format_run(run: EvalRun, comparison: Comparison | None = None) -> str:
    """The run as text: its metadata when present, every metric with its 95% interval, a
    per-type table, the failing questions, and what changed against an earlier run."""
    lines = _run_header(run)
    lines.extend(_metric_lines(run.summary, run.intervals))
    lines.extend(_type_lines(run.by_type))
    failing = run.failing
    if failing:
        lines.append(f"\nFailing questions ({len(failing)}):")
        lines.extend(
            f"  {i['id']}: {i.get('failure', '')}  | {i.get('question', '')}" for i in failing[:15]
        )
        if len(failing) > 15:
            lines.append(f"  ... and {len(failing) - 15} more (see the HTML report)")
    if comparison:
        lines.extend(_comparison_lines(comparison))
    return "\n".join(lines)


def format_summary_dict(run: dict[str, Any], comparison: dict[str, Any] | None = None) -> str:
    """format_run on a run's JSON (report.json) and, optionally, comparison.json."""
    return format_run(
        EvalRun.from_dict(run), Comparison.from_dict(comparison) if comparison else None
    )


def format_summary(result: EvalResult) -> str:
    """The text summary of a fresh result (see format_run)."""
    return format_summary_dict(result.to_dict())
