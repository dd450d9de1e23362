"""The evaluators' rough edges, on the real app (issue 17, item 4; issue 19, item 5): the number
of changed answers is the same in the Evaluate tab and in the report, latency changes read in
milliseconds and words, a broken test set is named by its own file name and line (never a
server path), and reports are served to the roles that may evaluate, and nobody else."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import (
    ERROR_BADGES,
    SAMPLE_DOCS,
    WARNING_TOAST,
    add_accounts,
    serving,
    sign_in,
    write_testset,
)

pytestmark = pytest.mark.e2e
ACCOUNTS = {
    "ada": ("admin", "ada-password-1"),
    "eve": ("evaluator", "eve-password-1"),
    "olu": ("officer", "olu-password-1"),
}
CHANGED = re.compile(r"(\d+) answers? changed")


@dataclass
class Served:
    url: str
    data_dir: Path

    def client(self, name: str):  # type: ignore[no-untyped-def]
        from gradio_client import Client

        return Client(self.url, auth=(name, ACCOUNTS[name][1]), verbose=False)

    def http(self, name: str | None = None):  # type: ignore[no-untyped-def]
        """An HTTP client, signed in as `name` through POST /login (or nobody)."""
        import httpx

        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=60)
        if name is not None:
            signed = client.post(
                "login",
                data={"username": name, "password": ACCOUNTS[name][1]},
                headers={"Accept": "application/json"},
            )
            assert signed.status_code == 200, signed.text
        return client


@pytest.fixture(scope="module")
def served(sample_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("evaluator-edges")
    data_dir = root / "library"
    shutil.copytree(sample_library, data_dir)
    add_accounts(data_dir, ACCOUNTS)
    with serving(data_dir, root / "serve.log") as url:
        yield Served(url, data_dir)


def _evaluate_page(browser, served: Served):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, served.url, "eve", ACCOUNTS["eve"][1])
    page.get_by_role("tab", name="Evaluate").click()
    return page


def test_a_broken_test_set_is_named_by_its_file_and_line_only(
    served: Served, tmp_path: Path, browser
):
    from playwright.sync_api import expect

    broken = write_testset(tmp_path / "broken-set.jsonl")
    lines = broken.read_text().splitlines()
    lines[1] = '{"id": "t2", "question": "What is regulation 77?", "answerable": true}'
    broken.write_text("\n".join(lines) + "\n")
    page = _evaluate_page(browser, served)
    page.locator("#eval-upload input[type=file]").set_input_files(str(broken))
    toast = page.locator(WARNING_TOAST)
    expect(toast).to_contain_text("broken-set.jsonl:2", timeout=60_000)
    expect(toast).to_contain_text("gold")
    said = toast.inner_text()
    assert "/" not in said and "\\" not in said, said  # no server path, temporary or not
    assert str(served.data_dir) not in page.content()
    expect(page.locator(ERROR_BADGES)).to_have_count(0)
    assert not (served.data_dir / "eval-testsets" / "broken-set.jsonl").exists()
    page.locator("#eval-testsets input").click()  # the picker still works, without the file
    expect(page.get_by_role("option", name="mutuals-guide.jsonl (bundled)")).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("broken-set"))).to_have_count(0)


def test_changed_answers_and_latency_agree_in_the_tab_and_the_report(
    served: Served, tmp_path: Path, browser
):
    from playwright.sync_api import expect

    tiny = write_testset(tmp_path / "edges-tiny.jsonl")
    page = _evaluate_page(browser, served)
    page.locator("#eval-upload input[type=file]").set_input_files(str(tiny))
    expect(page.locator("#eval-testsets")).to_contain_text("edges-tiny.jsonl", timeout=60_000)
    page.locator("#eval-run").click()
    headline = page.locator("#eval-headline")
    expect(headline).to_contain_text("3 questions", timeout=180_000)

    # the library changes between the runs: t1's gold document goes
    removed = served.client("ada").predict(SAMPLE_DOCS[0], api_name="/remove")
    assert removed["removed"], removed
    page.locator("#eval-rerun").click()
    expect(headline).to_contain_text("Against run", timeout=180_000)

    in_tab = CHANGED.search(headline.inner_text())
    assert in_tab, headline.inner_text()
    report = page.locator("#eval-report #comparison-questions")
    in_report = CHANGED.search(report.inner_text())
    assert in_report, report.inner_text()
    assert in_tab.group(1) == in_report.group(1)
    assert int(in_tab.group(1)) >= 1  # t1 lost its gold document: its answer changed
    listed = page.locator("#eval-report #changed-answers")
    assert f"({in_tab.group(1)})" in listed.inner_text()

    latency_row = headline.locator("tr", has_text="latency p95")
    expect(latency_row).to_contain_text(re.compile(r"\d+\.\d ms (slower|faster)|no change in ms"))
    assert not re.search(r"[+-]\d+\.\d{3}", latency_row.inner_text()), latency_row.inner_text()
    report_latency = page.locator("#eval-report #comparison tr", has_text="latency p95")
    expect(report_latency).to_contain_text(re.compile(r"ms (slower|faster)|no change in ms"))

    # the report page behind the download link says the same
    href = page.locator("#eval-download a", has_text="Open the report").get_attribute("href")
    assert href and href.startswith("reports/") and href.endswith("/index.html"), href
    fetched = page.request.get(served.url + href)
    assert fetched.status == 200
    in_page = CHANGED.search(
        re.sub(r"<[^>]+>", "", fetched.text().split('id="comparison-questions"')[1])
    )
    assert in_page and in_page.group(1) == in_tab.group(1)
    zipped = page.request.get(
        served.url + page.locator("#eval-download a").first.get_attribute("href")
    )
    assert zipped.status == 200 and zipped.body()[:2] == b"PK"


def test_reports_are_served_to_evaluators_only(served: Served, tmp_path: Path):
    evaluator = served.client("eve")
    write_testset(tmp_path / "access-tiny.jsonl")
    from gradio_client import handle_file

    evaluator.predict(
        handle_file(str(tmp_path / "access-tiny.jsonl")), api_name="/eval_add_testset"
    )
    run = evaluator.predict(["access-tiny.jsonl"], api_name="/eval_run")["run"]["run"]["id"]
    path = f"reports/{run}/index.html"

    nobody = served.http()
    assert nobody.get(path).status_code == 401
    sent = nobody.get(path, headers={"Accept": "text/html"})
    assert sent.status_code == 303 and sent.headers["location"].endswith("/login")
    officer = served.http("olu")
    refused = officer.get(path)
    assert refused.status_code == 403
    assert "cannot run evaluations" in refused.text
    assert officer.get(f"reports/{run}/report.zip").status_code == 403
    got = served.http("eve").get(path)
    assert got.status_code == 200 and "Evaluation run" in got.text
    assert served.http("ada").get(f"reports/{run}/report.json").status_code == 200
    # nothing else is reachable through the route, and Gradio no longer serves the folder
    for other in (f"reports/{run}/..%2F..%2Faccounts.json", "reports/accounts.json"):
        answer = served.http("eve").get(other)
        assert answer.status_code == 404 and "password" not in answer.text, other
    kept = served.data_dir.resolve() / "eval-runs" / run / "index.html"
    for name in ("eve", "olu"):
        direct = served.http(name).get(f"gradio_api/file={kept}")
        assert direct.status_code != 200, (name, direct.status_code)
