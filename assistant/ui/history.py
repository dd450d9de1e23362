"""Saved conversations and feedback in the Ask tab, and the retention period in the Admin tab.

Every answer the chat gives is saved to the asker's conversation (assistant.conversations) right
after it is shown; the list below the chat reopens one (the exchange, its sources and the
follow-up context come back), renames or deletes it. Under the answer, the asker can say whether
it helped and add a comment (assistant.feedback); feedback is about the open conversation's last
answer as the server saved it, never an answer a client sends.

Who owns a conversation is always the signed-in user of the request (`Gate.require`); the open
conversation is server-side session state.
"""

# No `from __future__ import annotations` here: Gradio reads the handlers' type hints at runtime.
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from assistant.audit import AuditAction, AuditLog
from assistant.conversations import ConversationStore
from assistant.errors import GuideError
from assistant.feedback import FeedbackStore
from assistant.guide import Guide
from assistant.render import md_escape
from assistant.retrieval import SearchFilters
from assistant.ui.access import Gate, User
from assistant.ui.chat import ChatTab
from assistant.ui.page import Page, user_facing

HELPFUL, NOT_HELPFUL = "Helpful", "Not helpful"
F = TypeVar("F", bound=Callable[..., Any])


def noted(count: int, note_at: int) -> Callable[[F], F]:
    """A tab handler with `count` outputs whose GuideError is shown as a warning and written in
    output `note_at`, the other outputs left as they were. (A raised gr.Error would lay an error
    overlay over the very controls the person needs to put it right, such as the delete
    confirmation.)"""

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            import gradio as gr

            try:
                return func(*args, **kwargs)
            except GuideError as exc:
                gr.Warning(str(exc))
                kept: list[Any] = [gr.update()] * count
                kept[note_at] = md_escape(str(exc))
                return tuple(kept)

        return wrapper  # type: ignore[return-value]

    return decorate


def _label(summary: Any) -> str:
    when = summary.updated_at.replace("T", " ")[:16]
    count = f"{summary.turns} question" + ("" if summary.turns == 1 else "s")
    return f"{summary.title} \u00b7 {when} \u00b7 {count}"


