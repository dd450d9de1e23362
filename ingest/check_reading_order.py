"""How well our reading order agrees with PDFium's, page by page: the share of our body-text
sentences whose words appear, in order, in PDFium's text of the same page.

Quotes are verified against PDFium's reading of the cited page (`assistant.citations`), so a
sentence of ours that PDFium cannot find in order (two columns interleaved line by line, a
heading glued into a paragraph) is a quote that could never be verified. Each body block is
split into sentences (`assistant.text.split_sentences`); sentences of fewer than `MIN_WORDS`
words are left out (a one-word heading agrees with anything). PDFium's own order is not always
right either (it follows the content stream), so 100% is not always reachable; what matters is
the change between two versions of the loader on the same files.

    python -m ingest.check_reading_order                      # bundled, second library, robustness
    python -m ingest.check_reading_order corpus/pdf --json /tmp/after.json
    python -m ingest.check_reading_order --compare /tmp/before.json /tmp/after.json

`--json` keeps every page's body text, so `--compare` can list each page whose text changed
between two runs (run the old loader from another source tree: copy this file into it and run
it there with `python -m`).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MIN_WORDS = 3
ROOT = Path(__file__).resolve().parents[1]
GROUPS = {
    "bundled": ROOT / "corpus" / "pdf",
    "second library": ROOT / "corpus" / "second-library" / "pdf",
    "robustness": ROOT / "tests" / "robustness" / "pdfs",
}


def pdfium_pages(path: Path) -> list[str] | None:
    """Every page's text as PDFium reads it (what quotes are verified against)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path), password="")
    except Exception:
        return None
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(str(textpage.get_text_bounded()))
            textpage.close()
            page.close()
        return texts
    except Exception:
        return None
    finally:
        document.close()


def sentences(body: str) -> list[str]:
    """Our body text's sentences, block by block, of at least `MIN_WORDS` words."""
    from assistant.citations import words
    from assistant.text import split_sentences

    return [
        s
        for block in body.split("\n\n")
        for s in split_sentences(block)
        if len(words(s)) >= MIN_WORDS
    ]


def check_file(path: Path, seconds: float) -> dict[str, Any]:
    """Per page: our body text, how many of its sentences there are and how many PDFium has in
    order; or why the file was not read."""
    from assistant.citations import words_in_order
    from assistant.errors import RefusedFile
    from ingest.readers import DocumentLoader as PdfLoader

    try:
        loaded = PdfLoader(seconds=seconds).load(path, source_file="checked.pdf")
    except RefusedFile as exc:
        return {"refused": exc.reason}
    reference = pdfium_pages(path)
    if reference is None or len(reference) != len(loaded.pages):
        return {"refused": "PDFium cannot read it page for page"}
    pages = []
    for number, (page, theirs) in enumerate(zip(loaded.pages, reference, strict=True), 1):
        ours = sentences(page.text)
        agree = sum(words_in_order(s, theirs) for s in ours)
        pages.append(
            {
                "page": number,
                "sentences": len(ours),
                "agree": agree,
                "text": page.text,
                "disagree": [s for s in ours if not words_in_order(s, theirs)][:5],
            }
        )
    return {"pages": pages}


def pdfs(target: Path) -> list[Path]:
    if target.is_file():
        return [target]
    return sorted(p for p in target.rglob("*.pdf") if p.is_file())


def run(targets: dict[str, list[Path]], seconds: float) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for group, paths in targets.items():
        for path in paths:
            entry = check_file(path, seconds)
            entry["group"] = group
            name = f"{group}/{path.name}"  # the same from any source tree, for --compare
            result[name] = entry
            print(f"{_summary_line(name, entry)}", file=sys.stderr, flush=True)
    return result


def _summary_line(name: str, entry: dict[str, Any]) -> str:
    if "refused" in entry:
        return f"{name}: refused ({entry['refused'][:60]})"
    n = sum(p["sentences"] for p in entry["pages"])
    k = sum(p["agree"] for p in entry["pages"])
    return f"{name}: {k}/{n} sentences in PDFium's order" + (f" ({k / n:.1%})" if n else "")


