"""Pass/fail rules, summaries with intervals, per-type groups and the abstention curve, on
hand-made results whose numbers are known."""

from __future__ import annotations

import json
import math

import pytest

from assistant.types import Answer, Chunk, Citation, Hit, Status
from eval.report import format_summary, format_summary_dict
from eval.runner import (
    ANSWERED_UNANSWERABLE,
    CITED_NO_GOLD,
    NO_GOLD_IN_TOP_5,
    REFUSED_ANSWERABLE,
    UNVERIFIED,
    EvalResult,
    ItemResult,
    abstention_curve,
    by_type,
    evaluate,
    intervals,
    judge,
    run_testset,
    score_item,
    summarise,
)
from eval.testset import Gold, TestItem

pytestmark = pytest.mark.unit
A1, A2, B1 = ("a.pdf", 1), ("a.pdf", 2), ("b.pdf", 1)


def result(
    id="q",
    type=None,
    answerable=True,
    status="answered",
    gold=(A1,),
    cited=(A1,),
    rank=1,
    verified=None,
    latency=100.0,
    evidence=None,
    **scores,
):
    """An ItemResult judged by the runner's own rule."""
    gold, cited = list(gold) if answerable else [], list(cited)
    cites_gold = any(c in gold for c in cited)
    verified = len(cited) if verified is None else verified
    passed, failure = judge(answerable, status, cites_gold, rank, verified, len(cited))
    return ItemResult(
        id=id,
        type=type or ("fact" if answerable else "unanswerable"),
        question=f"question {id}?",
        answerable=answerable,
        status=status,
        answer=f"answer {id}",
        gold=gold,
        retrieved=[],
        cited=cited,
        rank=rank if answerable else None,
        doc_rank=scores.pop("doc_rank", rank if answerable else None),
        ndcg10=scores.pop("ndcg10", 1.0 if rank == 1 else 0.0),
        cites_gold=cites_gold,
        citations_verified=verified,
        citations_total=len(cited),
        latency_ms=latency,
        evidence=evidence or {},
        passed=passed,
        failure=failure,
        **scores,
    )


def refused(id="r", answerable=False, **kw):
    return result(id=id, answerable=answerable, status="no_answer", cited=(), **kw)


# -- pass / fail ------------------------------------------------------------------------------
def test_judge_answerable_rules_and_reasons():
    assert judge(True, "answered", True, 1, 2, 2) == (True, "")
    assert judge(True, "partial", True, 1, 2, 2) == (True, "")
    assert judge(True, "no_answer", False, 1, 0, 0) == (False, REFUSED_ANSWERABLE)
    assert judge(True, "answered", False, 3, 1, 1) == (False, CITED_NO_GOLD)
    assert judge(True, "answered", False, 6, 1, 1) == (False, NO_GOLD_IN_TOP_5)
    assert judge(True, "answered", False, None, 1, 1) == (False, NO_GOLD_IN_TOP_5)
    assert judge(True, "partial", True, 1, 1, 2) == (False, UNVERIFIED)
    assert judge(True, "partial", False, 2, 0, 1) == (False, f"{CITED_NO_GOLD}; {UNVERIFIED}")


def test_judge_unanswerable_passes_only_when_refused():
    assert judge(False, "no_answer", False, None, 0, 0) == (True, "")
    assert judge(False, "answered", False, None, 1, 1) == (False, ANSWERED_UNANSWERABLE)
    assert judge(False, "partial", False, None, 0, 1) == (False, ANSWERED_UNANSWERABLE)


def _answer(status, citations, hits=(), evidence=None):
    return Answer(
        "q?",
        "It is five years [1].",
        status,
        tuple(citations),
        tuple(hits),
        evidence=evidence or {},
    )


def _chunk(source_file, page):
    return Chunk(f"{source_file}:{page}", "v1", source_file, "Doc A", page, str(page + 10), "text")


