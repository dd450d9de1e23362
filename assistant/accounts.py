"""Accounts and roles: who may ask, manage documents, run evaluations, manage users, read the audit.

With no accounts the app runs in local single-user mode: it listens on 127.0.0.1 by default,
the person at the machine is `LOCAL_USER` and is treated as an admin, so nothing asks for a
password. As soon as any account exists, everyone signs in: roles mean nothing if an anonymous
visitor can do what an officer can, and the audit log can only say who did what when every
action belongs to a signed-in account. A council that serves the app beyond one machine adds an
admin first (`guide users add NAME --role admin`).

Accounts live in a JSON file under the data folder (written atomically, under a file lock, so
the app and the CLI can both change it), or come from `GUIDE_ACCOUNTS_JSON` when a deployment
fixes them; those are read-only here.

    store = AccountStore.from_settings(settings)
    if store.enabled():
        account = store.authenticate(name, password)  # None: wrong name or password
        if account is None or not allowed(account.role, "manage_documents"):
            ...
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.errors import GuideError
from assistant.files import now_iso, write_atomic

ACCOUNTS_FORMAT = 1
LOCAL_USER = "local"  # who acts in single-user mode (no accounts); treated as an admin
MIN_PASSWORD_LENGTH = 10
ENV_NAME = "GUIDE_ACCOUNTS_JSON"

_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}", re.ASCII)
_LOCK_TIMEOUT_S = 10


class Role(StrEnum):
    OFFICER = "officer"
    STAFF = "staff"
    EVALUATOR = "evaluator"
    ADMIN = "admin"


PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.OFFICER: frozenset({"ask"}),
    Role.STAFF: frozenset({"ask", "manage_documents"}),
    Role.EVALUATOR: frozenset({"ask", "run_evaluations"}),
    Role.ADMIN: frozenset(
        {"ask", "manage_documents", "run_evaluations", "manage_users", "read_audit"}
    ),
}


def allowed(role: Role, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())


# -- passwords --------------------------------------------------------------------------------
# Argon2id at or above OWASP's guidance (m=19 MiB, t=2, p=1; or m=46 MiB, t=1): 46 MiB and two
# passes, about 0.1 s on one core.
ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM = 2, 46 * 1024, 1
_ARGON2_PREFIX = "$argon2id$"
# What a hash given to us may ask of verify_password (GUIDE_ACCOUNTS_JSON, a hand-edited file).
_ARGON2_MAX_MEMORY_KIB, _ARGON2_MAX_TIME_COST, _ARGON2_MAX_PARALLELISM = 256 * 1024, 16, 16
# The scheme before Argon2id: still verified, and replaced at the account's next sign-in.
_SCRYPT_MAXMEM = 64 * 1024 * 1024  # bounds the work a forged hash can ask of verify_password
_SALT_BYTES, _KEY_BYTES = 16, 32


@functools.cache
def _hasher() -> Any:
    from argon2 import PasswordHasher, Type

    return PasswordHasher(
        time_cost=ARGON2_TIME_COST,
        memory_cost=ARGON2_MEMORY_KIB,
        parallelism=ARGON2_PARALLELISM,
        hash_len=_KEY_BYTES,
        salt_len=_SALT_BYTES,
        type=Type.ID,
    )


def check_password_length(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise GuideError(
            f"Passwords need at least {MIN_PASSWORD_LENGTH} characters; "
            "a short phrase of a few words is easy to remember and hard to guess."
        )


def hash_password(password: str) -> str:
    """An Argon2id hash in the standard encoding (`$argon2id$v=19$m=47104,t=2,p=1$<salt>$<key>`),
    which carries its own parameters and salt."""
    check_password_length(password)
    return str(_hasher().hash(password))


def _argon2_ok(encoded: str) -> bool:
    from argon2 import Type, extract_parameters
    from argon2.exceptions import InvalidHashError

    try:
        p = extract_parameters(encoded)
    except (InvalidHashError, ValueError):
        return False
    return (
        p.type is Type.ID
        and p.version == 19
        and 8 <= p.memory_cost <= _ARGON2_MAX_MEMORY_KIB
        and 1 <= p.time_cost <= _ARGON2_MAX_TIME_COST
        and 1 <= p.parallelism <= _ARGON2_MAX_PARALLELISM
        and p.salt_len >= 8
        and 16 <= p.hash_len <= 64
    )


def _parse_scrypt(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except ValueError:  # binascii.Error is a ValueError
        return None
    sane = n > 1 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16
    if not sane or not salt or not 16 <= len(key) <= 64:
        return None
    return n, r, p, salt, key


def valid_hash(encoded: Any) -> bool:
    """True for a hash verify_password can check: Argon2id, or a legacy scrypt one."""
    if not isinstance(encoded, str):
        return False
    if encoded.startswith(_ARGON2_PREFIX):
        return _argon2_ok(encoded)
    return _parse_scrypt(encoded) is not None


def needs_rehash(encoded: str) -> bool:
    """True when the hash is not Argon2id with today's parameters (a legacy scrypt hash)."""
    if not encoded.startswith(_ARGON2_PREFIX):
        return True
    try:
        return bool(_hasher().check_needs_rehash(encoded))
    except ValueError:
        return True


