"""Accessibility of the real app in headless Chromium: axe-core (WCAG 2.2 AA rules) finds no
serious or critical violation on the sign-in page or on any tab as any role, the Ask tab
included once an answer is shown; everything is done with the keyboard alone; the answer is
announced through a polite live region; and at phone width (390x844) the question box sits on
the first screen. Screenshots of each tab are saved along the way (tests/screenshots.py).

axe-core comes from npm at install time (`make axe`, pinned in tests/e2e/js/package-lock.json);
Playwright injects it into each page."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ONE_PER_ROLE, ROOT, add_accounts, serving
from tests.screenshots import DESKTOP, PHONE, shoot

pytestmark = pytest.mark.e2e

AXE_JS = ROOT / "tests" / "e2e" / "js" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ACCOUNTS = ONE_PER_ROLE
# The tabs each role sees, and an element that shows the tab's panel is open.
TABS = {
    "Ask": "#question textarea",
    "Documents": "#upload-files",
    "Evaluate": "#eval-run",
    "Admin": "#users-table",
}
SEES = {
    "officer": ["Ask"],
    "staff": ["Ask", "Documents"],
    "evaluator": ["Ask", "Evaluate"],
    "admin": ["Ask", "Documents", "Evaluate", "Admin"],
}
QUESTION = "How does a council reserve a contract for a public service mutual?"


@pytest.fixture(scope="module")
def served(sample_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`guide serve` over a copy of the sample library, with one account per role."""

    root = tmp_path_factory.mktemp("a11y")
    data_dir = root / "library"
    shutil.copytree(sample_library, data_dir)
    add_accounts(data_dir, ACCOUNTS)  # the first must be an admin
    with serving(data_dir, root / "serve.log") as url:
        yield url


def _page(browser: Any, viewport: dict[str, int]) -> Any:
    # The sign-in page's Content-Security-Policy forbids inline scripts, axe's included; the
    # test's own context bypasses it (the app's pages are unchanged).
    return browser.new_context(viewport=viewport, bypass_csp=True).new_page()


