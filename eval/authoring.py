"""Assemble the question drafts into the final test set, with gold pages found in the built PDFs.

Each draft (``eval/testsets/drafts/NN-slug.jsonl``) names, for every gold entry, the source PDF and
an exact evidence phrase, but no page. This module extracts each PDF's text with pypdf page by
page, collapses whitespace, and finds the one page that holds the phrase. A phrase that is missing
or that occurs on more than one page of its file stops the assembly with the draft file, the line
and the phrase, so the draft can be fixed instead of the test set silently pointing nowhere.

    python -m eval.authoring            # writes eval/testsets/mutuals-guide.jsonl
    python -m eval.authoring OUT.jsonl --drafts DIR --pdfs DIR   # another test set

Order: drafts by file name, line order inside each; the multi-document file (``90-...``) sorts
after the per-document drafts by its name.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import GuideError
from eval.testset import iter_jsonl, load_testset

ROOT = Path(__file__).resolve().parent.parent
DRAFTS_DIR = ROOT / "eval" / "testsets" / "drafts"
PDF_DIR = ROOT / "corpus" / "pdf"
OUTPUT = ROOT / "eval" / "testsets" / "mutuals-guide.jsonl"


class AuthoringError(GuideError):
    """A draft that cannot become part of the test set; the message names file, line and phrase."""


@dataclass(frozen=True, slots=True)
class DraftLine:
    file: str
    line: int
    record: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


# ---------------------------------------------------------------- pure functions


def normalise(text: str) -> str:
    """Collapse every run of whitespace (spaces, line breaks, tabs) into one space."""
    return " ".join(text.split())


def pages_containing(phrase: str, pages: Sequence[str]) -> list[int]:
    """1-based numbers of the pages whose collapsed text contains the collapsed phrase."""
    needle = normalise(phrase)
    if not needle:
        return []
    return [number for number, text in enumerate(pages, 1) if needle in normalise(text)]


def locate_phrase(phrase: str, pages: Sequence[str], where: str = "") -> int:
    """The one 1-based page holding ``phrase``; an error if it is on none or on several."""
    prefix = f"{where}: " if where else ""
    found = pages_containing(phrase, pages)
    if not found:
        raise AuthoringError(f"{prefix}evidence phrase not found in the PDF text: {phrase!r}")
    if len(found) > 1:
        listed = ", ".join(str(p) for p in found)
        raise AuthoringError(
            f"{prefix}evidence phrase occurs on more than one page ({listed}): {phrase!r}"
        )
    return found[0]


def assemble_item(draft: DraftLine, page_texts: Callable[[str], Sequence[str]]) -> dict[str, Any]:
    """The final test-set record for one draft line; ``page_texts`` gives a PDF's page texts."""
    record = draft.record
    where = draft.where
    for key in ("id", "question", "answerable", "gold"):
        if key not in record:
            raise AuthoringError(f"{where}: field '{key}' is missing")
    gold_raw = record["gold"]
    if not isinstance(gold_raw, list):
        raise AuthoringError(f"{where}: field 'gold' must be a list")
    gold: list[dict[str, Any]] = []
    phrases: list[str] = []
    for i, entry in enumerate(gold_raw):
        at = f"{where}: gold[{i}]"
        if not isinstance(entry, dict):
            raise AuthoringError(f"{at} must be an object with source_file and evidence")
        source_file = entry.get("source_file")
        phrase = entry.get("evidence")
        if not isinstance(source_file, str) or not source_file:
            raise AuthoringError(f"{at}: field 'source_file' is missing")
        if not isinstance(phrase, str) or not phrase.strip():
            raise AuthoringError(f"{at}: field 'evidence' is missing")
        page = locate_phrase(phrase, page_texts(source_file), f"{at} ({source_file})")
        gold.append({"source_file": source_file, "page": page, "evidence": phrase})
        phrases.append(phrase)
    # One phrase as a string, several (or none, for an unanswerable question) as a list.
    evidence: str | list[str] = phrases[0] if len(phrases) == 1 else phrases
    return {
        "id": record["id"],
        "question": record["question"],
        "answerable": record["answerable"],
        "reference_answer": record.get("reference_answer") or "",
        "gold": gold,
        "evidence": evidence,
        "type": record.get("type") or ("fact" if record["answerable"] else "unanswerable"),
        "follows": record.get("follows"),
    }


