"""The test-set format (JSONL, one question per line) and its validating loader.

    {"id": "05-q01", "question": "...", "answerable": true, "reference_answer": "...",
     "gold": [{"source_file": "05-spin-out-journey-guide.pdf", "page": 7}],
     "evidence": "a phrase on the gold page", "type": "fact", "follows": null}

Errors name the file, the line and the field, so a test set can be fixed without guessing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import MAX_QUESTION_CHARS, MAX_TESTSET_MB, MAX_TESTSET_QUESTIONS
from assistant.errors import GuideError

QUESTION_TYPES = {"fact", "howto", "plain", "multi_doc", "follow_up", "unanswerable"}


class TestsetError(GuideError):
    """A test set line that does not follow the format."""

    __test__ = False  # not a pytest test class, whatever its name


@dataclass(frozen=True, slots=True)
class Gold:
    source_file: str
    page: int


@dataclass(frozen=True, slots=True)
class TestItem:
    __test__ = False
    id: str
    question: str
    answerable: bool
    reference_answer: str
    gold: tuple[Gold, ...]
    evidence: tuple[str, ...] = ()
    type: str = "fact"
    follows: str | None = None


def _field(record: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if name not in record:
        raise TestsetError(f"{where}: field '{name}' is missing")
    value = record[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        expected = (
            kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        )
        raise TestsetError(f"{where}: field '{name}' must be {expected}, not {value!r}")
    return value


def parse_item(record: Any, where: str) -> TestItem:
    if not isinstance(record, dict):
        raise TestsetError(f"{where}: each line must be a JSON object")
    item_id = _field(record, "id", str, where)
    question = _field(record, "question", str, where).strip()
    if not question:
        raise TestsetError(f"{where}: field 'question' is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise TestsetError(
            f"{where}: field 'question' is {len(question):,} characters, over the "
            f"{MAX_QUESTION_CHARS:,} limit"
        )
    answerable = _field(record, "answerable", bool, where)
    reference = record.get("reference_answer") or ""
    if not isinstance(reference, str):
        raise TestsetError(f"{where}: field 'reference_answer' must be a string")
    if len(reference) > 5 * MAX_QUESTION_CHARS or len(item_id) > 200:
        raise TestsetError(f"{where}: field 'reference_answer' or 'id' is too long")
    gold_raw = _field(record, "gold", list, where)
    gold = []
    for i, g in enumerate(gold_raw):
        at = f"{where}: gold[{i}]"
        if not isinstance(g, dict):
            raise TestsetError(f"{at} must be an object with source_file and page")
        source_file = _field(g, "source_file", str, at)
        page = _field(g, "page", int, at)
        if page < 1:
            raise TestsetError(f"{at}: field 'page' is 1-based, got {page}")
        gold.append(Gold(source_file, page))
    if answerable and not gold:
        raise TestsetError(f"{where}: an answerable question needs at least one gold page")
    if not answerable and gold:
        raise TestsetError(f"{where}: an unanswerable question must have an empty 'gold'")
    evidence = record.get("evidence") or ()
    if isinstance(evidence, str):
        evidence = (evidence,)
    if not isinstance(evidence, (list, tuple)) or not all(isinstance(e, str) for e in evidence):
        raise TestsetError(f"{where}: field 'evidence' must be a string or a list of strings")
    qtype = record.get("type") or ("fact" if answerable else "unanswerable")
    if not isinstance(qtype, str) or qtype not in QUESTION_TYPES:
        raise TestsetError(f"{where}: field 'type' must be one of {sorted(QUESTION_TYPES)}")
    follows = record.get("follows")
    if follows is not None and not isinstance(follows, str):
        raise TestsetError(f"{where}: field 'follows' must be an id or null")
    return TestItem(
        item_id, question, answerable, reference, tuple(gold), tuple(evidence), qtype, follows
    )


def iter_jsonl(path: Path, shown: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """("file:line", object) for each non-blank line; errors name the file (as `shown`, when
    given: an uploaded file's own name rather than where the server keeps it) and the line."""
    name = shown or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_TESTSET_MB * 1_000_000:
            raise TestsetError(
                f"{name}: the test set is {size / 1_000_000:.1f} MB, over the "
                f"{MAX_TESTSET_MB:g} MB limit; split it into several files"
            )
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TestsetError(f"{name}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise TestsetError(f"{name}: is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TestsetError(f"{where}: not valid JSON ({exc.msg})") from exc
        except RecursionError as exc:
            raise TestsetError(f"{where}: nested too deeply to be a test question") from exc
        if not isinstance(record, dict):
            raise TestsetError(f"{where}: each line must be a JSON object")
        yield where, record


def load_testset(path: Path, shown: str | None = None) -> list[TestItem]:
    items: list[TestItem] = []
    seen: set[str] = set()
    for where, record in iter_jsonl(path, shown):
        item = parse_item(record, where)
        if item.id in seen:
            raise TestsetError(f"{where}: field 'id' repeats {item.id!r}")
        if item.follows is not None and item.follows not in seen:
            raise TestsetError(
                f"{where}: field 'follows' names {item.follows!r}, which is not an earlier id"
            )
        seen.add(item.id)
        items.append(item)
        if len(items) > MAX_TESTSET_QUESTIONS:
            raise TestsetError(
                f"{shown or path}: the test set has over {MAX_TESTSET_QUESTIONS:,} questions; "
                "split it into several files"
            )
    if not items:
        raise TestsetError(f"{shown or path}: the test set has no questions")
    return items


def load_testsets(paths: Iterable[Path], by_name: bool = False) -> list[TestItem]:
    """Every question of the test sets; with `by_name`, errors name each file by its name only
    (for the app, whose people must not see where the server keeps files)."""
    items: list[TestItem] = []
    for path in paths:
        items.extend(load_testset(path, shown=path.name if by_name else None))
    ids = [i.id for i in items]
    if len(ids) != len(set(ids)):
        raise TestsetError("the test sets share question ids; ids must be unique across them")
    return items
