"""Checking a citation in the real app, signed in as an officer in headless Chromium: each [n]
in an answer opens its source beside the answer (by mouse or keyboard), a PDF page is drawn by
PDF.js with the quoted words marked on its text layer, a web page source shows its stored text
with the quote marked, each quote appears once in the answer, a long answer is shown from its
start, and the cited PDFs go only to signed-in users."""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.text import normalise
from tests.documents import web_page
from tests.helpers import add_accounts, guide_cli, serving

pytestmark = pytest.mark.e2e
PASSWORDS = {"ada": ("admin", "ada-password-1"), "olu": ("officer", "olu-password-1")}
RESERVE = "How does a council reserve a contract for a public service mutual?"
NORTHMOOR = "How many adaptations did Northmoor complete in 2024-25?"


@dataclass
class Served:
    url: str
    data_dir: Path

    def ask(self, question: str) -> dict[str, Any]:
        """The same question through the API, as the officer: the citations to check against."""
        from gradio_client import Client

        client = Client(self.url, auth=("olu", PASSWORDS["olu"][1]), verbose=False)
        return dict(client.predict(question, [], api_name="/ask"))


@pytest.fixture(scope="module")
def served(sample_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`guide serve` with sign-in on, over the sample library plus a saved web page."""
    root = tmp_path_factory.mktemp("sources")
    data_dir = root / "library"
    shutil.copytree(sample_library, data_dir)
    added = guide_cli("ingest", str(web_page(root / "outturn.html")), "--data-dir", str(data_dir))
    assert added.returncode == 0, added.stdout + added.stderr
    add_accounts(data_dir, PASSWORDS)  # the first must be an admin
    with serving(data_dir, root / "serve.log") as url:
        yield Served(url, data_dir)


def _squash(text: str) -> str:
    """Letters and digits only, lower case: how the viewer compares a quote with the page."""
    return "".join(ch for ch in normalise(text).lower() if ch.isalnum())


def _officer_page(browser: Any, url: str) -> Any:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)  # redirected to the sign-in page
    page.get_by_label("username").fill("olu")
    page.get_by_label("password").fill(PASSWORDS["olu"][1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#whoami")).to_contain_text("olu", timeout=60_000)
    return page


def _ask(page: Any, question: str, answers: int = 1) -> Any:
    """Ask in the chat; the newest answer's message once its sources have arrived."""
    from playwright.sync_api import expect

    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    latest = page.locator("#chat .bot-row")
    expect(latest).to_have_count(answers, timeout=120_000)
    expect(latest.nth(answers - 1)).to_contain_text("Sources", timeout=120_000)
    return latest.nth(answers - 1)


def _marked_pdf(page: Any, n: int, citation: dict[str, Any]) -> None:
    """The panel shows source [n]: its page drawn by PDF.js with the quote's spans marked."""
    from playwright.sync_api import expect

    panel = page.locator("#source-view")
    expect(panel.locator(".guide-source-title")).to_contain_text(f"Source [{n}]")
    box = panel.locator(".guide-pdf")
    expect(box).to_have_attribute("data-state", "marked", timeout=60_000)
    assert box.get_attribute("data-page") == str(citation["page"])
    drawn = panel.locator(".guide-pdf-page canvas").evaluate(
        """canvas => {
            const pixels = canvas.getContext("2d").getImageData(
                0, 0, canvas.width, canvas.height).data;
            let ink = 0;
            for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 128) ink++;
            return [canvas.width, ink];
        }"""
    )
    assert drawn[0] > 200 and drawn[1] > 1000, drawn  # a page of print, not a blank canvas
    hits = panel.locator(".textLayer .guide-hit").all_inner_texts()
    assert hits, "no text-layer span is marked"
    assert _squash(citation["quote"]) in _squash(" ".join(hits))


def test_each_marker_opens_its_pdf_page_beside_the_answer_with_the_quote_marked(
    served: Served, browser: Any, tmp_path: Path
):
    from playwright.sync_api import expect

    expected = served.ask(RESERVE)
    citations = {c["n"]: c for c in expected["citations"]}
    assert len(citations) >= 2 and citations[2]["source_file"].endswith(".pdf"), expected
    page = _officer_page(browser, served.url)
    answer = _ask(page, RESERVE)

    shown = normalise(answer.inner_text())
    for c in expected["citations"]:  # each quote once in the answer, not again under Sources
        assert shown.count(normalise(c["quote"])) == 1, c["quote"]

    answer.get_by_role("link", name="[2]", exact=True).first.click()
    _marked_pdf(page, 2, citations[2])
    chat, panel = page.locator("#chat").bounding_box(), page.locator("#source-view").bounding_box()
    assert panel["x"] >= chat["x"] + chat["width"] - 1  # beside the answer, not below it
    page.screenshot(path=str(tmp_path / "source-pdf.png"), full_page=True)

    answer.get_by_role("link", name="[1]", exact=True).first.click()
    expect(page.locator("#source-view .guide-source-title")).to_contain_text("Source [1]")
    marker = answer.get_by_role("link", name="[2]", exact=True).first
    marker.focus()
    page.keyboard.press("Enter")
    _marked_pdf(page, 2, citations[2])
    focused = page.evaluate("document.activeElement && document.activeElement.className")
    assert "guide-source-title" in focused  # the keyboard user lands on the opened source


def test_without_pdfjs_the_page_text_is_shown_with_the_quote_marked(served: Served, browser: Any):
    from playwright.sync_api import expect

    quote = served.ask(RESERVE)["citations"][1]["quote"]
    page = _officer_page(browser, served.url)
    page.route("**/vendor/pdfjs/build/**", lambda route: route.abort())  # the viewer fails
    answer = _ask(page, RESERVE)
    answer.get_by_role("link", name="[2]", exact=True).first.click()
    box = page.locator("#source-view .guide-pdf")
    expect(box).to_have_attribute("data-state", "text", timeout=60_000)
    expect(page.locator("#source-view .guide-pdf-status")).to_contain_text("marked in the page")
    assert page.locator("#source-view details.guide-page-text").evaluate("d => d.open")
    marked = page.locator("#source-view .guide-page mark").inner_text()
    assert _squash(quote) in _squash(marked)


def test_a_long_answer_arrives_shown_from_its_start(served: Served, browser: Any):
    page = _officer_page(browser, served.url)
    _ask(page, RESERVE)
    long = _ask(page, "What are the steps to spin out a service as a staff mutual?", answers=2)
    assert re.search(r"Step 2:", long.inner_text())
    page.wait_for_function(
        """() => {
            const rows = document.querySelectorAll("#chat .bot-row");
            const row = rows[rows.length - 1];
            let box = row.parentElement;
            while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
            if (!box) return false;
            const top = row.getBoundingClientRect().top, frame = box.getBoundingClientRect();
            return row.offsetHeight > box.clientHeight && top >= frame.top && top < frame.top + 80;
        }""",
        timeout=30_000,
    )


def test_a_web_page_source_shows_its_text_with_the_quote_marked(served: Served, browser: Any):
    from playwright.sync_api import expect

    expected = served.ask(NORTHMOOR)
    cited = [c for c in expected["citations"] if c["source_file"].endswith(".html")]
    assert cited, expected
    page = _officer_page(browser, served.url)
    answer = _ask(page, NORTHMOOR)
    answer.get_by_role("link", name=f"[{cited[0]['n']}]", exact=True).first.click()
    view = page.locator("#source-view .guide-page")
    expect(view.locator("mark")).to_be_visible(timeout=30_000)
    assert _squash(cited[0]["quote"]) in _squash(view.locator("mark").inner_text())
    assert view.locator("p").count() >= 2  # its paragraphs, not one flattened block
    assert page.locator("#source-view .guide-pdf").count() == 0
    assert "sources/" not in page.locator("#source-view").inner_html()  # never served raw


def test_cited_pdfs_go_only_to_signed_in_users(served: Served, browser: Any):
    version = served.ask(RESERVE)["citations"][0]["version"]
    address = f"{served.url}sources/{version}/pdf"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(address, timeout=30)
    assert refused.value.code == 401 and not refused.value.read().startswith(b"%PDF")
    stored = next((served.data_dir / "files").glob("*.pdf")).resolve()
    with pytest.raises(urllib.error.HTTPError) as through_gradio:
        urllib.request.urlopen(f"{served.url}gradio_api/file={stored}", timeout=30)
    assert through_gradio.value.code in {401, 403, 404}

    page = _officer_page(browser, served.url)
    got = page.request.get(address)
    assert got.status == 200 and got.body().startswith(b"%PDF")
    assert got.headers["content-type"] == "application/pdf"
    cited = served.ask(NORTHMOOR)["citations"]
    html_version = next(c["version"] for c in cited if c["source_file"].endswith(".html"))
    assert page.request.get(f"{served.url}sources/{html_version}/pdf").status == 404
    assert page.request.get(f"{served.url}sources/no-such-version/pdf").status == 404
