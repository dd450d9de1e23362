"""Which report files the reports route will hand over (assistant.ui.reports), how latency
changes read, and the one sentence every view of a comparison uses."""

from __future__ import annotations

import zipfile
from pathlib import Path

from assistant.ui.reports import find_report_file, report_url, zipped
from eval.records import Comparison
from eval.report import fmt_delta


def _run_folder(root: Path, run: str) -> Path:
    folder = root / run
    folder.mkdir(parents=True)
    (folder / "report.json").write_text("{}")
    (folder / "index.html").write_text("<p>report</p>")
    return folder


def test_only_a_kept_run_or_comparison_report_file_is_found(tmp_path: Path):
    root = tmp_path / "eval-runs"
    run = _run_folder(root, "20261203-120000-ab12")
    compared = _run_folder(run, "compared-with-20261202-110000-cd34")
    (tmp_path / "accounts.json").write_text("secret")
    assert find_report_file(root, f"{run.name}/index.html") == run / "index.html"
    assert find_report_file(root, f"{run.name}/{compared.name}/index.html") == (
        compared / "index.html"
    )
    for refused in (
        "../accounts.json",
        f"{run.name}/../../accounts.json",
        f"{run.name}/report.py",
        f"{run.name}/comparison.json",  # not written for this run
        f"{run.name}/other-folder/index.html",
        "20261203-999999-0000/index.html",
        "index.html",
        f"{run.name}/{compared.name}/x/index.html",
        f"/{run.name}/index.html",
    ):
        assert find_report_file(root, refused) is None, refused


def test_the_zip_holds_the_report_and_is_made_again_when_it_changes(tmp_path: Path):
    import os

    run = _run_folder(tmp_path / "eval-runs", "r1")
    first = zipped(run)
    assert sorted(zipfile.ZipFile(first).namelist()) == ["index.html", "report.json"]
    (run / "comparison.json").write_text("{}")
    later = first.stat().st_mtime + 5
    os.utime(run / "comparison.json", (later, later))
    again = zipped(run)
    assert "comparison.json" in zipfile.ZipFile(again).namelist()
    assert find_report_file(tmp_path / "eval-runs", "r1/report.zip") == again


def test_report_urls_are_relative_to_the_page(tmp_path: Path):
    root = tmp_path / "eval-runs"
    folder = root / "r1" / "compared-with-r0"
    assert report_url(root, root / "r1", "report.zip") == "reports/r1/report.zip"
    assert report_url(root, folder) == "reports/r1/compared-with-r0/index.html"


def test_latency_changes_read_in_milliseconds_and_words():
    assert fmt_delta(55.541, "latency_p95_ms") == "55.5 ms slower"
    assert fmt_delta(-3.04, "latency_p50_ms") == "3.0 ms faster"
    assert fmt_delta(0.01, "latency_p95_ms") == "no change in ms"
    assert fmt_delta(0.05, "mrr") == "+0.050"
    assert fmt_delta(None, "latency_p95_ms") == ""


def test_the_changed_answers_count_is_the_list_itself():
    listed = ({"id": "a"}, {"id": "b"})
    stale = Comparison(
        current="r2",
        previous="r1",
        items={"changed_answers": listed, "newly_failing": listed[:1], "newly_passing": ()},
        counts={"changed_answers": 0, "newly_failing": 5},
    )
    assert stale.count("changed_answers") == 2
    assert stale.questions_sentence() == "1 question now fails, 0 now pass, 2 answers changed"
    assert Comparison("r2", "r1", counts={"worse": 3}).count("worse") == 3
