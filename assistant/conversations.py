"""Saved conversations: each person's questions and the answers they got, kept in one SQLite file
in the data folder (`conversations.sqlite3`, mode 0600) so they survive a reload and a restart
and every app process on the data folder sees the same ones.

Every call names the owner, and a conversation is only ever found for its owner: asking for
someone else's reads exactly like asking for one that does not exist. The edge passes the owner
from the signed-in session, never from anything the client sent.

Conversations not touched for the retention period (set by an admin, kept in the same file;
`DEFAULT_RETENTION_DAYS` until set, 0 meaning until deleted) are purged before every call, so an
expired conversation is never shown, whichever process purges it.

    store = ConversationStore.from_settings(settings)
    cid, n = store.add_turn("olu", None, "What is a mutual?", answer.to_dict(), generation)
    store.get("olu", cid).history        # ("What is a mutual?",): the follow-up context
    store.rename("olu", cid, "Mutuals, first look"); store.delete("olu", cid)
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assistant.config import Settings
from assistant.errors import GuideError
from assistant.localdb import LocalDb

DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 3650
MAX_TITLE_CHARS = 120
MAX_TURNS = 500
_DAY_S = 86_400.0
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ID = re.compile(r"[0-9a-f]{16}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, updated_at);
CREATE INDEX IF NOT EXISTS conversations_by_age ON conversations (updated_at);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    generation TEXT NOT NULL,
    asked_at REAL NOT NULL,
    PRIMARY KEY (conversation_id, n)
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class ConversationNotFound(GuideError):
    """No conversation of this person's has that id (deleted, expired, or never theirs)."""


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True, slots=True)
class Turn:
    """One question and the answer it got (`answer`: Answer.to_dict()), with the library
    generation it was answered against."""

    n: int
    question: str
    answer: dict[str, Any] = field(compare=False)
    generation: str
    asked_at: str


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    id: str
    title: str
    created_at: str
    updated_at: str
    turns: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "turns": self.turns,
        }


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    title: str
    created_at: str
    updated_at: str
    turns: tuple[Turn, ...]

    @property
    def history(self) -> tuple[str, ...]:
        """The questions asked so far, oldest first: what a follow-up is resolved against."""
        return tuple(t.question for t in self.turns)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "turns": [
                {
                    "n": t.n,
                    "question": t.question,
                    "answer": t.answer,
                    "generation": t.generation,
                    "asked_at": t.asked_at,
                }
                for t in self.turns
            ],
        }


def clean_title(text: str) -> str:
    """A conversation's name as given, tidied, or GuideError saying what to change."""
    title = " ".join(_CONTROL.sub(" ", text if isinstance(text, str) else "").split())
    if not title:
        raise GuideError("Give the conversation a name (a few words).")
    if len(title) > MAX_TITLE_CHARS:
        raise GuideError(
            f"A conversation's name may be at most {MAX_TITLE_CHARS} characters; "
            f"this one has {len(title)}."
        )
    return title


def title_from(question: str) -> str:
    """The name a new conversation gets: its first question, shortened."""
    words = " ".join(_CONTROL.sub(" ", question).split())
    if len(words) <= 80:
        return words or "Conversation"
    return words[:79].rsplit(" ", 1)[0] + "\u2026"


def check_retention(days: Any) -> int:
    """A retention period in whole days (0: until deleted), or GuideError."""
    if isinstance(days, bool) or not isinstance(days, (int, float)) or days != int(days):
        raise GuideError("Give the retention period as a whole number of days (0: keep them).")
    value = int(days)
    if not 0 <= value <= MAX_RETENTION_DAYS:
        raise GuideError(
            f"Keep conversations between 1 and {MAX_RETENTION_DAYS} days, or 0 to keep them "
            "until their owner deletes them."
        )
    return value