def verify_password(password: str, encoded: str) -> bool:
    """True when `password` matches `encoded`; False for a wrong password or a malformed hash."""
    if not valid_hash(encoded):
        return False
    if encoded.startswith(_ARGON2_PREFIX):
        from argon2.exceptions import VerificationError

        try:
            return bool(_hasher().verify(encoded, password))
        except (VerificationError, ValueError):  # a mismatch, or a hash that cannot be used
            return False
    parsed = _parse_scrypt(encoded)
    if parsed is None:
        return False
    n, r, p, salt, key = parsed
    try:
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt,
            n=n,
            r=r,
            p=p,
            dklen=len(key),
            maxmem=_SCRYPT_MAXMEM,
        )
    except (ValueError, MemoryError):  # parameters beyond what we allow
        return False
    return hmac.compare_digest(actual, key)


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the name is unknown, so a wrong name takes as long as a wrong
    password and sign-in does not reveal which names exist. No password anyone types matches."""
    return str(_hasher().hash(secrets.token_urlsafe(32)))


def new_epoch() -> str:
    """A fresh credential epoch: sessions remember the one they began under."""
    return secrets.token_urlsafe(16)


def _derived_epoch(name: str, password_hash: str, created_at: str) -> str:
    """The epoch of an account stored without one (GUIDE_ACCOUNTS_JSON, or a file written before
    epochs): it changes whenever the password hash does."""
    digest = hashlib.sha256(f"{name}\0{created_at}\0{password_hash}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")


# -- accounts ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Account:
    """`epoch` is a random value renewed whenever the password changes, and new for every new
    account: a session is only good while its account's epoch is the one it began under."""

    name: str
    role: Role
    password_hash: str
    created_at: str
    epoch: str = ""


def valid_name(name: str) -> bool:
    return bool(_NAME.fullmatch(name))


def _account_from(raw: Any, where: str) -> Account:
    if not isinstance(raw, dict):
        raise GuideError(f"{where}: each account must be an object with name, role, password_hash.")
    name, role, password_hash = raw.get("name"), raw.get("role"), raw.get("password_hash")
    if not isinstance(name, str) or not valid_name(name):
        raise GuideError(f"{where}: {name!r} is not a valid account name.")
    if role not in set(Role):
        choices = ", ".join(Role)
        raise GuideError(f"{where}: account {name!r} has role {role!r}; use one of {choices}.")
    if not isinstance(password_hash, str) or not valid_hash(password_hash):
        raise GuideError(
            f"{where}: account {name!r} has no valid password_hash "
            "(an Argon2id $argon2id$... value, as `guide users hash` prints it)."
        )
    created_at = str(raw.get("created_at", ""))
    epoch = raw.get("epoch")
    if not isinstance(epoch, str) or not epoch:
        epoch = _derived_epoch(name, password_hash, created_at)
    return Account(name, Role(role), password_hash, created_at, epoch)


def _parse_accounts(text: str, where: str) -> list[Account]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GuideError(f"{where} is not valid JSON ({exc}).") from exc
    if isinstance(raw, dict):  # the accounts file's own shape is accepted too
        raw = raw.get("accounts")
    if not isinstance(raw, list):
        raise GuideError(f"{where} must hold a JSON list of accounts.")
    accounts = [_account_from(item, where) for item in raw]
    names = [a.name for a in accounts]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise GuideError(f"{where} lists {', '.join(duplicates)} more than once.")
    return accounts


