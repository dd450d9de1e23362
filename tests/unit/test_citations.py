"""Quote verification compares words, in order, with the tolerances the module states, and
nothing more: a layout mistake (interleaved columns) cannot pass."""

import pytest

from assistant.citations import QuoteVerifier, words_in_order
from assistant.types import Citation

pytestmark = pytest.mark.unit

PAGE = (
    "33. The authority must respond to an expression of interest within 30 days,\r\n"
    "stating whether it is accepted, modi-\r\nfied or rejected.12 It may also set\r\n"
    "periods during which expressions of interest may be submitted."
)


@pytest.mark.parametrize(
    "quote",
    [
        "The authority must respond to an expression of interest within 30 days",
        "the   authority MUST respond to an expression of interest within 30 days,",
        "stating whether it is accepted, modified or rejected.",  # hyphenated across a line
        "modified or rejected. It may also set periods",  # the footnote marker 12 between
        "\u201cstating whether it is accepted\u201d",  # typographic quotes
        "stating whether it is accepted, modiﬁed or rejected",  # a ligature
    ],
)
def test_tolerated_differences_still_verify(quote):
    assert words_in_order(quote, PAGE)


@pytest.mark.parametrize(
    "quote",
    [
        "The authority must respond to an expression of interest within 20 days",  # a figure
        "The authority may respond to an expression of interest",  # a word
        "an expression of interest must respond",  # order
        "The authority must respond stating whether it is accepted",  # words left out
        "The authority must respond to an expression of interest within 30 days 12",  # a number
        "",
    ],
)
def test_anything_else_fails(quote):
    assert not words_in_order(quote, PAGE)


def test_two_columns_interleaved_line_by_line_do_not_verify():
    left = ["In Suffolk, Devon and Nottinghamshire the", "transfer was presented as a way to"]
    right = ["options appraisal would reduce core", "staffed hours from just over 40 a week"]
    # as PDFium reads the page: one column, then the other
    page = "\n".join(left + right)
    interleaved = " ".join(f"{a} {b}" for a, b in zip(left, right, strict=True))
    assert not words_in_order(interleaved, page)
    assert words_in_order(" ".join(left), page) and words_in_order(" ".join(right), page)


def test_the_verifier_reads_the_independent_text_of_the_cited_page():
    citation = Citation(1, "Guide", "g.pdf", 4, "1", "must respond to an expression of interest")
    verifier = QuoteVerifier(lambda version, page: PAGE if page == 4 else None)
    assert verifier.verify(citation, "v1").verified
    from dataclasses import replace

    assert not verifier.verify(replace(citation, page=5), "v1").verified  # no such page


def test_a_footnote_marker_and_the_next_paragraphs_number_between_two_sentences_are_tolerated():
    page = "benefit only the employees of a particular\nemployer.9\n38. That exclusion matters."
    assert words_in_order("the employees of a particular employer. That exclusion matters.", page)
    assert not words_in_order("a particular employer. That matters.", page)
    assert not words_in_order("employer. 9 38 That", "employer. That")  # no figure forgiven
