"""The Evaluate tab (evaluators and admins): run a test set (bundled or uploaded) with a progress
bar, read the headline numbers and plots, download the report, and compare any two kept runs.
After a library change, one click re-runs the last run's test sets and compares with it."""

import html
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.audit import AuditAction
from assistant.errors import GuideError
from assistant.guide import Guide
from assistant.ui.access import Gate, User
from assistant.ui.uploads import received

HEADLINE = [
    ("hit@5", "gold page in the top 5"),
    ("mrr", "MRR"),
    ("answers_citing_gold", "answers citing a gold page"),
    ("citations_verified", "citations verified"),
    ("key_fact_recall", "key-fact recall"),
    ("abstention_accuracy", "unanswerable questions refused"),
    ("false_refusal_rate", "answerable questions refused"),
    ("latency_p95_ms", "latency p95 (ms)"),
]
RUN_HEADERS = ["Run", "Started", "Test sets", "Pass rate", "hit@5", "MRR", "Refused unanswerable"]
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)


def _number(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3f}"
    return str(value)


def headline_markdown(run: dict[str, Any], comparison: dict[str, Any] | None = None) -> str:
    summary = run.get("summary", {})
    intervals = run.get("intervals", {})
    meta = run.get("run", {})
    names = ", ".join(t["name"] for t in meta.get("testsets", []))
    lib = meta.get("library", {})
    lines = [
        f"#### Run {html.escape(str(meta.get('id', '')))}: {html.escape(names)}",
        f"{summary.get('questions', 0)} questions against {lib.get('documents', '?')} documents "
        f"({lib.get('chunks', '?')} chunks), {html.escape(str(meta.get('started_at', '')))}.",
        "",
        "| metric | value | 95% interval |" + (" change |" if comparison else ""),
        "|---|---|---|" + ("---|" if comparison else ""),
    ]
    moved = (comparison or {}).get("metrics", {})
    for key, label in HEADLINE:
        ci = intervals.get(key)
        span = f"{ci[0]:.3f} to {ci[1]:.3f}" if ci else ""
        row = f"| {label} | {_number(summary.get(key))} | {span} |"
        if comparison:
            m = moved.get(key) or {}
            delta = m.get("delta")
            mark = {"better": "better", "worse": "**worse**"}.get(m.get("direction", ""), "")
            row += f" {'' if delta is None else f'{delta:+.3f}'} {mark} |"
        lines.append(row)
    if comparison:
        items = comparison.get("items", {})
        lines.append(
            f"\nAgainst run {html.escape(str(comparison.get('previous_id', 'the previous run')))}: "
            f"{len(items.get('newly_failing', []))} questions now fail, "
            f"{len(items.get('newly_passing', []))} now pass, "
            f"{len(items.get('changed', []))} answers changed."
        )
    return "\n".join(lines)


def zipped(folder: Path) -> Path:
    """The run's report files in one zip beside them, for download."""
    target = folder / "report.zip"
    if not target.exists():
        import zipfile

        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in ("index.html", "report.json", "comparison.json"):
                if (folder / name).exists():
                    archive.write(folder / name, name)
    return target


def report_body(index_html: Path) -> str:
    """The report page's body, to show inside the tab (its plots are inline images)."""
    text = index_html.read_text(encoding="utf-8")
    found = _BODY.search(text)
    styles = "".join(re.findall(r"<style[^>]*>.*?</style>", text, re.DOTALL | re.IGNORECASE))
    return styles + (found.group(1) if found else text)


