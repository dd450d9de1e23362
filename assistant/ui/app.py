"""The Gradio app: a tab per kind of user (officers ask, staff keep the library, admins manage
accounts and read the audit log), and the same actions as API endpoints for scripts and tests.

Every handler and endpoint checks the caller's role on the server (`Gate.require`); tabs a role
may not use are also hidden, as a convenience.
"""

# No `from __future__ import annotations` here: Gradio reads the endpoints' type hints at
# runtime, and `gr` is imported inside build_app (heavy imports stay out of module scope).
from typing import TYPE_CHECKING, Any

from assistant.accounts import AccountStore
from assistant.audit import AuditAction, AuditLog
from assistant.config import Settings, configure_offline
from assistant.errors import GuideError
from assistant.guide import Guide

if TYPE_CHECKING:
    import gradio as gr
    from gradio.data_classes import FileData


class App:
    """Everything the tabs and endpoints share: the guide, the staff desk, the access gate."""

    def __init__(self, guide: Guide) -> None:
        from assistant.signin import SessionStore
        from assistant.ui.access import Gate
        from ingest.desk import LibraryDesk

        settings = guide.settings
        self.guide = guide
        self.audit = AuditLog.from_settings(settings)
        self.desk = LibraryDesk(
            settings, library=guide.library, embedder=guide.embedder, audit=self.audit
        )
        self.gate = Gate(
            AccountStore.from_settings(settings), self.audit, SessionStore.from_settings(settings)
        )

    def record_question(self, user: Any, question: str, status: str) -> None:
        self.audit.record(user.name, AuditAction.ASK, question[:500], status, role=user.role.value)


def _file(data: "FileData | dict[str, Any] | None") -> tuple[str, str | None] | None:
    """(path, name as uploaded) from an API file argument. The path is the caller's claim:
    the tab that reads it checks it is a file this server received (assistant.ui.uploads)."""
    if data is None:
        return None
    if isinstance(data, dict):
        path, name = data.get("path"), data.get("orig_name")
    else:
        path, name = data.path, data.orig_name
    return str(path or ""), name if isinstance(name, str) else None


def _result(r: Any) -> dict[str, Any]:
    """A FileResult for API callers: the file's name, not its temporary path on the server (a
    "path" key would also make gradio_client treat the result as a file to download)."""
    from pathlib import Path

    out = r.to_dict()
    out["file"] = Path(out.pop("path")).name
    return out


