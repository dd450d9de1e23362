"""The test set evaluators grow from officers' feedback (`<data dir>/testsets/feedback.jsonl`):
one question appended at a time, checked by the same reader every test set goes through
(eval/testset.py), written atomically under a lock so two evaluators never lose each other's.

    item = append_question(settings.feedback_testset_path, record)  # a checked TestItem
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from assistant.errors import GuideError
from assistant.files import write_atomic
from eval.testset import TestItem, load_testset, parse_item

_LOCK_TIMEOUT_S = 10


def append_question(path: Path, record: dict[str, Any]) -> TestItem:
    """Check `record` as a test question and append it to the test set at `path` (created if
    need be); the file is checked whole again before it replaces the old one."""
    item = parse_item(record, "the new test question")
    line = json.dumps(record, ensure_ascii=False) + "\n"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        with FileLock(str(path) + ".lock", timeout=_LOCK_TIMEOUT_S):
            before = path.read_text(encoding="utf-8") if path.exists() else ""
            if before:
                ids = {i.id for i in load_testset(path)}
                if item.id in ids:
                    raise GuideError(
                        f"{path.name} already has a question {item.id!r}: this feedback has "
                        "been made into a test question before."
                    )
            joined = before + ("" if not before or before.endswith("\n") else "\n") + line
            staged = path.with_name(f".{path.name}.check")
            write_atomic(staged, joined.encode("utf-8"))
            try:
                load_testset(staged, shown=path.name)  # the whole file, as a run will read it
                staged.replace(path)
            finally:
                staged.unlink(missing_ok=True)
    except Timeout as exc:
        raise GuideError(
            f"The test set {path.name} is being changed by someone else; try again in a moment."
        ) from exc
    except OSError as exc:
        raise GuideError(
            f"The test set {path} cannot be written ({exc.strerror or exc}); nothing was added."
        ) from exc
    return item
