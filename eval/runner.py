"""Run a test set through the assistant, score every answer, and summarise with uncertainty.

`run_testset` asks every question; `evaluate` turns scored items into an `EvalResult` whose
`to_dict()` is the run's JSON contract (see `EvalResult.to_dict`), read by the report, the
comparison and the run store.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from assistant.abstention import UNFAMILIAR_LIMIT
from assistant.types import Answer, Status
from eval import metrics
from eval.testset import TestItem

FORMAT = 1
DEFAULT_MIN_RELEVANCE = 0.30  # the operating thresholds the abstention curve marks; the CLI
DEFAULT_MIN_OVERLAP = 0.30  # passes the run's own Settings values
DEFAULT_FAMILIAR_RELEVANCE = 0.42
TYPE_ORDER = ("fact", "howto", "plain", "multi_doc", "follow_up", "unanswerable")


class Asker(Protocol):
    def ask(self, question: str, history: Sequence[str] = ()) -> Answer: ...


@dataclass(frozen=True, slots=True)
class Metric:
    """How a summary number is estimated and read.

    kind: "proportion" (a share of yes/no outcomes: Wilson interval), "mean" (mean of per-item
    scores: bootstrap interval), "latency" (a percentile: no interval), "count".
    better: "higher", "lower" or None where neither direction is better in itself.
    """

    kind: Literal["proportion", "mean", "latency", "count"]
    better: Literal["higher", "lower"] | None
    description: str


METRICS: dict[str, Metric] = {
    "questions": Metric("count", None, "questions in the run"),
    "answerable": Metric("count", None, "answerable questions"),
    "unanswerable": Metric("count", None, "unanswerable questions"),
    "pass_rate": Metric("proportion", "higher", "questions that pass (see ItemResult.passed)"),
    "hit@1": Metric("proportion", "higher", "answerable: a gold page ranked first"),
    "hit@5": Metric("proportion", "higher", "answerable: a gold page in the top 5 pages"),
    "mrr": Metric("mean", "higher", "answerable: mean of 1 / rank of the first gold page"),
    "ndcg@10": Metric("mean", "higher", "answerable: binary-relevance nDCG of the top 10 pages"),
    "doc_hit@1": Metric("proportion", "higher", "answerable: a gold document ranked first"),
    "doc_hit@5": Metric("proportion", "higher", "answerable: a gold document in the top 5"),
    "doc_mrr": Metric("mean", "higher", "answerable: mean of 1 / rank of the first gold document"),
    "answers_citing_gold": Metric("proportion", "higher", "answerable: cites a gold page"),
    "citation_page_precision": Metric(
        "mean", "higher", "answerable, cited something: |cited & gold| / |cited| pages"
    ),
    "citation_page_recall": Metric("mean", "higher", "answerable: |cited & gold| / |gold| pages"),
    "citations_verified": Metric("proportion", "higher", "citations whose quote is on the page"),
    "answer_token_f1": Metric("mean", "higher", "answerable: token F1 against the reference"),
    "key_fact_recall": Metric("mean", "higher", "answerable: reference facts the answer states"),
    "answer_first": Metric(
        "proportion", "higher", "answered: the first sentence states a key fact of the reference"
    ),
    "share_answered": Metric("proportion", None, "questions answered with all quotes verified"),
    "share_partial": Metric("proportion", "lower", "questions answered with an unverified quote"),
    "share_no_answer": Metric("proportion", None, "questions refused"),
    "abstention_accuracy": Metric("proportion", "higher", "unanswerable questions refused"),
    "false_refusal_rate": Metric("proportion", "lower", "answerable questions refused"),
    "latency_p50_ms": Metric("latency", "lower", "median time to a whole answer, ms"),
    "latency_p95_ms": Metric("latency", "lower", "95th-percentile time to a whole answer, ms"),
}


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One question's outcome. `passed` is the single yes/no an evaluator reads:
    an answerable question passes when it is answered (answered or partial), cites a gold page
    and every citation's quote was verified on its page; an unanswerable one passes when it is
    refused. `failure` says why not ("" when it passed)."""

    id: str
    type: str
    question: str
    answerable: bool
    status: str
    answer: str
    gold: list[tuple[str, int]]
    retrieved: list[tuple[str, int]]
    cited: list[tuple[str, int]]
    rank: int | None  # rank of the first gold page among retrieved pages
    doc_rank: int | None
    ndcg10: float
    cites_gold: bool
    citations_verified: int
    citations_total: int
    latency_ms: float
    token_f1: float = 0.0
    key_fact_recall: float | None = None
    answer_first: float | None = None  # answered: the first sentence states a key fact
    # n, document, source_file, page, page_label, quote, paragraph, verified, version, superseded
    citations: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, float] = field(default_factory=dict)  # relevance, coverage, missing
    passed: bool = False
    failure: str = ""