class ConversationStore:
    """Each person's conversations. `clock` (seconds since the epoch) is for tests."""

    def __init__(self, db: LocalDb, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> ConversationStore:
        return cls(LocalDb(settings.conversations_db_path, _SCHEMA, "The saved conversations"))

    # -- retention -----------------------------------------------------------------------------
    def retention_days(self) -> int:
        with self.db.reading() as conn:
            return _retention(conn)

    def set_retention_days(self, days: Any) -> int:
        """Set how long conversations are kept; returns how many older ones were purged."""
        value = check_retention(days)
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES ('retention_days', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(value),),
            )
            return self._purge(conn)

    def purge(self) -> int:
        """Delete the conversations past the retention period; how many went."""
        with self.db.transaction() as conn:
            return self._purge(conn)

    def _purge(self, conn: Any) -> int:
        days = _retention(conn)
        if days == 0:
            return 0
        cutoff = self.clock() - days * _DAY_S
        gone = conn.execute("DELETE FROM conversations WHERE updated_at < ?", (cutoff,))
        return int(gone.rowcount)

    # -- the owner's conversations -------------------------------------------------------------
    def add_turn(
        self,
        owner: str,
        conversation_id: str | None,
        question: str,
        answer: dict[str, Any],
        generation: str,
    ) -> tuple[str, int]:
        """Save a question and its answer: to the owner's conversation `conversation_id`, or to a
        new one (None) named after the question. Returns (conversation id, turn number)."""
        now = self.clock()
        with self.db.transaction() as conn:
            self._purge(conn)
            if conversation_id is None:
                conversation_id = secrets.token_hex(8)
                conn.execute(
                    "INSERT INTO conversations (id, owner, title, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (conversation_id, owner, title_from(question), now, now),
                )
                n = 1
            else:
                self._owned(conn, owner, conversation_id)
                (last,) = conn.execute(
                    "SELECT COALESCE(MAX(n), 0) FROM turns WHERE conversation_id = ?",
                    (conversation_id,),
                ).fetchone()
                if last >= MAX_TURNS:
                    raise GuideError(
                        f"This conversation has {MAX_TURNS} questions, the most one may hold; "
                        "start a new conversation."
                    )
                n = int(last) + 1
                conn.execute(
                    "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
                )
            conn.execute(
                "INSERT INTO turns (conversation_id, n, question, answer, generation, asked_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    n,
                    question,
                    json.dumps(answer, ensure_ascii=False, default=str),
                    generation,
                    now,
                ),
            )
        return conversation_id, n

    def conversations(self, owner: str, limit: int = 100) -> list[ConversationSummary]:
        """The owner's conversations, most recently used first."""
        with self.db.transaction() as conn:
            self._purge(conn)
            rows = conn.execute(
                "SELECT c.id, c.title, c.created_at, c.updated_at, "
                "(SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id) AS turns "
                "FROM conversations c WHERE c.owner = ? "
                "ORDER BY c.updated_at DESC, c.rowid DESC LIMIT ?",
                (owner, max(int(limit), 0)),
            ).fetchall()
        return [
            ConversationSummary(
                r["id"], r["title"], iso(r["created_at"]), iso(r["updated_at"]), int(r["turns"])
            )
            for r in rows
        ]

    def get(self, owner: str, conversation_id: str) -> Conversation:
        with self.db.transaction() as conn:
            self._purge(conn)
            row = self._owned(conn, owner, conversation_id)
            turns = conn.execute(
                "SELECT n, question, answer, generation, asked_at FROM turns "
                "WHERE conversation_id = ? ORDER BY n",
                (conversation_id,),
            ).fetchall()
        return Conversation(
            row["id"],
            row["title"],
            iso(row["created_at"]),
            iso(row["updated_at"]),
            tuple(
                Turn(
                    int(t["n"]),
                    t["question"],
                    _answer(t["answer"]),
                    t["generation"],
                    iso(t["asked_at"]),
                )
                for t in turns
            ),
        )

    def rename(self, owner: str, conversation_id: str, title: str) -> str:
        """Rename the owner's conversation; returns the name as kept."""
        name = clean_title(title)
        with self.db.transaction() as conn:
            self._purge(conn)
            self._owned(conn, owner, conversation_id)
            conn.execute("UPDATE conversations SET title = ? WHERE id = ?", (name, conversation_id))
        return name

    def delete(self, owner: str, conversation_id: str) -> None:
        """Delete the owner's conversation and every turn of it."""
        with self.db.transaction() as conn:
            self._owned(conn, owner, conversation_id)
            conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    @staticmethod
    def _owned(conn: Any, owner: str, conversation_id: Any) -> Any:
        row = None
        if isinstance(conversation_id, str) and _ID.fullmatch(conversation_id):
            row = conn.execute(
                "SELECT id, title, created_at, updated_at FROM conversations "
                "WHERE id = ? AND owner = ?",
                (conversation_id, owner),
            ).fetchone()
        if row is None:
            raise ConversationNotFound(
                "That conversation is not among yours: it may have been deleted, or removed "
                "when it passed the retention period. Reload the page to see your list."
            )
        return row


def _retention(conn: Any) -> int:
    row = conn.execute("SELECT value FROM settings WHERE key = 'retention_days'").fetchone()
    if row is None:
        return DEFAULT_RETENTION_DAYS
    try:
        return check_retention(int(row["value"]))
    except (ValueError, GuideError):
        return DEFAULT_RETENTION_DAYS  # a hand-edited value: the default, not an error


def _answer(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    return value if isinstance(value, dict) else {"answer": "", "citations": []}
