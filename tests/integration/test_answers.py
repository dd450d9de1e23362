"""What an officer reads, on the real model and a real library of bundled documents: the direct
answer first, a procedure as the document's own numbered steps, follow-ups read against the
conversation, sentences that stand on their own, and an answer about a neighbouring year said to
be about it (issue 14's cases)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.generation.extractive import dangling
from assistant.types import Status
from tests.helpers import CORPUS

pytestmark = pytest.mark.integration
DOCS = (
    "05-spin-out-journey-guide.pdf",
    "06-support-programmes-2010-2020.pdf",
    "07-people-tupe-pensions-consultation.pdf",
    "09-reserved-contracts-and-procurement.pdf",
    "10-social-value-right-to-challenge-asset-transfer.pdf",
)


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    from assistant.guide import Guide
    from ingest.pipeline import IngestPipeline

    data_dir: Path = tmp_path_factory.mktemp("answers-library")
    settings = Settings(data_dir=data_dir)
    results = IngestPipeline(settings, embedder=embedder).run([CORPUS / d for d in DOCS])
    assert [r.status for r in results] == ["added"] * len(DOCS), results
    return Guide(settings, embedder=embedder)


def test_a_follow_up_on_how_long_finds_the_30_days_of_the_right_to_challenge(guide):
    first = "What is the community right to challenge?"
    follow = guide.ask("and how long does the council have to respond?", [first])
    assert follow.status is Status.ANSWERED
    lead = follow.text.split("[1]")[0]
    assert "30 days" in lead
    assert follow.citations[0].source_file.startswith("10-")


def test_a_procedure_question_gets_the_documents_steps_numbered_and_in_order(guide):
    answer = guide.ask("What are the steps to spin out a service as a staff mutual?")
    steps = [int(n) for n in re.findall(r"(?m)^Step (\d+):", answer.text)]
    assert len(steps) >= 10
    assert steps == list(range(1, len(steps) + 1))  # from the first, none skipped or reordered
    assert all(c.verified for c in answer.citations)


def test_a_follow_up_with_its_own_subject_is_answered_about_that_subject(guide):
    first = "Can we reserve a contract for a mutual under the procurement rules?"
    answer = guide.ask("What about pensions?", [first])
    assert answer.status is Status.ANSWERED
    assert all("pension" in c.quote.lower() for c in answer.citations), answer.text


def test_a_figure_for_another_year_is_not_passed_off_as_the_one_asked_for(guide):
    answer = guide.ask("How many public service mutuals were trading in 2020?")
    assert answer.status is Status.NO_ANSWER
    assert "none for 2020" in answer.text
    assert answer.citations and "2020" not in answer.citations[0].quote


@pytest.mark.parametrize(
    "question",
    [
        "How do we set up a staff mutual to run our youth service?",
        "What happens to staff pensions when a service spins out?",
        "What is a reserved contract?",
        "What must the council publish about a right to challenge decision?",
    ],
)
def test_every_quoted_sentence_stands_on_its_own(guide, question):
    answer = guide.ask(question)
    for c in answer.citations:
        assert not dangling(c.quote), c.quote
        assert not re.search(r"[a-z]\.\d", c.quote), c.quote  # no footnote digit stuck on