# Failure reasons, worded for the person reading the report.
REFUSED_ANSWERABLE = "refused an answerable question"
ANSWERED_UNANSWERABLE = "answered an unanswerable question"
NO_GOLD_IN_TOP_5 = "no gold page in the top 5"
CITED_NO_GOLD = "cited no gold page"
UNVERIFIED = "a citation failed verification"


def judge(
    answerable: bool,
    status: str,
    cites_gold: bool,
    rank: int | None,
    citations_verified: int,
    citations_total: int,
) -> tuple[bool, str]:
    """(passed, failure) for one answer; several failures are joined with "; ".

    A wrong answer that never saw a gold page is a retrieval failure ("no gold page in the top
    5"); one that saw it but cited elsewhere is a citation failure ("cited no gold page")."""
    if not answerable:
        refused = status == Status.NO_ANSWER.value
        return refused, "" if refused else ANSWERED_UNANSWERABLE
    if status == Status.NO_ANSWER.value:
        return False, REFUSED_ANSWERABLE
    reasons = []
    if not cites_gold:
        reasons.append(NO_GOLD_IN_TOP_5 if rank is None or rank > 5 else CITED_NO_GOLD)
    if citations_verified < citations_total:
        reasons.append(UNVERIFIED)
    return not reasons, "; ".join(reasons)


@dataclass
class EvalResult:
    items: list[ItemResult]
    summary: dict[str, Any] = field(default_factory=dict)
    intervals: dict[str, metrics.Interval | None] = field(default_factory=dict)
    by_type: dict[str, dict[str, Any]] = field(default_factory=dict)
    abstention_curve: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The run's JSON contract, already JSON-safe (NaN -> None, tuples -> lists):

            {"format": 1,
             "summary": {metric: value | None},
             "intervals": {metric: [lo, hi] | None},
             "by_type": {type: {"count": n, "summary": {...}, "intervals": {...}}},
             "abstention_curve": [{"sweep", "min_relevance", "min_overlap",
                                   "abstention_accuracy", "false_refusal_rate",
                                   "operating_point"}, ...],
             "items": [ItemResult fields, ...]}

        The CLI adds a top-level "run" key (id, started_at, testsets, library, settings)."""
        return jsonable(
            {
                "format": FORMAT,
                "summary": self.summary,
                "intervals": self.intervals,
                "by_type": self.by_type,
                "abstention_curve": self.abstention_curve,
                "items": self.items,
            }
        )

    def to_json(self) -> str:
        return dump(self.to_dict())


def jsonable(obj: Any) -> Any:
    """A copy that `json.dumps(..., allow_nan=False)` accepts: NaN and infinities become None,
    tuples lists, dataclasses dicts, paths strings."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if is_dataclass(obj) and not isinstance(obj, type):
        return jsonable(asdict(obj))
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return jsonable(obj.item())
    return obj


def dump(obj: Any) -> str:
    """NaN-safe, strict JSON (NaN -> null), indented, UTF-8 text kept readable."""
    return json.dumps(jsonable(obj), indent=2, ensure_ascii=False, allow_nan=False)


def history_for(item: TestItem, by_id: dict[str, TestItem]) -> list[str]:
    """Earlier questions of the conversation a follow-up belongs to, oldest first."""
    chain: list[str] = []
    current = item.follows
    while current is not None and current in by_id and len(chain) < 10:
        chain.insert(0, by_id[current].question)
        current = by_id[current].follows
    return chain


def score_item(item: TestItem, answer: Answer, latency_ms: float) -> ItemResult:
    gold = {(g.source_file, g.page) for g in item.gold}
    ranked = metrics.dedupe((h.chunk.source_file, h.chunk.page) for h in answer.retrieved)
    docs = metrics.dedupe((h.chunk.source_file, 0) for h in answer.retrieved)
    gold_docs = {(f, 0) for f, _ in gold}
    cited = [(c.source_file, c.page) for c in answer.citations]
    stated = "" if answer.status is Status.NO_ANSWER else answer.text
    rank = metrics.first_relevant_rank(ranked, gold)
    cites_gold = any(ref in gold for ref in cited)
    verified = sum(c.verified for c in answer.citations)
    passed, failure = judge(
        item.answerable, answer.status.value, cites_gold, rank, verified, len(answer.citations)
    )
    return ItemResult(
        id=item.id,
        type=item.type,
        question=item.question,
        answerable=item.answerable,
        status=answer.status.value,
        answer=answer.text,
        gold=sorted(gold),
        retrieved=ranked,
        cited=cited,
        rank=rank,
        doc_rank=metrics.first_relevant_rank(docs, gold_docs),
        ndcg10=metrics.ndcg_at(ranked, gold, 10),
        cites_gold=cites_gold,
        citations_verified=verified,
        citations_total=len(answer.citations),
        latency_ms=latency_ms,
        token_f1=metrics.token_f1(stated, item.reference_answer) if item.answerable else 0.0,
        key_fact_recall=(  # a refusal states no facts, whatever its text says
            metrics.key_fact_recall(stated, item.reference_answer) if item.answerable else None
        ),
        answer_first=(
            metrics.answer_first(stated, item.reference_answer) if item.answerable else None
        ),
        citations=[
            {
                "n": c.n,
                "document": c.document,
                "source_file": c.source_file,
                "page": c.page,
                "page_label": c.page_label,
                "quote": c.quote,
                "paragraph": c.paragraph,
                "verified": c.verified,
                "version": c.version,
                "superseded": c.superseded,
            }
            for c in answer.citations
        ],
        evidence=dict(answer.evidence),
        passed=passed,
        failure=failure,
    )


