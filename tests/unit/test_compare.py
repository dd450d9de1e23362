"""Comparing two runs: metric directions and tolerances, item changes, and loading saved runs."""

from __future__ import annotations

import json

import pytest

from assistant.errors import GuideError
from eval.compare import compare, load_run, metric_change
from eval.report import format_summary_dict

pytestmark = pytest.mark.unit


def test_higher_is_better_metrics():
    assert metric_change("hit@5", 0.80, 0.90) == {
        "before": 0.80,
        "after": 0.90,
        "delta": pytest.approx(0.10),
        "direction": "better",
    }
    assert metric_change("mrr", 0.75, 0.70)["direction"] == "worse"
    assert metric_change("abstention_accuracy", 0.4, 0.5)["direction"] == "better"


def test_lower_is_better_metrics():
    assert metric_change("false_refusal_rate", 0.05, 0.02)["direction"] == "better"
    assert metric_change("false_refusal_rate", 0.02, 0.05)["direction"] == "worse"
    assert metric_change("share_partial", 0.0, 0.1)["direction"] == "worse"
    assert metric_change("latency_p95_ms", 200.0, 150.0)["direction"] == "better"
    assert metric_change("latency_p50_ms", 100.0, 120.0)["direction"] == "worse"


def test_tolerances():
    assert metric_change("hit@5", 0.900, 0.904)["direction"] == "same"  # |delta| < 0.005
    assert metric_change("hit@5", 0.900, 0.906)["direction"] == "better"
    assert metric_change("latency_p95_ms", 200.0, 209.0)["direction"] == "same"  # < 5%
    assert metric_change("latency_p95_ms", 200.0, 211.0)["direction"] == "worse"
    assert metric_change("latency_p50_ms", 0.0, 0.0)["direction"] == "same"


def test_metrics_without_a_preferred_direction_and_missing_values():
    assert metric_change("share_answered", 0.8, 0.9)["direction"] == "changed"
    assert metric_change("questions", 168, 170)["direction"] == "changed"
    assert metric_change("questions", 168, 168)["direction"] == "same"
    gone = metric_change("abstention_accuracy", 0.5, None)
    assert gone == {"before": 0.5, "after": None, "delta": None, "direction": "changed"}
    assert metric_change("mrr", None, None)["direction"] == "same"
    assert metric_change("mrr", float("nan"), 0.5)["direction"] == "changed"


def item(id, passed, status="answered", answer="same answer", type="fact"):
    return {
        "id": id,
        "type": type,
        "question": f"question {id}?",
        "status": status,
        "answer": answer,
        "passed": passed,
        "failure": "" if passed else "cited no gold page",
    }


def run(items, summary, by_type=None, testsets=("mutuals-guide.jsonl",), run_id=None):
    meta = {"testsets": [{"name": t} for t in testsets]}
    if run_id:
        meta["id"] = run_id
    return {
        "format": 1,
        "run": meta,
        "summary": summary,
        "intervals": {},
        "by_type": by_type or {},
        "abstention_curve": [],
        "items": items,
    }


PREVIOUS = run(
    [
        item("a", True),
        item("b", False),
        item("c", True),
        item("d", True, answer="old words"),
        item("gone", True),
    ],
    {"hit@5": 0.80, "false_refusal_rate": 0.02, "latency_p95_ms": 200.0, "pass_rate": 0.6},
    by_type={"fact": {"count": 5, "summary": {"hit@5": 0.8}, "intervals": {}}},
    run_id="20261101-090000-aaaa",
)
CURRENT = run(
    [
        item("a", True),
        item("b", True),  # newly passing
        item("c", False, status="no_answer", answer="No answer."),  # newly failing, changed
        item("d", True, answer="new words"),  # changed text, still passing
        item("new", True),
    ],
    {"hit@5": 0.90, "false_refusal_rate": 0.05, "latency_p95_ms": 202.0, "pass_rate": 0.6},
    by_type={
        "fact": {"count": 5, "summary": {"hit@5": 0.7}, "intervals": {}},
        "howto": {"count": 1, "summary": {"hit@5": 1.0}, "intervals": {}},
    },
    run_id="20261124-153012-ab12",
)


