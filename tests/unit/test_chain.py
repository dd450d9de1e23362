"""The chain's own logic with stand-in retriever and generator (the real ones are exercised in
tests/integration): abstention, numbering, verification and partial answers."""

from dataclasses import dataclass

import pytest

from assistant.config import Settings
from assistant.errors import GuideError
from assistant.generation.base import Draft, Statement
from assistant.guide import Guide
from assistant.types import Answer, Chunk, Hit, Status

pytestmark = pytest.mark.unit

PAGE_TEXT = (
    "12. Staff who transfer keep their terms and conditions under TUPE. "
    "The new employer must consult recognised unions before the transfer."
)


def chunk(page=4, label="1", text=PAGE_TEXT):
    return Chunk("v1:0", "v1", "guide.pdf", "People guide", page, label, text)


def lookup(version, page):
    """The cited page as the independent extractor reads it."""
    return PAGE_TEXT if page == 4 else None


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
    streams: bool = False

    def generate(self, question, hits, context=""):
        return Draft(self.statements)

    def stream(self, question, hits, context=""):
        yield self.generate(question, hits, context)


@dataclass
class StreamingGenerator(FixedGenerator):
    """A language model's stand-in: writes its draft in pieces, or fails to answer at all."""

    pieces: tuple = ()
    fails: bool = False
    streams: bool = True

    def stream(self, question, hits, context=""):
        yield from self.pieces
        if self.fails:
            raise GuideError("The model at http://127.0.0.1:9/v1 did not answer (refused).")
        yield self.generate(question, hits, context)


class StubLibrary:
    """What Guide asks of a library: tidy at start, the page as read independently, notes."""

    def tidy(self, embed=None):
        return {}

    def reference_text(self, version, page):
        return lookup(version, page)

    def names(self):
        return []

    def superseded_note(self, version):
        return ""

    def neighbour(self, chunk, offset):
        return None


class StubEmbedder:
    def encode(self, texts, progress=None):
        return [[0.0] for _ in texts]

    def embed_in_context(self, question, context=""):
        return [0.0]

    def sentence_vectors(self, texts):
        import numpy as np

        return np.zeros((len(texts), 1), np.float32)


def guide_for(hits, generator, min_relevance=0.3, extractive=None):
    retriever = FixedRetriever(hits)
    guide = Guide(
        Settings(min_relevance=min_relevance, min_overlap=0.3),
        StubEmbedder(),
        library=StubLibrary(),
        retriever=retriever,
        generator=generator,
        extractive=extractive,
    )
    return guide, retriever


class _Chain:
    """The old test shape over the new Guide: `invoke(state)` asks through the one path."""

    def __init__(self, guide):
        self.guide = guide

    def invoke(self, state):
        return self.guide.ask(state["question"], state.get("history") or ())


def chain_for(hits, statements, min_relevance=0.3):
    """As the extractive backend would answer: the generator is its own (and only) composer."""
    generator = FixedGenerator(statements)
    guide, retriever = guide_for(hits, generator, min_relevance, extractive=generator)
    return _Chain(guide), retriever


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
    guide, _ = guide_for(
        [Hit(chunk(), 0.8, 0.8)],
        StreamingGenerator((invented,)),
        extractive=FixedGenerator((Statement(quote, chunk(), quote),)),
    )
    answer = guide.ask("Do staff keep their terms and conditions under TUPE?")
    assert answer.status is Status.ANSWERED
    assert answer.notice == UNCHECKABLE
    assert [c.quote for c in answer.citations] == [quote]


def test_a_streaming_backend_streams_then_the_verified_answer_comes_last():
    quote = "Staff who transfer keep their terms and conditions under TUPE."
    streaming = StreamingGenerator((Statement(quote, chunk(), quote),), pieces=("Staff ", "keep"))
    guide, _ = guide_for([Hit(chunk(), 0.8, 0.8)], streaming)
    pieces = list(guide.ask_stream("Do staff keep their terms and conditions under TUPE?"))
    assert pieces[:2] == ["Staff ", "keep"]
    answer = pieces[-1]
    assert isinstance(answer, Answer) and answer.text == f"{quote} [1]"
    assert guide.ask("Do staff keep their terms and conditions under TUPE?") == answer  # one path


