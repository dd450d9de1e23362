"""Conversations that last and feedback that becomes test questions, in the real app (a `guide
serve` process with sign-in) driven through headless Chromium, checked through its API, and
across a restart of the app process on the same data folder."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import add_accounts, guide_cli, serving

pytestmark = pytest.mark.e2e
PASSWORDS = {
    "ada": ("admin", "ada-password-1"),
    "olu": ("officer", "olu-password-1"),
    "sam": ("officer", "sam-password-1"),
    "eve": ("evaluator", "eve-password-1"),
}
FIRST = "What information must be given to the new employer before a TUPE transfer?"
FOLLOW_UP = "And what about their pensions?"
OTHER = "How does a council reserve a contract for a public service mutual?"
RENAMED = "TUPE & pensions <b>notes</b>"
COMMENT = "It did not say who pays <script>alert(1)</script>"


def _add_accounts(data_dir: Path) -> None:
    add_accounts(data_dir, PASSWORDS)  # the first must be an admin


def _client(url: str, name: str):  # type: ignore[no-untyped-def]
    from gradio_client import Client

    return Client(url, auth=(name, PASSWORDS[name][1]), verbose=False)


def _error(call) -> str:  # type: ignore[no-untyped-def]
    try:
        call()
    except Exception as exc:  # gradio_client's AppError carries the server's message
        return str(exc)
    return ""


def _sign_in(browser, url: str, name: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(url)  # redirected to the app's own sign-in page
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(PASSWORDS[name][1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#whoami")).to_contain_text(name, timeout=60_000)
    return page


def _ask(page, question: str, answers_before: int) -> None:  # type: ignore[no-untyped-def]
    """Ask in the chat and wait until its answer (one more "Sources" list) is shown and saved."""
    from playwright.sync_api import expect

    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    expect(page.locator("#chat").get_by_text("Sources", exact=True)).to_have_count(
        answers_before + 1, timeout=120_000
    )
    expect(page.locator("#conversations")).to_contain_text(question[:40], timeout=60_000)


def _conversation(page, title: str):  # type: ignore[no-untyped-def]
    return page.locator("#conversations label").filter(has_text=title)


def test_conversations_and_feedback_journey(sample_library, tmp_path: Path, browser):
    from playwright.sync_api import expect

    data_dir = tmp_path / "library"
    shutil.copytree(sample_library, data_dir)
    _add_accounts(data_dir)

    with serving(data_dir, tmp_path / "serve-1.log") as url:
        # -- an officer asks two conversations' worth of questions ----------------------------
        page = _sign_in(browser, url, "olu")
        _ask(page, FIRST, 0)
        page.get_by_role("button", name="New conversation").click()
        expect(page.locator("#chat")).not_to_contain_text("Sources")
        _ask(page, OTHER, 0)
        olu = _client(url, "olu")
        listed = olu.predict(api_name="/conversations")["conversations"]
        assert [c["title"] for c in listed] == [OTHER, FIRST]
        tupe_id, other_id = listed[1]["id"], listed[0]["id"]
        saved = olu.predict(tupe_id, api_name="/conversation")["turns"][0]["answer"]

        # -- reload: the chat is empty, the list is still there; reopen the first --------------
        page.reload()
        expect(page.locator("#whoami")).to_contain_text("olu", timeout=60_000)
        expect(_conversation(page, FIRST)).to_be_visible(timeout=60_000)
        expect(page.locator("#chat")).not_to_contain_text("Sources")
        _conversation(page, FIRST).click()
        chat = page.locator("#chat")
        expect(chat).to_contain_text(FIRST, timeout=60_000)
        expect(chat).to_contain_text(saved["citations"][0]["document"])
        expect(chat).not_to_contain_text(OTHER)
        expect(page.locator("#conv-title input, #conv-title textarea")).to_have_value(FIRST)

        # -- the follow-up still resolves against the reopened conversation -------------------
        page.locator("#question textarea").fill(FOLLOW_UP)
        page.locator("#ask").click()
        expect(chat.get_by_text("Sources", exact=True)).to_have_count(2, timeout=120_000)
        expect(_conversation(page, "2 questions")).to_contain_text(FIRST, timeout=60_000)
        turns = olu.predict(tupe_id, api_name="/conversation")["turns"]
        assert [t["question"] for t in turns] == [FIRST, FOLLOW_UP]
        assert "TUPE" in turns[1]["answer"]["search_query"]  # rewritten with the earlier turn
        assert any("pension" in c["quote"].lower() for c in turns[1]["answer"]["citations"])

        # -- rename the open one (its name is shown as text), delete the other -----------------
        page.locator("#conv-title input, #conv-title textarea").fill(RENAMED)
        page.locator("#conv-rename").click()
        expect(page.locator("#conv-status")).to_contain_text(RENAMED, timeout=60_000)
        expect(_conversation(page, RENAMED)).to_be_visible()
        assert page.locator("#conversations b").count() == 0  # the markup stayed text
        _conversation(page, OTHER).click()
        expect(chat).to_contain_text(OTHER, timeout=60_000)
        page.locator("#conv-delete").click()  # not yet confirmed: nothing is deleted
        expect(page.get_by_text("a deleted conversation is gone").first).to_be_visible(
            timeout=60_000
        )
        assert len(olu.predict(api_name="/conversations")["conversations"]) == 2
        page.locator("#conv-confirm input").check()
        page.locator("#conv-delete").click()
        expect(page.locator("#conv-status")).to_contain_text("Deleted", timeout=60_000)
        expect(_conversation(page, OTHER)).to_have_count(0)
        expect(chat).not_to_contain_text("Sources")  # the deleted conversation was open
        listed = olu.predict(api_name="/conversations")["conversations"]
        assert [(c["id"], c["title"], c["turns"]) for c in listed] == [(tupe_id, RENAMED, 2)]
        assert "not among yours" in _error(lambda: olu.predict(other_id, api_name="/conversation"))

        # -- feedback on the follow-up's answer, with the keyboard ----------------------------
        _conversation(page, RENAMED).click()
        expect(chat.get_by_text("Sources", exact=True)).to_have_count(2, timeout=60_000)
        page.get_by_role("radio", name="Not helpful", exact=True).focus()
        page.keyboard.press("Space")
        expect(page.get_by_role("radio", name="Not helpful", exact=True)).to_be_checked()
        page.locator("#fb-comment input, #fb-comment textarea").fill(COMMENT)
        page.locator("#fb-send").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#fb-status")).to_contain_text("saved", timeout=60_000)
        page.screenshot(path=str(tmp_path / "conversations.png"), full_page=True)

        # -- nobody else sees it --------------------------------------------------------------
        sam = _client(url, "sam")
        assert sam.predict(api_name="/conversations")["conversations"] == []
        for call in (
            lambda: sam.predict(tupe_id, api_name="/conversation"),
            lambda: sam.predict(tupe_id, "mine now", api_name="/rename_conversation"),
            lambda: sam.predict(tupe_id, api_name="/delete_conversation"),
            lambda: sam.predict(tupe_id, False, api_name="/give_feedback"),
        ):
            assert "not among yours" in _error(call)
        assert "cannot run evaluations" in _error(lambda: sam.predict(api_name="/feedback"))
        assert "cannot manage users" in _error(
            lambda: olu.predict(1, api_name="/conversation_retention")
        )

        # -- the evaluator turns the feedback into a test question and runs it ----------------
        eve = _client(url, "eve")
        (item,) = eve.predict(api_name="/feedback")["feedback"]
        assert item["who"] == "olu" and item["helpful"] is False and item["comment"] == COMMENT
        assert item["question"] == FOLLOW_UP and item["answer"] == turns[1]["answer"]
        assert item["generation"] == turns[1]["generation"] != ""
        evaluator = _sign_in(browser, url, "eve")
        evaluator.get_by_role("tab", name="Evaluate").click()
        table = evaluator.locator("#feedback-table")
        expect(table).to_contain_text(COMMENT, timeout=60_000)  # the markup shown as text
        evaluator.locator("#feedback-pick input").click()
        evaluator.get_by_role("option", name=re.compile(r"^#\d+ \(not helpful, olu\)")).click()
        expect(evaluator.locator("#feedback-answer")).to_contain_text(COMMENT, timeout=60_000)
        assert evaluator.locator("#feedback-answer script").count() == 0
        question = evaluator.locator("#feedback-question input, #feedback-question textarea")
        expect(question).to_have_value(FOLLOW_UP)
        reference = evaluator.locator("#feedback-reference textarea")
        expect(reference).to_have_value(item["answer"]["answer"])
        pensions = next(c for c in item["answer"]["citations"] if "pension" in c["quote"].lower())
        gold_box = evaluator.locator("#feedback-gold label").filter(has_text=f"[{pensions['n']}] ")
        expect(gold_box).to_have_count(1, timeout=60_000)
        gold_box.click()
        written = "Do staff transferred under TUPE keep their pension rights?"
        question.fill(written)
        evaluator.locator("#feedback-add").click()
        added = evaluator.locator("#feedback-added")
        expect(added).to_contain_text("feedback.jsonl", timeout=60_000)
        expect(evaluator.locator("#eval-testsets")).to_contain_text("feedback.jsonl")
        evaluator.locator("#eval-run").click()
        expect(evaluator.locator("#eval-headline")).to_contain_text("1 questions", timeout=180_000)
        expect(evaluator.locator("#eval-report #questions")).to_contain_text(written)
        runs = eve.predict(api_name="/eval_runs")["runs"]
        names = [t if isinstance(t, str) else t["name"] for t in runs[0]["testsets"]]
        assert names == ["feedback.jsonl"]
        assert (
            eve.predict(api_name="/feedback")["feedback"][0]["test_id"] == f"feedback-{item['id']}"
        )
        evaluator.screenshot(path=str(tmp_path / "feedback.png"), full_page=True)

        # -- the admin sets the retention period, which is audited ----------------------------
        admin = _sign_in(browser, url, "ada")
        admin.get_by_role("tab", name="Admin").click()
        days = admin.locator("#retention-days input")
        expect(days).to_have_value("90", timeout=60_000)
        days.fill("30")
        admin.locator("#retention-save").click()
        expect(admin.locator("#retention-status")).to_contain_text("30 days", timeout=60_000)
        ada = _client(url, "ada")
        assert ada.predict(api_name="/conversation_retention") == {"days": 30, "purged": 0}
        audited = ada.predict(20, "conversation_retention", "ada", api_name="/audit")["entries"]
        assert audited and audited[0]["what"] == {"days": 30}
        made = ada.predict(20, "feedback_to_test", "eve", api_name="/audit")["entries"]
        assert made and made[0]["what"]["test_id"] == f"feedback-{item['id']}"

    # -- the test set runs from the command line too ------------------------------------------
    testset = data_dir / "testsets" / "feedback.jsonl"
    (line,) = testset.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["gold"] == [{"source_file": pensions["source_file"], "page": pensions["page"]}]
    assert record["reference_answer"] == item["answer"]["answer"]
    ran = guide_cli("eval", "run", "--testset", str(testset), "--data-dir", str(data_dir), "--json")
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert [i["id"] for i in json.loads(ran.stdout)["items"]] == [record["id"]]

    # -- a new app process on the same data folder: everything is still there -----------------
    with serving(data_dir, tmp_path / "serve-2.log") as url:
        page = _sign_in(browser, url, "olu")
        expect(_conversation(page, RENAMED)).to_be_visible(timeout=60_000)
        _conversation(page, RENAMED).click()
        expect(page.locator("#chat")).to_contain_text(FOLLOW_UP, timeout=60_000)
        olu = _client(url, "olu")
        again = olu.predict(tupe_id, api_name="/conversation")
        assert [t["question"] for t in again["turns"]] == [FIRST, FOLLOW_UP]
        asked = olu.predict("And who pays for them?", tupe_id, api_name="/ask_in_conversation")
        assert (asked["conversation_id"], asked["turn"]) == (tupe_id, 3)
        assert "pension" in asked["answer"]["search_query"].lower()  # the saved history
        assert _client(url, "ada").predict(api_name="/conversation_retention")["days"] == 30
        assert len(_client(url, "eve").predict(api_name="/feedback")["feedback"]) == 1
