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
from assistant.conversations import ConversationStore
from assistant.errors import GuideError
from assistant.feedback import FeedbackStore
from assistant.guide import Guide

if TYPE_CHECKING:
    import gradio as gr

# A progress bar shows where the work is now, as its label does: no easing behind it.
PROGRESS_CSS = ".progress-bar { transition: none !important; }"


class App:
    """Everything the tabs and endpoints share: the guide, the staff desk, the evaluation desk,
    the access gate."""

    def __init__(self, guide: Guide) -> None:
        from assistant.signin import SessionStore
        from assistant.tokens import TokenStore
        from assistant.ui.access import Gate
        from eval.desk import EvalDesk
        from ingest.desk import LibraryDesk
        from ingest.jobs import JobQueue

        settings = guide.settings
        self.guide = guide
        self.audit = AuditLog.from_settings(settings)
        self.desk = LibraryDesk(
            settings, library=guide.library, embedder=guide.embedder, audit=self.audit
        )
        self.evaluations = EvalDesk(settings, guide=guide, audit=self.audit)
        self.gate = Gate(
            AccountStore.from_settings(settings),
            self.audit,
            SessionStore.from_settings(settings),
            TokenStore(settings.api_tokens_path),
        )
        self.jobs = JobQueue(settings, self.desk)  # started by launch()
        self.conversations = ConversationStore.from_settings(settings)
        self.conversations.purge()  # past the retention period (every call purges too)
        self.feedback = FeedbackStore.from_settings(settings)

    def record_question(self, user: Any, question: str, status: str) -> None:
        from assistant.logs import event

        self.audit.record(user.name, AuditAction.ASK, question[:500], status, role=user.role.value)
        event("answer", user=user.name, outcome=status, private={"question": question})


def build_app(guide: Guide, state: "App | None" = None) -> "gr.Blocks":
    """The page: a header saying who is signed in, then a tab per kind of user. Each tab lays
    itself out, wires its own events, registers what it refreshes when the page loads, and
    then its API endpoints."""
    configure_offline()
    import gradio as gr

    from assistant.ui.access import PERMISSION_NAMES, User
    from assistant.ui.admin import AdminTab
    from assistant.ui.chat import ChatTab
    from assistant.ui.documents import DocumentsTab
    from assistant.ui.evaluate import EvaluateTab
    from assistant.ui.feedback import FeedbackPanel
    from assistant.ui.history import HistoryPanel, RetentionPanel
    from assistant.ui.page import Page, user_facing

    app_state = state or App(guide)
    gate = app_state.gate
    page = Page(gate)
    chat = ChatTab(guide, gate, app_state.record_question)
    documents = DocumentsTab(app_state.desk, gate, app_state.jobs)
    evaluate = EvaluateTab(app_state.evaluations, gate)
    admin = AdminTab(gate)
    history = HistoryPanel(
        guide, gate, app_state.conversations, app_state.feedback, app_state.record_question
    )
    feedback = FeedbackPanel(app_state.feedback, app_state.evaluations, gate, app_state.audit)
    retention = RetentionPanel(gate, app_state.conversations, app_state.audit)
    with gr.Blocks(title="Mutuals Guide") as app:
        gr.Markdown(
            "## Mutuals Guide\nAnswers on delivering local services through mutuals and "
            "co-operatives, each sentence cited to the page it comes from. If the library does "
            "not answer a question, it says so.",
            elem_id="app-title",
        )
        with gr.Row(equal_height=True):
            whoami = gr.Markdown(elem_id="whoami")
            if gate.sign_in_required:  # ends the session on the server, then back to /login
                sign_out = gr.Button(
                    "Sign out", size="sm", scale=0, min_width=100, elem_id="sign-out"
                )
                # in this tab, whatever the browser does with links (relative: works under a
                # proxy's path too)
                sign_out.click(
                    None,
                    js="() => { window.location.assign("
                    "new URL('logout', window.location.href).href); }",
                )
        with gr.Tab("Ask", id="ask") as ask_tab:
            chat.build(page)
            history.build(page, chat)  # saved conversations, feedback on answers
        with gr.Tab("Documents", id="documents", visible=False) as docs_tab:
            documents.build(page)
        with gr.Tab("Evaluate", id="evaluate", visible=False) as eval_tab:
            evaluate.build(page)
            feedback.build(page, evaluate.testset_picker)  # feedback into test questions
        with gr.Tab("Admin", id="admin", visible=False) as admin_tab:
            admin.build(page)
            retention.build(page)  # how long saved conversations are kept

        def welcome(user: User) -> str:
            can = [p for p in PERMISSION_NAMES if user.can(p)]
            signed = (
                f"Signed in as **{user.name}** ({user.role.value})."
                if gate.sign_in_required
                else "Local single-user mode: no sign-in (see the README to turn it on)."
            )
            return signed + " You can " + ", ".join(PERMISSION_NAMES[p] for p in can) + "."

        page.attach(
            app,
            whoami,
            welcome,
            [
                (ask_tab, "ask"),
                (docs_tab, "manage_documents"),
                (eval_tab, "run_evaluations"),
                (admin_tab, "manage_users"),
            ],
        )

        # -- API endpoints: the same actions, the same role checks ---------------------------
        @user_facing
        def api_whoami(request: gr.Request) -> dict[str, Any]:
            """Who you are signed in as, your role and what it allows."""
            user = gate.user(request)
            return {
                "user": user.name,
                "role": user.role.value,
                "permissions": [p for p in PERMISSION_NAMES if user.can(p)],
                "sign_in_required": gate.sign_in_required,
            }

        gr.api(api_whoami, api_name="whoami")
        chat.endpoints()
        documents.endpoints()
        evaluate.endpoints()
        admin.endpoints()
        history.endpoints()
        feedback.endpoints()
        retention.endpoints()
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
    from assistant.ui.sources import add_routes

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
    from assistant.logs import configure_logging, event
    from assistant.ui.rest import add_health, rest_app

    configure_logging(settings)

    def routes(app: Any) -> None:  # added before the Gradio app, so it does not shadow them
        add_routes(app, state.gate, guide.library)
        add_health(app, state)
        app.mount("/api/v1", rest_app(state))  # the REST API beside the Gradio app

    # no server folder is exposed: the cited PDFs go out only through /sources/{version}/pdf
    # to signed-in users who may ask (assistant.ui.sources), and the evaluation reports
    # through /reports/... to evaluators (assistant.ui.reports)
    server_app = mount(
        blocks, state.gate, settings, allowed_paths=[], routes=routes, css=PROGRESS_CSS
    )
    state.jobs.start()
    event("serving", host=settings.host, port=settings.port)
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
