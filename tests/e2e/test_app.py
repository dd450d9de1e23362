"""The real Gradio app as a separate process: asked through its API with gradio_client, and used
by a person's route through headless Chromium driven by Playwright."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.text import normalise
from tests.helpers import CORPUS

pytestmark = pytest.mark.e2e


def test_api_answers_with_checkable_citations_and_follow_ups(app_server):
    from gradio_client import Client

    client = Client(app_server, verbose=False)
    first = "What information must be given to the new employer before a TUPE transfer?"
    answer = client.predict(first, [], api_name="/ask")
    assert answer["status"] in {"answered", "partial"}
    assert answer["citations"]
    for c in answer["citations"]:
        page = PdfReader(CORPUS / c["source_file"]).pages[c["page"] - 1].extract_text()
        assert normalise(c["quote"]) in normalise(page)
    follow = client.predict("And what about their pensions?", [first], api_name="/ask")
    assert "TUPE" in follow["search_query"]
    assert any("pension" in c["quote"].lower() for c in follow["citations"])


def test_api_says_plainly_when_the_library_does_not_answer(app_server):
    from gradio_client import Client

    answer = Client(app_server, verbose=False).predict(
        "Which football team won the 1966 World Cup?", [], api_name="/ask"
    )
    assert answer["status"] == "no_answer"
    assert answer["citations"] == []


def _ask(page, url: str, question: str):  # type: ignore[no-untyped-def]
    """Ask in the chat and wait for the answer's sources; the chat element."""
    from playwright.sync_api import expect

    page.goto(url)
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    bot = page.locator("#chat")
    expect(bot).to_contain_text("Sources", timeout=60_000)
    return bot


def test_a_procedure_answer_shows_numbered_steps_in_the_chat(app_server, tmp_path: Path, browser):
    page = browser.new_page()
    bot = _ask(page, app_server, "What are the steps to spin out a service as a staff mutual?")
    shown = bot.inner_text()
    steps = [int(n) for n in re.findall(r"Step (\d+):", shown.split("Sources")[0])]
    assert len(steps) >= 5 and steps == list(range(1, len(steps) + 1)), shown[:800]
    assert "[5]" in shown  # each step carries its own citation
    page.screenshot(path=str(tmp_path / "steps.png"), full_page=True)


def test_officer_asks_in_the_browser_and_opens_a_source(app_server, tmp_path: Path, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    bot = _ask(
        page,
        app_server,
        "How does a council reserve a contract for a public service mutual?",
    )
    bot.get_by_role("link", name="[1]", exact=True).first.click()
    expect(page.locator("#source-view .guide-pdf")).to_have_attribute(
        "data-state", "marked", timeout=60_000
    )
    assert page.locator("#source-view .textLayer .guide-hit").count() > 0
    link = page.locator("#open-pdf")
    expect(link).to_contain_text("Open the whole PDF")
    href = link.get_attribute("href") or ""
    assert href.startswith("sources/") and "#page=" in href
    pdf = page.request.get(app_server.rstrip("/") + "/" + href.split("#")[0])
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    page.screenshot(path=str(tmp_path / "ask.png"), full_page=True)