def test_score_item_records_citations_evidence_and_verdict():
    item = TestItem("q1", "How long?", True, "five years", (Gold("a.pdf", 2),))
    cite = Citation(
        1,
        "Doc A",
        "a.pdf",
        2,
        "12",
        "five years",
        verified=True,
        superseded="superseded on 2026-11-24",
    )
    hits = [Hit(_chunk("b.pdf", 1), 0.9), Hit(_chunk("a.pdf", 2), 0.8)]
    evidence = {"relevance": 0.61, "coverage": 0.5, "missing": 0.0}
    scored = score_item(item, _answer(Status.ANSWERED, [cite], hits, evidence), 12.5)
    assert scored.passed and scored.failure == ""
    assert scored.rank == 2 and scored.cites_gold
    assert scored.evidence == evidence
    (c,) = scored.citations
    assert c["page_label"] == "12" and c["quote"] == "five years" and c["verified"] is True
    assert c["superseded"] == "superseded on 2026-11-24"
    assert {
        "n",
        "document",
        "source_file",
        "page",
        "page_label",
        "quote",
        "verified",
        "superseded",
    } <= set(c)

    unverified = Citation(1, "Doc A", "b.pdf", 1, "11", "made up", verified=False)
    scored = score_item(item, _answer(Status.PARTIAL, [unverified], hits), 10.0)
    assert not scored.passed and scored.failure == f"{CITED_NO_GOLD}; {UNVERIFIED}"


# -- summary ------------------------------------------------------------------------------------
def test_summary_rates_and_pass_rate():
    results = [
        result("a", rank=1),  # pass
        result("b", rank=3, cited=(B1,)),  # cited no gold page
        refused("c", answerable=True, rank=2),  # false refusal
        refused("u1"),  # correct refusal
        result("u2", answerable=False, cited=(B1,)),  # answered an unanswerable question
    ]
    s = summarise(results)
    assert (s["questions"], s["answerable"], s["unanswerable"]) == (5, 3, 2)
    assert s["pass_rate"] == pytest.approx(2 / 5)
    assert s["hit@1"] == pytest.approx(1 / 3) and s["hit@5"] == 1.0
    assert s["mrr"] == pytest.approx((1 + 1 / 3 + 1 / 2) / 3)
    assert s["answers_citing_gold"] == pytest.approx(1 / 3)
    assert s["abstention_accuracy"] == 0.5
    assert s["false_refusal_rate"] == pytest.approx(1 / 3)
    assert s["share_no_answer"] == pytest.approx(2 / 5)
    assert s["share_answered"] == pytest.approx(3 / 5)


def test_citation_precision_and_recall_definitions():
    results = [
        result("a", gold=(A1, A2), cited=(A1, B1)),  # precision 1/2, recall 1/2
        result("b", gold=(A1, A2), cited=(A1, A2)),  # precision 1, recall 1
        refused("c", answerable=True, gold=(A1,)),  # cited nothing: recall 0, no precision
        result("u", answerable=False, cited=(B1,)),  # unanswerable: in neither
    ]
    s = summarise(results)
    assert s["citation_page_precision"] == pytest.approx((0.5 + 1.0) / 2)
    assert s["citation_page_recall"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)


def test_citations_verified_counts_citations_not_items():
    results = [result("a", cited=(A1, A1, A1), verified=2), result("b", cited=(A1,))]
    s = summarise(results)
    assert s["citations_verified"] == 0.75
    low, high = intervals(results)["citations_verified"]
    assert low < 0.75 < high


def test_latency_percentiles_and_no_interval():
    results = [result(str(i), latency=float(ms)) for i, ms in enumerate([10, 20, 30, 40, 50])]
    s = summarise(results)
    assert s["latency_p50_ms"] == 30.0 and s["latency_p95_ms"] == pytest.approx(48.0)
    ci = intervals(results)
    assert ci["latency_p50_ms"] is None and ci["latency_p95_ms"] is None


def test_intervals_are_wilson_for_shares_and_bootstrap_for_means():
    from eval.metrics import bootstrap_interval, wilson_interval

    results = [
        result(str(i), rank=1 if i < 8 else None, cited=(A1,) if i < 8 else (B1,))
        for i in range(10)
    ]
    ci = intervals(results)
    assert ci["hit@1"] == wilson_interval(8, 10)
    assert ci["mrr"] == bootstrap_interval([1.0] * 8 + [0.0] * 2)
    assert ci == intervals(results)  # reproducible


