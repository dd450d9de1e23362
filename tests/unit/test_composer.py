"""The extractive composer on crafted passages, one case per kind of question: what leads, how
a procedure is laid out, which sentences may stand alone, and what happens when the passages
are about a neighbouring year or place. The embedder is a bag-of-words stand-in (pure logic:
the real model is exercised in tests/integration)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from assistant.generation.extractive import ExtractiveGenerator, dangling
from assistant.questions import (
    AMOUNT,
    COUNT,
    DATE,
    DEFINITION,
    DURATION,
    NAME,
    OPTIONS,
    PROCEDURE,
    YES_NO,
    asked,
)
from assistant.types import Chunk, Hit

pytestmark = pytest.mark.unit
DIM = 512


def _vector(text: str) -> np.ndarray:
    vec = np.zeros(DIM, np.float32)
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if len(word) > 3:
            vec[hash(word[:6]) % DIM] += 1.0
    norm = float(np.linalg.norm(vec)) or 1.0
    return vec / norm


class BagOfWords:
    """Similar words, similar vectors: enough to rank crafted sentences predictably."""

    def embed_in_context(self, question: str, context: str = "") -> list[float]:
        return _vector(f"{question} {context}").tolist()

    def sentence_vectors(self, texts):
        return np.vstack([_vector(t) for t in texts]) if texts else np.zeros((0, DIM))


def passage(text: str, n: int = 0, page: int = 3, source: str = "guide.pdf", heading: str = ""):
    return Chunk(
        f"{source}:{n}",
        "v1",
        source,
        source.removesuffix(".pdf"),
        page,
        str(page),
        text,
        ordinal=n,
        heading=heading,
    )


def compose(question: str, *chunks: Chunk, neighbours: dict | None = None) -> list[str]:
    def neighbour(chunk: Chunk, offset: int):
        return (neighbours or {}).get((chunk.chunk_id, offset))

    composer = ExtractiveGenerator(BagOfWords(), neighbour=neighbour)
    hits = [Hit(c, 1.0 - i * 0.05, 0.8) for i, c in enumerate(chunks)]
    draft = composer.generate(question, hits)
    return [f"{s.prefix}{s.text}" for s in draft.statements], draft


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How long does the council have to respond?", DURATION),
        ("When did the Localism Act come into force?", DATE),
        ("How much did the Mutuals Support Programme cost?", AMOUNT),
        ("How many public service mutuals are there?", COUNT),
        ("Which body regulates community interest companies?", NAME),
        ("Can a council reserve a contract for a mutual?", YES_NO),
        ("What is a community benefit society?", DEFINITION),
        ("How do we set up a staff mutual?", PROCEDURE),
        ("What are the options for the legal form?", OPTIONS),
    ],
)
def test_the_kind_of_thing_asked_is_recognised(question, kind):
    assert asked(question).kind == kind


def test_a_duration_question_leads_with_the_sentence_stating_the_duration():
    text = (
        "The community right to challenge lets relevant bodies express an interest in running a "
        "council service. The council must respond to an expression of interest within 30 days "
        "of receiving it under the right to challenge. Councils may set periods when they accept "
        "expressions of interest."
    )
    lines, _ = compose(
        "How long does the council have to respond to the right to challenge?", passage(text)
    )
    assert "30 days" in lines[0]


def test_a_procedure_is_given_as_the_documents_own_numbered_steps_in_their_order():
    steps = (  # blocks (paragraphs, list items) are separated by blank lines, as ingest writes
        "To set up a staff mutual, follow these steps:\n\n"
        "- Form a core group of staff and approach the director.\n\n"
        "- Agree an in-principle decision to develop a business case.\n\n"
        "- Choose a legal form for the staff mutual.\n\n"
        "- Take the final cabinet decision to award the contract."
    )
    other = passage(
        "Mutuals in other countries have a long history of staff ownership.",
        5,
        source="history.pdf",
    )
    lines, _ = compose("How do we set up a staff mutual?", passage(steps), other)
    numbered = [line for line in lines if re.match(r"\d+\. ", line)]
    assert [line.split(". ", 1)[1][:12] for line in numbered] == [
        "Form a core ",
        "Agree an in-",
        "Choose a leg",
        "Take the fin",
    ]
    assert lines.index(numbered[0]) <= 1  # the steps come first (after their introduction)


def test_a_list_that_runs_on_into_the_next_passage_is_followed_there():
    first = passage(
        "The steps to transfer an asset are:\n\n- Agree the asset with the "
        "community group.\n\n- Commission a valuation of the asset.",
        0,
        heading="Transfer",
    )
    second = passage(
        "- Publish the decision to transfer the asset.\n\n- Sign the lease for "
        "the asset.\n\nAfter the transfer the council monitors the lease.",
        1,
        heading="Transfer",
    )
    lines, _ = compose(
        "What are the steps to transfer an asset?", first, neighbours={(first.chunk_id, 1): second}
    )
    assert any(line.startswith("4. Sign the lease") for line in lines)


def test_sentences_from_different_documents_are_not_numbered_as_if_they_were_steps():
    a = passage("Officers should test the business case for a staff mutual with finance.", 0)
    b = passage(
        "A staff mutual needs a realistic timetable for its business case.", 0, source="other.pdf"
    )
    lines, _ = compose("How do we build the business case for a staff mutual?", a, b)
    assert lines and not any(re.match(r"\d+\. ", line) for line in lines)


@pytest.mark.parametrize(
    ("sentence", "points_back"),
    [
        ("The second is the youth service mutual, set up in 2012.", True),
        ("This means the council keeps the statutory duty.", True),
        ("They must consult the unions.", True),
        ("However, the council keeps the duty.", True),
        ("Such bodies must reinvest their profits.", True),
        ("It is important to consult staff early.", False),
        ("The council keeps the statutory duty.", False),
    ],
)
def test_a_sentence_that_points_back_is_recognised(sentence, points_back):
    assert dangling(sentence) is points_back


def test_a_sentence_that_points_back_carries_what_it_points_back_to():
    text = (
        "Two mutuals were set up in Knowsley. The first runs the libraries. The second is "
        "the youth service mutual, set up when the council cut its youth budget."
    )
    lines, _ = compose("Which mutual runs the youth service in Knowsley?", passage(text))
    youth = next(line for line in lines if "youth service mutual" in line)
    assert youth.startswith("The first runs the libraries.") or youth.startswith("Two mutuals")


def test_a_sentence_whose_antecedent_is_not_available_is_not_used():
    text = "The second is the youth service mutual, set up when the council cut its budget."
    lines, _ = compose("Which mutual runs the youth service?", passage(text))
    assert not any(line.startswith("The second is") for line in lines)


def test_footnote_digits_do_not_stick_to_quoted_words():
    text = "Public service mutuals deliver services across England.7 Most are in health."
    lines, _ = compose("Where do public service mutuals deliver services?", passage(text))
    assert lines and all("England.7" not in line for line in lines)
    assert any("England." in line for line in lines)


def test_a_figure_for_a_neighbouring_year_is_said_to_be_for_that_year():
    text = (
        "In 2018 there were about 115 public service mutuals trading in England. Most of "
        "them deliver health and care services."
    )
    _, draft = compose("How many public service mutuals were trading in 2020?", passage(text))
    assert "2018" in draft.neighbour and "2020" in draft.neighbour


def test_the_sentence_about_the_named_year_leads_when_there_is_one():
    text = (
        "In 2018 there were about 115 public service mutuals trading in England. By 2020 "
        "the number of public service mutuals trading had risen to about 130."
    )
    lines, draft = compose("How many public service mutuals were trading in 2020?", passage(text))
    assert not draft.neighbour and "2020" in lines[0]


def test_a_rule_for_a_neighbouring_place_is_said_to_be_for_that_place():
    text = "In England, councils must consider an expression of interest within 30 days."
    _, draft = compose(
        "How long do councils in Wales have to consider an expression of interest?", passage(text)
    )
    assert "England" in draft.neighbour and "Wales" in draft.neighbour
