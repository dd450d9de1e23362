"""The Ask tab: an officer asks, reads the cited answer, and opens any source page."""

from __future__ import annotations

from typing import Any

from assistant.errors import GuideError
from assistant.guide import Guide
from assistant.types import Answer
from assistant.ui.render import answer_as_markdown, citation_label, page_with_quote


class ChatTab:
    def __init__(self, guide: Guide) -> None:
        self.guide = guide

    def ask(self, question: str, history: list[str]) -> Answer:
        question = (question or "").strip()
        if not question:
            raise GuideError("Type a question first.")
        if len(question) > 2000:
            raise GuideError("That question is very long; please keep it under 2,000 characters.")
        return self.guide.ask(question, history=history)

    def open_source(self, choice: str | None, answer: dict[str, Any] | None) -> str:
        if not choice or not answer:
            return ""
        n = int(choice.split("]", 1)[0].lstrip("["))
        citation = next((c for c in answer["citations"] if c["n"] == n), None)
        if citation is None:
            return ""
        record = self.guide.library.find(citation["source_file"])
        if record is None:
            return "<p>This document is no longer in the library.</p>"
        page = self.guide.library.page(record.version, citation["page"])
        return page_with_quote(page, citation["quote"]) if page else ""

    def build(self) -> None:
        import gradio as gr

        chatbot = gr.Chatbot(label="Conversation", height=460, elem_id="chat")
        with gr.Row():
            question = gr.Textbox(
                label="Your question",
                placeholder="e.g. How do staff keep their pensions "
                "when a service spins out as a mutual?",
                scale=5,
                elem_id="question",
                autofocus=True,
            )
            ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
        new_chat = gr.Button("New conversation", size="sm")
        with gr.Accordion("Open a source", open=True):
            source_pick = gr.Dropdown(label="Source", choices=[], elem_id="source-pick")
            source_view = gr.HTML(elem_id="source-view")
        asked = gr.State([])
        last_answer = gr.State(None)

        def on_ask(text: str, messages: list[dict[str, Any]], earlier: list[str]) -> tuple:
            try:
                answer = self.ask(text, earlier)
            except GuideError as exc:
                gr.Warning(str(exc))
                return messages, text, gr.update(), earlier, gr.update(), gr.update()
            messages = [
                *messages,
                {"role": "user", "content": text},
                {"role": "assistant", "content": answer_as_markdown(answer)},
            ]
            choices = [f"[{c.n}] {citation_label(c)}" for c in answer.citations]
            return (
                messages,
                "",
                gr.update(choices=choices, value=None),
                [*earlier, text],
                answer.to_dict(),
                "",
            )

        outputs = [chatbot, question, source_pick, asked, last_answer, source_view]
        for trigger in (ask_button.click, question.submit):
            trigger(on_ask, [question, chatbot, asked], outputs, api_visibility="private")
        source_pick.change(
            self.open_source, [source_pick, last_answer], source_view, api_visibility="private"
        )
        new_chat.click(
            lambda: ([], "", gr.update(choices=[], value=None), [], None, ""),
            None,
            outputs,
            api_visibility="private",
        )
