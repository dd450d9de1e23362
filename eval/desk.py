"""The evaluation desk: every evaluation goes through here, from `guide eval run`, the Evaluate
tab and the API alike, so a run is made, compared, kept, reported and audited the same way.

    >>> desk = EvalDesk(settings)  # doctest: +SKIP
    >>> done = desk.run([Path("eval/testsets/mutuals-guide.jsonl")], who="asha")  # doctest: +SKIP
    >>> done.run.summary["hit@5"], done.folder / "index.html"  # doctest: +SKIP

A run is an `EvalRun` and a comparison a `Comparison` (eval.records); they become JSON only in
the run store (and a report folder, and an API answer).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.audit import AuditAction, AuditLog
from assistant.config import Settings
from assistant.errors import GuideError
from assistant.files import now_iso
from assistant.library import Library
from eval.compare import compare_runs, load_run
from eval.records import Comparison, EvalRun, RunMeta
from eval.runner import run_testset
from eval.runs import RunStore
from eval.testset import TestItem, load_testset, load_testsets

if TYPE_CHECKING:
    from assistant.embeddings import Embedder
    from assistant.guide import Guide
    from ingest.pipeline import FileResult

BUNDLED = Path(__file__).resolve().parent / "testsets"
_TESTSET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.jsonl")
Progress = Callable[[int, int], Any]  # (questions done, questions in all)
IngestProgress = Callable[[str, int], Callable[[int], Any]]  # a bar per file being ingested


def bundled_testsets() -> list[Path]:
    return sorted(BUNDLED.glob("*.jsonl"))


def library_info(library: Library) -> dict[str, Any]:
    return {"generation": library.generation(), **library.summary()}


def testset_label(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    return {"name": path.name, "sha256": hashlib.sha256(data).hexdigest()[:16]}


@dataclass(frozen=True, slots=True)
class Outcome:
    """A finished run: the run, its comparison with the earlier run (if one was given), the
    folder it is kept in (index.html, report.json, comparison.json) and, for a run against a
    fresh library, the files that library refused."""

    run: EvalRun
    comparison: Comparison | None
    folder: Path
    refused: tuple[FileResult, ...] = field(default=())

    @property
    def report(self) -> Path:
        return self.folder / "index.html"


@dataclass(frozen=True, slots=True)
class Moved:
    """Whether the library changed since the newest kept run (`last`, None when there is none)."""

    last: str | None
    changed: bool

    def sentence(self) -> str:
        if self.last is None:
            return "No runs yet: run the bundled test set to get a baseline."
        if not self.changed:
            return f"The library has not changed since the last run ({self.last})."
        return (
            f"**The library has changed since the last run ({self.last}).** Re-run it to "
            "see whether the results moved."
        )


class EvalDesk:
    """Runs, comparisons and test sets for one library (settings.data_dir): runs are kept in
    data_dir/eval-runs, uploaded test sets in data_dir/eval-testsets.

    `guide` (optional) is the assistant to evaluate; without one it is built on first use.
    `audit` (optional) is the log each run is recorded in."""

    def __init__(
        self, settings: Settings, guide: Guide | None = None, audit: AuditLog | None = None
    ) -> None:
        self.settings = settings
        self._guide = guide
        self.store = RunStore(settings.data_dir / "eval-runs")
        self.uploads = settings.data_dir / "eval-testsets"
        self.from_feedback = settings.feedback_testset_path  # grown from feedback on answers
        self.audit = audit or AuditLog.from_settings(settings)

    @property
    def guide(self) -> Guide:
        if self._guide is None:
            from assistant.guide import Guide

            self._guide = Guide(self.settings)
        return self._guide

    # -- test sets --------------------------------------------------------------------------
    def testset_choices(self) -> list[tuple[str, str]]:
        """(label, path) for every test set that may be run: bundled, then uploaded."""
        bundled = [(f"{p.name} (bundled)", str(p)) for p in bundled_testsets()]
        uploaded = (
            [(f"{p.name} (uploaded)", str(p)) for p in sorted(self.uploads.glob("*.jsonl"))]
            if self.uploads.is_dir()
            else []
        )
        feedback = [(f"{self.from_feedback.name} (from feedback)", str(self.from_feedback))]
        return bundled + uploaded + (feedback if self.from_feedback.is_file() else [])

    def resolve(self, testset: str) -> Path:
        """A bundled or uploaded test set by label ("x.jsonl (uploaded)"), path or file name; a
        path from a caller is never trusted beyond that."""
        choices = self.testset_choices()
        by_label = {label: Path(value) for label, value in choices}
        allowed = {value: Path(value) for _, value in choices}
        by_name = {Path(v).name: Path(v) for v in allowed}
        chosen = by_label.get(testset) or allowed.get(testset) or by_name.get(Path(testset).name)
        if chosen is None:
            raise GuideError(
                f"No test set called {testset!r}; choose a bundled one or upload a .jsonl file."
            )
        return chosen

    @staticmethod
    def testset_name(name: str | Path) -> str:
        """The file name an uploaded test set is kept under, or GuideError."""
        shown = Path(name).name
        if not _TESTSET_NAME.fullmatch(shown):
            raise GuideError(
                "A test set must be a .jsonl file named with letters, digits, '.', '-' or '_'."
            )
        return shown

    def add_testset(self, source: Path, name: str) -> Path:
        """Check a JSONL test set (errors name the line and field) and keep it as `name`."""
        shown = self.testset_name(name)
        load_testset(source, shown=shown)
        self.uploads.mkdir(parents=True, exist_ok=True)
        target = self.uploads / shown
        shutil.copyfile(source, target)
        return target

    def add_feedback_question(self, record: dict[str, Any]) -> TestItem:
        """Append a test question made from feedback to the feedback test set (checked)."""
        from eval.feedback_set import append_question

        return append_question(self.from_feedback, record)

    # -- runs -------------------------------------------------------------------------------
    def run(
        self,
        testsets: Sequence[Path],
        *,
        who: str,
        role: str = "",
        previous: EvalRun | None = None,
        corpus: Path | None = None,
        progress: Progress | None = None,
        ingest_progress: IngestProgress | None = None,
    ) -> Outcome:
        """Ask every question of the test sets, score the answers, compare with `previous`,
        keep the run (its report rendered once, in the store) and audit it.

        With `corpus`, the questions are asked of a fresh temporary library built from that
        folder of PDFs (the real library is not touched), with the same embedding model."""
        paths = list(testsets)
        if not paths:
            raise GuideError("Choose a test set first.")
        # a bad test set fails here, before any work; errors name files, not server paths
        total = len(load_testsets(paths, by_name=True))
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total)

        refused: tuple[FileResult, ...] = ()
        built = fresh_library(corpus, self.settings, ingest_progress) if corpus else nullcontext()
        with built as fresh:
            if fresh is None:
                guide = self.guide
            else:
                from assistant.guide import Guide

                temporary, results, embedder = fresh
                refused = tuple(r for r in results if r.status == "refused")
                guide = Guide(temporary, embedder=embedder)
            run = evaluate(guide, paths, progress=tick, who=who, corpus=corpus)
        comparison = compare_runs(run, previous) if previous is not None else None
        folder = self.save(run, comparison)
        self.audit.record(
            who,
            AuditAction.EVAL_RUN,
            {"testsets": [p.name for p in paths], "run": folder.name},
            f"{run.questions} questions",
            role=role,
        )
        return Outcome(run, comparison, folder, refused)

    def save(self, run: EvalRun, comparison: Comparison | None = None) -> Path:
        return self.store.save(run.to_dict(), comparison.to_dict() if comparison else None)

    def load(self, run_id: str) -> EvalRun:
        """A kept run by id."""
        return EvalRun.from_dict(self.store.load(run_id))

    @staticmethod
    def load_path(path: Path) -> EvalRun:
        """A run from a report folder or its report.json, wherever it is."""
        return EvalRun.from_dict(load_run(path))

    def compare(self, first: str, second: str) -> tuple[EvalRun, Comparison]:
        """The later run `second` and what changed from run `first` (earlier) to it."""
        if not first or not second:
            raise GuideError("Choose two runs to compare.")
        earlier, later = self.load(first), self.load(second)
        return later, compare_runs(later, earlier)

    def compared_report(self, first: str, second: str) -> tuple[EvalRun, Comparison, Path]:
        """compare(first, second), with its report written beside the later run; returns the
        report's index.html too."""
        from eval.html_report import write_report

        later, comparison = self.compare(first, second)
        folder = self.store.path(second) / f"compared-with-{first}"
        index = write_report(later.to_dict(), folder, comparison.to_dict())
        return later, comparison, index

    def listing(self) -> list[dict[str, Any]]:
        """The kept runs, newest first: id, started_at, testsets, metrics (the headline ones),
        library. No server path: an API caller gets no "path" (gradio_client would try to
        download it)."""
        return [{k: v for k, v in r.items() if k != "path"} for r in self.store.list()]

    def library_moved(self, listed: list[dict[str, Any]] | None = None) -> Moved:
        """Whether the library changed since the newest kept run (`listed`: a listing already
        read, so that the runs are not read twice)."""
        runs = self.listing() if listed is None else listed
        if not runs:
            return Moved(None, False)
        then = (runs[0].get("library") or {}).get("generation")
        return Moved(str(runs[0]["id"]), then != self.guide.library.generation())


