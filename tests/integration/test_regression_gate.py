"""The regression gate: the bundled test set on the bundled corpus must stay at or above the
thresholds kept in eval/thresholds.json (set slightly below measured figures; see that file).
Run through the real `guide eval run --corpus`, which builds a fresh library from the PDFs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.helpers import ROOT, guide_cli

pytestmark = pytest.mark.integration
THRESHOLDS = json.loads((ROOT / "eval" / "thresholds.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("gate")
    run = guide_cli(
        "eval",
        "run",
        "--testset",
        str(ROOT / THRESHOLDS["testset"]),
        "--corpus",
        str(ROOT / THRESHOLDS["corpus"]),
        "--data-dir",
        str(out / "data"),
        "--report",
        str(out / "report"),
        "--json",
        timeout=1500,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout)
    result["report_dir"] = str(out / "report")
    return result


@pytest.mark.parametrize("metric", sorted(THRESHOLDS["metrics"]))
def test_bundled_test_set_meets_its_threshold(bundled_run: dict, metric: str):
    bound = THRESHOLDS["metrics"][metric]
    value = bundled_run["summary"][metric]
    assert value is not None and not math.isnan(value), metric
    if "min" in bound:
        assert value >= bound["min"], f"{metric} fell to {value:.3f} (gate {bound['min']})"
    if "max" in bound:
        assert value <= bound["max"], f"{metric} rose to {value:.3f} (gate {bound['max']})"


def test_the_gate_run_covers_the_whole_bundled_test_set(bundled_run: dict):
    lines = (ROOT / THRESHOLDS["testset"]).read_text(encoding="utf-8").strip().splitlines()
    assert bundled_run["summary"]["questions"] == len(lines)
    assert bundled_run["run"]["library"]["documents"] == len(
        list((ROOT / THRESHOLDS["corpus"]).glob("*.pdf"))
    )
    assert (Path(bundled_run["report_dir"]) / "index.html").exists()
