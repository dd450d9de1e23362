"""Sign-in throttling and server-side sessions, kept in one small SQLite file in the data folder
(`sign-in.sqlite3`, mode 0600) so that every worker thread of the app, and `guide users unlock`
in another process, see the same state, and a restart forgets neither a pause nor a session.

Throttling: each name tried, and each client address, has a counter. `limit` failures within
the window pause sign-in for that name (or from that address): the first pause lasts `pause_s`,
each further one in a row twice as long, up to `max_pause_s`. During a pause even the right
password is refused, and it is not even checked, so a pause tells nothing about the password.
Names that do not exist are counted and paused in just the same way, so nothing here reveals
which names exist. An attempt is counted *before* its password is checked (and given back if it
succeeds), so parallel guesses cannot slip past the limit while the hashing runs.

Sessions: a random token in the browser's cookie; only its SHA-256 is stored, with the account
name and the account's credential epoch. A session ends when unused for `idle_s`, `max_s` after
signing in, at sign-out, or as soon as the account's epoch changes (a new password) or the
account goes (a new account of the same name has a new epoch, so an old session stays dead).

    guard = SignInGuard.from_settings(settings)
    attempt = guard.begin("alice", "192.0.2.7")
    if isinstance(attempt, Paused): ...  # refuse: attempt.seconds to wait, attempt.message()
    elif accounts.authenticate("alice", password): guard.succeeded(attempt)
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.errors import GuideError

if TYPE_CHECKING:
    from assistant.accounts import Account, AccountStore

Clock = Callable[[], float]
FORGET_AFTER_S = 24 * 3600.0  # a quiet day forgets earlier pauses (and the counters are pruned)
REPORT_EVERY_S = 60.0  # at most one failed-sign-in log entry a minute per name and address
_SEEN_EVERY_S = 30.0  # a session's last use is written at most this often
_BUSY_TIMEOUT_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY, failures INTEGER NOT NULL, window_start REAL NOT NULL,
    paused_until REAL NOT NULL, level INTEGER NOT NULL, last_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    name TEXT NOT NULL, client TEXT NOT NULL, pending INTEGER NOT NULL, result TEXT NOT NULL,
    last_logged REAL NOT NULL, PRIMARY KEY (name, client));
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, name TEXT NOT NULL, epoch TEXT NOT NULL,
    created REAL NOT NULL, seen REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_by_name ON sessions (name);
"""


# -- the arithmetic (pure) --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    limit: int  # failures within the window that start a pause
    window_s: float
    pause_s: float  # the first pause; each further one in a row doubles
    max_pause_s: float
    forget_s: float = FORGET_AFTER_S

    @classmethod
    def for_names(cls, settings: Settings) -> ThrottlePolicy:
        return cls._from(settings, settings.sign_in_name_failures)

    @classmethod
    def for_clients(cls, settings: Settings) -> ThrottlePolicy:
        return cls._from(settings, settings.sign_in_client_failures)

    @classmethod
    def _from(cls, settings: Settings, limit: int) -> ThrottlePolicy:
        return cls(
            limit=max(limit, 1),
            window_s=settings.sign_in_window_minutes * 60,
            pause_s=settings.sign_in_pause_minutes * 60,
            max_pause_s=max(settings.sign_in_max_pause_minutes, settings.sign_in_pause_minutes)
            * 60,
        )

    def pause_for(self, level: int) -> float:
        """How long the pause after `level` earlier pauses in a row lasts."""
        return min(self.pause_s * 2 ** min(level, 32), self.max_pause_s)


@dataclass(frozen=True, slots=True)
class Counter:
    failures: int = 0  # within the current window
    window_start: float = 0.0
    paused_until: float = 0.0
    level: int = 0  # pauses in a row so far
    last_at: float = 0.0  # the last counted attempt


def count_attempt(c: Counter, policy: ThrottlePolicy, now: float) -> tuple[Counter, float, bool]:
    """Count one attempt, presumed to fail: (the new counter, seconds of pause still to run, or 0
    to go ahead, whether this attempt started a pause). A paused counter is left as it is."""
    if c.paused_until > now:
        return c, c.paused_until - now, False
    level = c.level if now - c.last_at < policy.forget_s else 0
    failures, start = c.failures, c.window_start
    if now - start >= policy.window_s:
        failures, start = 0, now
    failures += 1
    if failures >= policy.limit:
        return Counter(0, now, now + policy.pause_for(level), level + 1, now), 0.0, True
    return Counter(failures, start, c.paused_until, level, now), 0.0, False


