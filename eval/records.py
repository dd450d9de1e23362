"""An evaluation run and a comparison of two runs, as frozen values.

Every part of the app that holds a run (the evaluation desk, the CLI, the Evaluate tab, the text
summary) holds an `EvalRun`; a `Comparison` says how one run differs from an earlier one. They
become JSON (`to_dict`, the shape of report.json and comparison.json, see
`eval.runner.EvalResult.to_dict`) only where runs are stored or sent: the run store, a report
folder, the API. `from_dict` reads that JSON back, tolerating what older or hand-made runs lack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.runner import FORMAT

_RUN_FIELDS = (
    "id",
    "started_at",
    "finished_at",
    "who",
    "testsets",
    "library",
    "corpus",
    "settings",
)


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list | tuple) else ()


@dataclass(frozen=True, slots=True)
class RunMeta:
    """What a run tested: when, by whom, which test sets, against which library and settings."""

    id: str | None = None
    started_at: str = ""
    finished_at: str = ""
    who: str = ""
    testsets: tuple[Any, ...] = ()  # {"name", "sha256"} objects (older runs: paths or names)
    library: Mapping[str, Any] = field(default_factory=dict)  # generation, documents, chunks...
    corpus: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # header keys this version ignores

    @property
    def testset_names(self) -> list[str]:
        """The test sets' file names, sorted."""
        names = []
        for t in self.testsets:
            name = (t.get("name") or t.get("path")) if isinstance(t, Mapping) else t
            if name:
                names.append(Path(str(name)).name)
        return sorted(names)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "who": self.who,
            "testsets": [dict(t) if isinstance(t, Mapping) else t for t in self.testsets],
            "library": dict(self.library),
            "corpus": self.corpus,
            "settings": dict(self.settings),
            **self.extra,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunMeta:
        run_id = data.get("id")
        return cls(
            id=None if run_id is None else str(run_id),
            started_at=str(data.get("started_at") or ""),
            finished_at=str(data.get("finished_at") or ""),
            who=str(data.get("who") or ""),
            testsets=_tuple(data.get("testsets")),
            library=_mapping(data.get("library")),
            corpus=str(data.get("corpus") or ""),
            settings=_mapping(data.get("settings")),
            extra={k: v for k, v in data.items() if k not in _RUN_FIELDS},
        )


@dataclass(frozen=True, slots=True)
class EvalRun:
    """One evaluation run: its metrics (`summary`, `intervals`, `by_type`, `abstention_curve`),
    every question's scored outcome (`items`, report.json's item objects) and, once it has been
    run through the desk, what was tested (`meta`)."""

    summary: Mapping[str, Any] = field(default_factory=dict)
    intervals: Mapping[str, Any] = field(default_factory=dict)
    by_type: Mapping[str, Any] = field(default_factory=dict)
    abstention_curve: tuple[Mapping[str, Any], ...] = ()
    items: tuple[Mapping[str, Any], ...] = ()
    meta: RunMeta | None = None
    format: int | None = FORMAT

    @property
    def id(self) -> str | None:
        return self.meta.id if self.meta else None

    @property
    def testset_names(self) -> list[str]:
        return self.meta.testset_names if self.meta else []

    @property
    def questions(self) -> int:
        return int(self.summary.get("questions") or 0)

    @property
    def failing(self) -> list[Mapping[str, Any]]:
        return [i for i in self.items if not i.get("passed", True)]

    def to_dict(self) -> dict[str, Any]:
        """report.json: the keys of `EvalResult.to_dict()`, then "run" (the metadata)."""
        out: dict[str, Any] = {
            "format": self.format,
            "summary": dict(self.summary),
            "intervals": dict(self.intervals),
            "by_type": dict(self.by_type),
            "abstention_curve": [dict(p) for p in self.abstention_curve],
            "items": [dict(i) for i in self.items],
        }
        if self.meta is not None:
            out["run"] = self.meta.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvalRun:
        meta = data.get("run")
        return cls(
            summary=_mapping(data.get("summary")),
            intervals=_mapping(data.get("intervals")),
            by_type=_mapping(data.get("by_type")),
            abstention_curve=tuple(p for p in _tuple(data.get("abstention_curve"))),
            items=tuple(i for i in _tuple(data.get("items")) if isinstance(i, Mapping)),
            meta=RunMeta.from_dict(meta) if isinstance(meta, Mapping) and meta else None,
            format=data.get("format"),
        )


ITEM_LISTS = ("newly_passing", "newly_failing", "changed_answers", "only_current", "only_previous")


@dataclass(frozen=True, slots=True)
class Comparison:
    """How run `current` differs from the earlier run `previous` (see `eval.compare.compare`).

    metrics and by_type[type] map a metric to {before, after, delta, direction}; items maps each
    of ITEM_LISTS to the questions in it; counts holds "better", "worse" and each list's length.
    """

    current: str | None
    previous: str | None
    metrics: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    by_type: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    items: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def moved(self, direction: str) -> list[tuple[str, Mapping[str, Any]]]:
        """(metric, change) for the metrics that moved in `direction` ("better", "worse")."""
        return [(m, c) for m, c in self.metrics.items() if c.get("direction") == direction]

    def count(self, key: str) -> int:
        """How many questions are in list `key` (or metrics, for "better" and "worse"): the
        list itself when the comparison holds it, so a number shown can never disagree with
        the questions listed under it."""
        if key in self.items:
            return len(self.items[key])
        return int(self.counts.get(key, 0))

    def questions_sentence(self) -> str:
        """What changed question by question, in the words every view of a comparison uses
        (the Evaluate tab's headline, the text report, the HTML report):
        "2 questions now fail, 1 now passes, 12 answers changed"."""
        failing, passing = self.count("newly_failing"), self.count("newly_passing")
        changed = self.count("changed_answers")
        return (
            f"{failing} {'question' if failing == 1 else 'questions'} now "
            f"{'fails' if failing == 1 else 'fail'}, "
            f"{passing} now {'passes' if passing == 1 else 'pass'}, "
            f"{changed} {'answer' if changed == 1 else 'answers'} changed"
        )

    def to_dict(self) -> dict[str, Any]:
        """comparison.json."""
        return {
            "current": self.current,
            "previous": self.previous,
            "metrics": {m: dict(c) for m, c in self.metrics.items()},
            "by_type": {t: {m: dict(c) for m, c in ms.items()} for t, ms in self.by_type.items()},
            "items": {k: [dict(i) for i in v] for k, v in self.items.items()},
            "counts": dict(self.counts),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Comparison:
        items = _mapping(data.get("items"))
        return cls(
            current=data.get("current"),
            previous=data.get("previous"),
            metrics=_mapping(data.get("metrics")),
            by_type=_mapping(data.get("by_type")),
            items={k: _tuple(v) for k, v in items.items()},
            counts=_mapping(data.get("counts")),
            notes=tuple(str(n) for n in _tuple(data.get("notes"))),
        )