def build_app(guide: Guide, state: "App | None" = None) -> "gr.Blocks":
    configure_offline()
    import gradio as gr
    from gradio.data_classes import FileData

    from assistant.ui.access import PERMISSION_NAMES
    from assistant.ui.admin import AdminTab
    from assistant.ui.chat import ChatTab
    from assistant.ui.documents import DocumentsTab
    from assistant.ui.evaluate import EvaluateTab

    app_state = state or App(guide)
    gate = app_state.gate
    chat = ChatTab(guide, gate, app_state.record_question)
    library_desk = DocumentsTab(app_state.desk, gate)
    admin = AdminTab(gate)
    evaluate = EvaluateTab(guide, gate)
    with gr.Blocks(title="Mutuals Guide") as app:
        gr.Markdown(
            "## Mutuals Guide\nAnswers on delivering local services through mutuals and "
            "co-operatives, each sentence cited to the page it comes from. If the library does "
            "not answer a question, it says so."
        )
        with gr.Row(equal_height=True):
            whoami = gr.Markdown(elem_id="whoami")
            if gate.sign_in_required:  # ends the session on the server, then back to /login
                gr.Button(
                    "Sign out",
                    link="/logout",
                    link_target="_self",
                    size="sm",
                    scale=0,
                    min_width=100,
                    elem_id="sign-out",
                )
        with gr.Tab("Ask", id="ask") as ask_tab:
            chat_parts = chat.build()
        with gr.Tab("Documents", id="documents", visible=False) as docs_tab:
            doc_parts = library_desk.build()
        with gr.Tab("Evaluate", id="evaluate", visible=False) as eval_tab:
            eval_parts = evaluate.build()
        with gr.Tab("Admin", id="admin", visible=False) as admin_tab:
            admin.build()

        def on_load(request: gr.Request) -> tuple[Any, ...]:
            try:
                user = gate.user(request)
            except GuideError as exc:
                return (f"**{exc}**", *(gr.update(visible=False),) * 4, *(gr.update(),) * 11)
            can = [p for p in PERMISSION_NAMES if user.can(p)]
            signed = (
                f"Signed in as **{user.name}** ({user.role.value})."
                if gate.sign_in_required
                else "Local single-user mode: no sign-in (see the README to turn it on)."
            )
            docs_ok, admin_ok = user.can("manage_documents"), user.can("manage_users")
            eval_ok = user.can("run_evaluations")
            listed = evaluate.listing() if eval_ok else []  # reads every kept run: once
            run_ids = [r["id"] for r in listed]
            doc_choices, kind_choices = chat.filter_choices()
            return (
                signed + " You can " + ", ".join(PERMISSION_NAMES[p] for p in can) + ".",
                gr.update(visible=user.can("ask")),
                gr.update(visible=docs_ok),
                gr.update(visible=eval_ok),
                gr.update(visible=admin_ok),
                library_desk.rows() if docs_ok else gr.update(),
                gr.update(choices=library_desk.choices()) if docs_ok else gr.update(),
                admin.user_rows() if admin_ok else gr.update(),
                gr.update(choices=doc_choices),
                gr.update(choices=kind_choices),
                gr.update(),
                evaluate.rows(listed) if eval_ok else gr.update(),
                gr.update(choices=run_ids) if eval_ok else gr.update(),
                gr.update(choices=run_ids) if eval_ok else gr.update(),
                evaluate.library_moved(listed) if eval_ok else gr.update(),
                gr.update(choices=evaluate.testset_choices()) if eval_ok else gr.update(),
            )

        app.load(
            on_load,
            None,
            [
                whoami,
                ask_tab,
                docs_tab,
                eval_tab,
                admin_tab,
                doc_parts["table"],
                doc_parts["pick"],
                admin.table,
                chat_parts["documents"],
                chat_parts["kinds"],
                chat_parts["question"],
                eval_parts["runs"],
                eval_parts["first"],
                eval_parts["second"],
                eval_parts["moved"],
                eval_parts["pick"],
            ],
            api_visibility="private",
        )

        # -- API endpoints: the same actions, the same role checks ---------------------------
        def checked(request: gr.Request, permission: str) -> Any:
            try:
                return gate.require(request, permission)
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc

        def api_whoami(request: gr.Request) -> dict[str, Any]:
            """Who you are signed in as, your role and what it allows."""
            try:
                user = gate.user(request)
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            return {
                "user": user.name,
                "role": user.role.value,
                "permissions": [p for p in PERMISSION_NAMES if user.can(p)],
                "sign_in_required": gate.sign_in_required,
            }

        def api_ask(
            question: str,
            request: gr.Request,
            history: list[str] | None = None,
            documents: list[str] | None = None,
            kinds: list[str] | None = None,
        ) -> dict[str, Any]:
            """Ask a question. `history`: the conversation's earlier questions; `documents`,
            `kinds`: limit the search to these source files or document kinds."""
            user = checked(request, "ask")
            try:
                answer = chat.ask(question, list(history or []), documents, kinds)
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            app_state.record_question(user, question, answer.status.value)
            return answer.to_dict()

        def api_documents(request: gr.Request) -> dict[str, Any]:
            """Every document version in the library (current and superseded), with flags."""
            checked(request, "manage_documents")
            return {"documents": library_desk.listing(), "summary": guide.library.summary()}

        def api_upload(
            files: list[FileData],
            request: gr.Request,
            title: str = "",
            kind: str = "",
            date: str = "",
        ) -> dict[str, Any]:
            """Add PDFs. `title` only with one file; `kind`, `date` (accurate to) for all."""
            user = checked(request, "manage_documents")
            try:
                pairs = [p for p in (_file(f) for f in files or []) if p]
                found = library_desk.upload(user, pairs, title, kind, date)
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            return {
                "files": [_result(r) for r in found],
                "summary": guide.library.summary(),
            }

        def api_replace(
            source_file: str,
            file: FileData,
            request: gr.Request,
            title: str = "",
            kind: str = "",
            date: str = "",
        ) -> dict[str, Any]:
            """Make `file` the current version of `source_file`; the old one is kept superseded."""
            user = checked(request, "manage_documents")
            try:
                result = library_desk.replace(user, source_file, _file(file), title, kind, date)
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            return {"file": _result(result), "summary": guide.library.summary()}

        def api_remove(source_file: str, request: gr.Request, version: str = "") -> dict[str, Any]:
            """Remove a document and all its versions, or only the given superseded `version`."""
            user = checked(request, "manage_documents")
            try:
                gone = library_desk.remove(user, source_file, version or None)
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            return {"removed": gone, "summary": guide.library.summary()}

        def api_audit(
            request: gr.Request, limit: int = 100, action: str = "", who: str = ""
        ) -> dict[str, Any]:
            """The audit log, newest first (admins only)."""
            checked(request, "read_audit")
            return {"entries": app_state.audit.entries(limit, action or None, who or None)}

        def api_users(request: gr.Request) -> dict[str, Any]:
            """The accounts and their roles (admins only); passwords are never shown."""
            checked(request, "manage_users")
            return {"users": admin.users()}

        def api_add_user(name: str, role: str, password: str, request: gr.Request) -> str:
            """Create an account (admins only)."""
            user = checked(request, "manage_users")
            try:
                admin.add_user(user, name, role, password)
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            return f"Added {name} ({role})."

        def api_remove_user(name: str, request: gr.Request) -> str:
            """Remove an account (admins only)."""
            user = checked(request, "manage_users")
            try:
                admin.remove_user(user, name)
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            return f"Removed {name}."

        def api_eval_testsets(request: gr.Request) -> dict[str, Any]:
            """The test sets an evaluator can run: bundled and uploaded."""
            checked(request, "run_evaluations")
            return {"testsets": [name for name, _ in evaluate.testset_choices()]}

        def api_eval_run(
            testsets: list[str], request: gr.Request, compare_with: str = ""
        ) -> dict[str, Any]:
            """Run test sets (by name, e.g. "mutuals-guide.jsonl"); optionally compare with an
            earlier run id. Returns the run (summary, intervals, by_type, items) and comparison."""
            user = checked(request, "run_evaluations")
            try:
                out = evaluate.run(user, testsets, compare_with or None)
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            out.pop("report", None)  # a server path; the Evaluate tab offers the download
            return out

        def api_eval_add_testset(file: FileData, request: gr.Request) -> dict[str, Any]:
            """Add a JSONL test set (checked first; errors name the line and field)."""
            user = checked(request, "run_evaluations")
            try:
                found = _file(file)
                if found is None:
                    raise gr.Error("Choose a .jsonl test set to upload.")
                kept = evaluate.add_testset(user, *found)
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            return {"testset": kept.name}

        def api_eval_runs(request: gr.Request) -> dict[str, Any]:
            """The kept runs, newest first."""
            checked(request, "run_evaluations")
            return {"runs": evaluate.listing()}

        def api_eval_compare(first: str, second: str, request: gr.Request) -> dict[str, Any]:
            """What changed from run `first` to run `second`."""
            checked(request, "run_evaluations")
            try:
                return {"comparison": evaluate.compare_runs(first, second)["comparison"]}
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc

        writes = {"concurrency_id": "library-writes", "concurrency_limit": 2}
        gr.api(api_whoami, api_name="whoami")
        gr.api(api_ask, api_name="ask")
        gr.api(api_documents, api_name="documents")
        gr.api(api_upload, api_name="upload", **writes)
        gr.api(api_replace, api_name="replace", **writes)
        gr.api(api_remove, api_name="remove", **writes)
        gr.api(api_eval_testsets, api_name="eval_testsets")
        gr.api(api_eval_run, api_name="eval_run", concurrency_id="evaluations", concurrency_limit=1)
        gr.api(api_eval_add_testset, api_name="eval_add_testset")
        gr.api(api_eval_runs, api_name="eval_runs")
        gr.api(api_eval_compare, api_name="eval_compare")
        gr.api(api_audit, api_name="audit")
        gr.api(api_users, api_name="users")
        gr.api(api_add_user, api_name="add_user")
        gr.api(api_remove_user, api_name="remove_user")
    return app


