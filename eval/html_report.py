"""A self-contained HTML report of one evaluation run: headline numbers with 95% intervals,
four plots, an optional comparison with an earlier run, and every question, failures first.

The folder `write_report` fills (index.html + report.json) can be zipped and mailed: plots are
inline PNG data URIs, styles are inline, nothing is fetched. Question and answer text is data,
so the template escapes everything (jinja2 autoescape on, no `|safe`).

Plots use matplotlib's object API (`Figure`, not pyplot): nothing is registered globally, so a
long-running server neither leaks figures nor shares state between threads.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.records import Comparison
from eval.report import HEADLINE, ROWS, TYPE_COLUMNS, fmt, fmt_delta, fmt_interval
from eval.runner import METRICS, dump

if TYPE_CHECKING:
    import jinja2
    from matplotlib.figure import Figure

TEMPLATES = Path(__file__).with_name("templates")
LABELS = {
    "pass_rate": "pass rate",
    "hit@1": "hit@1",
    "hit@5": "hit@5",
    "mrr": "MRR",
    "ndcg@10": "nDCG@10",
    "doc_hit@1": "document hit@1",
    "doc_hit@5": "document hit@5",
    "doc_mrr": "document MRR",
    "answers_citing_gold": "answers citing a gold page",
    "citation_page_precision": "citation page precision",
    "citation_page_recall": "citation page recall",
    "citations_verified": "citations verified",
    "answer_token_f1": "answer token F1",
    "key_fact_recall": "key-fact recall",
    "answer_first": "answer first (first sentence states a key fact)",
    "share_answered": "answered",
    "share_partial": "partial",
    "share_no_answer": "refused (no answer)",
    "abstention_accuracy": "abstention accuracy",
    "false_refusal_rate": "false-refusal rate",
    "latency_p50_ms": "latency p50",
    "latency_p95_ms": "latency p95",
}
COLOURS = ["#1f5f8b", "#e08a1e", "#3c8d3c"]


# -- data helpers -----------------------------------------------------------------------------
def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if math.isnan(value) else float(value)


def _answerable(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in run.get("items") or [] if i.get("answerable")]


def _png(fig: Figure) -> str:
    """The figure as a PNG data URI; the figure is cleared afterwards."""
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=100)
    finally:
        fig.clear()
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width: float, height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


# -- plots: each takes the run dict and returns a PNG data URI, or None without data ------------
def plot_scores(run: dict[str, Any]) -> str | None:
    """Histograms of the per-question scores of answerable questions: reciprocal rank of the
    first gold page, nDCG@10, answer token F1 and key-fact recall (mean marked)."""
    items = _answerable(run)
    if not items:
        return None
    series = [
        ("reciprocal rank", [1 / i["rank"] if i.get("rank") else 0.0 for i in items]),
        ("nDCG@10", [_num(i.get("ndcg10")) for i in items]),
        ("answer token F1", [_num(i.get("token_f1")) for i in items]),
        ("key-fact recall", [_num(i.get("key_fact_recall")) for i in items]),
    ]
    fig = _figure(11, 2.8)
    axes = fig.subplots(1, len(series), sharey=True)
    bins = [b / 10 for b in range(11)]
    for ax, (title, raw) in zip(axes, series, strict=True):
        values = [v for v in raw if v is not None]
        ax.hist(values, bins=bins, color=COLOURS[0], edgecolor="white")
        if values:
            average = sum(values) / len(values)
            ax.axvline(average, color=COLOURS[1], linestyle="--", label=f"mean {average:.2f}")
            ax.legend(loc="upper center", fontsize=8, frameon=False)
        ax.set_title(title, fontsize=10)
        ax.set_xlim(0, 1)
        ax.set_xlabel("score", fontsize=8)
    axes[0].set_ylabel("answerable questions", fontsize=8)
    return _png(fig)


def plot_types(run: dict[str, Any]) -> str | None:
    """Per question type: hit@5, answers citing a gold page and pass rate, with 95% Wilson
    intervals as error bars (unanswerable questions have only a pass rate)."""
    by_type = run.get("by_type") or {}
    if not by_type:
        return None
    metrics = [
        ("hit@5", "hit@5"),
        ("answers_citing_gold", "cites a gold page"),
        ("pass_rate", "pass rate"),
    ]
    types = list(by_type)
    width = 0.8 / len(metrics)
    fig = _figure(max(6.0, 1.3 * len(types) + 2), 3.4)
    ax = fig.subplots()
    for k, (metric, label) in enumerate(metrics):
        xs, heights, low, high = [], [], [], []
        for t, qtype in enumerate(types):
            group = by_type[qtype]
            value = _num((group.get("summary") or {}).get(metric))
            if value is None:
                continue
            ci = (group.get("intervals") or {}).get(metric) or [value, value]
            lo, hi = _num(ci[0]), _num(ci[1])
            xs.append(t + (k - (len(metrics) - 1) / 2) * width)
            heights.append(value)
            low.append(max(0.0, value - (value if lo is None else lo)))
            high.append(max(0.0, (value if hi is None else hi) - value))
        ax.bar(xs, heights, width, yerr=[low, high], capsize=2, label=label, color=COLOURS[k])
    ax.set_xticks(range(len(types)))
    ax.set_xticklabels([f"{t}\n(n={by_type[t].get('count', 0)})" for t in types], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of questions")
    fig.legend(loc="outside upper center", fontsize=8, ncol=len(metrics), frameon=False)
    return _png(fig)


def plot_latency(run: dict[str, Any]) -> str | None:
    """Histogram of whole-answer latency per question, with p50 and p95 marked. Outliers past
    three times the p95 (a cold start, say) are counted in the last bin, so they do not
    squash the rest of the histogram."""
    latencies = [v for i in run.get("items") or [] if (v := _num(i.get("latency_ms"))) is not None]
    if not latencies:
        return None
    summary = run.get("summary") or {}
    p95 = _num(summary.get("latency_p95_ms")) or max(latencies)
    limit = max(3 * p95, 1.0)
    outliers = [v for v in latencies if v > limit]
    shown = [min(v, limit) for v in latencies]
    fig = _figure(6, 3)
    ax = fig.subplots()
    bins = min(40, max(5, len(latencies) // 4))
    ax.hist(shown, bins=bins, color=COLOURS[0], edgecolor="white")
    marks = (("latency_p50_ms", "p50", COLOURS[1], "--"), ("latency_p95_ms", "p95", "#b03030", ":"))
    for key, name, colour, style in marks:
        value = _num(summary.get(key))
        if value is not None:
            ax.axvline(value, color=colour, linestyle=style, label=f"{name} {value:.0f} ms")
    if outliers:
        ax.annotate(
            f"{len(outliers)} slower than {limit:.0f} ms\n(up to {max(outliers):.0f} ms)",
            xy=(1, 0.6),
            xycoords="axes fraction",
            ha="right",
            fontsize=8,
        )
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("questions")
    ax.legend(fontsize=8)
    return _png(fig)


def plot_abstention(run: dict[str, Any]) -> str | None:
    """The abstention trade-off: false-refusal rate (x) against abstention accuracy (y) as the
    similarity floor or the key-term share moves; the run's operating point is starred."""
    curve = [
        p
        for p in run.get("abstention_curve") or []
        if _num(p.get("false_refusal_rate")) is not None
        and _num(p.get("abstention_accuracy")) is not None
    ]
    if not curve:
        return None
    fig = _figure(6, 4)
    ax = fig.subplots()
    sweeps = (
        ("relevance", "similarity floor", "min_relevance", "floor"),
        ("overlap", "key-term share", "min_overlap", "share"),
    )
    for k, (sweep, label, key, short) in enumerate(sweeps):
        points = [p for p in curve if p.get("sweep") == sweep]
        if not points:
            continue
        points.sort(key=lambda p: p[key])
        xs = [p["false_refusal_rate"] for p in points]
        ys = [p["abstention_accuracy"] for p in points]
        ax.plot(xs, ys, marker="o", markersize=3, color=COLOURS[k], label=f"varying the {label}")
        for p in (points[0], points[-1]):
            ax.annotate(
                f"{short} {p[key]:.2f}",
                (p["false_refusal_rate"], p["abstention_accuracy"]),
                textcoords="offset points",
                xytext=(4, -10 if k else 4),
                fontsize=7,
                color=COLOURS[k],
            )
    operating = next((p for p in curve if p.get("operating_point")), None)
    if operating is not None:
        ax.plot(
            [operating["false_refusal_rate"]],
            [operating["abstention_accuracy"]],
            marker="*",
            markersize=14,
            color="#b03030",
            linestyle="none",
            label=(
                f"operating point (floor {operating['min_relevance']:.2f}, "
                f"share {operating['min_overlap']:.2f})"
            ),
        )
    ax.margins(x=0.12)
    ax.set_xlim(left=-0.02)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("false-refusal rate (answerable questions refused)")
    ax.set_ylabel("abstention accuracy\n(unanswerable questions refused)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return _png(fig)


PLOTS: list[tuple[str, str, Callable[[dict[str, Any]], str | None]]] = [
    ("plot-scores", "Per-question scores", plot_scores),
    ("plot-types", "By question type", plot_types),
    ("plot-latency", "Latency", plot_latency),
    ("plot-abstention", "Abstention trade-off", plot_abstention),
]


# -- page --------------------------------------------------------------------------------------
@cache
def _environment() -> jinja2.Environment:
    import jinja2

    # autoescape=True, not select_autoescape: the template's name ends in .j2, not .html
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _metric_row(name: str, summary: dict[str, Any], intervals: dict[str, Any]) -> dict[str, str]:
    metric = METRICS.get(name)
    return {
        "name": name,
        "label": LABELS.get(name, name),
        "value": fmt(summary.get(name), name),
        "interval": fmt_interval(intervals.get(name)),
        "description": metric.description if metric else "",
    }


def _meta(run: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, text or list of texts) pairs for whatever run metadata is present."""
    meta = run.get("run") or {}
    if not isinstance(meta, dict):
        return []
    rows: list[tuple[str, Any]] = []
    for key, value in meta.items():
        if key == "testsets" and isinstance(value, list):
            value = [
                ", ".join(f"{k}: {v}" for k, v in t.items()) if isinstance(t, dict) else str(t)
                for t in value
            ]
        elif isinstance(value, dict):
            value = [f"{k}: {_plain(v)}" for k, v in value.items()]
        elif isinstance(value, list):
            value = [_plain(v) for v in value]
        else:
            value = _plain(value)
        rows.append((key.replace("_", " "), value))
    return rows


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return fmt(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return "" if value is None else str(value)


def _question_rows(run: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for item in run.get("items") or []:
        gold = {(str(g[0]), int(g[1])) for g in item.get("gold") or []}
        citations = [
            {
                "n": c.get("n", ""),
                "document": c.get("document") or c.get("source_file", ""),
                "page_label": c.get("page_label") or c.get("page", ""),
                "quote": c.get("quote", ""),
                "verified": bool(c.get("verified")),
                "superseded": c.get("superseded") or "",
                "gold": (str(c.get("source_file")), int(c.get("page") or 0)) in gold,
            }
            for c in item.get("citations") or []
        ]
        rows.append(
            {
                "id": item.get("id", ""),
                "type": item.get("type", ""),
                "question": item.get("question", ""),
                "status": item.get("status", ""),
                "answer": item.get("answer", ""),
                "citations": citations,
                "gold": [f"{f} p. {p}" for f, p in sorted(gold)],
                "rank": item.get("rank"),
                "passed": bool(item.get("passed")),
                "failure": item.get("failure") or "",
            }
        )
    rows.sort(key=lambda r: r["passed"])  # stable: failures first, each in test-set order
    return rows


def _comparison_context(comparison: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for name, change in (comparison.get("metrics") or {}).items():
        metric = METRICS.get(name)
        if metric is not None and metric.kind == "count" and change.get("direction") == "same":
            continue
        rows.append(
            {
                "label": LABELS.get(name, name),
                "before": fmt(change.get("before"), name),
                "after": fmt(change.get("after"), name),
                "delta": fmt_delta(change.get("delta"), name),
                "direction": change.get("direction", "same"),
            }
        )
    rank = {"worse": 0, "better": 1, "changed": 2, "same": 3}
    rows.sort(key=lambda r: rank.get(r["direction"], 4))
    items = comparison.get("items") or {}
    return {
        "previous": comparison.get("previous") or "the earlier run",
        "sentence": Comparison.from_dict(comparison).questions_sentence(),
        "notes": comparison.get("notes") or [],
        "counts": comparison.get("counts") or {},
        "metrics": rows,
        "newly_failing": items.get("newly_failing") or [],
        "newly_passing": items.get("newly_passing") or [],
        "changed_answers": items.get("changed_answers") or [],
        "only_current": items.get("only_current") or [],
        "only_previous": items.get("only_previous") or [],
    }


def render_html(run: dict[str, Any], comparison: dict[str, Any] | None = None) -> str:
    """The report page as a string (see the module docstring)."""
    summary = run.get("summary") or {}
    intervals = run.get("intervals") or {}
    meta = run.get("run") or {}
    by_type = run.get("by_type") or {}
    questions = _question_rows(run)
    context = {
        "title": f"Evaluation run {meta.get('id')}" if meta.get("id") else "Evaluation run",
        "meta": _meta(run),
        "counts": {
            "questions": summary.get("questions", len(questions)),
            "answerable": summary.get("answerable", 0),
            "unanswerable": summary.get("unanswerable", 0),
            "failed": sum(1 for q in questions if not q["passed"]),
        },
        "headline": [_metric_row(m, summary, intervals) for m in HEADLINE if m in summary],
        "sections": [
            (title, [_metric_row(m, summary, intervals) for m in keys if m in summary])
            for title, keys in ROWS
        ],
        "type_columns": [LABELS.get(c, c) for c in TYPE_COLUMNS],
        "types": [
            {
                "name": qtype,
                "count": group.get("count", 0),
                "cells": [
                    {
                        "value": fmt((group.get("summary") or {}).get(c), c),
                        "interval": fmt_interval((group.get("intervals") or {}).get(c)),
                    }
                    for c in TYPE_COLUMNS
                ],
            }
            for qtype, group in by_type.items()
        ],
        "plots": [
            {
                "id": plot_id,
                "title": title,
                "src": draw(run),
                "caption": (draw.__doc__ or "").split("\n\n")[0],
            }
            for plot_id, title, draw in PLOTS
        ],
        "comparison": _comparison_context(comparison) if comparison else None,
        "questions": questions,
    }
    return _environment().get_template("report.html.j2").render(**context)


def write_report(
    run: dict[str, Any], out_dir: Path, comparison: dict[str, Any] | None = None
) -> Path:
    """Write out_dir/report.json (the run, NaN as null), out_dir/comparison.json when given,
    and out_dir/index.html; return the HTML path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(dump(run), encoding="utf-8")
    if comparison is not None:
        (out_dir / "comparison.json").write_text(dump(comparison), encoding="utf-8")
    html = out_dir / "index.html"
    html.write_text(render_html(run, comparison), encoding="utf-8")
    return html
