"""The feedback store and turning feedback into a test question that eval/testset.py's reader
accepts (real SQLite and real files in a temporary folder)."""

import pytest

from assistant.config import Settings
from assistant.errors import GuideError
from assistant.feedback import FeedbackNotFound, FeedbackStore, as_test_question
from eval.desk import EvalDesk
from eval.feedback_set import append_question
from eval.testset import load_testset
from tests.unit.test_conversations import Clock

pytestmark = pytest.mark.unit


def cited(n: int, source_file: str, page: int, quote: str) -> dict:
    return {
        "n": n,
        "document": source_file.removesuffix(".pdf"),
        "source_file": source_file,
        "page": page,
        "page_label": str(page),
        "quote": quote,
        "paragraph": None,
        "verified": True,
        "version": "v1",
        "superseded": "",
        "origin": "pdf",
    }


ANSWER = {
    "question": "Do staff keep their pensions?",
    "answer": "They stay in the scheme [1]. The employer must be admitted [2].",
    "status": "answered",
    "citations": [
        cited(1, "07-people.pdf", 4, "They stay in the scheme"),
        cited(2, "07-people.pdf", 5, "The employer must be admitted"),
        cited(3, "05-journey.pdf", 9, "An unrelated sentence"),
    ],
    "search_query": "Do staff keep their pensions?",
}


@pytest.fixture
def store(tmp_path) -> FeedbackStore:
    made = FeedbackStore.from_settings(Settings(data_dir=tmp_path))
    made.clock = Clock()
    return made


def give(store: FeedbackStore, who: str = "olu", helpful: bool = False, **kw):  # type: ignore[no-untyped-def]
    return store.add(
        who,
        "officer",
        helpful,
        kw.get("comment", "Missed the admission agreement"),
        ANSWER["question"],
        ANSWER,
        "gen-abc",
        kw.get("conversation_id", "c0ffee0123456789"),
        kw.get("turn", 1),
    )


def test_feedback_keeps_what_was_judged(store):
    item = give(store, comment="  Missed\x07 the point\n  ")
    got = store.get(item.id)
    assert got.helpful is False and got.comment == "Missed  the point"
    assert got.question == ANSWER["question"] and got.generation == "gen-abc"
    assert [c["n"] for c in got.citations] == [1, 2, 3]
    assert got.who == "olu" and got.conversation_id == "c0ffee0123456789" and got.turn == 1


def test_feedback_again_on_the_same_answer_replaces_it_and_others_are_kept(store):
    first = give(store)
    again = give(store, helpful=True, comment="Actually fine")
    assert again.id == first.id and again.helpful and again.comment == "Actually fine"
    store.clock.now += 5  # type: ignore[attr-defined]
    other = give(store, who="sam", turn=1)
    assert [i.id for i in store.items()] == [other.id, first.id]  # newest first


def test_bad_feedback_is_refused_and_saves_nothing(store):
    with pytest.raises(GuideError, match="at most 2,000 characters"):
        give(store, comment="x" * 2001)
    with pytest.raises(GuideError, match="helpful"):
        store.add("olu", "officer", "no", "", "q", ANSWER, "g")  # type: ignore[arg-type]
    assert store.items() == []
    with pytest.raises(FeedbackNotFound):
        store.get(99)


def test_feedback_becomes_a_test_question_the_reader_accepts(store, tmp_path):
    item = give(store)
    record = as_test_question(item, "Do staff keep their pensions?", "They stay.", gold=[2, 1, 2])
    assert record["gold"] == [
        {"source_file": "07-people.pdf", "page": 5},
        {"source_file": "07-people.pdf", "page": 4},
    ]
    assert record["evidence"] == ["The employer must be admitted", "They stay in the scheme"]
    path = tmp_path / "testsets" / "feedback.jsonl"
    made = append_question(path, record)
    assert made.id == f"feedback-{item.id}"
    (loaded,) = load_testset(path)
    assert loaded.question == "Do staff keep their pensions?" and loaded.answerable
    assert loaded.reference_answer == "They stay." and loaded.gold[0].page == 5


def test_an_unanswerable_test_question_has_no_gold(store, tmp_path):
    item = give(store)
    record = as_test_question(item, "Scottish pensions?", "ignored", gold=[], answerable=False)
    path = tmp_path / "set.jsonl"
    append_question(path, record)
    (loaded,) = load_testset(path)
    assert not loaded.answerable and loaded.gold == () and loaded.type == "unanswerable"
    assert loaded.reference_answer == ""


@pytest.mark.parametrize(
    ("gold", "answerable", "message"),
    [
        ([], True, "Pick the source"),
        ([7], True, r"no source 7; pick among its sources \(\[1\], \[2\], \[3\]\)"),
        ([1], False, "has no gold pages"),
    ],
)
def test_a_test_question_without_the_right_gold_is_refused(store, gold, answerable, message):
    with pytest.raises(GuideError, match=message):
        as_test_question(give(store), "Q?", "A.", gold=gold, answerable=answerable)


def test_the_same_feedback_is_not_added_twice_and_the_file_stays_valid(store, tmp_path):
    path = tmp_path / "feedback.jsonl"
    first, second = give(store), give(store, who="sam")
    append_question(path, as_test_question(first, "Q one?", "A.", gold=[1]))
    with pytest.raises(GuideError, match="made into a test question before"):
        append_question(path, as_test_question(first, "Q one again?", "A.", gold=[1]))
    append_question(path, as_test_question(second, "Q two?", "A.", gold=[3]))
    assert [i.id for i in load_testset(path)] == [f"feedback-{first.id}", f"feedback-{second.id}"]


def test_the_feedback_test_set_is_listed_and_resolved_by_the_eval_desk(store, tmp_path):
    settings = Settings(data_dir=tmp_path)
    desk = EvalDesk(settings)
    assert not any("from feedback" in label for label, _ in desk.testset_choices())
    made = desk.add_feedback_question(as_test_question(give(store), "Q?", "A.", gold=[1]))
    assert made.id.startswith("feedback-")
    labels = dict(desk.testset_choices())
    assert labels["feedback.jsonl (from feedback)"] == str(settings.feedback_testset_path)
    assert desk.resolve("feedback.jsonl") == settings.feedback_testset_path