def _check_port_free(host: str, port: int) -> None:
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as exc:
        raise GuideError(
            f"Cannot listen on {host}:{port} ({exc.strerror or exc}); another program may be "
            "using that port. Choose another with --port (or GUIDE_PORT)."
        ) from exc


def launch(settings: Settings, block: bool = True) -> Any:
    """Serve the app with uvicorn on settings.host:port: the Gradio Blocks behind our own
    sign-in (assistant.ui.login). With `block=False` the server runs in a thread and the
    uvicorn Server is returned (set `should_exit` to stop it)."""
    configure_offline()
    import threading

    import uvicorn

    from assistant.ui.login import mount

    guide = Guide(settings)
    if not guide.library.documents():
        raise GuideError(
            f"The library in {settings.data_dir} is empty. Run `guide ingest corpus/pdf "
            f"--data-dir {settings.data_dir}` first (or `make run`)."
        )
    _check_port_free(settings.host, settings.port)  # before the slow part
    guide.warm_up()
    state = App(guide)
    blocks = build_app(guide, state)
    blocks.queue(default_concurrency_limit=4)
    # the cited PDFs and the evaluation reports, nothing else
    allowed = [
        str(guide.library.files_dir.resolve()),
        str((settings.data_dir / "eval-runs").resolve()),
    ]
    server_app = mount(blocks, state.gate, settings, allowed_paths=allowed)
    proxies = settings.trusted_proxies.strip()
    server = uvicorn.Server(
        uvicorn.Config(
            server_app,
            host=settings.host,
            port=settings.port,
            log_level="info",
            access_log=False,
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or None,
            server_header=False,
        )
    )
    if block:
        server.run()
        return server
    threading.Thread(target=server.run, name="guide-serve", daemon=True).start()
    return server