def test_empty_groups_give_nan_and_no_interval_without_crashing():
    only_unanswerable = [refused("u1"), refused("u2")]
    s = summarise(only_unanswerable)
    assert math.isnan(s["hit@5"]) and math.isnan(s["mrr"]) and s["abstention_accuracy"] == 1.0
    ci = intervals(only_unanswerable)
    assert ci["hit@5"] is None and ci["mrr"] is None and ci["abstention_accuracy"] is not None
    nothing = evaluate([])
    assert nothing.summary["questions"] == 0 and math.isnan(nothing.summary["pass_rate"])
    assert nothing.by_type == {} and nothing.abstention_curve == []
    assert json.loads(nothing.to_json())["summary"]["pass_rate"] is None


def test_by_type_groups_in_type_order():
    results = [refused("u"), result("f1"), result("h", type="howto"), result("f2", rank=None)]
    groups = by_type(results)
    assert list(groups) == ["fact", "howto", "unanswerable"]
    assert groups["fact"]["count"] == 2
    assert groups["fact"]["summary"]["hit@5"] == 0.5
    assert groups["unanswerable"]["summary"]["pass_rate"] == 1.0
    assert groups["unanswerable"]["intervals"]["hit@5"] is None


# -- abstention curve -------------------------------------------------------------------------
def _evidence(relevance, coverage, missing=0.0):
    return {"relevance": relevance, "coverage": coverage, "missing": missing}


CURVE_ITEMS = [
    result("a1", evidence=_evidence(0.50, 0.50)),
    result("a2", evidence=_evidence(0.40, 0.40)),
    refused("u1", evidence=_evidence(0.45, 0.35)),
    refused("u2", evidence=_evidence(0.60, 0.60, missing=1.0)),
    result("no-signals"),  # skipped: no evidence recorded
]


def _at(curve, sweep, relevance, overlap):
    (point,) = [
        p
        for p in curve
        if p["sweep"] == sweep
        and math.isclose(p["min_relevance"], relevance)
        and math.isclose(p["min_overlap"], overlap)
    ]
    return point["abstention_accuracy"], point["false_refusal_rate"]


def test_abstention_curve_on_known_evidence():
    curve = abstention_curve(CURVE_ITEMS, min_relevance=0.42, min_overlap=0.30)
    # operating point: a2 refused (0.40 < 0.42), u1 answered, u2 refused (a name missing)
    assert _at(curve, "relevance", 0.42, 0.30) == (0.5, 0.5)
    assert _at(curve, "relevance", 0.30, 0.30) == (0.5, 0.0)  # only the missing-name rule
    assert _at(curve, "relevance", 0.46, 0.30) == (1.0, 0.5)  # u1 now refused
    assert _at(curve, "relevance", 0.70, 0.30) == (1.0, 1.0)  # everything refused
    assert _at(curve, "overlap", 0.42, 0.40) == (1.0, 0.5)  # u1's coverage 0.35 < 0.40
    assert _at(curve, "overlap", 0.42, 0.0) == (0.5, 0.5)


def test_abstention_curve_grid_and_operating_point():
    curve = abstention_curve(CURVE_ITEMS, min_relevance=0.42, min_overlap=0.30)
    relevance = [p["min_relevance"] for p in curve if p["sweep"] == "relevance"]
    overlap = [p["min_overlap"] for p in curve if p["sweep"] == "overlap"]
    assert len(relevance) == 21 and relevance[0] == 0.30 and relevance[-1] == 0.70
    assert len(overlap) == 13 and overlap[0] == 0.0 and overlap[-1] == 0.60
    marked = [p for p in curve if p["operating_point"]]
    assert len(marked) == 2  # once on each sweep
    assert all((p["min_relevance"], p["min_overlap"]) == (0.42, 0.30) for p in marked)
    # an operating point off the grid is added to it
    off_grid = abstention_curve(CURVE_ITEMS, min_relevance=0.43, min_overlap=0.33)
    assert sum(p["operating_point"] for p in off_grid) == 2
    assert len([p for p in off_grid if p["sweep"] == "relevance"]) == 22


