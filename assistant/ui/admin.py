"""The Admin tab: accounts (add, change role, remove) and the audit log."""

import json
from typing import Any

from assistant.accounts import Role
from assistant.audit import AuditAction
from assistant.errors import GuideError
from assistant.ui.access import Gate, User
from assistant.ui.page import Page, refusal_keeps, user_facing

AUDIT_HEADERS = ["When", "Who", "Role", "Action", "What", "Result"]
USER_HEADERS = ["Name", "Role", "Created"]


def audit_rows(entries: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for e in entries:
        what = e.get("what", "")
        shown = what if isinstance(what, str) else json.dumps(what, ensure_ascii=False)
        rows.append(
            [
                str(e.get("at", "")).replace("T", " "),
                str(e.get("who", "")),
                str(e.get("role", "")),
                str(e.get("action", "")),
                shown,
                str(e.get("result", "")),
            ]
        )
    return rows


class AdminTab:
    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.accounts = gate.accounts
        self.audit = gate.audit

    def users(self) -> list[dict[str, str]]:
        return [
            {"name": a.name, "role": a.role.value, "created_at": a.created_at}
            for a in self.accounts.accounts()
        ]

    def user_rows(self) -> list[list[str]]:
        return [[u["name"], u["role"], u["created_at"]] for u in self.users()]

    def add_user(self, admin: User, name: str, role: str, password: str) -> None:
        try:
            account = self.accounts.add(name.strip(), Role(role), password)
        except ValueError as exc:
            raise GuideError(f"Unknown role {role!r}.") from exc
        self.audit.record(
            admin.name,
            AuditAction.USER_ADD,
            {"name": account.name, "role": account.role.value},
            "ok",
            role=admin.role.value,
        )

    def remove_user(self, admin: User, name: str) -> None:
        self.accounts.remove(name)
        # its tokens die with it: an account added again later under the same name is a new one
        revoked = self.gate.tokens.revoke_account(name) if self.gate.tokens is not None else 0
        self.audit.record(
            admin.name,
            AuditAction.USER_REMOVE,
            {"name": name, **({"tokens_revoked": revoked} if revoked else {})},
            "ok",
            role=admin.role.value,
        )

    def set_role(self, admin: User, name: str, role: str) -> None:
        self.accounts.set_role(name, Role(role))
        self.audit.record(
            admin.name,
            AuditAction.USER_ROLE,
            {"name": name, "role": role},
            "ok",
            role=admin.role.value,
        )

    def build(self, page: Page) -> None:
        """Lay out the tab, wire its events and register what it refreshes on page load."""
        import gradio as gr

        with gr.Accordion("Accounts", open=True):
            if not self.gate.sign_in_required:
                gr.Markdown(
                    "The app is in local single-user mode: there are no accounts, so nobody signs "
                    "in. Create the first admin with `guide users add NAME --role admin` and "
                    "restart the app to turn sign-in on."
                )
            users = gr.Dataframe(headers=USER_HEADERS, interactive=False, elem_id="users-table")
            with gr.Row():
                name = gr.Textbox(label="Name", elem_id="user-name")
                role = gr.Dropdown(
                    label="Role", choices=[r.value for r in Role], value=Role.OFFICER.value
                )
                password = gr.Textbox(label="Password (10+ characters)", type="password")
            with gr.Row():
                add = gr.Button("Add account")
                change = gr.Button("Set role")
                remove = gr.Button("Remove account", variant="stop")
        with gr.Accordion("Audit log", open=True):
            with gr.Row():
                action = gr.Dropdown(
                    label="Action", choices=["", *[a.value for a in AuditAction]], value=""
                )
                who = gr.Textbox(label="Who")
                show = gr.Button("Show", elem_id="audit-show")
            log = gr.Dataframe(headers=AUDIT_HEADERS, interactive=False, elem_id="audit-table")

        def guarded(fn: Any) -> Any:
            @refusal_keeps(2)  # a refusal is one warning; the table and fields stay usable
            def run(*args: Any) -> Any:
                *values, request = args
                admin = self.gate.require(request, "manage_users")
                fn(admin, *values)
                return self.user_rows(), ""

            return run

        def on_add(n: str, r: str, p: str, request: gr.Request) -> Any:
            return guarded(self.add_user)(n, r, p, request)

        def on_role(n: str, r: str, request: gr.Request) -> Any:
            return guarded(self.set_role)(n, r, request)[0]

        def on_remove(n: str, request: gr.Request) -> Any:
            return guarded(self.remove_user)(n.strip(), request)[0]

        add.click(on_add, [name, role, password], [users, password], api_visibility="private")
        change.click(on_role, [name, role], [users], api_visibility="private")
        remove.click(on_remove, [name], [users], api_visibility="private")

        @refusal_keeps(1)
        def on_show(a: str, w: str, request: gr.Request) -> Any:
            self.gate.require(request, "read_audit")
            return audit_rows(self.audit.entries(200, a or None, w.strip() or None))

        show.click(on_show, [action, who], [log], api_visibility="private")

        def on_load(user: User) -> tuple[Any]:
            return (self.user_rows() if user.can("manage_users") else gr.update(),)

        page.on_load([users], on_load)

    # -- the API -------------------------------------------------------------------------------
    def endpoints(self) -> None:
        """The same actions as API endpoints, with the same role checks."""
        import gradio as gr

        @user_facing
        def api_audit(
            request: gr.Request, limit: int = 100, action: str = "", who: str = ""
        ) -> dict[str, Any]:
            """The audit log, newest first (admins only)."""
            self.gate.require(request, "read_audit")
            return {"entries": self.audit.entries(limit, action or None, who or None)}

        @user_facing
        def api_users(request: gr.Request) -> dict[str, Any]:
            """The accounts and their roles (admins only); passwords are never shown."""
            self.gate.require(request, "manage_users")
            return {"users": self.users()}

        @user_facing
        def api_add_user(name: str, role: str, password: str, request: gr.Request) -> str:
            """Create an account (admins only)."""
            user = self.gate.require(request, "manage_users")
            self.add_user(user, name, role, password)
            return f"Added {name} ({role})."

        @user_facing
        def api_remove_user(name: str, request: gr.Request) -> str:
            """Remove an account (admins only)."""
            user = self.gate.require(request, "manage_users")
            self.remove_user(user, name)
            return f"Removed {name}."

        gr.api(api_audit, api_name="audit")
        gr.api(api_users, api_name="users")
        gr.api(api_add_user, api_name="add_user")
        gr.api(api_remove_user, api_name="remove_user")
