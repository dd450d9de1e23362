"""The retrieval benchmark runs end to end on a small slice and writes sane numbers.
Only its shape is checked: timings are reported by the benchmark, never asserted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval import bench_retrieval

pytestmark = pytest.mark.integration

DOCS = "0[17]-*.pdf"  # the committee digest and the TUPE/pensions guide


def test_bench_retrieval_smoke(tmp_path: Path, embedder: Any) -> None:
    out = tmp_path / "bench.json"
    argv = ["--docs", DOCS, "--limit", "5", "--scale", "300", "--json", str(out)]
    assert bench_retrieval.main(argv, embedder=embedder) == 0
    result = json.loads(out.read_text(encoding="utf-8"))

    assert result["pdfs"] == [
        "01-clg-committee-2012-report-digest.pdf",
        "07-people-tupe-pensions-consultation.pdf",
    ]
    assert result["queries"] == 5
    for item in result["items"]:
        assert {f for f, _page in item["gold"]} <= set(result["pdfs"])
    for pipeline in ("textbook", "ours"):
        numbers = result[pipeline]
        assert numbers["chunks"] > 0
        for name in ("hit@1", "hit@5", "mrr", "ndcg@10"):
            assert 0.0 <= numbers[name] <= 1.0, (pipeline, name, numbers[name])
        assert numbers["latency_p50_ms"] > 0
        assert numbers["latency_p95_ms"] >= numbers["latency_p50_ms"]
    scale = result["scale"]
    assert scale["scaled_chunks"] >= 300
    assert scale["scaled_chunks"] == scale["bundled_chunks"] + scale["filler_chunks"]


def test_bench_ingest_smoke(tmp_path: Path, embedder: Any) -> None:
    from eval import bench_ingest
    from tests.helpers import CORPUS

    out = tmp_path / "ingest.json"
    pdf = CORPUS / "07-people-tupe-pensions-consultation.pdf"
    assert bench_ingest.main(["--pdfs", str(pdf), "--json", str(out)], embedder=embedder) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["pdfs"] == 1
    for pipeline in ("textbook", "ours"):
        numbers = result[pipeline]
        assert numbers["files"] == 1 and numbers["pages"] == 15 and numbers["chunks"] > 0
        assert numbers["pages_per_second"] > 0
        assert 0 < numbers["embedding_seconds"] <= numbers["seconds"]
    assert result["ratio"] > 0