class EvaluateTab:
    def __init__(self, guide: Guide, gate: Gate) -> None:
        from eval.service import store

        self.guide = guide
        self.gate = gate
        self.runs = store(guide.settings)
        self.uploads = guide.settings.data_dir / "eval-testsets"

    # -- actions shared by the tab and the API ------------------------------------------------
    def testset_choices(self) -> list[tuple[str, str]]:
        from eval.service import bundled_testsets

        bundled = [(f"{p.name} (bundled)", str(p)) for p in bundled_testsets()]
        uploaded = (
            [(f"{p.name} (uploaded)", str(p)) for p in sorted(self.uploads.glob("*.jsonl"))]
            if self.uploads.is_dir()
            else []
        )
        return bundled + uploaded

    def add_testset(self, user: User, path: str, name: str | None = None) -> Path:
        """Validate an uploaded JSONL test set and keep it; errors name the line and field."""
        from eval.testset import load_testset

        shown = Path(name or path).name
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.jsonl", shown):
            raise GuideError(
                "A test set must be a .jsonl file named with letters, digits, '.', '-' or '_'."
            )
        source = received(path)
        load_testset(source, shown=shown)
        self.uploads.mkdir(parents=True, exist_ok=True)
        target = self.uploads / shown
        shutil.copyfile(source, target)
        return target

    def resolve(self, testset: str) -> Path:
        """Only bundled or uploaded test sets can be run: a path from a caller is never trusted."""
        allowed = {value: Path(value) for _, value in self.testset_choices()}
        by_name = {Path(v).name: Path(v) for v in allowed}
        chosen = allowed.get(testset) or by_name.get(Path(testset).name)
        if chosen is None:
            raise GuideError(
                f"No test set called {testset!r}; choose a bundled one or upload a .jsonl file."
            )
        return chosen

    def run(
        self,
        user: User,
        testsets: list[str],
        compare_with: str | None = None,
        progress: Callable[[int, int], Any] | None = None,
    ) -> dict[str, Any]:
        from eval.compare import compare
        from eval.service import evaluate
        from eval.testset import load_testsets

        paths = [self.resolve(t) for t in testsets]
        if not paths:
            raise GuideError("Choose a test set first.")
        total = len(load_testsets(paths))
        done = {"n": 0}

        def tick() -> None:
            done["n"] += 1
            if progress is not None:
                progress(done["n"], total)

        run = evaluate(self.guide, paths, progress=tick, who=user.name)
        previous = self.runs.load(compare_with) if compare_with else None
        comparison = compare(run, previous) if previous else None
        if comparison is not None and previous is not None:
            comparison["previous_id"] = previous.get("run", {}).get("id", compare_with)
        kept = self.runs.save(run, comparison)
        self.gate.audit.record(
            user.name,
            AuditAction.EVAL_RUN,
            {"testsets": [p.name for p in paths], "run": kept.name},
            f"{run['summary'].get('questions', 0)} questions",
            role=user.role.value,
        )
        return {"run": run, "comparison": comparison, "report": str(kept / "index.html")}

    def compare_runs(self, first: str, second: str) -> dict[str, Any]:
        """What changed from run `first` (earlier) to run `second` (later)."""
        from eval.compare import compare

        if not first or not second:
            raise GuideError("Choose two runs to compare.")
        earlier, later = self.runs.load(first), self.runs.load(second)
        comparison = compare(later, earlier)
        comparison["previous_id"] = first
        return {"run": later, "comparison": comparison}

    def listing(self) -> list[dict[str, Any]]:
        # no "path" key: it is a server detail, and gradio_client would try to download it
        return [{k: v for k, v in r.items() if k != "path"} for r in self.runs.list()]

    def rows(self, listed: list[dict[str, Any]] | None = None) -> list[list[Any]]:
        rows = []
        for r in self.listing() if listed is None else listed:
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

    def library_moved(self, listed: list[dict[str, Any]] | None = None) -> str:
        """A line saying whether the library changed since the last run."""
        runs = self.listing() if listed is None else listed
        if not runs:
            return "No runs yet: run the bundled test set to get a baseline."
        then = runs[0].get("library", {}).get("generation")
        now = self.guide.library.generation()
        if then == now:
            return f"The library has not changed since the last run ({runs[0]['id']})."
        return (
            f"**The library has changed since the last run ({runs[0]['id']}).** Re-run it to "
            "see whether the results moved."
        )

    # -- the tab -------------------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
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
        download = gr.File(label="Report (HTML and JSON, zipped)", elem_id="eval-download")
        with gr.Accordion("Runs", open=True):
            runs = gr.Dataframe(headers=RUN_HEADERS, interactive=False, elem_id="eval-runs")
            with gr.Row():
                first = gr.Dropdown(label="Earlier run", choices=[], elem_id="eval-first")
                second = gr.Dropdown(label="Later run", choices=[], elem_id="eval-second")
                compare_button = gr.Button("Compare", elem_id="eval-compare")
        report = gr.HTML(elem_id="eval-report")

        def require(request: Any) -> User:
            try:
                return self.gate.require(request, "run_evaluations")
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc

        def finish(out: dict[str, Any]) -> tuple[Any, ...]:
            path = Path(out["report"])
            listed = self.listing()
            ids = gr.update(choices=[r["id"] for r in listed])
            return (
                headline_markdown(out["run"], out["comparison"]),
                str(zipped(path.parent)),
                report_body(path),
                self.rows(listed),
                ids,
                ids,
                self.library_moved(listed),
            )

        outputs = [headline, download, report, runs, first, second, moved]

        def on_run(
            chosen: list[str] | None,
            request: gr.Request,
            progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's injection idiom)
        ) -> tuple[Any, ...]:
            user = require(request)
            try:
                out = self.run(
                    user,
                    list(chosen or []),
                    progress=lambda n, total: progress((n, total), desc="questions"),
                )
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            return finish(out)

        def on_rerun(
            request: gr.Request,
            progress: gr.Progress = gr.Progress(),  # noqa: B008
        ) -> tuple[Any, ...]:
            user = require(request)
            listed = self.listing()
            if not listed:
                raise gr.Error("There is no earlier run to repeat; run a test set first.")
            try:
                out = self.run(
                    user,
                    listed[0]["testsets"],
                    compare_with=listed[0]["id"],
                    progress=lambda n, total: progress((n, total), desc="questions"),
                )
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            return finish(out)

        def on_upload(path: str | None, request: gr.Request) -> Any:
            user = require(request)
            if not path:
                return gr.update()
            try:
                kept = self.add_testset(user, path)
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            gr.Info(f"Test set {kept.name} checked and added.")
            return gr.update(choices=self.testset_choices(), value=[str(kept)])

        def on_compare(a: str | None, b: str | None, request: gr.Request) -> tuple[Any, ...]:
            require(request)
            try:
                out = self.compare_runs(a or "", b or "")
            except GuideError as exc:
                raise gr.Error(str(exc)) from exc
            from eval.html_report import write_report

            folder = self.runs.path(b or "") / f"compared-with-{a}"
            index = write_report(out["run"], folder, out["comparison"])
            return (
                headline_markdown(out["run"], out["comparison"]),
                str(zipped(folder)),
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
        return {"runs": runs, "first": first, "second": second, "moved": moved, "pick": pick}