def assemble(
    drafts: Iterable[DraftLine], page_texts: Callable[[str], Sequence[str]]
) -> list[dict[str, Any]]:
    """All final records in draft order; ids must be unique and ``follows`` an earlier id.

    Every draft is checked before failing, so one run lists every phrase that needs fixing.
    """
    items: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for draft in drafts:
        draft_id = draft.record.get("id")
        follows = draft.record.get("follows")
        if draft_id in seen:
            problems.append(f"{draft.where}: id {draft_id!r} repeats an earlier id")
        if follows is not None and follows not in seen:
            problems.append(f"{draft.where}: 'follows' names {follows!r}, not an earlier id")
        if isinstance(draft_id, str):
            seen.add(draft_id)
        try:
            items.append(assemble_item(draft, page_texts))
        except AuthoringError as exc:
            problems.append(str(exc))
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise AuthoringError(f"{count} in the drafts:\n" + "\n".join(problems))
    return items


# ---------------------------------------------------------------- I/O


def read_drafts(drafts_dir: Path) -> list[DraftLine]:
    """Every non-blank line of every ``*.jsonl`` draft, files sorted by name."""
    lines: list[DraftLine] = []
    for path in sorted(drafts_dir.glob("*.jsonl")):
        for where, record in iter_jsonl(path):
            lines.append(DraftLine(str(path), int(where.rsplit(":", 1)[1]), record))
    if not lines:
        raise AuthoringError(f"{drafts_dir}: no draft questions found")
    return lines


def pdf_page_texts(path: Path) -> list[str]:
    """The text of each page of a PDF, whitespace collapsed, as pypdf extracts it."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return [normalise(page.extract_text() or "") for page in reader.pages]


def page_text_loader(pdf_dir: Path) -> Callable[[str], Sequence[str]]:
    """A cached ``source_file -> page texts`` reader over the PDFs in ``pdf_dir``."""
    cache: dict[str, list[str]] = {}

    def load(source_file: str) -> Sequence[str]:
        if source_file not in cache:
            path = pdf_dir / source_file
            if Path(source_file).name != source_file or not path.is_file():
                raise AuthoringError(f"source_file {source_file!r} is not a PDF in {pdf_dir}")
            cache[source_file] = pdf_page_texts(path)
        return cache[source_file]

    return load


def write_testset(items: Iterable[Mapping[str, Any]], output: Path) -> None:
    text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")


def build(
    drafts_dir: Path = DRAFTS_DIR, pdf_dir: Path = PDF_DIR, output: Path = OUTPUT
) -> list[dict[str, Any]]:
    """Read the drafts, locate every gold page, write and re-load the final test set."""

    items = assemble(read_drafts(drafts_dir), page_text_loader(pdf_dir))
    write_testset(items, output)
    load_testset(output)  # the final file must pass the evaluation's own loader
    return items


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m eval.authoring",
        description="Assemble question drafts into a test set, locating each gold page.",
    )
    parser.add_argument("output", nargs="?", type=Path, default=OUTPUT)
    parser.add_argument("--drafts", type=Path, default=DRAFTS_DIR, help="folder of *.jsonl drafts")
    parser.add_argument("--pdfs", type=Path, default=PDF_DIR, help="folder of the built PDFs")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        items = build(args.drafts, args.pdfs, args.output)
    except GuideError as exc:
        print(f"eval.authoring: {exc}", file=sys.stderr)
        return 1
    answerable = sum(1 for i in items if i["answerable"])
    print(
        f"wrote {len(items)} questions ({answerable} answerable, "
        f"{len(items) - answerable} unanswerable) to {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