# -- summary ---------------------------------------------------------------------------------
def _flag(condition: bool) -> float:
    return 1.0 if condition else 0.0


def _refs(refs: Iterable[Sequence[Any]]) -> set[metrics.PageRef]:
    return {(str(r[0]), int(r[1])) for r in refs}


def per_item_values(results: Sequence[ItemResult]) -> dict[str, list[float]]:
    """For every proportion and mean metric, the per-item values its summary is the mean of
    (0/1 for proportions; for citations_verified, one 0/1 per citation)."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    precision = [metrics.citation_page_precision(_refs(r.cited), _refs(r.gold)) for r in answerable]
    recall = [metrics.citation_page_recall(_refs(r.cited), _refs(r.gold)) for r in answerable]
    verified = sum(r.citations_verified for r in results)
    total = sum(r.citations_total for r in results)
    refused = Status.NO_ANSWER.value
    return {
        "pass_rate": [_flag(r.passed) for r in results],
        "hit@1": [metrics.hit_at(r.rank, 1) for r in answerable],
        "hit@5": [metrics.hit_at(r.rank, 5) for r in answerable],
        "mrr": [metrics.reciprocal_rank(r.rank) for r in answerable],
        "ndcg@10": [r.ndcg10 for r in answerable],
        "doc_hit@1": [metrics.hit_at(r.doc_rank, 1) for r in answerable],
        "doc_hit@5": [metrics.hit_at(r.doc_rank, 5) for r in answerable],
        "doc_mrr": [metrics.reciprocal_rank(r.doc_rank) for r in answerable],
        "answers_citing_gold": [_flag(r.cites_gold) for r in answerable],
        "citation_page_precision": metrics.finite(precision),
        "citation_page_recall": metrics.finite(recall),
        "citations_verified": [1.0] * verified + [0.0] * (total - verified),
        "answer_token_f1": [r.token_f1 for r in answerable],
        "key_fact_recall": metrics.finite(r.key_fact_recall for r in answerable),
        "answer_first": metrics.finite(r.answer_first for r in answerable),
        "share_answered": [_flag(r.status == Status.ANSWERED.value) for r in results],
        "share_partial": [_flag(r.status == Status.PARTIAL.value) for r in results],
        "share_no_answer": [_flag(r.status == refused) for r in results],
        "abstention_accuracy": [_flag(r.status == refused) for r in unanswerable],
        "false_refusal_rate": [_flag(r.status == refused) for r in answerable],
    }


def summarise(results: Sequence[ItemResult]) -> dict[str, Any]:
    """Every metric in METRICS, in its order; NaN where a metric's group is empty."""
    values = per_item_values(results)
    latencies = [r.latency_ms for r in results]
    answerable = sum(1 for r in results if r.answerable)
    special = {
        "questions": len(results),
        "answerable": answerable,
        "unanswerable": len(results) - answerable,
        "latency_p50_ms": metrics.percentile(latencies, 50),
        "latency_p95_ms": metrics.percentile(latencies, 95),
    }
    return {
        name: special[name] if name in special else metrics.mean(values[name]) for name in METRICS
    }


def intervals(results: Sequence[ItemResult]) -> dict[str, metrics.Interval | None]:
    """95% intervals: Wilson for proportions, a seeded percentile bootstrap for means of
    per-item scores, None for latencies and where a group is empty."""
    values = per_item_values(results)
    out: dict[str, metrics.Interval | None] = {}
    for name, metric in METRICS.items():
        if metric.kind == "proportion":
            v = values[name]
            out[name] = metrics.wilson_interval(round(sum(v)), len(v))
        elif metric.kind == "mean":
            out[name] = metrics.bootstrap_interval(values[name])
        elif metric.kind == "latency":
            out[name] = None
    return out