def evaluate(
    guide: Guide,
    testsets: Sequence[Path],
    progress: Callable[[], Any] | None = None,
    who: str = "",
    corpus: Path | None = None,
) -> EvalRun:
    """Run the test sets against the guide's library: the scored run, with its metadata saying
    what was tested (library, settings, test sets)."""
    # validates first: a bad line fails before any question
    items = load_testsets(testsets, by_name=True)
    started = now_iso()
    result = run_testset(
        guide,
        items,
        progress=progress,
        min_relevance=guide.settings.min_relevance,
        min_overlap=guide.settings.min_overlap,
        familiar=guide.settings.familiar_relevance,
    )
    s = guide.settings
    meta = RunMeta(
        id=RunStore.new_id(),
        started_at=started,
        finished_at=now_iso(),
        who=who,
        testsets=tuple(testset_label(p) for p in testsets),
        library=library_info(guide.library),
        corpus=str(corpus) if corpus else "",
        settings={
            "top_k": s.top_k,
            "answer_passages": s.answer_passages,
            "min_relevance": s.min_relevance,
            "min_overlap": s.min_overlap,
            "familiar_relevance": s.familiar_relevance,
            "answerability": s.answerability,
            "answerability_threshold": guide.steps.threshold,
            "llm_backend": s.llm_backend,
            "llm_model": s.llm_model if s.llm_backend != "none" else "",
        },
    )
    data = result.to_dict()
    return EvalRun(
        summary=data["summary"],
        intervals=data["intervals"],
        by_type=data["by_type"],
        abstention_curve=tuple(data["abstention_curve"]),
        items=tuple(data["items"]),
        meta=meta,
        format=data["format"],
    )


@contextmanager
def fresh_library(
    corpus: Path, settings: Settings, progress: IngestProgress | None = None
) -> Iterator[tuple[Settings, list[FileResult], Embedder]]:
    """A temporary library built from a folder of PDFs, removed afterwards: evaluators can test
    a library they bring without touching the real one. Yields its Settings, the per-file
    ingest results (refusals included) and the embedder that built it (to ask with: the model
    is loaded once)."""
    from ingest.pipeline import IngestPipeline

    if not corpus.is_dir():
        raise GuideError(f"--corpus {corpus} is not a folder of PDFs.")
    with tempfile.TemporaryDirectory(prefix="guide-eval-") as tmp:
        temporary = settings.model_copy(update={"data_dir": Path(tmp), "chroma_host": None})
        pipeline = IngestPipeline(temporary)
        results = pipeline.run([corpus], progress=progress)
        yield temporary, results, pipeline.embedder
