"""The Evaluate tab (evaluators and admins): run a test set (bundled or uploaded) with a progress
bar, read the headline numbers and plots, download the report, and compare any two kept runs.
After a library change, one click re-runs the last run's test sets and compares with it."""

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import GuideError
from assistant.ui.access import Gate, User
from assistant.ui.page import Page, refusal_keeps, user_facing
from assistant.ui.reports import report_url
from assistant.ui.uploads import api_file, received

if TYPE_CHECKING:
    from eval.desk import EvalDesk, Outcome
    from eval.records import Comparison, EvalRun

RUN_HEADERS = ["Run", "Started", "Test sets", "Pass rate", "hit@5", "MRR", "Refused unanswerable"]
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)


def _number(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3f}"
    return str(value)


def headline_markdown(run: "EvalRun", comparison: "Comparison | None" = None) -> str:
    from eval.report import HEADLINE, fmt_delta

    meta = run.meta
    names = ", ".join(
        str(t.get("name", "")) if isinstance(t, dict) else str(t)
        for t in (meta.testsets if meta else ())
    )
    lib = meta.library if meta else {}
    lines = [
        f"#### Run {html.escape(str(run.id or ''))}: {html.escape(names)}",
        f"{run.questions} questions against {lib.get('documents', '?')} documents "
        f"({lib.get('chunks', '?')} chunks), {html.escape(meta.started_at if meta else '')}.",
        "",
        "| metric | value | 95% interval |" + (" change |" if comparison else ""),
        "|---|---|---|" + ("---|" if comparison else ""),
    ]
    for key, label in HEADLINE.items():
        ci = run.intervals.get(key)
        span = f"{ci[0]:.3f} to {ci[1]:.3f}" if ci else ""
        row = f"| {label} | {_number(run.summary.get(key))} | {span} |"
        if comparison:
            m = comparison.metrics.get(key) or {}
            delta = m.get("delta")
            mark = {"better": "better", "worse": "**worse**"}.get(m.get("direction", ""), "")
            row += f" {fmt_delta(delta, key)} {mark} |"
        lines.append(row)
    if comparison:
        lines.append(
            f"\nAgainst run {html.escape(str(comparison.previous or 'the previous run'))}: "
            f"{comparison.questions_sentence()}."
        )
    return "\n".join(lines)


def download_links(root: Path, folder: Path) -> str:
    """Links to the report in `folder` (under `root`, data_dir/eval-runs), served by the
    reports route to the roles that may evaluate (assistant.ui.reports)."""
    zip_url = html.escape(report_url(root, folder, "report.zip"), quote=True)
    page_url = html.escape(report_url(root, folder, "index.html"), quote=True)
    return (
        f'<p><a href="{zip_url}" download>Download the report (HTML and JSON, zipped)</a>'
        f' &middot; <a href="{page_url}" target="_blank" rel="noopener">Open the report '
        "page</a></p>"
    )


def report_body(index_html: Path) -> str:
    """The report page's body, to show inside the tab (its plots are inline images)."""
    text = index_html.read_text(encoding="utf-8")
    found = _BODY.search(text)
    styles = "".join(re.findall(r"<style[^>]*>.*?</style>", text, re.DOTALL | re.IGNORECASE))
    return styles + (found.group(1) if found else text)


