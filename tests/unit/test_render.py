import pytest

from assistant.render import answer_as_markdown, answer_as_text, md_escape, page_with_quote
from assistant.types import Answer, Citation, Page, Status

pytestmark = pytest.mark.unit


def citation(quote="A mutual is owned by its staff.", label="iv", page=4):
    return Citation(1, "Guide", "guide.pdf", page, label, quote, paragraph="3")


def test_markdown_keeps_markers_and_escapes_document_text():
    hostile = "Click [here](http://evil.example) <script>x</script>"
    answer = Answer("q", f"{hostile} [1]", Status.ANSWERED, (citation(hostile),))
    md = answer_as_markdown(answer)
    assert "[1]" in md
    assert "](http" not in md and "<script>" not in md
    assert md_escape("[x](y)") == "\\[x\\]\\(y\\)"


def test_text_shows_printed_label_pdf_page_and_paragraph():
    out = answer_as_text(
        Answer("q", "A mutual is owned by its staff. [1]", Status.ANSWERED, (citation(),))
    )
    assert "p. iv (PDF page 4), para. 3" in out


def test_a_quote_the_answer_already_shows_is_not_repeated_under_sources():
    quoted = Answer("q", "A mutual is owned by its staff. [1]", Status.ANSWERED, (citation(),))
    for out in (answer_as_text(quoted), answer_as_markdown(quoted)):
        assert out.count("A mutual is owned by its staff.") == 1
    worded = Answer("q", "Staff own it. [1]", Status.ANSWERED, (citation(),))
    assert '"A mutual is owned by its staff."' in answer_as_text(worded)
    assert "\u201cA mutual is owned by its staff.\u201d" in answer_as_markdown(worded)


def test_no_answer_shows_suggestions():
    out = answer_as_text(
        Answer(
            "q",
            "The library does not answer this question.",
            Status.NO_ANSWER,
            suggestions=("Name the law.",),
        )
    )
    assert "Name the law." in out


def test_page_view_highlights_quote_and_escapes_html():
    page = Page("g.pdf", "Guide", 2, "ii", "Intro <b>bold</b>.\nA mutual is owned\nby its staff.")
    html = page_with_quote(page, "A mutual is owned by its staff.")
    assert "<mark>A mutual is owned by its staff.</mark>" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