def by_type(results: Sequence[ItemResult]) -> dict[str, dict[str, Any]]:
    """{type: {"count", "summary", "intervals"}} in the test set's usual type order."""
    types = {r.type for r in results}
    ordered = [t for t in TYPE_ORDER if t in types] + sorted(types - set(TYPE_ORDER))
    out = {}
    for qtype in ordered:
        group = [r for r in results if r.type == qtype]
        out[qtype] = {
            "count": len(group),
            "summary": summarise(group),
            "intervals": intervals(group),
        }
    return out


def _grid(start: float, stop: float, step: float, extra: float) -> list[float]:
    count = round((stop - start) / step)
    return sorted({round(start + i * step, 4) for i in range(count + 1)} | {round(extra, 4)})


def abstention_curve(
    results: Sequence[ItemResult],
    min_relevance: float = DEFAULT_MIN_RELEVANCE,
    min_overlap: float = DEFAULT_MIN_OVERLAP,
    familiar: float = DEFAULT_FAMILIAR_RELEVANCE,
) -> list[dict[str, Any]]:
    """What abstention accuracy and the false-refusal rate would be at other thresholds.

    An item counts as answered at (r, o) iff its evidence has no missing names/figures,
    relevance >= r and coverage >= o, and, below `familiar`, fewer than UNFAMILIAR_LIMIT words
    the library never uses (the rule the chain applies; a refusal for another reason,
    such as a backend declining, is not modelled). Two sweeps: relevance floor 0.30..0.70 step
    0.02 at the run's key-term share, and key-term share 0.00..0.60 step 0.05 at the run's
    floor; the run's own (min_relevance, min_overlap) is in both and flagged "operating_point".
    Items without evidence signals are skipped; [] when none has them."""
    scored = [r for r in results if "relevance" in r.evidence and "coverage" in r.evidence]
    if not scored:
        return []

    def refuses(r: ItemResult, floor: float, share: float) -> bool:
        e = r.evidence
        strange = e.get("unfamiliar", 0.0) >= UNFAMILIAR_LIMIT and e["relevance"] < familiar
        return (
            bool(e.get("missing", 0.0))
            or e["relevance"] < floor
            or e["coverage"] < share
            or strange
        )

    def point(sweep: str, floor: float, share: float) -> dict[str, Any]:
        refused = [(r.answerable, _flag(refuses(r, floor, share))) for r in scored]
        return {
            "sweep": sweep,
            "min_relevance": floor,
            "min_overlap": share,
            "abstention_accuracy": metrics.mean([f for answerable, f in refused if not answerable]),
            "false_refusal_rate": metrics.mean([f for answerable, f in refused if answerable]),
            "operating_point": math.isclose(floor, min_relevance, abs_tol=1e-4)
            and math.isclose(share, min_overlap, abs_tol=1e-4),
        }

    curve = [point("relevance", r, min_overlap) for r in _grid(0.30, 0.70, 0.02, min_relevance)]
    curve += [point("overlap", min_relevance, o) for o in _grid(0.0, 0.60, 0.05, min_overlap)]
    return curve


def evaluate(
    results: Sequence[ItemResult],
    *,
    min_relevance: float = DEFAULT_MIN_RELEVANCE,
    min_overlap: float = DEFAULT_MIN_OVERLAP,
    familiar: float = DEFAULT_FAMILIAR_RELEVANCE,
) -> EvalResult:
    """Everything a report needs from scored items: summary, intervals, per type, curve."""
    items = list(results)
    return EvalResult(
        items,
        summarise(items),
        intervals(items),
        by_type(items),
        abstention_curve(items, min_relevance, min_overlap, familiar),
    )


def run_testset(
    asker: Asker,
    items: Sequence[TestItem],
    progress: Callable[[], Any] | None = None,
    *,
    min_relevance: float = DEFAULT_MIN_RELEVANCE,
    min_overlap: float = DEFAULT_MIN_OVERLAP,
    familiar: float = DEFAULT_FAMILIAR_RELEVANCE,
) -> EvalResult:
    """Ask every question (follow-ups with their conversation) and score the answers.
    Pass the thresholds the asker runs with, so the abstention curve marks the right point."""
    by_id = {i.id: i for i in items}
    results: list[ItemResult] = []
    for item in items:
        started = time.perf_counter()
        answer = asker.ask(item.question, history=history_for(item, by_id))
        elapsed = (time.perf_counter() - started) * 1000
        results.append(score_item(item, answer, elapsed))
        if progress is not None:
            progress()
    return evaluate(
        results, min_relevance=min_relevance, min_overlap=min_overlap, familiar=familiar
    )
