"""Who is asking, and may they? Every tab handler and API endpoint calls `Gate.require` on the
server, so hiding a tab is only a convenience: a request for something a role may not do is
refused whatever sent it.

With no accounts the app runs in local single-user mode: no sign-in, and the one user (`local`)
may do everything. Once an account exists, people sign in at /login (assistant.ui.login) and
every request carries a session cookie. The session is resolved again on every request, against
the accounts file as it is now: removing an account or changing its password (in the app or
with `guide users` in another process) ends its sessions at once, and a role change applies to
the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.accounts import LOCAL_USER, Account, AccountStore, Role, allowed
from assistant.audit import AuditLog
from assistant.errors import GuideError
from assistant.signin import SessionStore
from assistant.tokens import TokenStore

SESSION_COOKIE = "guide_session"
PERMISSION_NAMES = {
    "ask": "ask questions",
    "manage_documents": "manage documents",
    "run_evaluations": "run evaluations",
    "manage_users": "manage users",
    "read_audit": "read the audit log",
}


class AccessDenied(GuideError):
    """A signed-in user asked for something their role does not allow."""


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role

    def can(self, permission: str) -> bool:
        return allowed(self.role, permission)


def bearer_token(request: Any) -> str | None:
    """The API token of a request's `Authorization: Bearer ...` header, if it has one."""
    try:
        header = request.headers.get("authorization", "")
    except (AttributeError, KeyError, TypeError):
        return None
    scheme, _, value = str(header or "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def session_token(request: Any) -> str | None:
    """The session cookie of a request (a `gr.Request` or a FastAPI/Starlette one)."""
    if request is None:
        return None
    try:  # a gr.Request hands its cookies over as an object with .get
        token = request.cookies.get(SESSION_COOKIE)
    except (AttributeError, KeyError, TypeError):
        return None
    return token if isinstance(token, str) and token else None


class Gate:
    def __init__(
        self,
        accounts: AccountStore,
        audit: AuditLog,
        sessions: SessionStore,
        tokens: TokenStore | None = None,
    ) -> None:
        self.accounts = accounts
        self.audit = audit
        self.sessions = sessions
        self.tokens = tokens
        self.sign_in_required = accounts.enabled()  # fixed at launch, as the sign-in pages are

    def account(self, request: Any) -> Account | None:
        """The account whose live session, or active API token, sent `request`, or None."""
        bearer = bearer_token(request) if self.tokens is not None else None
        if bearer is not None and self.tokens is not None:
            name = self.tokens.resolve(bearer)
            return self.accounts.get(name) if name else None
        return self.sessions.resolve(session_token(request), self.accounts)

    def user(self, request: Any) -> User:
        """The user behind a request, or AccessDenied."""
        from assistant.logs import current_user

        if not self.sign_in_required:
            current_user.set(LOCAL_USER)
            return User(LOCAL_USER, Role.ADMIN)
        account = self.account(request)
        if account is None:
            raise AccessDenied(
                "You are not signed in, or your session has ended (signed out, timed out, or "
                "the password or account changed). Reload the page to sign in again."
            )
        current_user.set(account.name)
        return User(account.name, account.role)

    def require(self, request: Any, permission: str) -> User:
        user = self.user(request)
        if not user.can(permission):
            raise AccessDenied(
                f"Your role ({user.role.value}) cannot {PERMISSION_NAMES[permission]}; "
                "ask an admin if you need to."
            )
        return user
