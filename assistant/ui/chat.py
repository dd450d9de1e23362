"""The Ask tab: an officer asks, reads the cited answer, and opens any source page."""

import html
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.errors import GuideError
from assistant.guide import Guide
from assistant.render import answer_as_markdown, citation_label, md_escape, page_with_quote
from assistant.retrieval import SearchFilters
from assistant.types import Answer
from assistant.ui.access import Gate, User
from assistant.ui.page import Page, user_facing


@dataclass(frozen=True)
class ChatParts:
    """The Ask tab's components and ask events, for panels that extend the tab (saved
    conversations and feedback, assistant/ui/history.py): `outputs` are what a restored
    conversation sets, in the order the ask events set them."""

    chatbot: Any
    question: Any
    asked: Any  # gr.State: the earlier questions, passed to Guide as `history`
    last_answer: Any  # gr.State: Answer.to_dict() of the last answer
    new_chat: Any
    asked_events: tuple[Any, ...]
    outputs: tuple[Any, ...]


class ChatTab:
    def __init__(
        self,
        guide: Guide,
        gate: Gate,
        record: Callable[[User, str, str], None] | None = None,
    ) -> None:
        self.guide = guide
        self.gate = gate
        self.record = record  # audits each question asked
        self.parts: ChatParts | None = None  # set by build()

    @staticmethod
    def message(answer: Answer) -> str:
        """An answer as the chat shows it (a reopened conversation shows it the same way)."""
        return answer_as_markdown(answer)

    def restored(self, turns: Sequence[tuple[str, dict[str, Any]]]) -> tuple[Any, ...]:
        """What `ChatParts.outputs` show for a reopened conversation of (question,
        Answer.to_dict()) turns: the exchange, the last answer's sources to open, and its
        questions as the follow-up history."""
        import gradio as gr

        messages: list[dict[str, Any]] = []
        for question, answer in turns:
            messages.append({"role": "user", "content": md_escape(question)})
            shown = self.message(Answer.from_dict(answer))
            messages.append({"role": "assistant", "content": shown})
        last = turns[-1][1] if turns else None
        cited = Answer.from_dict(last).citations if last else ()
        choices = [f"[{c.n}] {citation_label(c)}" for c in cited]
        history = [question for question, _ in turns]
        return messages, "", gr.update(choices=choices, value=None), history, last, ""

    @staticmethod
    def check(question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise GuideError("Type a question first.")
        return question  # its length (and the history's) is checked by Guide

    def ask(
        self,
        question: str,
        history: list[str],
        documents: list[str] | None = None,
        kinds: list[str] | None = None,
    ) -> Answer:
        return self.guide.ask(
            self.check(question), history=history, filters=_filters(documents, kinds)
        )

    def stream(
        self,
        question: str,
        history: list[str],
        documents: list[str] | None = None,
        kinds: list[str] | None = None,
    ) -> Iterator[str | Answer]:
        """A language model's draft as it is written, then the verified Answer."""
        yield from self.guide.ask_stream(
            self.check(question), history=history, filters=_filters(documents, kinds)
        )

    def filter_choices(self) -> tuple[list[tuple[str, str]], list[str]]:
        """(title, source file) pairs and the kinds present, for the filter pickers."""
        records = self.guide.library.documents()
        documents = [(f"{r.title} ({r.source_file})", r.source_file) for r in records]
        kinds = sorted({r.kind for r in records if r.kind})
        return documents, kinds

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
        if page is None:
            return ""
        if record.format != "pdf":  # an uploaded web page is never served back as a page
            return page_with_quote(page, citation["quote"])
        pdf = self.guide.library.pdf_path(record).resolve()
        link = (
            f"<p><a href='/gradio_api/file={pdf}#page={page.page}' target='_blank' "
            f"id='open-pdf'>Open page {html.escape(page.page_label)} of the PDF</a></p>"
        )
        return link + page_with_quote(page, citation["quote"])

    def build(self, page: Page) -> None:
        """Lay out the tab, wire its events and register what it refreshes on page load."""
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
        documents, kinds = self.filter_choices()
        with gr.Accordion("Limit the search", open=False):
            pick_docs = gr.Dropdown(
                label="Only these documents",
                choices=documents,
                multiselect=True,
                elem_id="filter-docs",
            )
            pick_kinds = gr.Dropdown(
                label="Only these kinds of document",
                choices=kinds,
                multiselect=True,
                elem_id="filter-kinds",
            )
        with gr.Accordion("Open a source", open=True):
            source_pick = gr.Dropdown(label="Source", choices=[], elem_id="source-pick")
            source_view = gr.HTML(elem_id="source-view")
        asked = gr.State([])
        last_answer = gr.State(None)

        def on_ask(
            text: str,
            messages: list[dict[str, Any]],
            earlier: list[str],
            docs: list[str] | None,
            doc_kinds: list[str] | None,
            request: gr.Request,
        ) -> Iterator[tuple]:
            asked = [*messages, {"role": "user", "content": text}]
            answer: Answer | None = None
            try:
                user = self.gate.require(request, "ask")
                drafted = ""
                for piece in self.stream(text, earlier, docs, doc_kinds):
                    if isinstance(piece, Answer):
                        answer = piece
                        continue
                    drafted += piece  # a language model's draft, not yet checked
                    shown = f"{md_escape(drafted)}\n\n_Writing; every quote is checked next._"
                    draft_view = [*asked, {"role": "assistant", "content": shown}]
                    yield draft_view, "", gr.update(), earlier, gr.update(), gr.update()
            except GuideError as exc:
                gr.Warning(str(exc))
                yield messages, text, gr.update(), earlier, gr.update(), gr.update()
                return
            if answer is None:
                return
            if self.record is not None:
                self.record(user, text, answer.status.value)
            final = [*asked, {"role": "assistant", "content": self.message(answer)}]
            choices = [f"[{c.n}] {citation_label(c)}" for c in answer.citations]
            yield (
                final,
                "",
                gr.update(choices=choices, value=None),
                [*earlier, text],
                answer.to_dict(),
                "",
            )

        outputs = [chatbot, question, source_pick, asked, last_answer, source_view]
        events = tuple(
            trigger(
                on_ask,
                [question, chatbot, asked, pick_docs, pick_kinds],
                outputs,
                api_visibility="private",
            )
            for trigger in (ask_button.click, question.submit)
        )
        self.parts = ChatParts(
            chatbot, question, asked, last_answer, new_chat, events, tuple(outputs)
        )

        @user_facing
        def on_source(
            choice: str | None, answer: dict[str, Any] | None, request: gr.Request
        ) -> str:
            self.gate.require(request, "ask")
            return self.open_source(choice, answer)

        source_pick.change(
            on_source, [source_pick, last_answer], source_view, api_visibility="private"
        )
        new_chat.click(
            lambda: ([], "", gr.update(choices=[], value=None), [], None, ""),
            None,
            outputs,
            api_visibility="private",
        )

        def on_load(user: User) -> tuple[Any, ...]:
            doc_choices, kind_choices = self.filter_choices()
            return gr.update(choices=doc_choices), gr.update(choices=kind_choices), gr.update()

        page.on_load([pick_docs, pick_kinds, question], on_load)

    # -- the API -------------------------------------------------------------------------------
    def endpoints(self) -> None:
        import gradio as gr

        @user_facing
        def api_ask(
            question: str,
            request: gr.Request,
            history: list[str] | None = None,
            documents: list[str] | None = None,
            kinds: list[str] | None = None,
        ) -> dict[str, Any]:
            """Ask a question. `history`: the conversation's earlier questions; `documents`,
            `kinds`: limit the search to these source files or document kinds."""
            user = self.gate.require(request, "ask")
            answer = self.ask(question, list(history or []), documents, kinds)
            if self.record is not None:
                self.record(user, question, answer.status.value)
            return answer.to_dict()

        gr.api(api_ask, api_name="ask")


def _filters(documents: list[str] | None, kinds: list[str] | None) -> SearchFilters:
    return SearchFilters(tuple(documents or ()), tuple(kinds or ()))
