"""Sign-in, roles and the staff's document library, through the real app's API (gradio_client)
and in headless Chromium: every endpoint enforces its role on the server, uploads are
validated with reasons, replace and remove work, and all of it is in the audit log."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.documents import damaged_doc, macro_doc, web_page, word_doc
from tests.helpers import CORPUS, ONE_PER_ROLE, SAMPLE_DOCS, add_accounts, serving
from tests.pdfs import blank_pdf, encrypted_pdf, scanned_pdf, text_pdf, truncated_pdf

pytestmark = pytest.mark.e2e
PASSWORDS = ONE_PER_ROLE


@dataclass
class Served:
    url: str
    data_dir: Path

    def client(self, name: str):  # type: ignore[no-untyped-def]
        from gradio_client import Client

        return Client(self.url, auth=(name, PASSWORDS[name][1]), verbose=False)


@pytest.fixture(scope="module")
def served(sample_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`guide serve` with four accounts (one per role) over a copy of the sample library."""
    root = tmp_path_factory.mktemp("roles")
    data_dir = root / "library"
    shutil.copytree(sample_library, data_dir)
    add_accounts(data_dir, PASSWORDS)  # the first must be an admin
    with serving(data_dir, root / "serve.log") as url:
        yield Served(url, data_dir)


def _denied(call) -> str:  # type: ignore[no-untyped-def]
    """The error message a call raises, or "" if it succeeds."""
    try:
        call()
    except Exception as exc:  # gradio_client's AppError carries the server's message
        return str(exc)
    return ""