def test_compare_metrics_and_types():
    c = compare(CURRENT, PREVIOUS)
    assert (c["current"], c["previous"]) == ("20261124-153012-ab12", "20261101-090000-aaaa")
    m = c["metrics"]
    assert m["hit@5"]["direction"] == "better" and m["hit@5"]["delta"] == pytest.approx(0.1)
    assert m["false_refusal_rate"]["direction"] == "worse"
    assert m["latency_p95_ms"]["direction"] == "same"
    assert m["pass_rate"]["direction"] == "same"
    assert list(m) == ["pass_rate", "hit@5", "false_refusal_rate", "latency_p95_ms"]
    assert c["by_type"]["fact"]["hit@5"]["direction"] == "worse"
    assert c["by_type"]["howto"]["hit@5"]["direction"] == "changed"  # new type: no earlier value
    assert c["counts"]["better"] == 1 and c["counts"]["worse"] == 1


def test_compare_item_changes():
    c = compare(CURRENT, PREVIOUS)
    items = c["items"]
    assert [i["id"] for i in items["newly_passing"]] == ["b"]
    assert [i["id"] for i in items["newly_failing"]] == ["c"]
    assert [i["id"] for i in items["changed_answers"]] == ["c", "d"]
    assert [i["id"] for i in items["only_current"]] == ["new"]
    assert [i["id"] for i in items["only_previous"]] == ["gone"]
    failing = items["newly_failing"][0]
    assert failing["before_status"] == "answered" and failing["status"] == "no_answer"
    assert failing["before_passed"] is True and failing["failure"] == "cited no gold page"
    changed = items["changed_answers"][1]
    assert (changed["before_answer"], changed["answer"]) == ("old words", "new words")
    assert c["counts"]["newly_failing"] == 1 and c["counts"]["changed_answers"] == 2
    assert any("1 question only in this run" in n for n in c["notes"])


def test_compare_notes_different_test_sets_and_survives_empty_runs():
    other = run([], {}, testsets=("other.jsonl",))
    c = compare(other, PREVIOUS)
    assert any("different test sets" in n for n in c["notes"])
    assert len(c["items"]["only_previous"]) == 5
    empty = compare({"format": 1, "summary": {}, "items": []}, {"summary": {}})
    assert empty["metrics"] == {} and empty["counts"]["worse"] == 0


def test_text_summary_with_a_comparison():
    text = format_summary_dict(CURRENT, compare(CURRENT, PREVIOUS))
    assert "Compared with 20261101-090000-aaaa" in text
    assert "false_refusal_rate" in text.split("Worse:")[1]
    assert "1 question now fails, 1 now passes, 2 answers changed" in text
    assert "c: question c?" in text


# -- loading --------------------------------------------------------------------------------------
def test_load_run_from_a_folder_or_a_file(tmp_path):
    folder = tmp_path / "run1"
    folder.mkdir()
    (folder / "report.json").write_text(json.dumps(CURRENT))
    assert load_run(folder) == CURRENT
    file = tmp_path / "out.json"
    file.write_text(json.dumps(PREVIOUS))
    assert load_run(file) == PREVIOUS


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not an evaluation report"),
        ('{"format": 1, "items": []}', "not an evaluation report"),
        ('{"format": 2, "summary": {}, "items": []}', "report format 2"),
        ('{"summary": {}, "items": []}', "report format None"),
        ('{"format": 1, "summary": {}}', "no 'items' list"),
    ],
)
def test_load_run_rejects_what_is_not_a_run(tmp_path, content, message):
    file = tmp_path / "bad.json"
    file.write_text(content)
    with pytest.raises(GuideError, match=message):
        load_run(file)


def test_load_run_names_a_missing_path_or_report(tmp_path):
    with pytest.raises(GuideError, match="no such file or folder"):
        load_run(tmp_path / "nowhere")
    with pytest.raises(GuideError, match="has no report.json"):
        load_run(tmp_path)
