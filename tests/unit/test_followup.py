import pytest

from assistant.followup import is_follow_up, standalone_question

pytestmark = pytest.mark.unit

TUPE = "What happens to staff terms and conditions under TUPE when a service spins out?"


@pytest.mark.parametrize(
    "question",
    [
        "And what about pensions?",
        "What about their pensions?",
        "How long does that take?",
        "Does it apply to them too?",
    ],
)
def test_follow_ups_are_recognised(question):
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        TUPE,
        "What is a community interest company?",
        "How does the community right to challenge work under the Localism Act?",
    ],
)
def test_standalone_questions_are_left_alone(question):
    assert not is_follow_up(question)
    assert standalone_question(question, ["anything earlier"]) == question


def test_follow_up_carries_the_subject_of_the_earlier_question():
    query = standalone_question("And what about pensions?", [TUPE])
    assert query.startswith("And what about pensions?")
    assert "TUPE" in query


def test_chained_follow_ups_reach_back_to_the_last_standalone_question():
    query = standalone_question("And how long does it take?", [TUPE, "What about pensions?"])
    assert "TUPE" in query and "pensions" in query


def test_no_history_means_no_rewrite():
    assert standalone_question("And what about pensions?", []) == "And what about pensions?"