class AccountStore:
    """The accounts in one JSON file (`{"format": 1, "accounts": [...]}`), or, when
    `accounts_json` is given (GUIDE_ACCOUNTS_JSON), fixed read-only accounts."""

    def __init__(self, path: Path, accounts_json: str | None = None) -> None:
        self.path = path
        self._fixed: dict[str, Account] | None = None
        if accounts_json is not None and accounts_json.strip():
            accounts = _parse_accounts(accounts_json, ENV_NAME)
            if not accounts:
                raise GuideError(
                    f"{ENV_NAME} lists no accounts, which would leave the app open to anyone. "
                    "Add accounts to it, or unset it to use the accounts file."
                )
            self._fixed = {a.name: a for a in accounts}
        self._cache: dict[str, Account] = {}
        self._stamp: tuple[int, int, int] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AccountStore:
        return cls(settings.accounts_path, settings.accounts_json)

    @property
    def read_only(self) -> bool:
        """True when the accounts come from GUIDE_ACCOUNTS_JSON."""
        return self._fixed is not None

    # -- reading ------------------------------------------------------------------------------
    def _load(self) -> dict[str, Account]:
        if self._fixed is not None:
            return self._fixed
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._cache, self._stamp = {}, None
            return self._cache
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            try:
                text = self.path.read_text(encoding="utf-8")
            except OSError as exc:
                raise GuideError(f"The accounts file {self.path} cannot be read ({exc}).") from exc
            accounts = _parse_accounts(text, f"The accounts file {self.path}")
            self._cache, self._stamp = {a.name: a for a in accounts}, stamp
        return self._cache

    def accounts(self) -> list[Account]:
        return sorted(self._load().values(), key=lambda a: a.name)

    def get(self, name: str) -> Account | None:
        return self._load().get(name)

    def enabled(self) -> bool:
        """True when any account exists, and so everyone must sign in."""
        return bool(self._load())

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account when name and password match, else None (the same time either way).

        A hash made with older parameters (a legacy scrypt one) is replaced by an Argon2id one
        at this sign-in, the one moment the password is known; accounts from GUIDE_ACCOUNTS_JSON
        cannot be rewritten, so theirs stay as given."""
        account = self.get(name)
        if account is None:
            verify_password(password, _dummy_hash())
            return None
        if not verify_password(password, account.password_hash):
            return None
        if needs_rehash(account.password_hash) and not self.read_only:
            account = self._upgrade_hash(account, password)
        return account

    def _upgrade_hash(self, account: Account, password: str) -> Account:
        upgraded = replace(account, password_hash=str(_hasher().hash(password)))
        try:
            with self._change() as accounts:
                if accounts.get(account.name) == account:  # unchanged meanwhile
                    accounts[account.name] = upgraded
                current = accounts.get(account.name, account)
        except GuideError:  # locked or unwritable: the old hash still works; next time, then
            return account
        return current

    # -- writing ------------------------------------------------------------------------------
    def _writable(self) -> FileLock:
        if self._fixed is not None:
            raise GuideError(
                f"The accounts come from {ENV_NAME}, so they cannot be changed here; "
                "change that setting where the app is deployed."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path) + ".lock", timeout=_LOCK_TIMEOUT_S)

    def _save(self, accounts: dict[str, Account]) -> None:
        body = {
            "format": ACCOUNTS_FORMAT,
            "accounts": [asdict(a) for a in sorted(accounts.values(), key=lambda a: a.name)],
        }
        try:  # the temporary file is created 0600, so the hashes stay private to the owner
            write_atomic(self.path, json.dumps(body, indent=1).encode("utf-8"))
        except OSError as exc:
            raise GuideError(f"The accounts file {self.path} cannot be written ({exc}).") from exc
        self._stamp = None

    @contextmanager
    def _change(self) -> Iterator[dict[str, Account]]:
        """Read, change and save under the lock, so that a change made elsewhere in between (the
        app and the CLI at once) is never lost; saved only if the block succeeds."""
        lock = self._writable()
        try:
            lock.acquire()
        except Timeout as exc:
            raise GuideError(
                f"The accounts file {self.path} is locked by another process; "
                "try again in a moment."
            ) from exc
        try:
            self._stamp = None  # read afresh under the lock
            accounts = dict(self._load())
            yield accounts
            self._save(accounts)
        finally:
            lock.release()

    def add(self, name: str, role: Role, password: str) -> Account:
        if not valid_name(name):
            raise GuideError(
                f"{name!r} is not a valid account name: use 1 to 64 letters, digits, "
                "or the characters . _ - @"
            )
        if name == LOCAL_USER:
            raise GuideError(
                f"{LOCAL_USER!r} is reserved for local single-user mode; choose another name."
            )
        role = Role(role)
        password_hash = hash_password(password)  # checks the length before taking the lock
        with self._change() as accounts:
            if name in accounts:
                raise GuideError(f"An account called {name!r} already exists.")
            if not accounts and role is not Role.ADMIN:
                raise GuideError(
                    "The first account must be an admin, so that someone can manage the others "
                    "and read the audit log once sign-in is required."
                )
            account = Account(name, role, password_hash, now_iso(), new_epoch())
            accounts[name] = account
        return account

    def remove(self, name: str) -> Account:
        with self._change() as accounts:
            account = self._existing(accounts, name)
            del accounts[name]
            _check_an_admin_remains(accounts, f"{name} is the last admin")
        return account

    def set_password(self, name: str, password: str) -> Account:
        password_hash = hash_password(password)
        with self._change() as accounts:
            account = self._existing(accounts, name)
            # a new epoch: every session that began under the old password ends
            accounts[name] = replace(account, password_hash=password_hash, epoch=new_epoch())
        return accounts[name]

    def set_role(self, name: str, role: Role) -> Account:
        role = Role(role)
        with self._change() as accounts:
            account = self._existing(accounts, name)
            accounts[name] = replace(account, role=role)  # sessions carry on, in the new role
            _check_an_admin_remains(accounts, f"{name} is the last admin")
        return accounts[name]

    @staticmethod
    def _existing(accounts: dict[str, Account], name: str) -> Account:
        account = accounts.get(name)
        if account is None:
            raise GuideError(f"No account called {name!r}; `guide users list` shows them.")
        return account


def _check_an_admin_remains(accounts: dict[str, Account], why: str) -> None:
    if accounts and not any(a.role is Role.ADMIN for a in accounts.values()):
        raise GuideError(
            f"{why}: make another account an admin first, so that someone can still manage "
            "users and read the audit log."
        )
