"""One evaluation run, the same from the CLI and the Evaluate tab: validate the test sets, ask
every question, score it, label the run with what was tested (library, settings, test sets), keep
it in the run store and, given an earlier run, say what moved.

>>> run = evaluate(guide, [Path("eval/testsets/mutuals-guide.jsonl")])  # doctest: +SKIP
>>> store(guide.settings).save(run, compare(run, previous))  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.library import Library, now_iso
from eval.runner import run_testset
from eval.runs import RunStore
from eval.testset import load_testsets

if TYPE_CHECKING:
    from assistant.guide import Guide

BUNDLED = Path(__file__).resolve().parent / "testsets"


def bundled_testsets() -> list[Path]:
    return sorted(BUNDLED.glob("*.jsonl"))


def store(settings: Settings) -> RunStore:
    """Runs are kept beside the library they were run against."""
    return RunStore(settings.data_dir / "eval-runs")


def library_info(library: Library) -> dict[str, Any]:
    return {"generation": library.generation(), **library.summary()}


def testset_label(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    return {"name": path.name, "sha256": hashlib.sha256(data).hexdigest()[:16]}


def evaluate(
    guide: Guide,
    testsets: Sequence[Path],
    progress: Callable[[], Any] | None = None,
    who: str = "",
    corpus: Path | None = None,
) -> dict[str, Any]:
    """Run the test sets against the guide's library; returns the run as a dict (the report's
    JSON), with a `run` header saying what was tested."""
    items = load_testsets(testsets)  # validates first: a bad line fails before any question
    started = now_iso()
    result = run_testset(
        guide,
        items,
        progress=progress,
        min_relevance=guide.settings.min_relevance,
        min_overlap=guide.settings.min_overlap,
        familiar=guide.settings.familiar_relevance,
    )
    run = result.to_dict()
    s = guide.settings
    run["run"] = {
        "id": RunStore.new_id(),
        "started_at": started,
        "finished_at": now_iso(),
        "who": who,
        "testsets": [testset_label(p) for p in testsets],
        "library": library_info(guide.library),
        "corpus": str(corpus) if corpus else "",
        "settings": {
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
    }
    return run


@contextmanager
def fresh_library(
    corpus: Path,
    settings: Settings,
    progress: Callable[[str, int], Callable[[int], Any]] | None = None,
) -> Iterator[tuple[Settings, list[Any]]]:
    """A temporary library built from a folder of PDFs, removed afterwards: evaluators can test
    a library they bring without touching the real one. Yields its Settings and the per-file
    ingest results (refusals included)."""
    from ingest.pipeline import IngestPipeline

    if not corpus.is_dir():
        from assistant.errors import GuideError

        raise GuideError(f"--corpus {corpus} is not a folder of PDFs.")
    with tempfile.TemporaryDirectory(prefix="guide-eval-") as tmp:
        temporary = settings.model_copy(update={"data_dir": Path(tmp), "chroma_host": None})
        results = IngestPipeline(temporary).run([corpus], progress=progress)
        yield temporary, results


def same_testsets(run: dict[str, Any], other: dict[str, Any]) -> bool:
    names = [t["name"] for t in run.get("run", {}).get("testsets", [])]
    return names == [t["name"] for t in other.get("run", {}).get("testsets", [])]
