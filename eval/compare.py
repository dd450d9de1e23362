"""Compare two evaluation runs: which metrics got better or worse, overall and per question
type, and which questions changed.

    >>> comparison = compare_runs(EvalRun.from_dict(load_run(new_path)), earlier)
    >>> [m for m, _ in comparison.moved("worse")]

`compare` does the same on the JSON of two runs (report.json) and returns comparison.json.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.errors import GuideError
from eval.records import Comparison, EvalRun, RunMeta
from eval.runner import FORMAT, METRICS

RATE_TOLERANCE = 0.005  # |delta| below this is "same" for rates and scores in [0, 1]
LATENCY_TOLERANCE = 0.05  # relative change below this is "same" for latencies


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if math.isnan(value) else float(value)


def metric_change(name: str, before: Any, after: Any) -> dict[str, Any]:
    """{before, after, delta, direction} for one metric.

    direction is "better" / "worse" by the metric's preferred direction (latencies and the
    false-refusal and partial rates are lower-is-better, the rest higher-is-better), "same"
    within tolerance (0.005 absolute; 5% of the earlier value for latencies), and "changed"
    for a count or a share with no preferred direction (share_answered, share_no_answer), or
    where only one run has a value."""
    b, a = _number(before), _number(after)
    if b is None or a is None:
        direction = "same" if b is None and a is None else "changed"
        return {"before": b, "after": a, "delta": None, "direction": direction}
    delta = a - b
    metric = METRICS.get(name)
    kind = metric.kind if metric else "proportion"
    better = metric.better if metric else "higher"
    if kind == "latency":
        same = abs(delta) < LATENCY_TOLERANCE * abs(b) if b else delta == 0
    elif kind == "count":
        same = delta == 0
    else:
        same = abs(delta) < RATE_TOLERANCE
    if same:
        direction = "same"
    elif better is None:
        direction = "changed"
    else:
        direction = "better" if (delta > 0) == (better == "higher") else "worse"
    return {"before": b, "after": a, "delta": delta, "direction": direction}


def compare_summaries(current: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
    """metric_change for every metric either summary has, known metrics in their usual order."""
    names = [m for m in METRICS if m in current or m in previous]
    names += sorted((set(current) | set(previous)) - set(METRICS))
    return {n: metric_change(n, previous.get(n), current.get(n)) for n in names}


def _item_brief(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": item.get("id"),
        "type": item.get("type"),
        "question": item.get("question"),
        "status": item.get("status"),
        "passed": item.get("passed"),
        "failure": item.get("failure", ""),
    }


def _item_change(now: Mapping[str, Any], before: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_item_brief(now),
        "before_status": before.get("status"),
        "before_answer": before.get("answer"),
        "before_passed": before.get("passed"),
        "before_failure": before.get("failure", ""),
        "answer": now.get("answer"),
    }


def testset_names(run: dict[str, Any]) -> list[str]:
    """The file names of the test sets a run used, sorted ([] without run metadata).
    run["run"]["testsets"] may hold paths or {"name" or "path": ...} objects."""
    meta = run.get("run")
    return RunMeta.from_dict(meta).testset_names if isinstance(meta, dict) else []


def compare(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """`compare_runs` on two runs' JSON (report.json); returns comparison.json:

    {"current": id | None, "previous": id | None,
     "metrics": {metric: {"before", "after", "delta", "direction"}},
     "by_type": {type: {metric: {...}}},          # types in either run
     "items": {"newly_passing": [...], "newly_failing": [...], "changed_answers": [...],
               "only_current": [...], "only_previous": [...]},
     "counts": {"better", "worse", "newly_passing", "newly_failing", "changed_answers",
                "only_current", "only_previous"},
     "notes": [str, ...]}                           # e.g. the test sets differ
    """
    return compare_runs(EvalRun.from_dict(current), EvalRun.from_dict(previous)).to_dict()


def compare_runs(current: EvalRun, previous: EvalRun) -> Comparison:
    """How `current` differs from `previous`.

    Items are matched by id; an answer "changed" when its status or text differs. Each listed
    item carries id, type, question, status, passed, failure, answer and the earlier
    status/answer/passed/failure."""
    metric_changes = compare_summaries(current.summary, previous.summary)
    now_types, before_types = current.by_type, previous.by_type
    type_changes = {
        t: compare_summaries(
            (now_types.get(t) or {}).get("summary") or {},
            (before_types.get(t) or {}).get("summary") or {},
        )
        for t in list(now_types) + [t for t in before_types if t not in now_types]
    }
    now_items = {i["id"]: i for i in current.items if "id" in i}
    before_items = {i["id"]: i for i in previous.items if "id" in i}
    newly_passing, newly_failing, changed = [], [], []
    for item_id, now in now_items.items():
        before = before_items.get(item_id)
        if before is None:
            continue
        entry = _item_change(now, before)
        if now.get("passed") and not before.get("passed"):
            newly_passing.append(entry)
        elif before.get("passed") and not now.get("passed"):
            newly_failing.append(entry)
        if now.get("status") != before.get("status") or now.get("answer") != before.get("answer"):
            changed.append(entry)
    only_current = [_item_brief(i) for k, i in now_items.items() if k not in before_items]
    only_previous = [_item_brief(i) for k, i in before_items.items() if k not in now_items]

    notes = []
    if current.testset_names != previous.testset_names:
        notes.append("the runs used different test sets; only shared questions are compared")
    if only_current or only_previous:
        notes.append(
            f"{_questions(len(only_current))} only in this run, "
            f"{len(only_previous)} only in the earlier one"
        )
    directions = [c["direction"] for c in metric_changes.values()]
    items = {
        "newly_passing": newly_passing,
        "newly_failing": newly_failing,
        "changed_answers": changed,
        "only_current": only_current,
        "only_previous": only_previous,
    }
    return Comparison(
        current=current.id,
        previous=previous.id,
        metrics=metric_changes,
        by_type=type_changes,
        items={k: tuple(v) for k, v in items.items()},
        counts={
            "better": directions.count("better"),
            "worse": directions.count("worse"),
            **{k: len(v) for k, v in items.items()},
        },
        notes=tuple(notes),
    )


def _questions(n: int) -> str:
    return f"{n} question" if n == 1 else f"{n} questions"


def check_run(run: Any, where: str) -> dict[str, Any]:
    """The run dict, or a GuideError naming `where` if it is not one this version reads."""
    if not isinstance(run, dict) or not isinstance(run.get("summary"), dict):
        raise GuideError(f"{where} is not an evaluation report (no 'summary' object)")
    if run.get("format") != FORMAT:
        raise GuideError(
            f"{where} has report format {run.get('format')!r}; this version reads format "
            f"{FORMAT}. Re-run the evaluation to produce a comparable report."
        )
    if not isinstance(run.get("items"), list):
        raise GuideError(f"{where} is not an evaluation report (no 'items' list)")
    return run


def load_run(path: Path) -> dict[str, Any]:
    """A saved run: a report folder holding report.json, or such a JSON file itself."""
    path = Path(path)
    file = path / "report.json" if path.is_dir() else path
    if not file.is_file():
        hint = "it has no report.json" if path.is_dir() else "no such file or folder"
        raise GuideError(
            f"{path}: cannot load an evaluation run ({hint}). Pass a report folder "
            "containing report.json, or the JSON file itself."
        )
    try:
        run = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GuideError(f"{file}: cannot be read ({exc.strerror})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GuideError(f"{file}: not valid JSON ({exc}); is it an evaluation report?") from exc
    return check_run(run, str(file))
