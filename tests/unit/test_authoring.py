"""The pure phrase-locating logic behind ``python -m eval.authoring`` (no PDFs read)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from eval.authoring import (
    AuthoringError,
    DraftLine,
    assemble,
    assemble_item,
    locate_phrase,
    normalise,
    pages_containing,
)

PAGES = [
    "Title page\nMutual and co-operative approaches",
    "Contents\n1 Introduction ........ 1",
    "The committee heard that\nstaff-led mutuals need a\nclear  mandate   from members.",
    "A second page that repeats the phrase: common words here.",
    "Another page with common words here too.",
]


@pytest.mark.unit
def test_normalise_collapses_all_whitespace() -> None:
    assert normalise("  a\n b\t\tc  \r\n d ") == "a b c d"


@pytest.mark.unit
def test_phrase_found_on_one_page() -> None:
    assert pages_containing("Mutual and co-operative", PAGES) == [1]
    assert locate_phrase("Mutual and co-operative", PAGES) == 1


@pytest.mark.unit
def test_phrase_not_found_raises_with_where_and_phrase() -> None:
    assert pages_containing("a phrase that is nowhere", PAGES) == []
    with pytest.raises(AuthoringError) as raised:
        locate_phrase("a phrase that is nowhere", PAGES, "drafts/05-x.jsonl:3")
    message = str(raised.value)
    assert "drafts/05-x.jsonl:3" in message
    assert "not found" in message
    assert "a phrase that is nowhere" in message


@pytest.mark.unit
def test_phrase_on_two_pages_raises_naming_the_pages() -> None:
    assert pages_containing("common words here", PAGES) == [4, 5]
    with pytest.raises(AuthoringError) as raised:
        locate_phrase("common words here", PAGES, "drafts/05-x.jsonl:7")
    message = str(raised.value)
    assert "more than one page" in message
    assert "4, 5" in message
    assert "drafts/05-x.jsonl:7" in message


@pytest.mark.unit
def test_whitespace_differences_across_line_breaks_still_match() -> None:
    # The PDF breaks the line inside the phrase and pads with extra spaces; the draft does not.
    assert locate_phrase("staff-led mutuals need a clear mandate from members", PAGES) == 3
    # And the other way round: a draft phrase copied with a line break of its own.
    assert locate_phrase("heard that\n  staff-led", PAGES) == 3


@pytest.mark.unit
def test_match_is_exact_apart_from_whitespace() -> None:
    assert pages_containing("Staff-led mutuals", PAGES) == []
    assert pages_containing("staff led mutuals", PAGES) == []


@pytest.mark.unit
def test_empty_phrase_is_never_found() -> None:
    assert pages_containing("   ", PAGES) == []
    with pytest.raises(AuthoringError):
        locate_phrase("", PAGES)


def _texts(source_file: str) -> Sequence[str]:
    return {"a.pdf": PAGES, "b.pdf": ["nothing", "only here in b"]}[source_file]


def _draft(line: int, **record: object) -> DraftLine:
    return DraftLine("drafts/90-multi.jsonl", line, dict(record))


@pytest.mark.unit
def test_assemble_item_adds_pages_and_evidence() -> None:
    draft = _draft(
        1,
        id="90-q01",
        question="q?",
        answerable=True,
        reference_answer="r",
        type="multi_doc",
        follows=None,
        gold=[
            {"source_file": "a.pdf", "evidence": "clear mandate from members"},
            {"source_file": "b.pdf", "evidence": "only here in b"},
        ],
    )
    item = assemble_item(draft, _texts)
    assert [(g["source_file"], g["page"]) for g in item["gold"]] == [("a.pdf", 3), ("b.pdf", 2)]
    assert item["evidence"] == ["clear mandate from members", "only here in b"]
    assert item["type"] == "multi_doc"


@pytest.mark.unit
def test_assemble_lists_every_bad_phrase_with_file_and_line() -> None:
    drafts = [
        _draft(
            1,
            id="x1",
            question="q",
            answerable=True,
            gold=[{"source_file": "a.pdf", "evidence": "Title page"}],
        ),
        _draft(
            2,
            id="x2",
            question="q",
            answerable=True,
            gold=[{"source_file": "a.pdf", "evidence": "common words here"}],
        ),
        _draft(3, id="x3", question="q", answerable=False, gold=[], follows="x9"),
    ]
    with pytest.raises(AuthoringError) as raised:
        assemble(drafts, _texts)
    message = str(raised.value)
    assert "drafts/90-multi.jsonl:2" in message and "common words here" in message
    assert "drafts/90-multi.jsonl:3" in message and "x9" in message
    assert "drafts/90-multi.jsonl:1" not in message


@pytest.mark.unit
def test_assemble_keeps_draft_order() -> None:
    drafts = [
        _draft(1, id="b", question="q", answerable=False, gold=[]),
        _draft(
            2,
            id="a",
            question="q",
            answerable=True,
            follows="b",
            gold=[{"source_file": "b.pdf", "evidence": "only here"}],
        ),
    ]
    items = assemble(drafts, _texts)
    assert [i["id"] for i in items] == ["b", "a"]
    assert items[0]["type"] == "unanswerable"
    assert items[1]["gold"][0]["page"] == 2
