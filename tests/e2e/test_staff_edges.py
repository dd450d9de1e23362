"""The staff's rough edges, in headless Chromium on the real app (issue 17, item 4): a refused
action leaves the Documents tab usable, upload fields never carry one file's metadata to the
next, uploads return at once and show each file's state live, the library table fits a desktop
window, and signing out happens in the same tab and reaches any other tab still open."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import (
    CORPUS,
    ERROR_BADGES,
    WARNING_TOAST,
    add_accounts,
    serving,
    sign_in,
)
from tests.pdfs import text_pdf

pytestmark = pytest.mark.e2e
ACCOUNTS = {
    "ada": ("admin", "ada-password-1"),
    "sam": ("staff", "sam-password-1"),
}


@dataclass
class Served:
    url: str
    data_dir: Path

    def client(self, name: str):  # type: ignore[no-untyped-def]
        from gradio_client import Client

        return Client(self.url, auth=(name, ACCOUNTS[name][1]), verbose=False)


@pytest.fixture(scope="module")
def served(sample_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("staff-edges")
    data_dir = root / "library"
    shutil.copytree(sample_library, data_dir)
    add_accounts(data_dir, ACCOUNTS)
    with serving(data_dir, root / "serve.log") as url:
        yield Served(url, data_dir)


def _staff_page(browser, served: Served):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, served.url, "sam", ACCOUNTS["sam"][1])
    page.get_by_role("tab", name="Documents").click()
    return page


def _field(page, elem_id: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#{elem_id} input, #{elem_id} textarea").first


def test_a_refused_remove_leaves_the_tab_usable_and_the_next_remove_works(
    served: Served, tmp_path: Path, browser
):
    from gradio_client import handle_file
    from playwright.sync_api import expect

    doc = text_pdf(
        tmp_path / "quayside-market.pdf",
        ["Quayside Market Co-operative runs the covered market under a lease from the council."],
        title="Quayside Market Co-operative",
    )
    added = served.client("sam").predict([handle_file(str(doc))], api_name="/upload")
    assert added["files"][0]["status"] == "added", added
    registry = (served.data_dir / "registry.json").read_bytes()

    page = _staff_page(browser, served)
    table = page.locator("#library-table")
    expect(table).to_contain_text("quayside-market.pdf", timeout=60_000)
    page.get_by_text("Manage a document").click()
    page.locator("#manage-doc input").click()
    page.get_by_role("option", name=re.compile("quayside-market.pdf")).click()
    expect(page.locator("#manage-details")).to_contain_text("Quayside Market Co-operative")

    page.locator("#remove").click()  # no tick: refused
    expect(page.locator(WARNING_TOAST)).to_contain_text("Tick the box to confirm")
    expect(page.locator(ERROR_BADGES)).to_have_count(0)
    assert (served.data_dir / "registry.json").read_bytes() == registry  # nothing changed
    expect(table).to_contain_text("quayside-market.pdf")

    page.locator("#remove-confirm input").check()  # would time out under an error overlay
    page.locator("#remove").click()
    expect(table).not_to_contain_text("quayside-market.pdf", timeout=60_000)
    expect(page.locator("#remove-confirm input")).not_to_be_checked()
    expect(page.locator(ERROR_BADGES)).to_have_count(0)
    listed = served.client("sam").predict(api_name="/documents")["documents"]
    assert all(d["source_file"] != "quayside-market.pdf" for d in listed)


def test_upload_fields_never_carry_over_to_the_next_files(served: Served, tmp_path: Path, browser):
    from playwright.sync_api import expect

    first = text_pdf(
        tmp_path / "ferry-mutual.pdf",
        ["The Harbour Ferry Mutual runs the crossing for the council under a service contract."],
        title="Harbour Ferry Mutual",
    )
    second = text_pdf(
        tmp_path / "northgate-care.pdf",
        ["Northgate Care Co-operative provides home care, owned by its care workers."],
        title="Northgate Care Co-operative",
    )
    third = text_pdf(
        tmp_path / "eastfield-youth.pdf",
        ["Eastfield Youth Trust took over the youth centres, run by a board of young people."],
        title="Eastfield Youth Trust",
    )
    page = _staff_page(browser, served)
    files = page.locator("#upload-files input[type=file]")
    files.set_input_files(str(first))
    title = _field(page, "upload-title")
    expect(title).to_have_value("Harbour Ferry Mutual", timeout=60_000)
    title.fill("Harbour Ferry Mutual: annual review")
    page.locator("#upload-kind input").click()
    page.get_by_role("option", name="case study").click()
    _field(page, "upload-date").fill("2019-04")
    page.locator("#upload").click()
    expect(page.locator("#upload-results")).to_contain_text("added", timeout=120_000)
    expect(title).to_have_value("")  # the fields are cleared after an upload
    expect(_field(page, "upload-date")).to_have_value("")

    files.set_input_files([str(second), str(third)])
    expect(title).to_be_disabled(timeout=60_000)  # several files: each gets its own metadata
    expect(title).to_have_value("")
    page.locator("#upload").click()
    results = page.locator("#upload-results")
    expect(results).to_contain_text("northgate-care.pdf", timeout=120_000)
    expect(results).to_contain_text("eastfield-youth.pdf")
    expect(results).not_to_contain_text(re.compile("queued|reading|embedding"), timeout=180_000)
    expect(results).not_to_contain_text("refused")
    expect(page.locator(ERROR_BADGES)).to_have_count(0)

    listed = {
        d["source_file"]: d
        for d in served.client("sam").predict(api_name="/documents")["documents"]
    }
    assert listed["ferry-mutual.pdf"]["title"] == "Harbour Ferry Mutual: annual review"
    assert listed["ferry-mutual.pdf"]["kind"] == "case study"
    assert listed["ferry-mutual.pdf"]["date"] == "2019-04"
    for name, own_title in (
        ("northgate-care.pdf", "Northgate Care Co-operative"),
        ("eastfield-youth.pdf", "Eastfield Youth Trust"),
    ):
        assert listed[name]["title"] == own_title, listed[name]
        assert listed[name]["date"] != "2019-04", listed[name]
        assert listed[name]["kind"] != "case study", listed[name]


# Every animation frame while files are added: the text of the upload results table.
_WATCH_RESULTS = """() => {
  window.resultsSeen = [];
  const look = () => {
    const table = document.querySelector('#upload-results');
    if (table) {
      const text = table.innerText;
      if (window.resultsSeen[window.resultsSeen.length - 1] !== text) window.resultsSeen.push(text);
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}"""
_EMBEDDING = re.compile(r"embedding \((\d+) of (\d+) passages\)")


def test_uploads_return_at_once_and_show_each_files_state_live(served: Served, browser):
    """The tab queues the files (the answer comes at once) and then shows each file's state as
    the background worker reaches it: queued, reading, embedding with a passage count that only
    goes up, then added; the queue table and the library table follow."""
    from playwright.sync_api import expect

    page = _staff_page(browser, served)
    page.evaluate(_WATCH_RESULTS)
    names = ["12-evidence-to-the-inquiry.pdf", "13-case-studies-leisure-and-libraries.pdf"]
    page.locator("#upload-files input[type=file]").set_input_files([str(CORPUS / n) for n in names])
    expect(_field(page, "upload-title")).to_be_disabled(timeout=60_000)
    page.locator("#upload").click()
    results = page.locator("#upload-results")
    expect(results).to_contain_text(names[1], timeout=30_000)
    expect(page.locator("#upload-queue")).to_contain_text(names[0], timeout=30_000)
    # done when no file is waiting or working any more
    expect(results).not_to_contain_text(re.compile(r"queued|reading|embedding"), timeout=300_000)
    seen = [t for t in page.evaluate("window.resultsSeen") if names[0] in t]
    assert "queued" in seen[0] or "reading" in seen[0], seen[:3]  # it answered before the work
    final = seen[-1]
    assert final.count("added") == 2, final
    counts = [[(int(a), int(b)) for a, b in _EMBEDDING.findall(text)] for text in seen]
    progress = [c for c in counts if c]
    assert progress, seen  # the passages were counted while they were embedded
    for done, total in (pair for c in progress for pair in c):
        assert 0 <= done <= total, seen
    # each file's count only goes up (one file is embedded at a time, in order)
    flat = [pair for c in progress for pair in c]
    for (d1, t1), (d2, t2) in zip(flat, flat[1:], strict=False):
        assert t1 != t2 or d2 >= d1, flat
    expect(page.locator("#library-table")).to_contain_text(names[1], timeout=30_000)
    expect(page.locator(ERROR_BADGES)).to_have_count(0)


def test_the_library_table_fits_a_desktop_window(served: Served, browser):
    from playwright.sync_api import expect

    page = _staff_page(browser, served)
    table = page.locator("#library-table")
    expect(table).to_contain_text("05-spin-out-journey-guide.pdf", timeout=60_000)
    overflow = table.evaluate(
        """root => [root, ...root.querySelectorAll('*')]
            .filter(el => el.clientWidth > 0)
            .map(el => ({tag: el.tagName, cls: el.className, over: el.scrollWidth - el.clientWidth,
                         style: getComputedStyle(el).overflowX}))
            .filter(el => ['auto', 'scroll'].includes(el.style))"""
    )
    assert overflow, "the table's scrolling box was not found"
    assert all(o["over"] <= 1 for o in overflow), overflow
    box = table.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1280


def test_sign_out_stays_in_the_tab_and_reaches_an_old_tab(served: Served, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    old = context.new_page()
    sign_in(old, served.url, "sam", ACCOUNTS["sam"][1])
    old.get_by_role("tab", name="Documents").click()
    expect(old.locator("#library-table")).to_contain_text("05-spin-out", timeout=60_000)
    current = context.new_page()  # a second tab of the same browser: the same session
    current.goto(served.url)
    expect(current.locator("#whoami")).to_contain_text("Signed in as sam", timeout=60_000)

    opened: list[object] = []
    context.on("page", lambda new: opened.append(new))
    current.locator("#sign-out").click()
    current.wait_for_url(re.compile(r"/login\?signed_out=1$"))
    expect(current.get_by_role("status")).to_contain_text("You are signed out")
    assert opened == [] and len(context.pages) == 2  # no new tab

    old.get_by_text("Manage a document").click()  # the old tab still shows the app
    old.locator("#manage-doc input").click()
    old.get_by_role("option", name=re.compile("05-spin-out-journey-guide.pdf")).click()
    old.wait_for_url(re.compile(r"/login\?expired=1$"), timeout=60_000)
    expect(old.get_by_role("status")).to_contain_text("Sign in again")
    expect(old.locator(ERROR_BADGES)).to_have_count(0)
    context.close()
