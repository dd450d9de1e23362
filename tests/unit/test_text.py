import pytest

from assistant.text import (
    key_terms,
    normalise,
    prose_blocks,
    prose_sentences,
    split_sentences,
    without_footnote_number,
)

pytestmark = pytest.mark.unit


def test_split_keeps_abbreviations_and_statutory_references():
    text = "See s. 123 of the Act, e.g. for land. The council may act. Reg. 77 applies."
    assert split_sentences(text) == [
        "See s. 123 of the Act, e.g. for land.",
        "The council may act.",
        "Reg. 77 applies.",
    ]


def test_split_keeps_paragraph_number_and_footnote_number_with_their_sentence():
    text = "12. The Committee reported.3 Then the Government replied."
    assert split_sentences(text) == ["12. The Committee reported.3", "Then the Government replied."]


def test_footnote_number_removed_for_display_only():
    assert without_footnote_number("offered LGPS membership.11") == "offered LGPS membership."
    assert without_footnote_number("in 2012.") == "in 2012."


def test_normalise_ignores_whitespace_typography_and_line_end_hyphens():
    assert normalise("The  Com-\nmittee \u2018said\u2019\u2014no") == "The Committee 'said'-no"


def test_prose_blocks_drop_headers_headings_and_table_rows():
    page = "\n".join(
        [
            "Spin-out guide - digest 3 Business case",  # running header
            "3 The business case",  # heading
            "14.  The business case sets out what the mutual will deliver, at what cost and",
            "with what risks, and the council's cabinet must approve it before staff are",
            "asked to commit to the new organisation.",
            "Phase Months",  # table heading
            "Exploring 3-6",  # table row
            "7",  # folio
        ]
    )
    blocks = prose_blocks(page)
    assert len(blocks) == 1
    assert blocks[0].startswith("14.  The business case")
    assert prose_sentences(page)[0].startswith("14. The business case sets out")


def test_key_terms_stem_and_drop_stopwords():
    assert key_terms("What are the mutuals' pensions?") == ["mutual", "pension"]


def test_footnotes_are_not_quotable_prose():
    page = "\n".join(
        [
            "40.  The council must give employee liability information at least 28 days before",
            "the transfer, and both sides must consult the recognised unions in good time.",
            "7 Best Value Authorities Staff Transfers (Pensions) Direction 2007, paras 4 to 6.",
        ]
    )
    sentences = prose_sentences(page)
    assert len(sentences) == 1 and sentences[0].startswith("40. The council")
