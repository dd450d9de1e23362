"""The chain's own logic with stand-in retriever and generator (the real ones are exercised in
tests/integration): abstention, numbering, verification and partial answers."""

from dataclasses import dataclass

import pytest

from assistant.chain import build_chain
from assistant.generation.base import Draft, Statement
from assistant.types import Chunk, Hit, Page, Status

pytestmark = pytest.mark.unit

PAGE_TEXT = (
    "12. Staff who transfer keep their terms and conditions under TUPE. "
    "The new employer must consult recognised unions before the transfer."
)


def chunk(page=4, label="1", text=PAGE_TEXT):
    return Chunk("v1:0", "v1", "guide.pdf", "People guide", page, label, text)


def lookup(version, page):
    return Page("guide.pdf", "People guide", page, "1", PAGE_TEXT) if page == 4 else None


@dataclass
class FixedRetriever:
    hits: list

    def retrieve(self, query, k=None, filters=None, context=""):
        self.query = f"{query} {context}"
        self.filters = filters
        return self.hits


@dataclass
class FixedGenerator:
    statements: tuple

    def generate(self, question, hits, context=""):
        return Draft(self.statements)


def chain_for(hits, statements, min_relevance=0.3):
    retriever = FixedRetriever(hits)
    chain = build_chain(retriever, FixedGenerator(statements), lookup, min_relevance, 0.3)
    return chain, retriever


def test_answer_cites_each_sentence_and_verifies_quotes():
    quote = "Staff who transfer keep their terms and conditions under TUPE."
    chain, _ = chain_for([Hit(chunk(), 0.8, 0.8)], (Statement(quote, chunk(), quote, "12"),))
    answer = chain.invoke({"question": "Do staff keep their terms and conditions under TUPE?"})
    assert answer.status is Status.ANSWERED
    assert answer.text == f"{quote} [1]"
    (citation,) = answer.citations
    assert (citation.n, citation.page, citation.page_label, citation.paragraph) == (1, 4, "1", "12")
    assert citation.verified


def test_unverifiable_quote_is_dropped_and_answer_is_partial():
    good = "The new employer must consult recognised unions before the transfer."
    invented = "Staff always get a pay rise when they transfer."
    statements = (Statement(invented, chunk(), invented), Statement(good, chunk(), good))
    chain, _ = chain_for([Hit(chunk(), 0.8, 0.8)], statements)
    answer = chain.invoke({"question": "Must the employer consult unions before the transfer?"})
    assert answer.status is Status.PARTIAL
    assert [c.quote for c in answer.citations] == [good]
    assert answer.text == f"{good} [1]"  # renumbered from 1 after the drop


def test_weak_evidence_gives_no_answer_naming_closest_documents():
    chain, _ = chain_for([Hit(chunk(), 0.1, 0.1)], ())
    answer = chain.invoke({"question": "What is the speed limit on French motorways?"})
    assert answer.status is Status.NO_ANSWER
    assert answer.citations == ()
    assert "does not answer" in answer.text and "People guide" in answer.text
    assert answer.suggestions


def test_follow_up_is_rewritten_before_retrieval():
    chain, retriever = chain_for([Hit(chunk(), 0.8, 0.8)], ())
    chain.invoke(
        {"question": "And what about pensions?", "history": ["What happens to staff under TUPE?"]}
    )
    assert "TUPE" in retriever.query


def test_question_about_a_name_the_evidence_never_mentions_gets_no_answer():
    chain, _ = chain_for([Hit(chunk(), 0.9, 0.9)], ())
    answer = chain.invoke(
        {
            "question": "Do staff who transfer to a Scottish mutual keep their "
            "terms and conditions under TUPE?"
        }
    )
    assert answer.status is Status.NO_ANSWER
    assert "'Scottish'" in answer.text


def test_particulars_are_names_and_figures_not_the_opening_word():
    from assistant.abstention import particulars

    assert particulars("What did the Welsh Government spend in 2021-22 and £5m?") == [
        "Welsh",
        "Government",
        "2021-22",
        "£5",
    ]
    assert particulars("How do staff keep their pensions?") == []


def test_uncheckable_claims_fall_back_to_quoting_the_passages():
    from assistant.chain import UNCHECKABLE

    quote = "Staff who transfer keep their terms and conditions under TUPE."
    invented = Statement("Staff get a bonus.", chunk(), "a bonus is always paid")
    retriever = FixedRetriever([Hit(chunk(), 0.8, 0.8)])
    chain = build_chain(
        retriever,
        FixedGenerator((invented,)),
        lookup,
        0.3,
        0.3,
        fallback=FixedGenerator((Statement(quote, chunk(), quote),)),
    )
    answer = chain.invoke({"question": "Do staff keep their terms and conditions under TUPE?"})
    assert answer.status is Status.ANSWERED
    assert answer.notice == UNCHECKABLE
    assert [c.quote for c in answer.citations] == [quote]
