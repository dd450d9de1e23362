"""Feedback on answers: helpful or not, an optional comment, and a copy of what was judged (the
question, the answer with its citations, the library generation it was answered against, who
asked), kept in one SQLite file in the data folder (`feedback.sqlite3`, mode 0600).

Evaluators read it and turn an item into a test question (`as_test_question`): the question, a
reference answer (the answer given, as edited) and the gold pages picked from the answer's own
citations, in the format of eval/testset.py. Officers only ever give feedback, never read it.

    store = FeedbackStore.from_settings(settings)
    item = store.add("olu", "officer", False, "Missed the pension point", question, answer, gen)
    record = as_test_question(item, item.question, "Staff keep ...", gold=[2])
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.config import MAX_QUESTION_CHARS, Settings
from assistant.conversations import iso
from assistant.errors import GuideError
from assistant.localdb import LocalDb

MAX_COMMENT_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # newlines and tabs are kept

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    who TEXT NOT NULL,
    role TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    comment TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    generation TEXT NOT NULL,
    conversation_id TEXT,
    turn INTEGER,
    test_id TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS feedback_once_per_answer
    ON feedback (who, conversation_id, turn);
"""


class FeedbackNotFound(GuideError):
    """No feedback has that number."""


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    id: int
    at: str
    who: str
    role: str
    helpful: bool
    comment: str
    question: str
    answer: dict[str, Any] = field(compare=False)  # Answer.to_dict() as it was shown
    generation: str = ""
    conversation_id: str | None = None
    turn: int | None = None
    test_id: str | None = None  # the test question made from it, once made

    @property
    def citations(self) -> list[dict[str, Any]]:
        found = self.answer.get("citations")
        return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "who": self.who,
            "role": self.role,
            "helpful": self.helpful,
            "comment": self.comment,
            "question": self.question,
            "answer": self.answer,
            "generation": self.generation,
            "conversation_id": self.conversation_id,
            "turn": self.turn,
            "test_id": self.test_id,
        }


def clean_comment(text: str | None) -> str:
    comment = _CONTROL.sub(" ", text or "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise GuideError(
            f"A comment may be at most {MAX_COMMENT_CHARS:,} characters; this one has "
            f"{len(comment):,}. Shorten it and send it again."
        )
    return comment


class FeedbackStore:
    def __init__(self, db: LocalDb, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(LocalDb(settings.feedback_db_path, _SCHEMA, "The feedback on answers"))

    def add(
        self,
        who: str,
        role: str,
        helpful: bool,
        comment: str | None,
        question: str,
        answer: dict[str, Any],
        generation: str,
        conversation_id: str | None = None,
        turn: int | None = None,
    ) -> FeedbackItem:
        """Keep one person's feedback on one answer; feedback again on the same answer (same
        conversation and turn) replaces theirs."""
        if not isinstance(helpful, bool):
            raise GuideError("Say whether the answer was helpful or not.")
        text = clean_comment(comment)
        values = (
            self.clock(),
            who,
            role,
            int(helpful),
            text,
            question,
            json.dumps(answer, ensure_ascii=False, default=str),
            generation,
            conversation_id,
            turn,
        )
        with self.db.transaction() as conn:
            row = None
            if conversation_id is not None and turn is not None:
                row = conn.execute(
                    "SELECT id FROM feedback WHERE who = ? AND conversation_id = ? AND turn = ?",
                    (who, conversation_id, turn),
                ).fetchone()
            if row is not None:
                new_id = int(row["id"])
                conn.execute(
                    "UPDATE feedback SET at = ?, helpful = ?, comment = ? WHERE id = ?",
                    (values[0], values[3], values[4], new_id),
                )
            else:
                cursor = conn.execute(
                    "INSERT INTO feedback (at, who, role, helpful, comment, question, answer, "
                    "generation, conversation_id, turn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
                new_id = int(cursor.lastrowid or 0)
        return self.get(int(new_id))

    def items(self, limit: int = 200) -> list[FeedbackItem]:
        """Everyone's feedback, newest first (for evaluators only: the edge checks the role)."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM feedback ORDER BY at DESC, id DESC LIMIT ?", (max(int(limit), 0),)
            ).fetchall()
        return [_item(r) for r in rows]

    def get(self, feedback_id: int) -> FeedbackItem:
        row = None
        if isinstance(feedback_id, int) and not isinstance(feedback_id, bool):
            with self.db.reading() as conn:
                row = conn.execute("SELECT * FROM feedback WHERE id = ?", (feedback_id,)).fetchone()
        if row is None:
            raise FeedbackNotFound(f"There is no feedback numbered {feedback_id!r}.")
        return _item(row)

    def mark_used(self, feedback_id: int, test_id: str) -> None:
        """Record that the feedback became test question `test_id`."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE feedback SET test_id = ? WHERE id = ?", (test_id, feedback_id))


def as_test_question(
    item: FeedbackItem,
    question: str,
    reference_answer: str,
    gold: Sequence[int],
    answerable: bool = True,
) -> dict[str, Any]:
    """The test-set record (eval/testset.py's format) an evaluator makes from `item`: `gold`
    numbers the answer's citations ([n]) that hold the answer; their pages become the gold
    pages and their quotes the evidence. Errors say what to change."""
    asked = " ".join((question or "").split())
    if not asked:
        raise GuideError("Give the test question its question.")
    if len(asked) > MAX_QUESTION_CHARS:
        raise GuideError(f"A test question may be at most {MAX_QUESTION_CHARS:,} characters.")
    by_n = {c.get("n"): c for c in item.citations}
    unknown = [n for n in gold if n not in by_n]
    if unknown:
        raise GuideError(
            f"The answer has no source {unknown[0]}; pick among its sources "
            f"({', '.join(f'[{n}]' for n in by_n) or 'none'})."
        )
    picked = [by_n[n] for n in dict.fromkeys(gold)]
    if answerable and not picked:
        raise GuideError(
            "Pick the source (or sources) whose page answers the question; if the library "
            "should not answer it, mark it as one the library cannot answer."
        )
    if not answerable and picked:
        raise GuideError(
            "A question the library cannot answer has no gold pages; clear the sources picked."
        )
    pages = list(dict.fromkeys((str(c["source_file"]), int(c["page"])) for c in picked))
    return {
        "id": f"feedback-{item.id}",
        "question": asked,
        "answerable": answerable,
        "reference_answer": (reference_answer or "").strip() if answerable else "",
        "gold": [{"source_file": f, "page": p} for f, p in pages],
        "evidence": [str(c.get("quote", "")) for c in picked if c.get("quote")],
        "type": "fact" if answerable else "unanswerable",
        "follows": None,
    }


def _item(row: Any) -> FeedbackItem:
    try:
        answer = json.loads(row["answer"])
    except ValueError:
        answer = {}
    return FeedbackItem(
        id=int(row["id"]),
        at=iso(row["at"]),
        who=row["who"],
        role=row["role"],
        helpful=bool(row["helpful"]),
        comment=row["comment"],
        question=row["question"],
        answer=answer if isinstance(answer, dict) else {},
        generation=row["generation"],
        conversation_id=row["conversation_id"],
        turn=row["turn"],
        test_id=row["test_id"],
    )
