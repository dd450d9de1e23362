"""Evaluation runs kept on disk, one folder per run: root/<id>/{report.json, index.html}.

    store = RunStore(Path(".data/eval-runs"))
    previous = store.latest(["mutuals-guide.jsonl"])
    comparison = compare(run, previous) if previous else None
    folder = store.save(run, comparison)

Run ids sort by time (`20261124-153012-ab12`, UTC), so listing newest first needs no index.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import GuideError
from eval.compare import load_run, testset_names
from eval.report import HEADLINE
from eval.runner import dump

__all__ = ["RunStore", "dump"]

_VALID_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
_TEMP_PREFIX = "_incomplete-"


class RunStore:
    """Saved evaluation runs under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @staticmethod
    def new_id() -> str:
        """A time-sortable id: UTC date and time, then 4 random hex digits."""
        return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"

    def path(self, run_id: str) -> Path:
        """The folder of a run; GuideError for an id that could name another folder."""
        if not isinstance(run_id, str) or not _VALID_ID.fullmatch(run_id):
            raise GuideError(
                f"{run_id!r} is not a run id: ids use letters, digits, '-' and '_' only "
                "(for example 20261124-153012-ab12)"
            )
        if run_id.startswith(_TEMP_PREFIX):
            raise GuideError(f"{run_id!r} is not a run id (that name is kept for unfinished runs)")
        return self.root / run_id

    def save(self, run: dict[str, Any], comparison: dict[str, Any] | None = None) -> Path:
        """Write the run's report (report.json, index.html, comparison.json if given) into
        root/<id>/ and return that folder. The id is run["run"]["id"] when present, else a new
        one recorded in the saved copy. The report is written into a temporary folder first
        and renamed into place, so a reader never sees half a run."""
        from eval.html_report import write_report

        meta = dict(run.get("run") or {})
        meta.setdefault("id", self.new_id())
        final = self.path(str(meta["id"]))
        if final.exists():
            raise GuideError(f"{final}: a run with id {meta['id']!r} is already saved")
        self.root.mkdir(parents=True, exist_ok=True)
        temp = self.root / f"{_TEMP_PREFIX}{meta['id']}-{secrets.token_hex(3)}"
        try:
            write_report({**run, "run": meta}, temp, comparison)
            temp.rename(final)
        except OSError as exc:
            raise GuideError(f"{final}: the run could not be saved ({exc})") from exc
        finally:
            if temp.exists():
                shutil.rmtree(temp, ignore_errors=True)
        return final

    def load(self, run_id: str) -> dict[str, Any]:
        folder = self.path(run_id)
        if not (folder / "report.json").is_file():
            raise GuideError(f"no saved run {run_id!r} in {self.root}; `list` shows the runs kept")
        return load_run(folder)

    def _run_ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            (
                p.name
                for p in self.root.iterdir()
                if p.is_dir()
                and _VALID_ID.fullmatch(p.name)
                and not p.name.startswith(_TEMP_PREFIX)
                and (p / "report.json").is_file()
            ),
            reverse=True,
        )

    def _runs(self) -> list[tuple[str, dict[str, Any]]]:
        """(folder name, run) for every readable run, newest first (by started_at when
        recorded, then by id); a damaged folder is skipped rather than hiding the others."""
        runs = []
        for run_id in self._run_ids():
            try:
                runs.append((run_id, load_run(self.root / run_id)))
            except GuideError:
                continue
        runs.sort(key=lambda pair: (str(_meta(pair[1]).get("started_at") or ""), pair[0]))
        return runs[::-1]

    def list(self) -> list[dict[str, Any]]:
        """Newest first: id, started_at, testsets (file names), metrics (the headline
        metrics), library (what it ran against), path (the run's folder)."""
        return [
            {
                "id": run_id,
                "started_at": _meta(run).get("started_at"),
                "testsets": testset_names(run),
                "metrics": {m: (run.get("summary") or {}).get(m) for m in HEADLINE},
                "library": _meta(run).get("library") or {},
                "path": self.root / run_id,
            }
            for run_id, run in self._runs()
        ]

    def latest(self, testsets: str | Sequence[str] | None = None) -> dict[str, Any] | None:
        """The newest run; with a name, the newest that used that test set; with several
        names, the newest that used exactly those (names or paths; file names are compared)."""
        for _, run in self._runs():
            used = testset_names(run)
            if testsets is None:
                return run
            if isinstance(testsets, str | Path):
                if Path(str(testsets)).name in used:
                    return run
            elif sorted(Path(str(t)).name for t in testsets) == used:
                return run
        return None


def _meta(run: dict[str, Any]) -> dict[str, Any]:
    meta = run.get("run")
    return meta if isinstance(meta, dict) else {}
