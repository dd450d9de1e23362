"""The audit log: one JSON line per action that matters (sign-ins, document changes, questions,
evaluations, user changes), so a council can say who did what and when.

Append-only and shared: the app and the CLI both write through a file lock, each line is
flushed to disk before `record` returns, and the file rotates by size (audit.jsonl ->
audit.jsonl.1 -> ... -> audit.jsonl.<keep>, the oldest dropped) so it never fills the disk.

Failed sign-ins are the one thing anybody can cause without an account, so they go to a log of
their own (`sign-in-failures.jsonl`, rotating on its own limits): however many there are, they
cannot push the rest of the history out. `entries` reads both logs together, newest first.

    log = AuditLog.from_settings(settings)
    log.record("alice", AuditAction.UPLOAD, {"file": "guide.pdf"}, "added", role="staff")
    log.entries(limit=20, action=AuditAction.UPLOAD)  # newest first
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.errors import GuideError
from assistant.files import append_durably

_LOCK_TIMEOUT_S = 10


class AuditAction(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    UPLOAD = "upload"
    REPLACE = "replace"
    REMOVE = "remove"
    ASK = "ask"
    EVAL_RUN = "eval_run"
    USER_ADD = "user_add"
    USER_REMOVE = "user_remove"
    USER_ROLE = "user_role"
    USER_PASSWORD = "user_password"
    USER_UNLOCK = "user_unlock"
    TOKEN_CREATE = "token_create"
    TOKEN_REVOKE = "token_revoke"
    CONVERSATION_RETENTION = "conversation_retention"
    FEEDBACK_TO_TEST = "feedback_to_test"


class AuditLog:
    """Appends to and reads one rotating JSONL audit log."""

    def __init__(
        self,
        path: Path,
        max_bytes: int = 5_000_000,
        keep: int = 10,
        failures: AuditLog | None = None,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.keep = max(keep, 0)
        self.failures = failures  # where failed sign-ins go; None: this log

    @classmethod
    def from_settings(cls, settings: Settings) -> AuditLog:
        failures = cls(
            settings.sign_in_failures_path,
            max_bytes=int(settings.sign_in_log_max_mb * 1_000_000),
            keep=settings.sign_in_log_keep,
        )
        return cls(
            settings.audit_path,
            max_bytes=int(settings.audit_max_mb * 1_000_000),
            keep=settings.audit_keep,
            failures=failures,
        )

    def _lock(self) -> FileLock:
        return FileLock(str(self.path) + ".lock", timeout=_LOCK_TIMEOUT_S)

    def _rotated(self, index: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{index}")

    def files(self) -> list[Path]:
        """The log's files, newest first (those that exist)."""
        candidates = [self.path, *(self._rotated(i) for i in range(1, self.keep + 1))]
        return [p for p in candidates if p.exists()]

    # -- writing ------------------------------------------------------------------------------
    def record(
        self, who: str, action: str, what: dict[str, Any] | str, result: str, role: str = ""
    ) -> dict[str, Any]:
        """Append one entry and return it; a disk problem becomes a GuideError saying so.
        A failed sign-in goes to the failures log, when there is one."""
        if self.failures is not None and str(action) == AuditAction.SIGN_IN_FAILED:
            return self.failures.record(who, action, what, result, role)
        entry: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(timespec="microseconds"),  # orders merged logs
            "who": who,
            "role": str(role),
            "action": str(action),
            "what": what,
            "result": result,
        }
        line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock():
                self._rotate_if_full(len(line))
                append_durably(self.path, line)
        except Timeout as exc:
            raise GuideError(
                f"The audit log {self.path} is locked by another process; the action was "
                "not recorded. Try again in a moment."
            ) from exc
        except OSError as exc:
            raise GuideError(
                f"The audit log {self.path} cannot be written ({exc}). Check the disk has "
                "space and the folder is writable."
            ) from exc
        return entry

    def _rotate_if_full(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= self.max_bytes:
            return
        if self.keep == 0:
            self.path.unlink()
            return
        self._rotated(self.keep).unlink(missing_ok=True)
        for index in range(self.keep - 1, 0, -1):
            older = self._rotated(index)
            if older.exists():
                older.replace(self._rotated(index + 1))
        self.path.replace(self._rotated(1))

    # -- reading ------------------------------------------------------------------------------
    def entries(
        self, limit: int = 200, action: str | None = None, who: str | None = None
    ) -> list[dict[str, Any]]:
        """Up to `limit` entries, newest first, across the rotated files and the failed
        sign-ins' log; a corrupt line (a crash mid-write, a hand edit) is skipped."""
        mine = self._entries(limit, action, who)  # older versions logged failures here too
        if self.failures is None or action not in (None, AuditAction.SIGN_IN_FAILED):
            return mine
        theirs = self.failures._entries(limit, action, who)
        # both are newest first; a stable sort keeps each file's own order within one second
        return sorted(mine + theirs, key=lambda e: str(e.get("at", "")), reverse=True)[:limit]

    def _entries(self, limit: int, action: str | None, who: str | None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        if limit <= 0 or not self.path.parent.is_dir():
            return found
        try:
            with self._lock():  # no rotation while reading, so no entry is missed or doubled
                for path in self.files():
                    for raw in reversed(path.read_bytes().splitlines()):
                        entry = _parse(raw)
                        if entry is None:
                            continue
                        if action is not None and entry.get("action") != action:
                            continue
                        if who is not None and entry.get("who") != who:
                            continue
                        found.append(entry)
                        if len(found) >= limit:
                            return found
        except Timeout as exc:
            raise GuideError(
                f"The audit log {self.path} is locked by another process; try again in a moment."
            ) from exc
        except OSError as exc:
            raise GuideError(f"The audit log {self.path} cannot be read ({exc}).") from exc
        return found


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        entry = json.loads(raw)
    except ValueError:  # includes bad JSON and bad UTF-8
        return None
    return entry if isinstance(entry, dict) else None
