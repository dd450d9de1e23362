"""In the Evaluate tab (evaluators and admins): officers' feedback on answers, and turning one
item into a test question in one step. The question and reference answer come prefilled from
what was asked and answered (both editable); the gold pages are picked from the answer's own
citations. The question is appended to the feedback test set (eval/feedback_set.py), which the
tab's test-set picker and `guide eval run --testset` can run."""

import html
from typing import TYPE_CHECKING, Any

from assistant.audit import AuditAction, AuditLog
from assistant.errors import GuideError
from assistant.feedback import FeedbackItem, FeedbackStore, as_test_question
from assistant.render import citation_label, md_escape
from assistant.types import Answer
from assistant.ui.access import Gate, User
from assistant.ui.page import Page, user_facing

if TYPE_CHECKING:
    from eval.desk import EvalDesk

FEEDBACK_HEADERS = ["#", "When", "Who", "Helpful?", "Comment", "Question", "Test question"]


def feedback_rows(items: list[FeedbackItem]) -> list[list[str]]:
    return [
        [
            str(i.id),
            i.at.replace("T", " ")[:16],
            i.who,
            "helpful" if i.helpful else "not helpful",
            i.comment,
            i.question,
            i.test_id or "",
        ]
        for i in items
    ]


def source_choices(item: FeedbackItem) -> list[tuple[str, str]]:
    """(label, n) for each citation of the answer: what the gold pages are picked from."""
    cited = Answer.from_dict(item.answer).citations
    return [(f"[{c.n}] {citation_label(c)}", str(c.n)) for c in cited]


def item_html(item: FeedbackItem) -> str:
    """The feedback and the answer it is about, every word of it escaped."""
    answer = Answer.from_dict(item.answer)
    verdict = "Helpful" if item.helpful else "Not helpful"
    sources = "".join(
        f"<li>[{c.n}] {html.escape(citation_label(c))}: \u201c{html.escape(c.quote)}\u201d</li>"
        for c in answer.citations
    )
    comment = f"<p><b>Comment:</b> {html.escape(item.comment)}</p>" if item.comment else ""
    searched = (
        f"<p>Searched as: {html.escape(answer.search_query)}</p>"
        if answer.search_query and answer.search_query != item.question
        else ""
    )
    return (
        f"<div class='guide-feedback'><p><b>{verdict}</b>, from {html.escape(item.who)} on "
        f"{html.escape(item.at.replace('T', ' ')[:16])} (library generation "
        f"{html.escape(item.generation)}).</p>{comment}"
        f"<p><b>Question:</b> {html.escape(item.question)}</p>{searched}"
        f"<p><b>Answer ({html.escape(answer.status.value)}):</b></p>"
        f"<p style='white-space: pre-wrap'>{html.escape(answer.text)}</p>"
        f"<ol style='list-style: none'>{sources}</ol></div>"
    )


