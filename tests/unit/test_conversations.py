"""The conversation store: real SQLite in a temporary folder, a fake clock for retention."""

import threading

import pytest

from assistant.config import Settings
from assistant.conversations import (
    DEFAULT_RETENTION_DAYS,
    ConversationNotFound,
    ConversationStore,
    title_from,
)
from assistant.errors import GuideError
from assistant.types import Answer, Status

pytestmark = pytest.mark.unit
DAY = 86_400.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def answer(question: str, quote: str = "Staff keep their pensions.") -> dict:
    return {
        "question": question,
        "answer": f"{quote} [1]",
        "status": "answered",
        "citations": [
            {
                "n": 1,
                "document": "People guide",
                "source_file": "07-people.pdf",
                "page": 4,
                "page_label": "2",
                "quote": quote,
                "paragraph": "12",
                "verified": True,
                "version": "v1",
                "superseded": "",
                "origin": "pdf",
            }
        ],
        "retrieved": [],
        "search_query": question,
        "notice": "",
        "evidence": {"relevance": 0.61},
    }


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock) -> ConversationStore:
    made = ConversationStore.from_settings(Settings(data_dir=tmp_path))
    made.clock = clock
    return made


def test_turns_are_saved_in_order_and_give_the_follow_up_history(store, clock):
    cid, n = store.add_turn("olu", None, "What is TUPE?", answer("What is TUPE?"), "gen1")
    assert n == 1
    clock.now += 60
    cid2, n2 = store.add_turn("olu", cid, "And pensions?", answer("And pensions?"), "gen1")
    assert (cid2, n2) == (cid, 2)
    got = store.get("olu", cid)
    assert got.history == ("What is TUPE?", "And pensions?")
    assert got.title == "What is TUPE?"
    assert got.turns[1].answer["citations"][0]["quote"] == "Staff keep their pensions."
    assert got.turns[0].generation == "gen1"
    assert [s.turns for s in store.conversations("olu")] == [2]


def test_the_most_recently_used_conversation_is_listed_first(store, clock):
    first, _ = store.add_turn("olu", None, "One?", answer("One?"), "g")
    clock.now += 10
    second, _ = store.add_turn("olu", None, "Two?", answer("Two?"), "g")
    assert [s.id for s in store.conversations("olu")] == [second, first]
    clock.now += 10
    store.add_turn("olu", first, "One more?", answer("One more?"), "g")
    assert [s.id for s in store.conversations("olu")] == [first, second]


def test_rename_tidies_the_name_and_refuses_empty_or_long_ones(store):
    cid, _ = store.add_turn("olu", None, "What is TUPE?", answer("What is TUPE?"), "g")
    assert store.rename("olu", cid, "  TUPE\tand\npensions  ") == "TUPE and pensions"
    assert store.get("olu", cid).title == "TUPE and pensions"
    with pytest.raises(GuideError, match="Give the conversation a name"):
        store.rename("olu", cid, "   ")
    with pytest.raises(GuideError, match="at most 120 characters"):
        store.rename("olu", cid, "x" * 121)
    assert store.get("olu", cid).title == "TUPE and pensions"  # a refused name changes nothing


def test_delete_removes_the_conversation_and_its_turns(store):
    cid, _ = store.add_turn("olu", None, "What is TUPE?", answer("What is TUPE?"), "g")
    keep, _ = store.add_turn("olu", None, "Other?", answer("Other?"), "g")
    store.delete("olu", cid)
    assert [s.id for s in store.conversations("olu")] == [keep]
    with pytest.raises(ConversationNotFound):
        store.get("olu", cid)
    with store.db.reading() as conn:
        (left,) = conn.execute("SELECT COUNT(*) FROM turns WHERE conversation_id = ?", (cid,))
    assert tuple(left) == (0,)


