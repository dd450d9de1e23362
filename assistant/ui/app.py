"""The Gradio app: tabs for officers (Ask) now; staff and evaluator tabs join in later issues."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.config import Settings, configure_offline
from assistant.errors import GuideError
from assistant.guide import Guide

if TYPE_CHECKING:
    import gradio as gr


def build_app(guide: Guide) -> gr.Blocks:
    configure_offline()
    import gradio as gr

    from assistant.ui.chat import ChatTab

    chat = ChatTab(guide)
    with gr.Blocks(title="Mutuals Guide") as app:
        gr.Markdown(
            "## Mutuals Guide\nAnswers on delivering local services through mutuals and "
            "co-operatives, each sentence cited to the page it comes from. If the library does "
            "not answer a question, it says so."
        )
        with gr.Tab("Ask"):
            chat.build()

        def api_ask(
            question: str,
            history: list[str] | None = None,
            documents: list[str] | None = None,
            kinds: list[str] | None = None,
        ) -> dict[str, Any]:
            """Ask a question. `history`: the conversation's earlier questions; `documents`,
            `kinds`: limit the search to these source files or document kinds."""
            try:
                return chat.ask(question, list(history or []), documents, kinds).to_dict()
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc

        gr.api(api_ask, api_name="ask")
    return app


def launch(settings: Settings, block: bool = True) -> Any:
    guide = Guide(settings)
    if not guide.library.documents():
        raise GuideError(
            f"The library in {settings.data_dir} is empty. Run `guide ingest corpus/pdf "
            f"--data-dir {settings.data_dir}` first (or `make run`)."
        )
    guide.warm_up()
    app = build_app(guide)
    app.queue(default_concurrency_limit=4)
    return app.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        allowed_paths=[str(guide.library.files_dir.resolve())],  # the cited PDFs, nothing else
        prevent_thread_lock=not block,
        show_error=True,
        footer_links=["api"],
    )
