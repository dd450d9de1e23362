"""Evaluators run a test set, read the report and compare runs: through the app's API, in the
Evaluate tab in headless Chromium, and the HTML report itself opened in Chromium."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import SAMPLE_DOCS, TINY, guide_cli, serving, write_testset

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def eval_server(sample_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("evaluate")
    data_dir = root / "library"
    shutil.copytree(sample_library, data_dir)
    with serving(data_dir, root / "serve.log") as url:
        yield url


def test_run_compare_and_list_through_the_api(eval_server: str, tmp_path: Path):
    from gradio_client import Client, handle_file

    client = Client(eval_server, verbose=False)
    added = client.predict(
        handle_file(str(write_testset(tmp_path / "tiny.jsonl"))), api_name="/eval_add_testset"
    )
    assert added["testset"] == "tiny.jsonl"
    assert "tiny.jsonl (uploaded)" in client.predict(api_name="/eval_testsets")["testsets"]

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x", "question": "q", "answerable": true}\n')
    with pytest.raises(Exception, match=r"broken\.jsonl:1.*gold"):
        client.predict(handle_file(str(broken)), api_name="/eval_add_testset")

    first = client.predict(["tiny.jsonl"], api_name="/eval_run")
    summary = first["run"]["summary"]
    assert summary["questions"] == 3 and summary["abstention_accuracy"] == 1.0
    assert set(first["run"]["by_type"]) == {"fact", "howto", "unanswerable"}
    first_id = first["run"]["run"]["id"]

    second = client.predict(["tiny.jsonl"], first_id, api_name="/eval_run")
    comparison = second["comparison"]
    assert comparison is not None
    assert comparison["metrics"]["mrr"]["direction"] == "same"  # same library, same answers
    runs = [r["id"] for r in client.predict(api_name="/eval_runs")["runs"]]
    assert runs[:2] == [second["run"]["run"]["id"], first_id]
    compared = client.predict(first_id, runs[0], api_name="/eval_compare")["comparison"]
    assert compared["metrics"]["hit@5"]["direction"] == "same"


def test_evaluator_runs_a_test_set_in_the_browser(eval_server: str, tmp_path: Path, browser):
    from playwright.sync_api import expect

    tiny = write_testset(tmp_path / "browser-tiny.jsonl")
    page = browser.new_page()
    page.goto(eval_server)
    page.get_by_role("tab", name="Evaluate").click()
    page.locator("#eval-testsets input").click()
    page.get_by_role("option", name="mutuals-guide.jsonl (bundled)").wait_for()
    page.keyboard.press("Escape")
    page.locator("#eval-upload input[type=file]").set_input_files(str(tiny))
    expect(page.locator("#eval-testsets")).to_contain_text("browser-tiny.jsonl", timeout=30_000)
    page.locator("#eval-run").click()
    headline = page.locator("#eval-headline")
    expect(headline).to_contain_text("3 questions", timeout=120_000)
    expect(headline).to_contain_text("unanswerable questions refused")
    report = page.locator("#eval-report")
    for plot in ("#plot-scores", "#plot-types", "#plot-latency", "#plot-abstention"):
        expect(report.locator(plot)).to_be_visible()
    expect(report.locator("#questions")).to_contain_text("<b>conservatory</b>")
    link = page.locator("#eval-download a").first
    expect(link).to_have_attribute("href", re.compile(r"report\.zip$"))
    page.locator("#eval-rerun").click()
    expect(headline).to_contain_text("Against run", timeout=120_000)
    expect(page.locator("#eval-runs")).to_contain_text("browser-tiny.jsonl")
    page.screenshot(path=str(tmp_path / "evaluate.png"), full_page=True)


def test_the_html_report_renders_with_plots_and_failures_first(
    sample_library, tmp_path: Path, browser
):
    """`guide eval run --report`, then the page opened as a file in headless Chromium."""
    from playwright.sync_api import expect

    tiny = write_testset(tmp_path / "tiny.jsonl")
    broken_gold = [dict(r) for r in TINY]
    broken_gold[0]["gold"] = [{"source_file": SAMPLE_DOCS[2], "page": 3}]  # made to fail
    (tmp_path / "next-month").mkdir()
    harder = tmp_path / "next-month" / "tiny.jsonl"  # the same test set, its gold since revised
    write_testset(harder, broken_gold)
    data = tmp_path / "data"
    shutil.copytree(sample_library, data)
    first = guide_cli("eval", "run", "--testset", str(tiny), "--data-dir", str(data), "--json")
    assert first.returncode == 0, first.stderr[-2000:]
    run_id = json.loads(first.stdout)["run"]["id"]
    report = tmp_path / "report"
    second = guide_cli(
        "eval",
        "run",
        "--testset",
        str(harder),
        "--data-dir",
        str(data),
        "--report",
        str(report),
        "--compare",
        str(data / "eval-runs" / run_id),
    )
    assert second.returncode == 0, second.stderr[-2000:]
    assert "Report:" in second.stdout
    page = browser.new_page()
    page.goto((report / "index.html").as_uri())
    for plot in ("#plot-scores", "#plot-types", "#plot-latency", "#plot-abstention"):
        box = page.locator(plot).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, plot
    rows = page.locator("#questions tbody tr")
    expect(rows).to_have_count(3)
    classes = [rows.nth(i).get_attribute("class") or "" for i in range(3)]
    assert "fail" in classes[0].split()  # failures first
    assert "pass" in classes[-1].split()
    expect(page.locator("#comparison")).to_contain_text("worse")  # t1 lost its gold page
    expect(page.locator("#questions")).to_contain_text("<b>conservatory</b>")  # escaped
    assert page.locator("#questions b").count() == 0