def test_nobody_sees_or_changes_another_persons_conversation(store):
    cid, _ = store.add_turn("olu", None, "Mine?", answer("Mine?"), "g")
    assert store.conversations("sam") == []
    for attempt in (
        lambda: store.get("sam", cid),
        lambda: store.rename("sam", cid, "taken"),
        lambda: store.delete("sam", cid),
        lambda: store.add_turn("sam", cid, "Into yours?", answer("Into yours?"), "g"),
    ):
        with pytest.raises(ConversationNotFound, match="not among yours"):
            attempt()
    got = store.get("olu", cid)
    assert got.title == "Mine?" and got.history == ("Mine?",)


@pytest.mark.parametrize("bad", ["", "../../etc", "0" * 15, 12345, None])
def test_malformed_ids_are_simply_not_found(store, bad):
    with pytest.raises(ConversationNotFound):
        store.get("olu", bad)


def test_retention_purges_conversations_not_used_for_that_long(store, clock):
    assert store.retention_days() == DEFAULT_RETENTION_DAYS
    old, _ = store.add_turn("olu", None, "Old?", answer("Old?"), "g")
    clock.now += 20 * DAY
    recent, _ = store.add_turn("sam", None, "Recent?", answer("Recent?"), "g")
    clock.now += 11 * DAY  # old: 31 days unused; recent: 11
    assert store.set_retention_days(30) == 1
    assert store.conversations("olu") == []
    assert [s.id for s in store.conversations("sam")] == [recent]
    clock.now += 20 * DAY  # recent now 31 days unused: purged by the next call, not shown
    with pytest.raises(ConversationNotFound):
        store.get("sam", recent)


def test_retention_zero_keeps_everything_and_bad_values_are_refused(store, clock):
    cid, _ = store.add_turn("olu", None, "Kept?", answer("Kept?"), "g")
    assert store.set_retention_days(0) == 0
    clock.now += 5000 * DAY
    assert [s.id for s in store.conversations("olu")] == [cid]
    for bad in (-1, 3651, 2.5, "30", True):
        with pytest.raises(GuideError, match="days"):
            store.set_retention_days(bad)
    assert store.retention_days() == 0


def test_another_process_on_the_same_file_sees_the_same_conversations(tmp_path, clock):
    settings = Settings(data_dir=tmp_path)
    one, two = (ConversationStore.from_settings(settings) for _ in range(2))
    cid, _ = one.add_turn("olu", None, "Shared?", answer("Shared?"), "g")
    two.set_retention_days(7)
    assert one.retention_days() == 7
    assert [s.id for s in two.conversations("olu")] == [cid]
    two.rename("olu", cid, "Renamed elsewhere")
    assert one.get("olu", cid).title == "Renamed elsewhere"
    with one.db.reading() as conn:
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"
    assert (settings.conversations_db_path.stat().st_mode & 0o777) == 0o600


def test_parallel_writers_number_every_turn_once(tmp_path):
    settings = Settings(data_dir=tmp_path)
    stores = [ConversationStore.from_settings(settings) for _ in range(4)]
    cid, _ = stores[0].add_turn("olu", None, "Start?", answer("Start?"), "g")

    def write(store: ConversationStore) -> None:
        for i in range(10):
            store.add_turn("olu", cid, f"Q{i}?", answer(f"Q{i}?"), "g")

    threads = [threading.Thread(target=write, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    turns = stores[1].get("olu", cid).turns
    assert [t.n for t in turns] == list(range(1, 42))


def test_a_long_first_question_makes_a_short_title():
    title = title_from("How do staff " + "really " * 30 + "keep pensions?")
    assert len(title) <= 80 and title.endswith("\u2026")
    assert title_from("What\x00 is\nTUPE?") == "What is TUPE?"


def test_a_saved_answer_comes_back_as_an_answer():
    restored = Answer.from_dict(answer("What is TUPE?"))
    assert restored.status is Status.ANSWERED
    assert restored.citations[0].page_label == "2" and restored.citations[0].paragraph == "12"
    again = restored.to_dict()
    assert again["citations"] == answer("What is TUPE?")["citations"]
    assert again["answer"] == "Staff keep their pensions. [1]"