def totals(result: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per group: files read, pages, sentences, sentences in order, the share, and pages in
    full agreement."""
    out: dict[str, dict[str, float]] = {}
    for entry in result.values():
        row = out.setdefault(
            entry["group"],
            {"files": 0, "read": 0, "pages": 0, "sentences": 0, "agree": 0, "full_pages": 0},
        )
        row["files"] += 1
        if "pages" not in entry:
            continue
        row["read"] += 1
        for page in entry["pages"]:
            row["pages"] += 1
            row["sentences"] += page["sentences"]
            row["agree"] += page["agree"]
            row["full_pages"] += page["agree"] == page["sentences"]
    for row in out.values():
        row["share"] = round(row["agree"] / row["sentences"], 4) if row["sentences"] else 1.0
    return out


def print_totals(result: dict[str, Any], title: str) -> None:
    print(title)
    for group, row in totals(result).items():
        print(
            f"  {group:15} {row['read']:>3}/{row['files']:<3} files read, {row['pages']:>5} pages:"
            f" {row['agree']:>6}/{row['sentences']:<6} sentences in order ({row['share']:.2%}),"
            f" {row['full_pages']} pages in full agreement"
        )


def compare(before: dict[str, Any], after: dict[str, Any], diff_lines: int) -> None:
    """Both runs' totals, then every page whose body text changed, with its agreement before
    and after (and a few lines of the change for the bundled library)."""
    print_totals(before, "before:")
    print_totals(after, "after:")
    for name in sorted(set(before) & set(after)):
        old, new = before[name], after[name]
        if ("pages" in old) != ("pages" in new):
            print(f"\n{name}: {_summary_line(name, old)} -> {_summary_line(name, new)}")
            continue
        if "pages" not in old:
            continue
        for a, b in zip(old["pages"], new["pages"], strict=False):
            if a["text"] == b["text"]:
                continue
            print(
                f"\n{name} page {a['page']}: {a['agree']}/{a['sentences']} -> "
                f"{b['agree']}/{b['sentences']} sentences in PDFium's order"
            )
            if diff_lines and new.get("group") in ("bundled", "second library"):
                _print_diff(a["text"], b["text"], diff_lines)


def _print_diff(old: str, new: str, limit: int) -> None:
    changed = [
        line
        for line in difflib.unified_diff(old.split("\n\n"), new.split("\n\n"), lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    for line in changed[:limit]:
        print("    " + (line if len(line) <= 160 else line[:157] + "..."))
    if len(changed) > limit:
        print(f"    ... {len(changed) - limit} more changed blocks")


def _targets(paths: Iterable[Path]) -> dict[str, list[Path]]:
    given = list(paths)
    if not given:
        return {group: pdfs(folder) for group, folder in GROUPS.items() if folder.exists()}
    out: dict[str, list[Path]] = {}
    for target in given:
        out.setdefault(_group(target), []).extend(pdfs(target))
    return out


def _group(target: Path) -> str:
    """Which of `GROUPS` a path is in, by its folders (so a copy of this file run in another
    source tree names the same files the same way)."""
    parts = target.resolve().parts
    for group, folder in GROUPS.items():
        tail = folder.parts[-2:]
        if any(parts[i : i + 2] == tail for i in range(len(parts) - 1)):
            return group
    return "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", type=Path, help="PDFs or folders (default: all)")
    parser.add_argument("--json", type=Path, help="write every page's result here")
    parser.add_argument("--seconds", type=float, default=120.0, help="time limit a file")
    parser.add_argument(
        "--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"), help="two --json results"
    )
    parser.add_argument("--diff-lines", type=int, default=6, help="changed blocks shown a page")
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.compare)
        compare(before, after, args.diff_lines)
        return 0
    result = run(_targets(args.targets), args.seconds)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=0))
    print_totals(result, "reading order against PDFium:")
    return 0


if __name__ == "__main__":
    sys.exit(main())