class EvaluateTab:
    """The tab over the evaluation desk (eval.desk.EvalDesk), which does the work: the tab
    checks the caller's role, hands over only test sets this server knows, and shows the run."""

    def __init__(self, desk: "EvalDesk", gate: Gate) -> None:
        self.desk = desk
        self.gate = gate
        self.testset_picker: Any = None  # set by build(): panels that add test sets update it

    # -- actions shared by the tab and the API ------------------------------------------------
    def testset_choices(self) -> list[tuple[str, str]]:
        """(label, label): the page is given names only, never where the server keeps them."""
        return [(label, label) for label, _ in self.desk.testset_choices()]

    def add_testset(self, user: User, path: str, name: str | None = None) -> Path:
        """Validate an uploaded JSONL test set and keep it; errors name the line and field."""
        shown = self.desk.testset_name(name or path)  # before the file: its name is checked first
        return self.desk.add_testset(received(path), shown)

    def run(
        self,
        user: User,
        testsets: list[str],
        compare_with: str | None = None,
        progress: Callable[[int, int], Any] | None = None,
    ) -> "Outcome":
        paths = [self.desk.resolve(t) for t in testsets]
        previous = self.desk.load(compare_with) if compare_with else None
        return self.desk.run(
            paths, who=user.name, role=user.role.value, previous=previous, progress=progress
        )

    def rows(self, listed: list[dict[str, Any]] | None = None) -> list[list[Any]]:
        rows = []
        for r in self.desk.listing() if listed is None else listed:
            headline = r.get("metrics") or {}
            rows.append(
                [
                    r.get("id", ""),
                    str(r.get("started_at", "")).replace("T", " ")[:16],
                    ", ".join(
                        t if isinstance(t, str) else t.get("name", "")
                        for t in r.get("testsets", [])
                    ),
                    _number(headline.get("pass_rate")),
                    _number(headline.get("hit@5")),
                    _number(headline.get("mrr")),
                    _number(headline.get("abstention_accuracy")),
                ]
            )
        return rows

    # -- the tab -------------------------------------------------------------------------------
    def build(self, page: Page) -> None:
        """Lay out the tab, wire its events and register what it refreshes on page load."""
        import gradio as gr

        moved = gr.Markdown(elem_id="eval-moved")
        with gr.Row():
            pick = gr.Dropdown(
                label="Test sets",
                choices=self.testset_choices(),
                multiselect=True,
                elem_id="eval-testsets",
            )
            upload = gr.File(
                label="Upload a test set (.jsonl)", file_types=[".jsonl"], elem_id="eval-upload"
            )
        with gr.Row():
            run_button = gr.Button("Run", variant="primary", elem_id="eval-run")
            rerun_button = gr.Button("Re-run the last run and compare", elem_id="eval-rerun")
        headline = gr.Markdown(elem_id="eval-headline")
        download = gr.HTML(elem_id="eval-download")
        with gr.Accordion("Runs", open=True):
            runs = gr.Dataframe(headers=RUN_HEADERS, interactive=False, elem_id="eval-runs")
            with gr.Row():
                first = gr.Dropdown(label="Earlier run", choices=[], elem_id="eval-first")
                second = gr.Dropdown(label="Later run", choices=[], elem_id="eval-second")
                compare_button = gr.Button("Compare", elem_id="eval-compare")
        report = gr.HTML(elem_id="eval-report")
        self.testset_picker = pick

        def refreshed() -> tuple[Any, ...]:
            """The runs table, both run pickers and the has-the-library-moved line."""
            listed = self.desk.listing()  # reads every kept run: once
            ids = gr.update(choices=[r["id"] for r in listed])
            return self.rows(listed), ids, ids, self.desk.library_moved(listed).sentence()

        def finish(out: "Outcome") -> tuple[Any, ...]:
            return (
                headline_markdown(out.run, out.comparison),
                download_links(self.desk.store.root, out.folder),
                report_body(out.report),
                *refreshed(),
            )

        outputs = [headline, download, report, runs, first, second, moved]

        @refusal_keeps(len(outputs))
        def on_run(
            chosen: list[str] | None,
            request: gr.Request,
            progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's injection idiom)
        ) -> tuple[Any, ...]:
            user = self.gate.require(request, "run_evaluations")
            out = self.run(
                user,
                list(chosen or []),
                progress=lambda n, total: progress((n, total), desc="questions"),
            )
            return finish(out)

        @refusal_keeps(len(outputs))
        def on_rerun(
            request: gr.Request,
            progress: gr.Progress = gr.Progress(),  # noqa: B008
        ) -> tuple[Any, ...]:
            user = self.gate.require(request, "run_evaluations")
            listed = self.desk.listing()
            if not listed:
                raise GuideError("There is no earlier run to repeat; run a test set first.")
            out = self.run(
                user,
                listed[0]["testsets"],
                compare_with=listed[0]["id"],
                progress=lambda n, total: progress((n, total), desc="questions"),
            )
            return finish(out)

        @refusal_keeps(1)
        def on_upload(path: str | None, request: gr.Request) -> Any:
            user = self.gate.require(request, "run_evaluations")
            if not path:
                return gr.update()
            kept = self.add_testset(user, path)
            gr.Info(f"Test set {kept.name} checked and added.")
            label = next(label for label, p in self.desk.testset_choices() if p == str(kept))
            return gr.update(choices=self.testset_choices(), value=[label])

        @refusal_keeps(3)
        def on_compare(a: str | None, b: str | None, request: gr.Request) -> tuple[Any, ...]:
            self.gate.require(request, "run_evaluations")
            later, comparison, index = self.desk.compared_report(a or "", b or "")
            return (
                headline_markdown(later, comparison),
                download_links(self.desk.store.root, index.parent),
                report_body(index),
            )

        run_button.click(
            on_run,
            [pick],
            outputs,
            api_visibility="private",
            concurrency_id="evaluations",
            concurrency_limit=1,
        )
        rerun_button.click(
            on_rerun, None, outputs, api_visibility="private", concurrency_id="evaluations"
        )
        upload.upload(on_upload, [upload], [pick], api_visibility="private")
        compare_button.click(
            on_compare, [first, second], [headline, download, report], api_visibility="private"
        )

        def on_load(user: User) -> tuple[Any, ...]:
            if not user.can("run_evaluations"):
                return (gr.update(),) * 5
            return (*refreshed(), gr.update(choices=self.testset_choices()))

        page.on_load([runs, first, second, moved, pick], on_load)

    # -- the API -------------------------------------------------------------------------------
    def endpoints(self) -> None:
        """The same actions as API endpoints, with the same role checks."""
        import gradio as gr
        from gradio.data_classes import FileData

        @user_facing
        def api_eval_testsets(request: gr.Request) -> dict[str, Any]:
            """The test sets an evaluator can run: bundled and uploaded."""
            self.gate.require(request, "run_evaluations")
            return {"testsets": [name for name, _ in self.testset_choices()]}

        @user_facing
        def api_eval_run(
            testsets: list[str], request: gr.Request, compare_with: str = ""
        ) -> dict[str, Any]:
            """Run test sets (by name, e.g. "mutuals-guide.jsonl"); optionally compare with an
            earlier run id. Returns the run (summary, intervals, by_type, items) and comparison."""
            user = self.gate.require(request, "run_evaluations")
            out = self.run(user, testsets, compare_with or None)
            # no report path: a server detail; the Evaluate tab offers the download
            return {
                "run": out.run.to_dict(),
                "comparison": out.comparison.to_dict() if out.comparison else None,
            }

        @user_facing
        def api_eval_add_testset(file: FileData, request: gr.Request) -> dict[str, Any]:
            """Add a JSONL test set (checked first; errors name the line and field)."""
            user = self.gate.require(request, "run_evaluations")
            found = api_file(file)
            if found is None:
                raise GuideError("Choose a .jsonl test set to upload.")
            kept = self.add_testset(user, *found)
            return {"testset": kept.name}

        @user_facing
        def api_eval_runs(request: gr.Request) -> dict[str, Any]:
            """The kept runs, newest first."""
            self.gate.require(request, "run_evaluations")
            return {"runs": self.desk.listing()}

        @user_facing
        def api_eval_compare(first: str, second: str, request: gr.Request) -> dict[str, Any]:
            """What changed from run `first` to run `second`."""
            self.gate.require(request, "run_evaluations")
            return {"comparison": self.desk.compare(first, second)[1].to_dict()}

        gr.api(api_eval_testsets, api_name="eval_testsets")
        gr.api(api_eval_run, api_name="eval_run", concurrency_id="evaluations", concurrency_limit=1)
        gr.api(api_eval_add_testset, api_name="eval_add_testset")
        gr.api(api_eval_runs, api_name="eval_runs")
        gr.api(api_eval_compare, api_name="eval_compare")