class HistoryPanel:
    """The conversation list and the feedback controls of the Ask tab, and their API."""

    def __init__(
        self,
        guide: Guide,
        gate: Gate,
        conversations: ConversationStore,
        feedback: FeedbackStore,
        record: Callable[[User, str, str], None] | None = None,
    ) -> None:
        self.guide = guide
        self.gate = gate
        self.conversations = conversations
        self.feedback = feedback
        self.record = record  # audits each question asked through the API

    # -- actions shared by the tab and the API ------------------------------------------------
    def choices(self, user: User) -> list[tuple[str, str]]:
        return [(_label(s), s.id) for s in self.conversations.conversations(user.name)]

    def save(
        self, user: User, conversation_id: str | None, question: str, answer: dict[str, Any]
    ) -> tuple[str, int]:
        generation = self.guide.library.generation()
        return self.conversations.add_turn(user.name, conversation_id, question, answer, generation)

    def give_feedback(
        self, user: User, conversation_id: str, turn: int | None, helpful: bool, comment: str
    ) -> int:
        """Feedback on turn `turn` (None: the last) of one of the user's conversations."""
        conversation = self.conversations.get(user.name, conversation_id)
        chosen = [t for t in conversation.turns if turn is None or t.n == turn]
        if not chosen:
            raise GuideError(f"That conversation has no question {turn}.")
        t = chosen[-1]
        item = self.feedback.add(
            user.name,
            user.role.value,
            helpful,
            comment,
            t.question,
            t.answer,
            t.generation,
            conversation.id,
            t.n,
        )
        return item.id

    # -- the tab -------------------------------------------------------------------------------
    def build(self, page: Page, chat: ChatTab) -> None:
        """Lay out the feedback controls and the conversation list below the chat, and chain
        saving after each of the chat's ask events."""
        import gradio as gr

        parts = chat.parts
        if parts is None:
            raise RuntimeError("build the chat before its history panel")
        with gr.Group(elem_id="feedback"):
            with gr.Row(equal_height=True):
                rating = gr.Radio(
                    [HELPFUL, NOT_HELPFUL],
                    label="Was the last answer helpful?",
                    elem_id="fb-rating",
                    scale=2,
                )
                comment = gr.Textbox(
                    label="Comment (optional)",
                    placeholder="What was missing or wrong?",
                    max_length=2000,
                    elem_id="fb-comment",
                    scale=4,
                )
                send = gr.Button("Send feedback", elem_id="fb-send", scale=1)
            sent = gr.Markdown(elem_id="fb-status")
        with gr.Accordion("Your conversations", open=True):
            listed = gr.Radio(
                label="Saved conversations, most recent first: choose one to reopen it",
                choices=[],
                elem_id="conversations",
            )
            with gr.Row(equal_height=True):
                title = gr.Textbox(
                    label="Name of the chosen conversation", max_length=120, elem_id="conv-title"
                )
                rename = gr.Button("Rename", elem_id="conv-rename", scale=0, min_width=100)
                sure = gr.Checkbox(
                    label="Yes, delete it", elem_id="conv-confirm", scale=0, min_width=140
                )
                delete = gr.Button(
                    "Delete", variant="stop", elem_id="conv-delete", scale=0, min_width=100
                )
            note = gr.Markdown(elem_id="conv-status")
        # the open conversation: {"id", "turns"} or None; server-side session state
        current = gr.State(None)
        cleared_feedback = (gr.update(value=None), "", "")

        def on_answered(
            state: dict[str, Any] | None,
            history: list[str],
            answers: list[dict[str, Any]] | None,
            request: gr.Request,
        ) -> tuple[Any, ...]:
            unchanged = (gr.update(),) * 5
            answer = answers[-1] if answers else None
            try:
                user = self.gate.require(request, "ask")
                saved = int(state["turns"]) if state else 0
                # a refused question adds nothing to the history: then there is nothing to save
                if answer is None or len(history) != saved + 1:
                    return unchanged
                if str(answer.get("question", "")).strip() != history[-1].strip():
                    return unchanged
                cid, n = self.save(user, state["id"] if state else None, history[-1], answer)
            except GuideError as exc:
                gr.Warning(f"The answer is shown but was not saved: {exc}")
                return unchanged
            return (
                {"id": cid, "turns": n},
                gr.update(choices=self.choices(user), value=cid),
                *cleared_feedback,
            )

        for event in parts.asked_events:
            event.then(
                on_answered,
                [current, parts.asked, parts.answers],
                [current, listed, rating, comment, sent],
                api_visibility="private",
            )
        parts.new_chat.click(
            lambda: (None, gr.update(value=None), "", "", *cleared_feedback),
            None,
            [current, listed, title, note, rating, comment, sent],
            api_visibility="private",
        )

        shown_count = len(parts.outputs)

        @noted(shown_count + 6, shown_count + 2)
        def on_open(cid: str | None, request: gr.Request) -> tuple[Any, ...]:
            user = self.gate.require(request, "ask")
            if not cid:
                return (gr.update(),) * (len(parts.outputs) + 3) + cleared_feedback
            conversation = self.conversations.get(user.name, cid)
            shown = chat.restored([(t.question, t.answer) for t in conversation.turns])
            state = {"id": conversation.id, "turns": len(conversation.turns)}
            return (*shown, state, conversation.title, "", *cleared_feedback)

        listed.input(
            on_open,
            [listed],
            [*parts.outputs, current, title, note, rating, comment, sent],
            api_visibility="private",
        )

        @noted(3, 2)
        def on_rename(cid: str | None, name: str, request: gr.Request) -> tuple[Any, ...]:
            user = self.gate.require(request, "ask")
            if not cid:
                raise GuideError("Choose a conversation in the list first.")
            kept = self.conversations.rename(user.name, cid, name)
            return (
                gr.update(choices=self.choices(user), value=cid),
                kept,
                f"Renamed to \u201c{md_escape(kept)}\u201d.",
            )

        rename.click(on_rename, [listed, title], [listed, title, note], api_visibility="private")
        title.submit(on_rename, [listed, title], [listed, title, note], api_visibility="private")

        @noted(shown_count + 5, shown_count + 3)
        def on_delete(
            cid: str | None, state: dict[str, Any] | None, confirmed: bool, request: gr.Request
        ) -> tuple[Any, ...]:
            user = self.gate.require(request, "ask")
            if not cid:
                raise GuideError("Choose a conversation in the list first.")
            if not confirmed:
                raise GuideError(
                    "Tick \u201cYes, delete it\u201d first: a deleted conversation is gone."
                )
            gone = self.conversations.get(user.name, cid).title
            self.conversations.delete(user.name, cid)
            said = f"Deleted \u201c{md_escape(gone)}\u201d."
            listing = gr.update(choices=self.choices(user), value=None)
            if state and state.get("id") == cid:  # it was open: clear the chat too
                return (*chat.restored([]), None, listing, "", said, False)
            return (*(gr.update(),) * len(parts.outputs), state, listing, "", said, False)

        delete.click(
            on_delete,
            [listed, current, sure],
            [*parts.outputs, current, listed, title, note, sure],
            api_visibility="private",
        )

        @noted(2, 1)
        def on_feedback(
            state: dict[str, Any] | None, choice: str | None, text: str, request: gr.Request
        ) -> tuple[Any, ...]:
            user = self.gate.require(request, "ask")
            if not state:
                raise GuideError("Ask a question first: feedback is about the last answer.")
            if choice not in (HELPFUL, NOT_HELPFUL):
                raise GuideError("Choose Helpful or Not helpful first.")
            self.give_feedback(user, state["id"], None, choice == HELPFUL, text)
            return (
                gr.update(),
                "Thank you: your feedback on the last answer was saved. Evaluators read it to "
                "improve the library's tests.",
            )

        send.click(
            on_feedback, [current, rating, comment], [comment, sent], api_visibility="private"
        )

        def on_load(user: User) -> tuple[Any]:
            if not user.can("ask"):
                return (gr.update(),)
            return (gr.update(choices=self.choices(user), value=None),)

        page.on_load([listed], on_load)

    # -- the API -------------------------------------------------------------------------------
    def endpoints(self) -> None:
        import gradio as gr

        @user_facing
        def api_conversations(request: gr.Request) -> dict[str, Any]:
            """Your saved conversations, most recently used first."""
            user = self.gate.require(request, "ask")
            found = self.conversations.conversations(user.name)
            return {"conversations": [s.to_dict() for s in found]}

        @user_facing
        def api_conversation(conversation_id: str, request: gr.Request) -> dict[str, Any]:
            """One of your conversations: every question and the answer it got."""
            user = self.gate.require(request, "ask")
            return self.conversations.get(user.name, conversation_id).to_dict()

        @user_facing
        def api_ask_in_conversation(
            question: str, request: gr.Request, conversation_id: str = ""
        ) -> dict[str, Any]:
            """Ask within one of your conversations (its earlier questions are the follow-up
            context) or, with no id, start a new one; the answer is saved to it."""
            user = self.gate.require(request, "ask")
            history: tuple[str, ...] = ()
            if conversation_id:
                history = self.conversations.get(user.name, conversation_id).history
            answer = self.guide.ask(ChatTab.check(question), history, SearchFilters())
            if self.record is not None:
                self.record(user, question, answer.status.value)
            data = answer.to_dict()
            cid, n = self.save(user, conversation_id or None, answer.question, data)
            return {"conversation_id": cid, "turn": n, "answer": data}

        @user_facing
        def api_rename_conversation(
            conversation_id: str, title: str, request: gr.Request
        ) -> dict[str, Any]:
            """Rename one of your conversations."""
            user = self.gate.require(request, "ask")
            return {"title": self.conversations.rename(user.name, conversation_id, title)}

        @user_facing
        def api_delete_conversation(conversation_id: str, request: gr.Request) -> dict[str, Any]:
            """Delete one of your conversations."""
            user = self.gate.require(request, "ask")
            self.conversations.delete(user.name, conversation_id)
            return {"deleted": conversation_id}

        @user_facing
        def api_give_feedback(
            conversation_id: str,
            helpful: bool,
            request: gr.Request,
            comment: str = "",
            turn: int = 0,
        ) -> dict[str, Any]:
            """Say whether an answer in one of your conversations helped (`turn`: its number,
            0 for the last), with an optional comment."""
            user = self.gate.require(request, "ask")
            if not isinstance(helpful, bool):
                raise GuideError("Say whether the answer was helpful: true or false.")
            made = self.give_feedback(user, conversation_id, turn or None, helpful, comment)
            return {"feedback": made}

        gr.api(api_conversations, api_name="conversations")
        gr.api(api_conversation, api_name="conversation")
        gr.api(api_ask_in_conversation, api_name="ask_in_conversation")
        gr.api(api_rename_conversation, api_name="rename_conversation")
        gr.api(api_delete_conversation, api_name="delete_conversation")
        gr.api(api_give_feedback, api_name="give_feedback")


