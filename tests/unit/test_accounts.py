"""Accounts: password hashing, the permissions table, the account store and `guide users`."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.accounts import (
    LOCAL_USER,
    PERMISSIONS,
    AccountStore,
    Role,
    allowed,
    hash_password,
    needs_rehash,
    verify_password,
)
from assistant.cli.admin import users
from assistant.config import Settings
from assistant.errors import GuideError
from tests.security.legacy import scrypt_hash

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"


# -- passwords --------------------------------------------------------------------------------
def test_hash_and_verify_round_trip():
    encoded = hash_password(PASSWORD)
    _, scheme, version, params, salt, key = encoded.split("$")
    assert (scheme, version) == ("argon2id", "v=19")
    cost = dict(kv.split("=") for kv in params.split(","))
    # at or above OWASP's Argon2id guidance: 19 MiB with 2 passes, or 46 MiB with 1
    memory_kib, passes = int(cost["m"]), int(cost["t"])
    assert (memory_kib >= 19 * 1024 and passes >= 2) or (memory_kib >= 46 * 1024 and passes >= 1)
    assert (memory_kib, passes, cost["p"]) == (46 * 1024, 2, "1")
    assert len(salt) >= 22 and len(key) >= 43  # 16-byte salt, 32-byte key (base64, unpadded)
    assert verify_password(PASSWORD, encoded)
    assert not verify_password(PASSWORD + "!", encoded)
    assert hash_password(PASSWORD) != encoded  # a fresh salt every time
    assert not needs_rehash(encoded)


def test_legacy_scrypt_hashes_still_verify_and_need_a_rehash():
    old = scrypt_hash(PASSWORD)
    assert old.startswith("scrypt$16384$8$1$")
    assert verify_password(PASSWORD, old)
    assert not verify_password(PASSWORD + "!", old)
    assert needs_rehash(old)
    weaker = "$".join(hash_password(PASSWORD).split("$")[:3]) + "$m=19456,t=2,p=1$"
    assert needs_rehash(weaker + "c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U")


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plain-text-password",
        "bcrypt$16384$8$1$c2FsdA==$a2V5",
        "scrypt$16384$8$1$not base64!$a2V5",
        "scrypt$abc$8$1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
        "scrypt$1000$8$1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",  # n not 2^k
        "scrypt$1073741824$8$1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
        "scrypt$16384$8$1$c2FsdA==",
        "$argon2id$v=19$m=47104,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA",
        "$argon2id$v=19$m=47104,t=2,p=1$not base64!$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
        "$argon2id$v=19$m=abc,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
        # Argon2i and Argon2d are refused: only Argon2id is accepted
        "$argon2i$v=19$m=47104,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
        "$argon2d$v=19$m=47104,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
        # a forged hash asking for 4 GiB or a million passes is refused before any work
        "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
        "$argon2id$v=19$m=47104,t=1000000,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
    ],
)
def test_malformed_hashes_are_rejected_not_raised(encoded):
    assert verify_password(PASSWORD, encoded) is False


def test_passwords_need_ten_characters():
    with pytest.raises(GuideError, match="at least 10 characters"):
        hash_password("short")
    assert verify_password("0123456789", hash_password("0123456789"))


# -- permissions ------------------------------------------------------------------------------
def test_permissions_per_role():
    assert all(allowed(role, "ask") for role in Role)
    assert not allowed(Role.OFFICER, "manage_documents")
    assert allowed(Role.STAFF, "manage_documents")
    assert not allowed(Role.STAFF, "run_evaluations")
    assert allowed(Role.EVALUATOR, "run_evaluations")
    assert not allowed(Role.EVALUATOR, "manage_documents")
    for permission in ("manage_users", "read_audit"):
        assert [r for r in Role if allowed(r, permission)] == [Role.ADMIN]
    assert PERMISSIONS[Role.ADMIN] == frozenset().union(*PERMISSIONS.values())
    assert not allowed(Role.ADMIN, "no_such_permission")


# -- the store --------------------------------------------------------------------------------
@pytest.fixture
def store(tmp_path: Path) -> AccountStore:
    return AccountStore(tmp_path / "accounts.json")


def test_empty_store_means_local_mode(store):
    assert not store.enabled()
    assert store.accounts() == []
    assert store.authenticate("anyone", PASSWORD) is None


def test_add_get_and_authenticate(store):
    admin = store.add("alice", Role.ADMIN, PASSWORD)
    store.add("bob.smith@council.gov.uk", Role.OFFICER, "another password")
    assert store.enabled()
    assert store.get("alice") == admin
    assert [a.name for a in store.accounts()] == ["alice", "bob.smith@council.gov.uk"]
    assert store.authenticate("alice", PASSWORD) == admin
    assert store.authenticate("alice", "wrong password!") is None
    assert store.authenticate("nobody", PASSWORD) is None
    # Another store on the same file (the CLI beside the app) sees the same accounts.
    other = AccountStore(store.path)
    assert other.get("bob.smith@council.gov.uk").role is Role.OFFICER


def test_unknown_names_still_check_a_password(store, monkeypatch):
    import assistant.accounts as accounts

    store.add("alice", Role.ADMIN, PASSWORD)
    checked: list[str] = []
    real = accounts.verify_password

    def counting(password: str, encoded: str) -> bool:
        checked.append(encoded)
        return real(password, encoded)

    monkeypatch.setattr(accounts, "verify_password", counting)
    assert store.authenticate("nobody", PASSWORD) is None
    # the stand-in hash has exactly the parameters of a real one, so it costs the same
    real_params = store.get("alice").password_hash.split("$")[:4]
    assert len(checked) == 1 and checked[0].split("$")[:4] == real_params
    assert real_params == ["", "argon2id", "v=19", "m=47104,t=2,p=1"]


def test_accounts_file_format_and_privacy(store):
    store.add("alice", Role.ADMIN, PASSWORD)
    body = json.loads(store.path.read_text())
    assert body["format"] == 1
    assert body["accounts"][0]["name"] == "alice"
    assert body["accounts"][0]["password_hash"].startswith("$argon2id$v=19$m=47104,t=2,p=1$")
    assert len(body["accounts"][0]["epoch"]) >= 16
    assert PASSWORD not in store.path.read_text()
    assert stat.S_IMODE(store.path.stat().st_mode) & 0o077 == 0


def test_add_refuses_duplicates_bad_names_and_short_passwords(store):
    store.add("alice", Role.ADMIN, PASSWORD)
    with pytest.raises(GuideError, match="already exists"):
        store.add("alice", Role.OFFICER, PASSWORD)
    for bad in ("", "has space", "x" * 65, "semi;colon", "ünïcode"):
        with pytest.raises(GuideError, match="not a valid account name"):
            store.add(bad, Role.OFFICER, PASSWORD)
    with pytest.raises(GuideError, match="reserved"):
        store.add(LOCAL_USER, Role.OFFICER, PASSWORD)
    with pytest.raises(GuideError, match="at least 10"):
        store.add("carol", Role.OFFICER, "short")
    assert [a.name for a in store.accounts()] == ["alice"]


def test_first_account_must_be_admin(store):
    with pytest.raises(GuideError, match="first account must be an admin"):
        store.add("bob", Role.OFFICER, PASSWORD)
    assert not store.enabled()


def test_remove_and_the_last_admin_rule(store):
    store.add("alice", Role.ADMIN, PASSWORD)
    store.add("bob", Role.STAFF, PASSWORD)
    with pytest.raises(GuideError, match="No account called 'carol'"):
        store.remove("carol")
    with pytest.raises(GuideError, match="last admin"):
        store.remove("alice")
    with pytest.raises(GuideError, match="last admin"):
        store.set_role("alice", Role.OFFICER)
    assert store.get("alice").role is Role.ADMIN
    store.set_role("bob", Role.ADMIN)
    store.remove("alice")  # bob is an admin now
    store.remove("bob")  # the last account may go: back to local mode
    assert not store.enabled()


def test_set_password_and_role(store):
    store.add("alice", Role.ADMIN, PASSWORD)
    store.add("bob", Role.OFFICER, PASSWORD)
    store.set_password("bob", "a new password")
    assert store.authenticate("bob", PASSWORD) is None
    assert store.authenticate("bob", "a new password") is not None
    assert store.set_role("bob", Role.EVALUATOR).role is Role.EVALUATOR
    assert AccountStore(store.path).get("bob").role is Role.EVALUATOR
    with pytest.raises(GuideError, match="No account"):
        store.set_password("carol", PASSWORD)


def test_epochs_change_with_the_password_and_are_new_for_every_account(store):
    alice = store.add("alice", Role.ADMIN, PASSWORD)
    bob = store.add("bob", Role.OFFICER, PASSWORD)
    assert alice.epoch and bob.epoch and alice.epoch != bob.epoch
    assert store.set_role("bob", Role.STAFF).epoch == bob.epoch  # a role change keeps sessions
    renewed = store.set_password("bob", "a new password")
    assert renewed.epoch not in (bob.epoch, "")
    assert AccountStore(store.path).get("bob").epoch == renewed.epoch
    store.remove("bob")
    again = store.add("bob", Role.ADMIN, PASSWORD)  # the same name: a new epoch all the same
    assert again.epoch not in (bob.epoch, renewed.epoch)


def test_a_scrypt_hash_is_upgraded_to_argon2id_at_sign_in(store):
    store.add("alice", Role.ADMIN, PASSWORD)
    body = json.loads(store.path.read_text())
    body["accounts"][0]["password_hash"] = scrypt_hash(PASSWORD)
    store.path.write_text(json.dumps(body))
    old = AccountStore(store.path).get("alice")
    assert old.password_hash.startswith("scrypt$")

    assert store.authenticate("alice", "wrong password!") is None
    assert AccountStore(store.path).get("alice").password_hash == old.password_hash

    signed = store.authenticate("alice", PASSWORD)
    assert signed is not None and signed.password_hash.startswith("$argon2id$v=19$")
    stored = AccountStore(store.path).get("alice")
    assert stored.password_hash == signed.password_hash
    assert stored.epoch == old.epoch  # an upgrade is not a password change: sessions carry on
    assert store.authenticate("alice", PASSWORD) == stored
    assert stat.S_IMODE(store.path.stat().st_mode) & 0o077 == 0


def test_a_file_from_before_epochs_gets_a_stable_one(store):
    store.path.write_text(
        json.dumps(
            {
                "format": 1,
                "accounts": [
                    {"name": "alice", "role": "admin", "password_hash": scrypt_hash(PASSWORD)}
                ],
            }
        )
    )
    first = store.get("alice").epoch
    assert first and AccountStore(store.path).get("alice").epoch == first
    store.set_role("alice", Role.ADMIN)  # a write keeps it
    assert AccountStore(store.path).get("alice").epoch == first


def test_corrupt_accounts_file_is_a_clear_error(store):
    store.path.write_text("{not json")
    with pytest.raises(GuideError, match="accounts file"):
        store.accounts()


def test_accounts_from_the_environment_are_read_only(tmp_path, monkeypatch):
    provided = [
        {"name": "alice", "role": "admin", "password_hash": hash_password(PASSWORD)},
        {"name": "bob", "role": "officer", "password_hash": hash_password("bob password")},
    ]
    monkeypatch.setenv("GUIDE_ACCOUNTS_JSON", json.dumps(provided))
    settings = Settings(data_dir=tmp_path)
    store = AccountStore.from_settings(settings)
    assert store.read_only and store.enabled()
    assert store.authenticate("bob", "bob password").role is Role.OFFICER
    assert store.get("bob").epoch and store.get("bob").epoch != store.get("alice").epoch
    for change in (
        lambda: store.add("carol", Role.OFFICER, PASSWORD),
        lambda: store.remove("bob"),
        lambda: store.set_role("bob", Role.STAFF),
        lambda: store.set_password("bob", PASSWORD),
    ):
        with pytest.raises(GuideError, match="GUIDE_ACCOUNTS_JSON"):
            change()
    assert not settings.accounts_path.exists()


def test_environment_accounts_accept_argon2id_and_legacy_hashes_but_cannot_upgrade(monkeypatch):
    provided = [
        {"name": "alice", "role": "admin", "password_hash": hash_password(PASSWORD)},
        {"name": "bob", "role": "officer", "password_hash": scrypt_hash("bob password")},
    ]
    store = AccountStore(Path("accounts.json"), json.dumps(provided))
    assert store.authenticate("alice", PASSWORD).role is Role.ADMIN
    bob = store.authenticate("bob", "bob password")
    assert bob is not None and bob.password_hash.startswith("scrypt$")  # read-only: as given
    assert not Path("accounts.json").exists()
    changed = [{**provided[1], "password_hash": hash_password("bob's new password")}]
    # a new hash in the setting is a new password: a new epoch, so old sessions end
    assert AccountStore(Path("x"), json.dumps(changed)).get("bob").epoch != bob.epoch


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[", "not valid JSON"),
        ("[]", "lists no accounts"),
        ('{"name": "x"}', "list of accounts"),
        ('[{"name": "a", "role": "boss", "password_hash": "x"}]', "has role 'boss'"),
        ('[{"name": "a", "role": "admin", "password_hash": "x"}]', "no valid password_hash"),
    ],
)
def test_bad_environment_accounts_are_clear_errors(tmp_path, value, message):
    with pytest.raises(GuideError, match=message):
        AccountStore(tmp_path / "accounts.json", value)


def test_settings_paths(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert settings.accounts_path == tmp_path / "accounts.json"
    assert settings.audit_path == tmp_path / "audit" / "audit.jsonl"
    assert Settings(accounts_file=tmp_path / "x.json").accounts_path == tmp_path / "x.json"


# -- guide users ------------------------------------------------------------------------------
def run_users(*args: str, data_dir: Path, password: str | None = None):
    argv = [*args, "--data-dir", str(data_dir)]
    if password is not None:
        argv.append("--password-stdin")
    return CliRunner().invoke(users, argv, input=None if password is None else password + "\n")


def test_cli_users_add_list_remove(tmp_path):
    added = run_users("add", "alice", "--role", "admin", data_dir=tmp_path, password=PASSWORD)
    assert added.exit_code == 0, added.output
    assert "Added alice (admin)" in added.output
    run_users("add", "bob", "--role", "staff", data_dir=tmp_path, password="bob password")

    listed = run_users("list", data_dir=tmp_path)
    assert listed.exit_code == 0
    assert "alice  |  admin" in listed.output and "bob  |  staff" in listed.output
    as_json = run_users("list", "--json", data_dir=tmp_path)
    assert [a["name"] for a in json.loads(as_json.output)["accounts"]] == ["alice", "bob"]
    for output in (listed.output, as_json.output):
        assert "scrypt" not in output and "argon2" not in output
        assert "password_hash" not in output and "epoch" not in output

    assert run_users("set-role", "bob", "evaluator", data_dir=tmp_path).exit_code == 0
    changed = run_users("passwd", "bob", data_dir=tmp_path, password="new bob password")
    assert changed.exit_code == 0
    store = AccountStore(tmp_path / "accounts.json")
    assert store.authenticate("bob", "new bob password").role is Role.EVALUATOR

    removed = run_users("remove", "bob", data_dir=tmp_path)
    assert removed.exit_code == 0 and "Removed bob" in removed.output
    assert [a.name for a in AccountStore(tmp_path / "accounts.json").accounts()] == ["alice"]


def test_cli_users_errors_are_one_line(tmp_path):
    short = run_users("add", "alice", "--role", "admin", data_dir=tmp_path, password="short")
    assert short.exit_code == 2
    assert "Error: Passwords need at least 10 characters" in short.output
    assert "Traceback" not in short.output
    missing = run_users("remove", "nobody", data_dir=tmp_path)
    assert missing.exit_code == 2 and "No account called 'nobody'" in missing.output


def test_cli_users_list_when_empty(tmp_path):
    listed = run_users("list", data_dir=tmp_path)
    assert listed.exit_code == 0 and "local single-user mode" in listed.output


def test_cli_password_prompt_asks_twice(tmp_path):
    result = CliRunner().invoke(
        users,
        ["add", "alice", "--role", "admin", "--data-dir", str(tmp_path)],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden
    assert AccountStore(tmp_path / "accounts.json").authenticate("alice", PASSWORD) is not None


def test_cli_users_hash_prints_an_argon2id_hash(tmp_path):
    result = CliRunner().invoke(users, ["hash", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    encoded = result.output.strip()
    assert encoded.startswith("$argon2id$v=19$m=47104,t=2,p=1$")
    assert verify_password(PASSWORD, encoded) and PASSWORD not in result.output
    short = CliRunner().invoke(users, ["hash", "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output


def test_cli_users_unlock_lifts_a_pause(tmp_path):
    from assistant.signin import Paused, SignInGuard

    settings = Settings(data_dir=tmp_path, sign_in_name_failures=2)
    guard = SignInGuard.from_settings(settings)
    for _ in range(2):
        assert not isinstance(guard.begin("alice", "192.0.2.1"), Paused)
    assert isinstance(guard.begin("alice", "192.0.2.9"), Paused)
    unlocked = run_users("unlock", "alice", data_dir=tmp_path)
    assert unlocked.exit_code == 0 and "Lifted the pause on alice" in unlocked.output
    assert not isinstance(guard.begin("alice", "192.0.2.9"), Paused)
    again = run_users("unlock", "alice", data_dir=tmp_path)
    assert "alice was not paused" in again.output