def test_a_backend_that_cannot_answer_falls_back_to_the_passages_with_a_notice():
    quote = "Staff who transfer keep their terms and conditions under TUPE."
    failing = StreamingGenerator((), pieces=("Staff",), fails=True)
    guide, _ = guide_for(
        [Hit(chunk(), 0.8, 0.8)],
        failing,
        extractive=FixedGenerator((Statement(quote, chunk(), quote),)),
    )
    for answer in (
        guide.ask("Do staff keep their terms under TUPE?"),
        *[
            p
            for p in guide.ask_stream("Do staff keep their terms under TUPE?")
            if isinstance(p, Answer)
        ],
    ):
        assert answer.notice.startswith("The language model did not answer (The model at")
        assert [c.quote for c in answer.citations] == [quote]


def test_steps_are_numbered_on_their_own_lines_and_renumbered_after_a_drop():
    steps = [
        "Staff who transfer keep their terms and conditions under TUPE.",
        "Pay rises are guaranteed for everyone.",  # not on the page: dropped
        "The new employer must consult recognised unions before the transfer.",
    ]
    statements = tuple(
        Statement(t, chunk(), t, prefix=f"{n}. ", starts_paragraph=True)
        for n, t in enumerate(steps, 1)
    )
    chain, _ = chain_for([Hit(chunk(), 0.8, 0.8)], statements)
    answer = chain.invoke({"question": "What are the steps for a TUPE transfer?"})
    assert answer.text == f"1. {steps[0]} [1]\n2. {steps[2]} [2]"


def test_a_misspelt_or_plural_name_still_counts_as_found():
    from assistant.abstention import assess

    hits = [
        Hit(
            chunk(text="Knowsley Council transferred its youth service to a mutual in 2013."),
            0.8,
            0.8,
        )
    ]
    assert assess("What did Knowlsey do with its youth service?", hits).missing == ()
    assert assess("What did the Knowsleys do?", hits).missing == ()
    # a different name of the same length is not a typo, and a different year never matches
    assert assess("What did Kingston do with its youth service?", hits).missing == ("Kingston",)
    assert assess("What did Knowsley do in 2014?", hits).missing == ("2014",)


def test_a_name_that_refers_to_a_document_is_not_demanded_in_the_passage():
    from assistant.abstention import assess

    hits = [Hit(chunk(text="Grants are capped at £30,000 for each application."), 0.8, 0.8)]
    question = "What is the grant limit under the Kestrelford housing assistance policy?"
    assert assess(question, hits).missing == ("Kestrelford",)
    titles = ["Kestrelford Housing Assistance Policy 2025-2028 kestrelford-policy"]
    assert assess(question, hits, titles=titles).missing == ()
    # a figure is never excused by a title: "2026" must be in the passage itself
    assert assess("What is the limit in 2026?", hits, titles=["Policy 2026"]).missing == ("2026",)


def test_the_particulars_must_be_held_together_by_one_top_passage():
    from assistant.abstention import assess

    wales = Hit(chunk(text="In Wales, 40 community asset transfers were agreed."), 0.8, 0.8)
    year = Hit(chunk(text="By 2020, 115 public service mutuals were trading in England."), 0.7, 0.7)
    question = "How many asset transfers were agreed in Wales in 2020?"
    # each particular is in some passage, but no passage is about Wales in 2020
    assert assess(question, [wales, year]).missing == ("2020",)
    both = Hit(chunk(text="In Wales, 12 asset transfers were agreed in 2020."), 0.6, 0.6)
    assert assess(question, [wales, year, both]).missing == ()
    # only the best few passages count: a fourth passage holding both does not rescue it
    assert assess(question, [wales, year, wales, both]).missing == ("2020",)


