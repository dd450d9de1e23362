import pytest

from assistant.followup import follow_up_query, is_follow_up, standalone_question

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


PROCUREMENT = "Can we reserve a contract for a public service mutual under the procurement rules?"


def test_a_follow_up_with_no_subject_of_its_own_takes_the_earlier_one():
    query = follow_up_query(
        "and how long does the council have to respond?",
        ["What is the community right to challenge?"],
    )
    assert query.text == "and how long does the council have to respond?"
    assert "right to challenge" in query.context


def test_a_follow_up_that_changes_the_topic_drops_the_earlier_turns():
    def unrelated(new, earlier):  # the library never discusses the two together
        return 0.0

    query = follow_up_query("What about pensions?", [PROCUREMENT], related=unrelated)
    assert query.context == ""


def test_a_new_subject_the_library_discusses_with_the_earlier_one_keeps_the_context():
    def together(new, earlier):
        return 0.6

    query = follow_up_query("What about pensions?", [TUPE], related=together)
    assert "TUPE" in query.context


def test_a_follow_up_that_points_back_keeps_the_context_even_with_a_new_word():
    def unrelated(new, earlier):
        return 0.0

    query = follow_up_query("Does that apply to their pensions too?", [TUPE], related=unrelated)
    assert "TUPE" in query.context


def test_asking_for_the_figure_at_another_time_is_no_new_topic():
    def unrelated(new, earlier):
        return 0.0

    earlier = "How many households were waiting for an assessment at 31 March 2024?"
    query = follow_up_query("And what was the figure a year later?", [earlier], related=unrelated)
    assert query.context == earlier


def test_a_person_referred_to_and_not_named_leans_on_the_earlier_turn():
    earlier = "How was the extension for Leo, aged 7, paid for?"
    question = "What would his family have had to find under the old policy?"
    assert is_follow_up(question)
    assert follow_up_query(question, [earlier]).context == earlier
    # a question naming its own subject at length stands alone, pronoun or not
    assert not is_follow_up(
        "How did the council decide her grant appeal under the housing assistance policy rules?"
    )
