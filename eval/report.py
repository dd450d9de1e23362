"""Human-readable views of an evaluation result."""

from __future__ import annotations

import math

from eval.runner import EvalResult

ROWS = [
    ("Retrieval (page level, answerable questions)", ["hit@1", "hit@5", "mrr", "ndcg@10"]),
    ("Retrieval (document level)", ["doc_hit@1", "doc_mrr"]),
    (
        "Answers",
        [
            "answers_citing_gold",
            "citations_verified",
            "answer_token_f1",
            "key_fact_recall",
            "share_answered",
            "share_partial",
            "share_no_answer",
        ],
    ),
    ("Abstention", ["abstention_accuracy", "false_refusal_rate"]),
    ("Latency", ["latency_p50_ms", "latency_p95_ms"]),
]


def _fmt(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def format_summary(result: EvalResult) -> str:
    s = result.summary
    lines = [
        f"{s['questions']} questions: {s['answerable']} answerable, "
        f"{s['unanswerable']} unanswerable"
    ]
    for title, keys in ROWS:
        lines.append(f"\n{title}")
        lines.extend(f"  {key:<22} {_fmt(s[key])}" for key in keys)
    misses = [r for r in result.items if r.answerable and (r.rank is None or r.rank > 5)]
    if misses:
        lines.append(f"\nAnswerable questions with no gold page in the top 5 ({len(misses)}):")
        lines.extend(f"  {r.id}: {r.question}" for r in misses[:15])
    return "\n".join(lines)
