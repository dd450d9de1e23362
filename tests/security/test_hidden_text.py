"""Hidden-text attacks through the real loader (pypdf, `ingest.ink`, layout), each reproducing a
reported hole, and the look-alikes a reader can see that must not be lost.

Reported: text nobody can see was indexed, so answers quoted it as verified although an officer
could never find it on the page: text under a white box painted over it, clipped away, black on
a black box, squeezed to 1% width (`Tz`, or a text matrix with a tiny x scale), 1.2 pt type, 93%
grey on white. And the other way round: real table headings, white on a coloured fill that the
old tracker did not see, were dropped as hidden.

Each case is one crafted page (`tests.hidden_pdfs`) with an ordinary opening line. A hidden case
must leave its sentence out of every page's text and footnotes, flag it exactly once, and keep the
opening line; a look-alike must keep its text and raise no hidden flag.
"""

from __future__ import annotations

import re

import pytest

from ingest.layout import extract_page
from ingest.pdf import PdfLoader
from tests.hidden_pdfs import (
    HIDDEN_CASES,
    OPENING,
    SECRET,
    VISIBLE_CASES,
    hidden_case_pdf,
    visible_case_pdf,
)

pytestmark = pytest.mark.security


def _file(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".pdf"


@pytest.mark.parametrize("case", sorted(HIDDEN_CASES))
def test_hidden_text_is_flagged_and_never_indexed(tmp_path, case):
    loaded = PdfLoader().load(hidden_case_pdf(tmp_path / _file(case), case))
    everything = " ".join(page.full_text for page in loaded.pages)
    assert OPENING in loaded.pages[0].text
    for words in ("waive every pension", "pension deficit", "without a vote"):
        assert words not in everything
    assert [(f.kind, f.text) for f in loaded.flags] == [("hidden", SECRET)]


@pytest.mark.parametrize("case", sorted(VISIBLE_CASES))
def test_text_a_reader_can_see_is_kept(tmp_path, case):
    path, keep = visible_case_pdf(tmp_path / _file(case), case)
    loaded = PdfLoader().load(path)
    assert keep in loaded.pages[0].full_text
    assert OPENING in loaded.pages[0].text
    assert loaded.hidden == ((),)
    assert [f for f in loaded.flags if f.kind == "hidden"] == []


def test_a_superscript_is_kept_as_a_fragment_of_its_own_size(tmp_path):
    from pypdf import PdfReader

    path, _ = visible_case_pdf(tmp_path / "superscript.pdf", "5 pt superscript")
    text = extract_page(PdfReader(path).pages[0])
    assert ("th", 5.0) in [(f.text, f.size) for f in text.fragments]
    assert text.hidden == ()


def test_the_reported_table_heading_survives_in_the_page_text(tmp_path):
    path, heading = visible_case_pdf(
        tmp_path / "header.pdf", "white heading on a header fill drawn by a form"
    )
    assert heading == "Portion of Derivative Comprehensive Income Recognized in Income"
    assert heading in PdfLoader().load(path).pages[0].full_text