def test_sign_in_is_required_and_checked(served: Served):
    from gradio_client import Client

    with pytest.raises(Exception, match="credentials were not provided|login"):
        Client(served.url, verbose=False)
    with pytest.raises(Exception, match="Could not login"):
        Client(served.url, auth=("olu", "wrong-password"), verbose=False)
    request = urllib.request.Request(
        served.url + "gradio_api/call/documents",
        data=json.dumps({"data": []}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as raw:
        urllib.request.urlopen(request, timeout=10)
    assert raw.value.code in {401, 403}
    assert served.client("olu").predict(api_name="/whoami")["role"] == "officer"


def test_every_endpoint_enforces_its_role_on_the_server(served: Served, tmp_path: Path):
    from gradio_client import handle_file

    notes = tmp_path / "notes.pdf"
    notes.write_text("not a pdf")
    bad_set = tmp_path / "broken.jsonl"
    bad_set.write_text('{"id": "x"}\n')
    calls = {
        "/ask": lambda c: c.predict("What is a public service mutual?", api_name="/ask"),
        "/documents": lambda c: c.predict(api_name="/documents"),
        "/upload": lambda c: c.predict([handle_file(str(notes))], api_name="/upload"),
        "/replace": lambda c: c.predict("absent.pdf", handle_file(str(notes)), api_name="/replace"),
        "/remove": lambda c: c.predict("absent.pdf", api_name="/remove"),
        "/audit": lambda c: c.predict(api_name="/audit"),
        "/users": lambda c: c.predict(api_name="/users"),
        "/add_user": lambda c: c.predict("newbie", "officer", "short", api_name="/add_user"),
        "/remove_user": lambda c: c.predict("nobody", api_name="/remove_user"),
        "/eval_testsets": lambda c: c.predict(api_name="/eval_testsets"),
        "/eval_add_testset": lambda c: c.predict(
            handle_file(str(bad_set)), api_name="/eval_add_testset"
        ),
        "/eval_run": lambda c: c.predict(["absent.jsonl"], api_name="/eval_run"),
        "/eval_runs": lambda c: c.predict(api_name="/eval_runs"),
        "/eval_compare": lambda c: c.predict("no-such-run", "nor-this", api_name="/eval_compare"),
    }
    may = {
        "/ask": {"officer", "staff", "evaluator", "admin"},
        "/documents": {"staff", "admin"},
        "/upload": {"staff", "admin"},
        "/replace": {"staff", "admin"},
        "/remove": {"staff", "admin"},
        "/audit": {"admin"},
        "/users": {"admin"},
        "/add_user": {"admin"},
        "/remove_user": {"admin"},
        "/eval_testsets": {"evaluator", "admin"},
        "/eval_add_testset": {"evaluator", "admin"},
        "/eval_run": {"evaluator", "admin"},
        "/eval_runs": {"evaluator", "admin"},
        "/eval_compare": {"evaluator", "admin"},
    }
    for name, (role, _) in PASSWORDS.items():
        client = served.client(name)
        assert client.predict(api_name="/whoami")["user"] == name
        for endpoint, call in calls.items():
            message = _denied(lambda call=call, client=client: call(client))
            refused_for_role = f"Your role ({role}) cannot" in message
            assert refused_for_role == (role not in may[endpoint]), (name, endpoint, message)


def test_staff_upload_replace_and_remove_through_the_api(served: Served, tmp_path: Path):
    from gradio_client import handle_file

    staff, officer = served.client("sam"), served.client("olu")
    v1 = text_pdf(
        tmp_path / "harbourside.pdf",
        [
            "The Harbourside Library Trust was founded in 2011 as a staff mutual with 40 "
            "staff. It runs the town's four branch libraries under a contract with the council."
        ],
        title="Harbourside Library Trust",
    )
    added = staff.predict([handle_file(str(v1))], "", "case study", "2012-03", api_name="/upload")
    assert added["files"][0]["status"] == "added", added
    twice = staff.predict([handle_file(str(v1))], api_name="/upload")
    assert twice["files"][0]["status"] == "unchanged"

    v2 = text_pdf(
        tmp_path / "harbourside-2025.pdf",
        [
            "The Harbourside Library Trust now employs 65 staff after merging with the county "
            "archive service. It runs four branch libraries and the archive."
        ],
        title="Harbourside Library Trust",
    )
    replaced = staff.predict("harbourside.pdf", handle_file(str(v2)), api_name="/replace")
    assert replaced["file"]["status"] == "replaced", replaced
    listed = staff.predict(api_name="/documents")["documents"]
    versions = {d["status"] for d in listed if d["source_file"] == "harbourside.pdf"}
    assert versions == {"current", "superseded"}
    uploader = {d["uploaded_by"] for d in listed if d["source_file"] == "harbourside.pdf"}
    assert uploader == {"sam"}

    answer = officer.predict(
        "How many staff does the Harbourside Library Trust employ?", api_name="/ask"
    )
    assert answer["citations"] and answer["citations"][0]["superseded"] == ""
    assert "65 staff" in answer["citations"][0]["quote"]

    removed = staff.predict("harbourside.pdf", api_name="/remove")
    assert len(removed["removed"]) == 2
    listed = staff.predict(api_name="/documents")["documents"]
    assert all(d["source_file"] != "harbourside.pdf" for d in listed)

    entries = served.client("ada").predict(50, "", "sam", api_name="/audit")["entries"]
    actions = [e["action"] for e in entries]
    for action in ("upload", "replace", "remove"):
        assert action in actions
    asked = served.client("ada").predict(50, "ask", "olu", api_name="/audit")["entries"]
    assert any("Harbourside" in str(e["what"]) for e in asked)
    signed = served.client("ada").predict(200, "sign_in", "", api_name="/audit")["entries"]
    assert {e["who"] for e in signed} >= {"sam", "olu"}


def test_bad_files_are_refused_with_reasons_and_change_nothing(served: Served, tmp_path: Path):
    from gradio_client import handle_file

    good = CORPUS / SAMPLE_DOCS[0]
    zoo = tmp_path / "zoo"
    zoo.mkdir()
    (zoo / "empty.pdf").write_bytes(b"")
    (zoo / "minutes.pdf").write_text("Minutes of the meeting: not a PDF at all.")
    shutil.copy(CORPUS / SAMPLE_DOCS[1], zoo / "report.docx")  # a PDF, mislabelled
    truncated_pdf(zoo / "truncated.pdf", good)
    encrypted_pdf(zoo / "locked.pdf", text_pdf(tmp_path / "plain.pdf", ["Secret text."]))
    scanned_pdf(zoo / "scan.pdf")
    blank_pdf(zoo / "thousand-blank-pages.pdf", 1000)
    expected = {
        "empty.pdf": "empty",
        "minutes.pdf": "not a PDF",
        "report.docx": "not a Word document",
        "truncated.pdf": "damaged",
        "locked.pdf": "encrypted",
        "scan.pdf": "OCR",
        "thousand-blank-pages.pdf": "OCR",
    }
    registry = (served.data_dir / "registry.json").read_bytes()
    staff = served.client("sam")
    before = staff.predict(api_name="/documents")
    found = staff.predict([handle_file(str(zoo / n)) for n in expected], api_name="/upload")
    reasons = {f["file"]: (f["status"], f["reason"]) for f in found["files"]}
    for name, words in expected.items():
        status, reason = reasons[name]
        assert status == "refused", (name, reason)
        assert words.lower() in reason.lower(), (name, reason)
    assert (served.data_dir / "registry.json").read_bytes() == registry
    assert staff.predict(api_name="/documents") == before


def test_word_and_web_pages_upload_through_the_api_and_bad_ones_are_refused(
    served: Served, tmp_path: Path
):
    from gradio_client import handle_file

    folder = tmp_path / "office"
    folder.mkdir()
    files = [
        word_doc(folder / "adaptations-review.docx"),
        web_page(folder / "outturn.html"),
        damaged_doc(folder / "cut-off.docx"),
        macro_doc(folder / "budget.docm"),
    ]
    staff = served.client("sam")
    found = staff.predict([handle_file(str(f)) for f in files], api_name="/upload")
    results = {f["file"]: (f["status"], f["reason"]) for f in found["files"]}
    assert results["adaptations-review.docx"][0] == "added", results
    assert results["outturn.html"][0] == "added", results
    assert results["cut-off.docx"][0] == "refused" and "damaged" in results["cut-off.docx"][1]
    assert results["budget.docm"][0] == "refused" and "macro" in results["budget.docm"][1]
    listed = {d["source_file"] for d in staff.predict(api_name="/documents")["documents"]}
    assert {"adaptations-review.docx", "outturn.html"} <= listed
    assert not {"cut-off.docx", "budget.docm"} & listed


def test_staff_and_officer_in_the_browser(served: Served, tmp_path: Path, browser):
    from playwright.sync_api import expect

    doc = text_pdf(
        tmp_path / "riverside-leisure.pdf",
        ["Riverside Leisure CIC took over the council's three pools in 2016."],
        title="Riverside Leisure CIC",
    )
    page = browser.new_page()
    _sign_in(page, served.url, "sam")
    expect(page.locator("#whoami")).to_contain_text("sam", timeout=30_000)
    page.get_by_role("tab", name="Documents").click()
    page.locator("#upload-files input[type=file]").set_input_files(str(doc))
    expect(page.locator("#upload-title input, #upload-title textarea")).to_have_value(
        "Riverside Leisure CIC", timeout=30_000
    )
    page.locator("#upload").click()
    expect(page.locator("#upload-results")).to_contain_text("added", timeout=120_000)
    expect(page.locator("#library-table")).to_contain_text("riverside-leisure.pdf")
    page.screenshot(path=str(tmp_path / "documents.png"), full_page=True)

    officer = browser.new_page()
    _sign_in(officer, served.url, "olu")
    expect(officer.locator("#whoami")).to_contain_text("olu", timeout=30_000)
    expect(officer.get_by_role("tab", name="Ask")).to_be_visible()
    assert officer.get_by_role("tab", name="Documents").count() == 0
    assert officer.get_by_role("tab", name="Admin").count() == 0


def _sign_in(page, url: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)  # redirected to the app's own sign-in page (assistant/ui/login.py)
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(PASSWORDS[name][1])
    page.get_by_role("button", name="Sign in").click()