def give_back(c: Counter, started_pause: bool, policy: ThrottlePolicy) -> Counter:
    """Undo one counted attempt that turned out to succeed."""
    if started_pause:
        return replace(c, failures=policy.limit - 1, paused_until=0.0, level=max(c.level - 1, 0))
    return replace(c, failures=max(c.failures - 1, 0))


# -- storage ----------------------------------------------------------------------------------
class SignInDb:
    """One SQLite connection shared by the app's threads (SQLite serialises the processes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInDb:
        return cls(settings.sign_in_db_path)

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # created 0600 before SQLite opens it; its journal files take the same mode
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            conn = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise GuideError(
                f"The sign-in state {self.path} cannot be opened ({exc}). Check the data folder "
                "is writable; deleting that file only signs everyone out and lifts any pauses."
            ) from exc
        return conn

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for a read that takes no write lock (a session lookup)."""
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise GuideError(
                    f"The sign-in state {self.path} cannot be read ({exc}); try again in a moment."
                ) from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so counting is never racy."""
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise GuideError(
                    f"The sign-in state {self.path} cannot be used ({exc}); try again in a moment."
                ) from exc

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _load(conn: sqlite3.Connection, key: str) -> Counter:
    row = conn.execute(
        "SELECT failures, window_start, paused_until, level, last_at FROM counters WHERE key = ?",
        (key,),
    ).fetchone()
    return Counter(*row) if row else Counter()


def _store(conn: sqlite3.Connection, key: str, c: Counter) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO counters VALUES (?, ?, ?, ?, ?, ?)",
        (key, c.failures, c.window_start, c.paused_until, c.level, c.last_at),
    )


# -- throttling -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Attempt:
    """A counted sign-in attempt that may go ahead; hand it back to `succeeded` if it does."""

    name_key: str
    client_key: str
    started_name_pause: bool
    started_client_pause: bool


@dataclass(frozen=True, slots=True)
class Paused:
    """Sign-in is paused for this name or from this address for `seconds` more."""

    seconds: float

    @property
    def minutes(self) -> int:
        return max(1, int(-(-self.seconds // 60)))  # rounded up: never "0 minutes"

    def message(self) -> str:
        unit = "minute" if self.minutes == 1 else "minutes"
        return (
            "Sign-in is paused after too many failed attempts with this name or from this "
            f"address. Try again in {self.minutes} {unit} (the right password is refused "
            "until then too), or ask an admin to lift the pause."
        )


def name_key(name: str) -> str:
    return "name:" + name[:64]


def client_key(client: str) -> str:
    return "client:" + client[:64]


class SignInGuard:
    """Counts sign-in attempts per name and per client address, and pauses them (see above)."""

    def __init__(
        self,
        db: SignInDb,
        names: ThrottlePolicy,
        clients: ThrottlePolicy,
        clock: Clock = time.time,
    ) -> None:
        self.db = db
        self.names = names
        self.clients = clients
        self.clock = clock
        self._pruned = 0.0

    @classmethod
    def from_settings(cls, settings: Settings, db: SignInDb | None = None) -> SignInGuard:
        return cls(
            db or SignInDb.from_settings(settings),
            ThrottlePolicy.for_names(settings),
            ThrottlePolicy.for_clients(settings),
        )

    def begin(self, name: str, client: str) -> Attempt | Paused:
        """Count an attempt for `name` from `client`, or say how long sign-in is paused."""
        now = self.clock()
        nk, ck = name_key(name), client_key(client)
        with self.db.transaction() as conn:
            self._prune(conn, now)
            name_c, name_wait, name_started = count_attempt(_load(conn, nk), self.names, now)
            client_c, client_wait, client_started = count_attempt(
                _load(conn, ck), self.clients, now
            )
            wait = max(name_wait, client_wait)
            if wait > 0:  # paused: nothing is counted, and the password is not checked
                return Paused(wait)
            _store(conn, nk, name_c)
            _store(conn, ck, client_c)
        return Attempt(nk, ck, name_started, client_started)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the name's failures are forgotten, the address's attempt
        is given back."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM counters WHERE key = ?", (attempt.name_key,))
            client = give_back(
                _load(conn, attempt.client_key), attempt.started_client_pause, self.clients
            )
            _store(conn, attempt.client_key, client)

    def paused(self, name: str = "", client: str = "") -> Paused | None:
        """Whether sign-in is paused for `name` or from `client`, without counting anything."""
        now = self.clock()
        with self.db.transaction() as conn:
            until = max(
                (_load(conn, key).paused_until for key in (name_key(name), client_key(client))),
                default=0.0,
            )
        return Paused(until - now) if until > now else None

    def unlock(self, name: str) -> bool:
        """Forget the failures of `name`, lifting any pause (an admin's `guide users unlock`);
        True if it was paused."""
        return self._forget(name_key(name))

    def unlock_client(self, client: str) -> bool:
        """Forget the failures from a client address, lifting any pause."""
        return self._forget(client_key(client))

    def _forget(self, key: str) -> bool:
        now = self.clock()
        with self.db.transaction() as conn:
            was = _load(conn, key)
            conn.execute("DELETE FROM counters WHERE key = ?", (key,))
        return was.paused_until > now

    def report(self, name: str, client: str, result: str) -> list[dict[str, Any]]:
        """Note a failed or paused sign-in; returns the log entries now due: at most one a
        minute for each name and address, each carrying how many failures it stands for."""
        now = self.clock()
        name, client = name[:64], client[:64]
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO reports VALUES (?, ?, 1, ?, 0) ON CONFLICT (name, client) "
                "DO UPDATE SET pending = pending + 1, result = excluded.result",
                (name, client, result),
            )
            return self._take_due(conn, now)

    def due_reports(self) -> list[dict[str, Any]]:
        """Counts still waiting to be logged whose minute is up (called after a success, so a
        burst of failures that simply stops is still logged)."""
        now = self.clock()
        with self.db.transaction() as conn:
            return self._take_due(conn, now)

    def _take_due(self, conn: sqlite3.Connection, now: float) -> list[dict[str, Any]]:
        due = conn.execute(
            "SELECT name, client, pending, result FROM reports "
            "WHERE pending > 0 AND last_logged <= ?",
            (now - REPORT_EVERY_S,),
        ).fetchall()
        conn.execute(
            "UPDATE reports SET pending = 0, last_logged = ? "
            "WHERE pending > 0 AND last_logged <= ?",
            (now, now - REPORT_EVERY_S),
        )
        return [{"name": n, "client": c, "count": k, "result": r} for n, c, k, r in due]

    def _prune(self, conn: sqlite3.Connection, now: float) -> None:
        if now - self._pruned < 60:
            return
        self._pruned = now
        horizon = now - FORGET_AFTER_S
        conn.execute("DELETE FROM counters WHERE last_at < ? AND paused_until < ?", (horizon, now))
        conn.execute("DELETE FROM reports WHERE pending = 0 AND last_logged < ?", (horizon,))


# -- sessions ---------------------------------------------------------------------------------
def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionStore:
    """Server-side sessions bound to the account's credential epoch."""

    def __init__(self, db: SignInDb, idle_s: float, max_s: float, clock: Clock = time.time) -> None:
        self.db = db
        self.idle_s = idle_s
        self.max_s = max_s
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings, db: SignInDb | None = None) -> SessionStore:
        return cls(
            db or SignInDb.from_settings(settings),
            idle_s=settings.session_idle_minutes * 60,
            max_s=settings.session_max_hours * 3600,
        )

    def create(self, account: Account) -> str:
        """A new session for `account`; returns the token for the cookie (never stored)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM sessions WHERE created < ? OR seen < ?",
                (now - self.max_s, now - self.idle_s),
            )
            conn.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                (_digest(token), account.name, account.epoch, now, now),
            )
        return token

    def resolve(self, token: str | None, accounts: AccountStore) -> Account | None:
        """The account a session token stands for, or None: no such session, timed out, or
        its account gone or its password changed since (the session is then ended)."""
        if not token or len(token) > 200:
            return None
        now, key = self.clock(), _digest(token)
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT name, epoch, created, seen FROM sessions WHERE token_hash = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        name, epoch, created, seen = row
        account = accounts.get(name)  # the accounts file as it is now
        fresh = now - created < self.max_s and now - seen < self.idle_s
        if account is None or account.epoch != epoch or not fresh:
            self.end(token)
            return None
        if now - seen >= _SEEN_EVERY_S:
            with self.db.transaction() as conn:
                conn.execute("UPDATE sessions SET seen = ? WHERE token_hash = ?", (now, key))
        return account

    def end(self, token: str | None) -> None:
        if token:
            with self.db.transaction() as conn:
                conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))

    def end_all(self, name: str) -> int:
        """End every session of `name` (its password changed, or it was removed)."""
        with self.db.transaction() as conn:
            return int(conn.execute("DELETE FROM sessions WHERE name = ?", (name,)).rowcount)
