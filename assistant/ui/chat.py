"""The Ask tab: an officer asks, reads the cited answer, and opens any source page."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.errors import GuideError
from assistant.guide import Guide
from assistant.render import answer_as_markdown, citation_label, md_escape
from assistant.retrieval import SearchFilters
from assistant.types import Answer, Citation
from assistant.ui.access import Gate, User
from assistant.ui.page import Page, logged, user_facing

NO_SOURCE = (
    "<p class='guide-no-source'>Select a source number such as [1] in an answer to open that "
    "page here, with the quoted words marked.</p>"
)


@dataclass(frozen=True)
class ChatParts:
    """The Ask tab's components and ask events, for panels that extend the tab (saved
    conversations and feedback, assistant/ui/history.py): `outputs` are what a restored
    conversation sets, in the order the ask events set them."""

    chatbot: Any
    question: Any
    asked: Any  # gr.State: the earlier questions, passed to Guide as `history`
    answers: Any  # gr.State: Answer.to_dict() of each answer of the conversation, in order
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
        self._opened = 0  # sources opened, so each opening renders afresh
        self.parts: ChatParts | None = None  # set by build()

    @staticmethod
    def message(answer: Answer, turn: int) -> str:
        """Answer `turn` of a conversation as the chat shows it, each [n] a link opening that
        source (a reopened conversation shows it the same way)."""
        return answer_as_markdown(answer, link=lambda n: f"#source-{turn}-{n}")

    def restored(self, turns: Sequence[tuple[str, dict[str, Any]]]) -> tuple[Any, ...]:
        """What `ChatParts.outputs` show for a reopened conversation of (question,
        Answer.to_dict()) turns: the exchange, its answers (whose sources open), and its
        questions as the follow-up history."""
        messages: list[dict[str, Any]] = []
        for turn, (question, answer) in enumerate(turns):
            messages.append({"role": "user", "content": md_escape(question)})
            shown = self.message(Answer.from_dict(answer), turn)
            messages.append({"role": "assistant", "content": shown})
        history = [question for question, _ in turns]
        return messages, "", history, [answer for _, answer in turns], NO_SOURCE

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

    def open_source(self, wanted: str | None, answers: list[dict[str, Any]] | None) -> str:
        """The side panel for `wanted` ("T-N": answer T of the conversation, its source [N])."""
        from assistant.ui.sources import source_panel

        turn, _, n = (wanted or "").partition("-")
        if not (turn.isdigit() and n.isdigit()) or not answers or int(turn) >= len(answers):
            return ""
        found = [c for c in answers[int(turn)]["citations"] if c["n"] == int(n)]
        if not found:
            return ""
        self._opened += 1
        label = citation_label(Citation(**found[0]))
        return source_panel(self.guide.library, found[0], label, self._opened)

    def build(self, page: Page) -> None:
        """Lay out the tab, wire its events and register what it refreshes on page load."""
        import gradio as gr

        from assistant.ui.sources import FOCUS_SOURCE_JS, SCROLL_TO_ANSWER_JS, viewer_js

        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                # no autoscroll: a long answer is shown from its start (SCROLL_TO_ANSWER_JS);
                # no share button (it posts to Hugging Face)
                chatbot = gr.Chatbot(
                    label="Conversation",
                    height=460,
                    elem_id="chat",
                    autoscroll=False,
                    buttons=["copy", "copy_all"],
                )
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
            with gr.Column(scale=2, min_width=320, elem_id="source-panel"):
                source_view = gr.HTML(NO_SOURCE, elem_id="source-view")
        # a click on an answer's [n] (sources.VIEWER_JS) presses this hidden button
        wanted = gr.Textbox(visible="hidden", elem_id="source-wanted")
        opener = gr.Button("Open the source", visible="hidden", elem_id="open-source")
        asked = gr.State([])
        answers = gr.State([])  # each answer of the conversation, as to_dict(), in order

        @logged
        def on_ask(
            text: str,
            messages: list[dict[str, Any]],
            earlier: list[str],
            shown: list[dict[str, Any]],
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
                    draft = f"{md_escape(drafted)}\n\n_Writing; every quote is checked next._"
                    draft_view = [*asked, {"role": "assistant", "content": draft}]
                    yield draft_view, "", earlier, shown, gr.update()
            except GuideError as exc:
                gr.Warning(str(exc))
                yield messages, text, earlier, shown, gr.update()
                return
            if answer is None:
                return
            if self.record is not None:
                self.record(user, text, answer.status.value)
            turn = len(shown)
            content = self.message(answer, turn)
            final = [*asked, {"role": "assistant", "content": content}]
            yield final, "", [*earlier, text], [*shown, answer.to_dict()], gr.update()

        outputs = [chatbot, question, asked, answers, source_view]
        events = tuple(
            trigger(
                on_ask,
                [question, chatbot, asked, answers, pick_docs, pick_kinds],
                outputs,
                api_visibility="private",
            ).then(None, None, None, js=SCROLL_TO_ANSWER_JS, api_visibility="private")
            for trigger in (ask_button.click, question.submit)
        )
        self.parts = ChatParts(chatbot, question, asked, answers, new_chat, events, tuple(outputs))

        @user_facing
        def on_source(
            want: str | None, conversation: list[dict[str, Any]] | None, request: gr.Request
        ) -> str:
            self.gate.require(request, "ask")
            return self.open_source(want, conversation)

        opener.click(
            on_source,
            [wanted, answers],
            source_view,
            js="(want, shown) => [window.guideSources ? window.guideSources.wanted : want, shown]",
            api_visibility="private",
        ).then(None, None, None, js=FOCUS_SOURCE_JS, api_visibility="private")
        new_chat.click(
            lambda: ([], "", [], [], NO_SOURCE),
            None,
            outputs,
            api_visibility="private",
        )
        page.on_load_js(viewer_js())

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