class RetentionPanel:
    """In the Admin tab: how long saved conversations are kept (admins only; audited)."""

    def __init__(self, gate: Gate, conversations: ConversationStore, audit: AuditLog) -> None:
        self.gate = gate
        self.conversations = conversations
        self.audit = audit

    def set_days(self, admin: User, days: Any) -> int:
        """Set the retention period; returns how many conversations it purged."""
        purged = self.conversations.set_retention_days(days)
        self.audit.record(
            admin.name,
            AuditAction.CONVERSATION_RETENTION,
            {"days": int(days)},
            f"{purged} purged",
            role=admin.role.value,
        )
        return purged

    @staticmethod
    def sentence(days: int) -> str:
        if days == 0:
            return "Saved conversations are kept until their owner deletes them."
        return (
            f"Saved conversations are deleted {days} days after they were last used "
            "(feedback given on an answer is kept)."
        )

    def build(self, page: Page) -> None:
        import gradio as gr

        with gr.Accordion("Saved conversations", open=True):
            with gr.Row(equal_height=True):
                days = gr.Number(
                    label="Keep conversations for (days; 0 keeps them until deleted)",
                    precision=0,
                    minimum=0,
                    elem_id="retention-days",
                )
                save = gr.Button("Save", elem_id="retention-save", scale=0, min_width=100)
            said = gr.Markdown(elem_id="retention-status")

        @user_facing
        def on_save(value: float | None, request: gr.Request) -> tuple[Any, str]:
            admin = self.gate.require(request, "manage_users")
            if value is None:
                raise GuideError("Give the number of days to keep conversations (0: keep them).")
            purged = self.set_days(admin, value)
            kept = self.conversations.retention_days()
            return kept, f"{self.sentence(kept)} {purged} older conversations were deleted now."

        save.click(on_save, [days], [days, said], api_visibility="private")

        def on_load(user: User) -> tuple[Any, Any]:
            if not user.can("manage_users"):
                return gr.update(), gr.update()
            kept = self.conversations.retention_days()
            return kept, self.sentence(kept)

        page.on_load([days, said], on_load)

    def endpoints(self) -> None:
        import gradio as gr

        @user_facing
        def api_conversation_retention(request: gr.Request, days: int = -1) -> dict[str, Any]:
            """How many days saved conversations are kept (admins only); give `days` (0: until
            deleted) to change it."""
            admin = self.gate.require(request, "manage_users")
            purged = 0 if days == -1 else self.set_days(admin, days)
            return {"days": self.conversations.retention_days(), "purged": purged}

        gr.api(api_conversation_retention, api_name="conversation_retention")