def test_a_year_span_matches_however_it_is_written():
    from assistant.abstention import assess, particulars

    assert particulars("What was the budget in 2023/24?") == ["2023/24"]
    for written in ("2023-24", "2023/24", "2023\u201324", "2023-2024", "2023 to 2024"):
        hits = [Hit(chunk(text=f"The grant budget for {written} was £1.2m."), 0.8, 0.8)]
        assert assess("What was the budget in 2023/24?", hits).missing == (), written
        assert assess("What was the budget in 2023-2024?", hits).missing == (), written
    other = [Hit(chunk(text="The grant budget for 2023-25 was £1.2m."), 0.8, 0.8)]
    assert assess("What was the budget in 2023/24?", other).missing == ("2023/24",)
    # a single year is found inside a span that starts with it, not in a longer number
    assert assess("What was spent in 2023?", other).missing == ()
    digits = [Hit(chunk(text="Reference 120234 was filed."), 0.8, 0.8)]
    assert assess("What was spent in 2023?", digits).missing == ("2023",)


def test_a_title_of_a_person_is_not_a_particular():
    from assistant.abstention import particulars

    assert particulars("Who chaired the group - was it Cllr Ramanathan?") == ["Ramanathan"]
    assert particulars("Did Dr Okafor give evidence?") == ["Okafor"]


def test_a_document_is_named_by_its_kind_and_date_too():
    from assistant.library import spelled_date

    assert spelled_date("2025-03-11") == "March 2025"
    assert spelled_date("2025-03") == "March 2025"
    assert spelled_date("2024") == "2024"
    assert spelled_date("") == "" and spelled_date("soon") == ""


class VocabularyRetriever(FixedRetriever):
    """A retriever that, like the real one, says which terms the library's passages use."""

    def frequencies(self, terms):
        from assistant.text import key_terms

        used = set(key_terms(" ".join(h.chunk.context_text() for h in self.hits)))
        return len(self.hits), {t: int(t in used) for t in terms}


def test_a_loosely_close_question_in_words_the_library_never_uses_is_refused():
    from assistant.abstention import unfamiliar

    text = "Staff who transfer keep their terms and conditions under TUPE."
    hits = [Hit(chunk(), 0.36, 0.36)]
    retriever = VocabularyRetriever(hits)
    question = "How do I appeal a parking fine under TUPE?"
    assert unfamiliar(question, retriever.frequencies) == ("appeal", "park", "fine")
    generator = FixedGenerator((Statement(text, chunk(), text),))
    guide = Guide(
        Settings(min_relevance=0.3, min_overlap=0.1, familiar_relevance=0.42),
        StubEmbedder(),
        library=StubLibrary(),
        retriever=retriever,
        generator=generator,
        extractive=generator,
    )
    answer = guide.ask(question)
    assert answer.status is Status.NO_ANSWER
    assert "'appeal', 'park', 'fine'" in answer.text
    assert answer.evidence["unfamiliar"] == 3.0
    # the same closeness with the library's own words is answered: a paraphrase changes a word
    assert guide.ask("Do staff who transfer keep their terms under TUPE?").status is Status.ANSWERED
    # and past familiar_relevance unfamiliar words do not refuse on their own
    retriever.hits = [Hit(chunk(), 0.5, 0.5)]
    assert guide.ask(question).status is Status.ANSWERED


def test_a_refusal_for_a_missing_name_offers_the_nearest_verified_sentence():
    quote = "Staff who transfer keep their terms and conditions under TUPE."
    chain, _ = chain_for([Hit(chunk(), 0.9, 0.9)], (Statement(quote, chunk(), quote),))
    question = "Do staff who transfer to a Scottish mutual keep their terms under TUPE?"
    answer = chain.invoke({"question": question})
    assert answer.status is Status.NO_ANSWER
    assert "'Scottish'" in answer.text
    assert answer.text.endswith(f"The nearest it says:\n\n{quote} [1]")
    assert [c.quote for c in answer.citations] == [quote]
    # a sentence that does not verify on its page is not offered
    invented = Statement("Scottish staff get a bonus.", chunk(), "Scottish staff get a bonus.")
    chain, _ = chain_for([Hit(chunk(), 0.9, 0.9)], (invented,))
    answer = chain.invoke({"question": question})
    assert answer.status is Status.NO_ANSWER and answer.citations == ()
    assert "nearest" not in answer.text
