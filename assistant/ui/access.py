"""Who is asking, and may they? Every tab handler and API endpoint calls `Gate.require` on the
server, so hiding a tab is only a convenience: a request for something a role may not do is
refused whatever sent it.

With no accounts the app runs in local single-user mode: no sign-in, and the one user (`local`)
may do everything. Once an account exists, Gradio's sign-in is switched on at launch and every
request carries the signed-in name; the name is looked up again on every request, so removing an
account or changing its role takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.accounts import LOCAL_USER, AccountStore, Role, allowed
from assistant.audit import AuditAction, AuditLog
from assistant.errors import GuideError

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


class Gate:
    def __init__(self, accounts: AccountStore, audit: AuditLog) -> None:
        self.accounts = accounts
        self.audit = audit
        self.sign_in_required = accounts.enabled()  # fixed at launch: Gradio's auth is too

    def user(self, request: Any) -> User:
        """The user behind a Gradio request (`gr.Request`), or AccessDenied."""
        name = getattr(request, "username", None) if request is not None else None
        if not self.sign_in_required:
            return User(LOCAL_USER, Role.ADMIN)
        if not name:
            raise AccessDenied("Please sign in first.")
        account = self.accounts.get(name)
        if account is None:
            raise AccessDenied(f"The account {name!r} no longer exists; ask an admin.")
        return User(account.name, account.role)

    def require(self, request: Any, permission: str) -> User:
        user = self.user(request)
        if not user.can(permission):
            raise AccessDenied(
                f"Your role ({user.role.value}) cannot {PERMISSION_NAMES[permission]}; "
                "ask an admin if you need to."
            )
        return user

    def check_password(self, name: str, password: str) -> bool:
        """Gradio's `auth` callable: every attempt is audited, the password never is."""
        account = self.accounts.authenticate(name, password)
        if account is None:
            self.audit.record(name[:64], AuditAction.SIGN_IN_FAILED, {}, "refused")
            return False
        self.audit.record(account.name, AuditAction.SIGN_IN, {}, "ok", role=account.role.value)
        return True
