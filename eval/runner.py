"""Run a test set through the assistant and score every answer."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from assistant.types import Answer, Status
from eval import metrics
from eval.testset import TestItem


class Asker(Protocol):
    def ask(self, question: str, history: Sequence[str] = ()) -> Answer: ...


@dataclass(frozen=True, slots=True)
class ItemResult:
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


@dataclass
class EvalResult:
    items: list[ItemResult]
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "items": [asdict(i) for i in self.items]}


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
        rank=metrics.first_relevant_rank(ranked, gold),
        doc_rank=metrics.first_relevant_rank(docs, gold_docs),
        ndcg10=metrics.ndcg_at(ranked, gold, 10),
        cites_gold=any(ref in gold for ref in cited),
        citations_verified=sum(c.verified for c in answer.citations),
        citations_total=len(answer.citations),
        latency_ms=latency_ms,
        token_f1=metrics.token_f1(stated, item.reference_answer) if item.answerable else 0.0,
        key_fact_recall=(  # a refusal states no facts, whatever its text says
            metrics.key_fact_recall(stated, item.reference_answer) if item.answerable else None
        ),
    )


def summarise(results: Sequence[ItemResult]) -> dict[str, Any]:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    latencies = [r.latency_ms for r in results]
    total_citations = sum(r.citations_total for r in results)
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "hit@1": metrics.mean([metrics.hit_at(r.rank, 1) for r in answerable]),
        "hit@5": metrics.mean([metrics.hit_at(r.rank, 5) for r in answerable]),
        "mrr": metrics.mean([metrics.reciprocal_rank(r.rank) for r in answerable]),
        "ndcg@10": metrics.mean([r.ndcg10 for r in answerable]),
        "doc_hit@1": metrics.mean([metrics.hit_at(r.doc_rank, 1) for r in answerable]),
        "doc_mrr": metrics.mean([metrics.reciprocal_rank(r.doc_rank) for r in answerable]),
        "answers_citing_gold": metrics.mean([1.0 if r.cites_gold else 0.0 for r in answerable]),
        "citations_verified": (
            sum(r.citations_verified for r in results) / total_citations
            if total_citations
            else float("nan")
        ),
        "answer_token_f1": metrics.mean([r.token_f1 for r in answerable]),
        "key_fact_recall": metrics.mean(
            [r.key_fact_recall for r in answerable if r.key_fact_recall is not None]
        ),
        "share_answered": metrics.mean([1.0 if r.status == "answered" else 0.0 for r in results]),
        "share_partial": metrics.mean([1.0 if r.status == "partial" else 0.0 for r in results]),
        "share_no_answer": metrics.mean([1.0 if r.status == "no_answer" else 0.0 for r in results]),
        "abstention_accuracy": metrics.mean(
            [1.0 if r.status == Status.NO_ANSWER.value else 0.0 for r in unanswerable]
        ),
        "false_refusal_rate": metrics.mean(
            [1.0 if r.status == Status.NO_ANSWER.value else 0.0 for r in answerable]
        ),
        "latency_p50_ms": metrics.percentile(latencies, 50),
        "latency_p95_ms": metrics.percentile(latencies, 95),
    }


def run_testset(
    asker: Asker, items: Sequence[TestItem], progress: Callable[[], Any] | None = None
) -> EvalResult:
    by_id = {i.id: i for i in items}
    results: list[ItemResult] = []
    for item in items:
        started = time.perf_counter()
        answer = asker.ask(item.question, history=history_for(item, by_id))
        elapsed = (time.perf_counter() - started) * 1000
        results.append(score_item(item, answer, elapsed))
        if progress is not None:
            progress()
    return EvalResult(results, summarise(results))
