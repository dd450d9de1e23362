"""Sign-in throttling and sessions: the pause arithmetic with an injected clock, the shared
SQLite state, and sessions bound to the account's credential epoch."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from assistant.accounts import AccountStore, Role
from assistant.config import Settings
from assistant.signin import (
    Attempt,
    Counter,
    Paused,
    SessionStore,
    SignInDb,
    SignInGuard,
    ThrottlePolicy,
    count_attempt,
    give_back,
)

pytestmark = pytest.mark.unit
POLICY = ThrottlePolicy(limit=3, window_s=900, pause_s=300, max_pause_s=3600)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


# -- the arithmetic ---------------------------------------------------------------------------
def test_the_limit_th_failure_starts_a_pause():
    c, now = Counter(), 100.0
    for i in range(1, 3):
        c, wait, started = count_attempt(c, POLICY, now)
        assert (c.failures, wait, started) == (i, 0.0, False)
    c, wait, started = count_attempt(c, POLICY, now)
    assert started and wait == 0.0  # this attempt still goes ahead
    assert c.paused_until == now + 300 and c.level == 1
    c2, wait, started = count_attempt(c, POLICY, now + 299)
    assert c2 == c and wait == pytest.approx(1.0) and not started


def test_pauses_in_a_row_double_up_to_the_maximum():
    c, now, pauses = Counter(), 0.0, []
    for _ in range(6):
        for _ in range(POLICY.limit):
            c, wait, _started = count_attempt(c, POLICY, now)
            assert wait == 0.0
        pauses.append(c.paused_until - now)
        now = c.paused_until
    assert pauses == [300, 600, 1200, 2400, 3600, 3600]
    assert POLICY.pause_for(100) == 3600


def test_failures_outside_the_window_are_forgotten():
    c, _, _ = count_attempt(Counter(), POLICY, 0.0)
    c, _, _ = count_attempt(c, POLICY, 10.0)
    c, wait, started = count_attempt(c, POLICY, 10.0 + 900)  # the window began at 0
    assert (c.failures, wait, started) == (1, 0.0, False)


def test_a_quiet_day_forgets_earlier_pauses():
    c = Counter(0, 0.0, 300.0, 4, 0.0)
    c, _, _ = count_attempt(c, POLICY, 200_000.0)
    assert c.level == 0 and c.failures == 1


def test_giving_back_a_successful_attempt():
    c, _, _ = count_attempt(Counter(), POLICY, 0.0)
    assert give_back(c, False, POLICY).failures == 0
    for _ in range(2):
        c, _, started = count_attempt(c, POLICY, 0.0)
    assert started
    back = give_back(c, True, POLICY)
    assert back.paused_until == 0.0 and back.level == 0 and back.failures == POLICY.limit - 1


def test_pause_messages_say_how_long_and_nothing_about_the_name():
    assert Paused(1).minutes == 1 and Paused(61).minutes == 2 and Paused(300).minutes == 5
    message = Paused(299.5).message()
    assert "paused" in message and "5 minutes" in message
    assert "exist" not in message and "unknown" not in message
    assert "1 minute " in Paused(30).message()


# -- the guard --------------------------------------------------------------------------------
@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def guard(tmp_path: Path, clock: Clock) -> SignInGuard:
    names = ThrottlePolicy(limit=3, window_s=900, pause_s=60, max_pause_s=600)
    clients = ThrottlePolicy(limit=5, window_s=900, pause_s=60, max_pause_s=600)
    return SignInGuard(SignInDb(tmp_path / "sign-in.sqlite3"), names, clients, clock=clock)


def test_a_name_is_paused_whatever_address_it_is_tried_from(guard, clock):
    for i in range(3):
        assert isinstance(guard.begin("alice", f"198.51.100.{i}"), Attempt)
    paused = guard.begin("alice", "198.51.100.200")
    assert isinstance(paused, Paused) and paused.seconds == pytest.approx(60)
    assert isinstance(guard.begin("bob", "198.51.100.200"), Attempt)  # other names carry on
    clock.now += 61
    assert isinstance(guard.begin("alice", "198.51.100.200"), Attempt)


def test_an_address_is_paused_whatever_names_it_tries(guard, clock):
    for i in range(5):
        assert isinstance(guard.begin(f"name{i}", "203.0.113.5"), Attempt)
    assert isinstance(guard.begin("somebody-new", "203.0.113.5"), Paused)
    assert isinstance(guard.begin("somebody-new", "203.0.113.6"), Attempt)


def test_a_success_forgets_the_names_failures(guard):
    for _ in range(2):
        guard.begin("alice", "192.0.2.1")
    attempt = guard.begin("alice", "192.0.2.1")  # the third: it would start a pause
    assert isinstance(attempt, Attempt) and attempt.started_name_pause
    guard.succeeded(attempt)
    for _ in range(2):
        assert isinstance(guard.begin("alice", "192.0.2.1"), Attempt)


def test_attempts_are_counted_before_the_password_is_checked(guard):
    """Parallel guesses: each is counted as it begins, so no more than the limit get through."""
    began = [guard.begin("alice", f"192.0.2.{i}") for i in range(10)]
    assert [isinstance(a, Attempt) for a in began] == [True] * 3 + [False] * 7


def test_the_state_is_shared_and_survives_a_restart(tmp_path, clock):
    policy = ThrottlePolicy(limit=2, window_s=900, pause_s=60, max_pause_s=600)
    path = tmp_path / "sign-in.sqlite3"
    first = SignInGuard(SignInDb(path), policy, policy, clock=clock)
    first.begin("alice", "192.0.2.1")
    first.begin("alice", "192.0.2.1")
    first.db.close()
    again = SignInGuard(SignInDb(path), policy, policy, clock=clock)
    assert isinstance(again.begin("alice", "192.0.2.2"), Paused)
    assert again.paused(name="alice") is not None and again.paused(name="bob") is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_reports_are_rate_limited_and_carry_a_count(guard, clock):
    first = guard.report("alice", "192.0.2.1", "refused")
    assert first == [{"name": "alice", "client": "192.0.2.1", "count": 1, "result": "refused"}]
    for _ in range(40):
        assert guard.report("alice", "192.0.2.1", "refused") == []
    clock.now += 61
    later = guard.report("bob", "192.0.2.1", "refused")  # also flushes alice's pending count
    assert sorted((e["name"], e["count"]) for e in later) == [("alice", 40), ("bob", 1)]


# -- sessions ---------------------------------------------------------------------------------
@pytest.fixture
def accounts(tmp_path: Path) -> AccountStore:
    store = AccountStore(tmp_path / "accounts.json")
    store.add("alice", Role.ADMIN, "alice password")
    store.add("bob", Role.OFFICER, "bob password")
    return store


@pytest.fixture
def sessions(tmp_path: Path, clock: Clock) -> SessionStore:
    return SessionStore(SignInDb(tmp_path / "sign-in.sqlite3"), 600, 3600, clock=clock)


def test_a_session_resolves_to_its_account(sessions, accounts):
    token = sessions.create(accounts.get("bob"))
    assert sessions.resolve(token, accounts).name == "bob"
    assert sessions.resolve(token + "x", accounts) is None
    assert sessions.resolve("", accounts) is None and sessions.resolve(None, accounts) is None
    raw = sessions.db.path.read_bytes() + Path(str(sessions.db.path) + "-wal").read_bytes()
    assert token.encode() not in raw  # only its hash is stored


def test_a_role_change_keeps_the_session(sessions, accounts):
    token = sessions.create(accounts.get("bob"))
    accounts.set_role("bob", Role.STAFF)
    assert sessions.resolve(token, accounts).role is Role.STAFF


def test_a_password_change_ends_the_session_even_from_another_process(sessions, accounts):
    token = sessions.create(accounts.get("bob"))
    AccountStore(accounts.path).set_password("bob", "bob's new password")  # as the CLI would
    assert sessions.resolve(token, accounts) is None
    assert sessions.resolve(token, accounts) is None  # and it stays ended


def test_a_removed_account_recreated_does_not_revive_an_old_session(sessions, accounts):
    token = sessions.create(accounts.get("bob"))
    accounts.remove("bob")
    assert sessions.resolve(token, accounts) is None
    accounts.add("bob", Role.ADMIN, "bob password")  # the same name and even the password
    assert sessions.resolve(token, accounts) is None


def test_idle_and_absolute_timeouts(sessions, accounts, clock):
    token = sessions.create(accounts.get("alice"))
    for _ in range(5):  # used every 9 minutes: stays alive
        clock.now += 540
        assert sessions.resolve(token, accounts) is not None
    clock.now += 601
    assert sessions.resolve(token, accounts) is None  # idle for over 10 minutes
    token = sessions.create(accounts.get("alice"))
    for _ in range(7):
        clock.now += 500
        assert sessions.resolve(token, accounts) is not None
    clock.now += 500  # 4000 s after signing in: past the hour, however busy
    assert sessions.resolve(token, accounts) is None


def test_sign_out_and_ending_all_of_a_names_sessions(sessions, accounts):
    one, two = sessions.create(accounts.get("bob")), sessions.create(accounts.get("bob"))
    alice = sessions.create(accounts.get("alice"))
    sessions.end(one)
    assert sessions.resolve(one, accounts) is None and sessions.resolve(two, accounts)
    assert sessions.end_all("bob") == 1
    assert sessions.resolve(two, accounts) is None and sessions.resolve(alice, accounts)


def test_settings_give_the_defaults(tmp_path):
    settings = Settings(data_dir=tmp_path)
    names, clients = ThrottlePolicy.for_names(settings), ThrottlePolicy.for_clients(settings)
    assert (names.limit, clients.limit) == (5, 20)
    assert (names.window_s, names.pause_s, names.max_pause_s) == (900, 300, 3600)
    store = SessionStore.from_settings(settings)
    assert (store.idle_s, store.max_s) == (3600, 12 * 3600)
    assert settings.sign_in_db_path == tmp_path / "sign-in.sqlite3"