def test_abstention_curve_without_evidence_is_empty_and_nan_safe():
    assert abstention_curve([result("a"), refused("u")]) == []
    only_answerable = abstention_curve([result("a", evidence=_evidence(0.5, 0.5))])
    assert all(math.isnan(p["abstention_accuracy"]) for p in only_answerable)


# -- the run as a dict -----------------------------------------------------------------------
def test_to_dict_is_the_json_contract_and_nan_safe():
    run = evaluate(CURVE_ITEMS).to_dict()
    assert set(run) == {"format", "summary", "intervals", "by_type", "abstention_curve", "items"}
    assert run["format"] == 1
    assert run["by_type"]["fact"]["count"] == 3 and run["by_type"]["unanswerable"]["count"] == 2
    assert set(run["by_type"]["fact"]) == {"count", "summary", "intervals"}
    assert run["intervals"]["hit@5"] == list(run["intervals"]["hit@5"])  # lists, not tuples
    text = json.dumps(run, allow_nan=False)  # no NaN left anywhere
    assert json.loads(text) == run
    item = run["items"][0]
    assert {"citations", "evidence", "passed", "failure"} <= set(item)
    assert item["gold"] == [["a.pdf", 1]]


class FakeAsker:
    def __init__(self):
        self.histories = []

    def ask(self, question, history=()):
        self.histories.append(list(history))
        if "weather" in question:
            return Answer(
                question, "Not in the library.", Status.NO_ANSWER, evidence=_evidence(0.2, 0.1)
            )
        cite = Citation(1, "Doc A", "a.pdf", 1, "1", "quote")
        hit = Hit(_chunk("a.pdf", 1), 1.0, 0.8)
        return Answer(
            question, "Yes [1].", Status.ANSWERED, (cite,), (hit,), evidence=_evidence(0.8, 0.9)
        )


def test_run_testset_scores_every_item_and_builds_the_curve():
    items = [
        TestItem("q1", "Can staff spin out?", True, "Yes", (Gold("a.pdf", 1),)),
        TestItem(
            "q2", "And then?", True, "Yes", (Gold("a.pdf", 1),), type="follow_up", follows="q1"
        ),
        TestItem("q3", "What is the weather?", False, "", (), type="unanswerable"),
    ]
    asker, ticks = FakeAsker(), []
    result_ = run_testset(asker, items, progress=lambda: ticks.append(1), min_relevance=0.5)
    assert isinstance(result_, EvalResult) and len(ticks) == 3
    assert asker.histories[1] == ["Can staff spin out?"]
    assert result_.summary["pass_rate"] == 1.0
    assert list(result_.by_type) == ["fact", "follow_up", "unanswerable"]
    (op,) = [
        p for p in result_.abstention_curve if p["operating_point"] and p["sweep"] == "relevance"
    ]
    assert op["min_relevance"] == 0.5
    assert (op["abstention_accuracy"], op["false_refusal_rate"]) == (1.0, 0.0)


# -- text summary ------------------------------------------------------------------------------
def test_format_summary_shows_metrics_intervals_types_and_failures():
    res = evaluate(CURVE_ITEMS + [result("bad", rank=None, cited=(B1,))])
    text = format_summary(res)
    assert "hit@5" in text and "abstention_accuracy" in text and "pass_rate" in text
    assert "By question type" in text and "unanswerable" in text
    assert "[0." in text  # intervals shown
    assert "bad: no gold page in the top 5" in text
    assert text == format_summary_dict(res.to_dict())


def test_format_summary_dict_shows_run_metadata_and_tolerates_its_absence():
    run = evaluate(CURVE_ITEMS).to_dict()
    assert "questions" in format_summary_dict(run)
    run["run"] = {
        "id": "20261124-153012-ab12",
        "started_at": "2026-11-24T15:30:12Z",
        "testsets": [{"name": "mutuals-guide.jsonl", "sha256": "abc"}],
        "library": {"documents": 14, "pages": 200, "chunks": 978},
    }
    text = format_summary_dict(run)
    assert "Run 20261124-153012-ab12" in text and "mutuals-guide.jsonl" in text
    assert "978 chunks" in text
    assert "questions" in format_summary_dict({"summary": {}})  # nothing else at all
