"""API tokens for scripts: per account, shown once, stored only as a hash, revocable.

A token is `mg_<id>_<secret>`: the id names it in lists and the audit log, the secret (32 random
bytes) is what proves it. Only SHA-256 of the whole token is kept (a token has far more entropy
than a password, so a slow hash adds nothing). A token acts as its account, with the account's
role as it is *now*: removing the account, or revoking the token, stops it at once.

>>> store = TokenStore(data_dir / "api-tokens.sqlite3")  # doctest: +SKIP
>>> made = store.create("asha", "nightly upload script")  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import GuideError
from assistant.files import now_iso
from assistant.localdb import LocalDb

if TYPE_CHECKING:
    from assistant.config import Settings

PREFIX = "mg_"
MAX_LABEL = 80
MAX_TOKENS_PER_ACCOUNT = 20


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: str
    account: str
    label: str
    created_at: str
    last_used_at: str = ""
    revoked_at: str = ""

    @property
    def active(self) -> bool:
        return not self.revoked_at


@dataclass(frozen=True, slots=True)
class NewToken:
    info: TokenInfo
    token: str  # shown once, never stored


SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, account TEXT NOT NULL,
  label TEXT NOT NULL, digest TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
  last_used_at TEXT NOT NULL DEFAULT '', revoked_at TEXT NOT NULL DEFAULT '');
"""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = LocalDb(path, SCHEMA, "The API token store")

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenStore:
        return cls(settings.api_tokens_path)

    def create(self, account: str, label: str) -> NewToken:
        label = " ".join((label or "").split())
        if not label:
            raise GuideError("Give the token a label saying what will use it (a script's name).")
        if len(label) > MAX_LABEL:
            raise GuideError(f"A token's label may be at most {MAX_LABEL} characters.")
        with self.db.transaction() as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM tokens WHERE account = ? AND revoked_at = ''", (account,)
            ).fetchone()
            if count >= MAX_TOKENS_PER_ACCOUNT:
                raise GuideError(
                    f"{account} already has {count} active tokens; revoke one it no longer uses."
                )
            token_id = secrets.token_hex(4)
            token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
            info = TokenInfo(token_id, account, label, now_iso())
            db.execute(
                "INSERT INTO tokens (id, account, label, digest, created_at) VALUES (?,?,?,?,?)",
                (token_id, account, label, _digest(token), info.created_at),
            )
        return NewToken(info, token)

    def list(self, account: str | None = None) -> list[TokenInfo]:
        query = "SELECT id, account, label, created_at, last_used_at, revoked_at FROM tokens"
        args: tuple[str, ...] = ()
        if account is not None:
            query, args = query + " WHERE account = ?", (account,)
        if not self.path.exists():
            return []
        with self.db.reading() as db:
            rows = db.execute(query + " ORDER BY created_at", args).fetchall()
        return [TokenInfo(*row) for row in rows]

    def revoke(self, token_id: str, account: str | None = None) -> TokenInfo:
        """Revoke a token by id (only the account's own, when `account` is given)."""
        found = next(
            (t for t in self.list(account) if t.id == token_id and t.active),
            None,
        )
        if found is None:
            raise GuideError(f"No active token with id {token_id!r}.")
        with self.db.transaction() as db:
            db.execute("UPDATE tokens SET revoked_at = ? WHERE id = ?", (now_iso(), token_id))
        return TokenInfo(
            found.id, found.account, found.label, found.created_at, found.last_used_at, now_iso()
        )

    def revoke_account(self, account: str) -> int:
        """Revoke every token of an account (when it is removed); how many were active."""
        if not self.path.exists():
            return 0
        with self.db.transaction() as db:
            cursor = db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE account = ? AND revoked_at = ''",
                (now_iso(), account),
            )
        return cursor.rowcount

    def resolve(self, token: str | None) -> str | None:
        """The account an active token belongs to, or None."""
        if not token or not token.startswith(PREFIX) or len(token) > 200 or not self.path.exists():
            return None
        digest = _digest(token)
        with self.db.transaction() as db:
            row = db.execute(
                "SELECT id, account, digest FROM tokens WHERE digest = ? AND revoked_at = ''",
                (digest,),
            ).fetchone()
            if row is None or not hmac.compare_digest(row[2], digest):
                return None
            db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", (now_iso(), row[0]))
        return str(row[1])
