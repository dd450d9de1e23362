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


def test_chat_markers_and_source_names_link_to_their_source():
    answer = Answer("q", "A mutual is owned by its staff. [1]", Status.ANSWERED, (citation(),))
    md = answer_as_markdown(answer, link=lambda n: f"#source-0-{n}")
    assert '[\\[1\\]](#source-0-1 "Open source 1 beside the answer")' in md
    assert "1. [Guide, p. iv \\(PDF page 4\\), para. 3](#source-0-1)" in md
    assert md.count("A mutual is owned by its staff.") == 1


def test_page_view_keeps_paragraphs_and_marks_a_quote_across_lines_and_case():
    text = "First para line one\nline two.\n\nThe Mutual is owned by\nits staff. More.\n\nLast."
    html = page_with_quote(
        Page("g.pdf", "Guide", 2, "ii", text), "the mutual is owned by its staff."
    )
    assert html.count("<p>") == 3
    assert "<p>First para line one line two.</p>" in html
    assert "<mark>The Mutual is owned by its staff.</mark> More." in html


def test_page_view_marks_a_quote_that_runs_into_the_next_paragraph():
    text = "It ends here.\n\nAnd goes on."
    html = page_with_quote(Page("g.pdf", "Guide", 1, "1", text), "ends here. And goes")
    assert "It <mark>ends here.</mark></p><p><mark>And goes</mark> on." in html


def test_page_view_says_when_the_quote_is_not_on_the_page():
    html = page_with_quote(Page("g.pdf", "Guide", 1, "1", "Nothing here."), "Absent words.")
    assert "<mark>" not in html and "could not be found" in html