def _sign_in(page: Any, url: str, name: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)  # redirected to /login
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(ACCOUNTS[name][1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#whoami")).to_contain_text(name, timeout=60_000)


def _open_tab(page: Any, tab: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name=tab, exact=True).click()
    expect(page.locator(TABS[tab]).first).to_be_visible(timeout=30_000)


def _ask(page: Any, question: str = QUESTION) -> None:
    from playwright.sync_api import expect

    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    expect(page.locator("#chat")).to_contain_text("Sources", timeout=120_000)


def _axe(page: Any) -> dict[str, Any]:
    """axe-core's WCAG 2.2 AA rules run on the page as it is now: the rules that passed (a
    count, to show it ran) and the serious or critical violations, as 'rule: target' lines."""
    page.add_script_tag(path=str(AXE_JS))
    return dict(
        page.evaluate(
            """async (tags) => {
                const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                const bad = r.violations.filter(v => ["serious", "critical"].includes(v.impact));
                return {
                    passes: r.passes.length,
                    violations: bad.flatMap(v => v.nodes.map(
                        n => `${v.id} (${v.impact}): ${n.target.join(" ")}`)),
                };
            }""",
            WCAG_22_AA,
        )
    )


def test_no_serious_or_critical_axe_violation_on_any_page_for_any_role(served: str, browser):
    found: dict[str, list[str]] = {}

    def check(page: Any, where: str) -> None:
        result = _axe(page)
        assert result["passes"] > 10, (where, result)  # axe ran its rules on a real page
        if result["violations"]:
            found[where] = result["violations"]

    page = _page(browser, DESKTOP)
    page.goto(served)
    assert page.get_by_label("Password").count() == 1  # the sign-in page, not the app
    check(page, "sign-in")
    shoot(page, "sign-in-desktop")
    page.get_by_label("Username").fill("nobody")  # a refusal: the form again, with the reason
    page.get_by_label("Password").fill("not-a-password")
    page.get_by_role("button", name="Sign in").click()
    assert "do not match" in page.get_by_role("alert").inner_text()
    check(page, "sign-in, refused")

    checked = ["sign-in", "sign-in, refused"]
    for name, (role, _) in ACCOUNTS.items():
        page = _page(browser, DESKTOP)
        _sign_in(page, served, name)
        shown = [t.inner_text().strip() for t in page.get_by_role("tab").all()]
        assert shown == SEES[role], (name, shown)
        for tab in SEES[role]:
            _open_tab(page, tab)
            check(page, f"{role}/{tab}")
            checked.append(f"{role}/{tab}")
            if role == "admin":  # admins see every tab: these are the screenshots
                shoot(page, f"{tab.lower()}-desktop")
        if role == "officer":
            _ask(page)
            check(page, "officer/Ask with an answer")
            checked.append("officer/Ask with an answer")
            shoot(page, "ask-answer-desktop")
        if role == "admin":
            page.set_viewport_size(PHONE)
            for tab in SEES[role]:
                _open_tab(page, tab)
                check(page, f"{role}/{tab} at phone width")
                shoot(page, f"{tab.lower()}-phone")
        page.context.close()
    assert len(checked) == 2 + sum(len(tabs) for tabs in SEES.values()) + 1
    assert found == {}, "\n".join(f"{where}: {v}" for where, vs in found.items() for v in vs)


def _focus_is(page: Any, script: str) -> bool:
    return bool(page.evaluate(f"(el => {script})(document.activeElement)"))


def _tab_until(page: Any, script: str, key: str = "Tab", limit: int = 80) -> int:
    """Press `key` until the focused element satisfies `script` (a JS expression over `el`);
    the number of presses. Fails if it is not reached within `limit` presses."""
    for presses in range(limit + 1):
        if _focus_is(page, script):
            return presses
        page.keyboard.press(key)
    raise AssertionError(f"{script} not reached by {limit} presses of {key}")


def test_keyboard_alone_signs_in_asks_hears_the_answer_and_switches_tabs(served: str, browser):
    from playwright.sync_api import expect

    page = _page(browser, DESKTOP)
    page.goto(served)
    assert _focus_is(page, "el.id === 'username'")  # the sign-in form starts focused
    page.keyboard.type("ada")
    page.keyboard.press("Tab")
    assert _focus_is(page, "el.id === 'password'")
    page.keyboard.type(ACCOUNTS["ada"][1])
    page.keyboard.press("Enter")
    expect(page.locator("#whoami")).to_contain_text("ada", timeout=60_000)

    in_question = "el.tagName === 'TEXTAREA' && !!el.closest('#question')"
    _tab_until(page, in_question)
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    chat = page.locator("#chat")
    expect(chat).to_contain_text("Sources", timeout=120_000)

    live = page.locator("#answer-live")
    assert live.get_attribute("aria-live") == "polite"
    answer = chat.locator(".message.bot").last.inner_text()
    opening = answer.strip().split("\n")[0][:80]
    assert len(opening) > 20, answer
    expect(live).to_contain_text(opening, timeout=30_000)
    assert "every quote is checked next" not in live.inner_text()  # not a draft
    assert chat.locator("[role='log']").get_attribute("aria-live") == "off"  # read once, there

    # Back to the tab list with Shift+Tab; the arrow keys and Enter both switch tabs.
    on_tab = "el.getAttribute('role') === 'tab'"
    _tab_until(page, on_tab, key="Shift+Tab")  # the last tab (Admin) comes first
    page.keyboard.press("Home")
    expect(page.locator(TABS["Ask"])).to_be_visible()
    assert _focus_is(page, "el.innerText.trim() === 'Ask'")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("ArrowRight")
    expect(page.locator(TABS["Documents"])).to_be_visible(timeout=30_000)
    assert _focus_is(page, "el.innerText.trim() === 'Documents'")
    page.keyboard.press("End")
    expect(page.locator(TABS["Admin"])).to_be_visible(timeout=30_000)
    page.keyboard.press("Shift+Tab")  # each tab is a button in the tab order too
    assert _focus_is(page, "el.innerText.trim() === 'Evaluate'")
    page.keyboard.press("Enter")
    expect(page.locator(TABS["Evaluate"])).to_be_visible(timeout=30_000)
    expect(page.locator(TABS["Admin"])).to_be_hidden()


def test_at_phone_width_the_question_box_is_on_the_first_screen(served: str, browser):
    page = _page(browser, PHONE)
    _sign_in(page, served, "olu")
    height = PHONE["height"]

    def bottom(selector: str) -> float:
        page.evaluate("window.scrollTo(0, 0)")
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        return float(box["y"] + box["height"])

    assert bottom("#question textarea") <= 0.85 * height
    _ask(page)  # a long answer scrolls inside the conversation, above the question box
    assert bottom("#question textarea") <= 0.85 * height
    assert bottom("#ask") <= height
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width}px)"
    shoot(page, "ask-answer-phone", full_page=False)