class FeedbackPanel:
    def __init__(self, store: FeedbackStore, desk: "EvalDesk", gate: Gate, audit: AuditLog) -> None:
        self.store = store
        self.desk = desk
        self.gate = gate
        self.audit = audit

    def choices(self) -> list[tuple[str, str]]:
        return [
            (
                f"#{i.id} ({'helpful' if i.helpful else 'not helpful'}, {i.who}): "
                f"{i.question[:70]}",
                str(i.id),
            )
            for i in self.store.items()
        ]

    def make_test_question(
        self,
        user: User,
        feedback_id: int,
        question: str,
        reference: str,
        gold: list[int],
        answerable: bool = True,
    ) -> str:
        """Append the test question made from feedback `feedback_id`; returns its id."""
        item = self.store.get(feedback_id)
        record = as_test_question(item, question, reference, gold, answerable)
        made = self.desk.add_feedback_question(record)
        self.store.mark_used(item.id, made.id)
        self.audit.record(
            user.name,
            AuditAction.FEEDBACK_TO_TEST,
            {"feedback": item.id, "test_id": made.id, "testset": self.desk.from_feedback.name},
            "added",
            role=user.role.value,
        )
        return made.id

    def build(self, page: Page, testsets: Any) -> None:
        """Lay out the panel; `testsets` is the Evaluate tab's test-set picker, which is given
        the feedback test set once a question is added to it."""
        import gradio as gr

        with gr.Accordion("Feedback on answers", open=True):
            table = gr.Dataframe(
                headers=FEEDBACK_HEADERS, interactive=False, elem_id="feedback-table"
            )
            pick = gr.Dropdown(
                label="Turn feedback into a test question", choices=[], elem_id="feedback-pick"
            )
            shown = gr.HTML(elem_id="feedback-answer")
            question = gr.Textbox(label="Test question", elem_id="feedback-question")
            reference = gr.Textbox(
                label="Reference answer (prefilled with the answer given; edit it to what the "
                "answer should say)",
                lines=4,
                elem_id="feedback-reference",
            )
            gold = gr.CheckboxGroup(
                label="Gold pages: tick the sources whose page holds the answer",
                choices=[],
                elem_id="feedback-gold",
            )
            unanswerable = gr.Checkbox(
                label="The library cannot answer this: the right answer is to say so",
                elem_id="feedback-unanswerable",
            )
            add = gr.Button(
                "Add to the feedback test set", variant="primary", elem_id="feedback-add"
            )
            added = gr.Markdown(elem_id="feedback-added")

        @user_facing
        def on_pick(chosen: str | None, request: gr.Request) -> tuple[Any, ...]:
            self.gate.require(request, "run_evaluations")
            if not chosen:
                return "", "", "", gr.update(choices=[], value=[]), False, ""
            item = self.store.get(int(chosen))
            return (
                item_html(item),
                item.question,
                str(item.answer.get("answer", "")),
                gr.update(choices=source_choices(item), value=[]),
                False,
                "",
            )

        pick.change(
            on_pick,
            [pick],
            [shown, question, reference, gold, unanswerable, added],
            api_visibility="private",
        )

        @user_facing
        def on_add(
            chosen: str | None,
            asked: str,
            answer: str,
            picked: list[str] | None,
            cannot: bool,
            request: gr.Request,
        ) -> tuple[Any, ...]:
            user = self.gate.require(request, "run_evaluations")
            if not chosen:
                raise GuideError("Choose the feedback to turn into a test question first.")
            made = self.make_test_question(
                user, int(chosen), asked, answer, [int(n) for n in picked or []], not cannot
            )
            name = self.desk.from_feedback.name
            return (
                f"Added test question **{md_escape(made)}** to **{md_escape(name)}**; it is "
                "chosen in the test-set picker above, ready to run.",
                feedback_rows(self.store.items()),
                gr.update(
                    choices=self.desk.testset_choices(), value=[str(self.desk.from_feedback)]
                ),
            )

        add.click(
            on_add,
            [pick, question, reference, gold, unanswerable],
            [added, table, testsets],
            api_visibility="private",
        )

        def on_load(user: User) -> tuple[Any, Any]:
            if not user.can("run_evaluations"):
                return gr.update(), gr.update()
            return feedback_rows(self.store.items()), gr.update(choices=self.choices())

        page.on_load([table, pick], on_load)

    def endpoints(self) -> None:
        import gradio as gr

        @user_facing
        def api_feedback(request: gr.Request, limit: int = 200) -> dict[str, Any]:
            """Everyone's feedback on answers, newest first (evaluators and admins)."""
            self.gate.require(request, "run_evaluations")
            return {"feedback": [i.to_dict() for i in self.store.items(limit)]}

        @user_facing
        def api_feedback_to_test(
            feedback_id: int,
            question: str,
            reference_answer: str,
            gold: list[int],
            request: gr.Request,
            answerable: bool = True,
        ) -> dict[str, Any]:
            """Append a test question made from feedback to the feedback test set: `gold`
            numbers the answer's citations whose pages hold the answer."""
            user = self.gate.require(request, "run_evaluations")
            made = self.make_test_question(
                user, int(feedback_id), question, reference_answer, list(gold or []), answerable
            )
            return {"id": made, "testset": self.desk.from_feedback.name}

        gr.api(api_feedback, api_name="feedback")
        gr.api(api_feedback_to_test, api_name="feedback_to_test")
