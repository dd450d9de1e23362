"""How the PDF reader reads tables in real PDFs: for each file, the ruled tables it found
(ingest.tables), a figure row as the answer composer states it (each cell under its column
heading), and the seconds reading took with table finding and without, in the same run.
Nothing here is asserted; it is the measuring tool beside tests/unit/test_tables.py.

    python tests/robustness/fetch.py --mirror /work/.mirror --only camelot pdfplumber
    python tests/robustness/tables.py                       # those two collections
    python tests/robustness/tables.py some.pdf dir/ --rows 3
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT = [
    HERE / ".cache" / "camelot-dev+camelot" / "docs" / "benchmark",
    HERE / ".cache" / "jsvine+pdfplumber" / "tests" / "pdfs",
]


def stated(header: list[str], cells: list[str]) -> str:
    """A row as the composer states it (assistant.generation.extractive): 'heading: cell'."""
    return "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=False) if c)


def read(path: Path, tables: bool) -> tuple[float, list[list[str]]]:
    """Seconds to read the file, and each table found as its rows of text."""
    import ingest.tables
    from ingest.readers import read_document

    saved = ingest.tables.MIN_RULES
    ingest.tables.MIN_RULES = saved if tables else sys.maxsize
    try:
        start = time.perf_counter()
        loaded = read_document(path.read_bytes(), "table-check.pdf")
        seconds = time.perf_counter() - start
    finally:
        ingest.tables.MIN_RULES = saved
    found: list[list[str]] = []
    for page in loaded.pages:
        for block in page.layout.blocks:
            if block.kind == "table" and block.level == 1:
                found.append([f"p{page.number}", block.text])
            elif block.kind == "table" and found and found[-1][0] == f"p{page.number}":
                found[-1].append(block.text)
    return seconds, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--rows", type=int, default=1, help="figure rows shown per table")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    files = [f for p in args.paths for f in (sorted(p.rglob("*.pdf")) if p.is_dir() else [p])]
    total_with = total_without = 0.0
    for path in files:
        try:
            without, _ = read(path, tables=False)
            with_tables, found = read(path, tables=True)
        except Exception as exc:  # a refusal or a crash: say so and go on
            print(f"{path.name}: not read ({type(exc).__name__}: {exc})")
            continue
        total_with += with_tables
        total_without += without
        print(
            f"{path.name}: {len(found)} table(s), {with_tables:.2f} s with table finding, "
            f"{without:.2f} s without"
        )
        for page, header, *rows in found:
            cells = [c.strip() for c in header.split("|")]
            print(f"  {page} headings: {header[:160]}")
            for row in rows[: args.rows]:
                print(f"     row: {stated(cells, [c.strip() for c in row.split('|')])[:160]}")
    if total_without:
        print(
            f"{len(files)} files: {total_with:.1f} s with table finding, {total_without:.1f} s "
            f"without (x{total_with / total_without:.2f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
