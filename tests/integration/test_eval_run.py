"""`guide eval run` end to end on a tiny test set against the sample library."""

from __future__ import annotations

import json

import pytest

from tests.helpers import guide_cli, write_testset

pytestmark = pytest.mark.integration


def test_eval_run_reports_metrics(sample_library, tmp_path):
    testset = write_testset(tmp_path / "tiny.jsonl")
    run = guide_cli(
        "eval", "run", "--testset", str(testset), "--data-dir", str(sample_library), "--json"
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    summary = out["summary"]
    for key in ("hit@1", "hit@5", "mrr", "answers_citing_gold", "abstention_accuracy"):
        assert 0.0 <= summary[key] <= 1.0, key
    assert summary["questions"] == 3 and summary["unanswerable"] == 1
    assert summary["abstention_accuracy"] == 1.0
    items = {i["id"]: i for i in out["items"]}
    assert items["t1"]["rank"] is not None and items["t1"]["rank"] <= 5

    text = guide_cli("eval", "run", "--testset", str(testset), "--data-dir", str(sample_library))
    assert "hit@5" in text.stdout and "abstention_accuracy" in text.stdout


def test_eval_run_names_the_bad_line(tmp_path):
    testset = tmp_path / "bad.jsonl"
    testset.write_text('{"id": "a", "question": "q", "answerable": true, "gold": []}\n')
    run = guide_cli("eval", "run", "--testset", str(testset))
    assert run.returncode == 2
    assert "bad.jsonl:1" in run.stderr and "gold" in run.stderr
