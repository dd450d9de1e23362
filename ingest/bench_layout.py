"""How reading one page scales with its text: a synthetic page of 10 KB, 100 KB and 1 MB of text.

Each size is one page (14400 x 14400 pt, the largest PDF allows) of 6 pt Helvetica lines, each
line ten text objects (BT ... ET) of 10 characters, so pypdf reports each as a fragment of its
own, in columns of 2000 lines: 100 KB is 1,000 lines and 10,000 fragments. (pypdf stops parsing
a content stream past 2 million tokens: about 2.8 MB of text written this way.) Four steps
are timed: pypdf's own text extraction (`extract_text()`, no visitors: for reference, it is not
part of ingest), `extract_page` (pypdf with `ingest.ink` following every operator), `analyse`
(lines, columns, blocks) and `find_flags` (instruction-like sentences). Ratios are against the
first size, measured in the same run; time linear in the text gives ratios equal to the size
ratios (10x, 100x).

    python -m ingest.bench_layout                  # 10 KB, 100 KB, 1 MB
    python -m ingest.bench_layout --kb 10 100 1000 2000
"""

from __future__ import annotations

import argparse
import io
import random
import re
import time
from collections.abc import Callable
from typing import Any

from ingest.tinypdf import serialise

_PROSE = (
    "council mutual staff transfer pension contract service members cabinet board social "
    "value community asset options appraisal consultation employee ownership spin out "
    "procurement reserved clause guidance officer report evidence committee inquiry"
)
_WORDS = re.findall(r"\w+", _PROSE)
PAGE = 14400.0
SIZE, LEADING = 6.0, 7.0
OPS_PER_LINE, CHARS_PER_OP = 10, 10  # a word or two per text object, as tables are written
LINES_PER_COLUMN = 2000
COLUMN_WIDTH = 400.0


def _op_text(rng: random.Random) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < CHARS_PER_OP:
        words.append(rng.choice(_WORDS))
    return " ".join(words)[:CHARS_PER_OP].ljust(CHARS_PER_OP)


def synthetic_page(kilobytes: int, seed: int = 7) -> tuple[bytes, int]:
    """A one-page PDF holding about `kilobytes` KB of visible text, and its character count."""
    rng = random.Random(seed)
    lines = max(1, kilobytes * 1000 // (OPS_PER_LINE * CHARS_PER_OP))
    parts = [b"0 g /F1 %g Tf" % SIZE]  # the font is text state: set once, kept by every BT
    chars = 0
    step = CHARS_PER_OP * 0.5 * SIZE * 1.1  # room for one operator's text
    for n in range(lines):
        column, row = divmod(n, LINES_PER_COLUMN)
        x = 36.0 + column * COLUMN_WIDTH
        y = PAGE - 36.0 - row * LEADING
        for i in range(OPS_PER_LINE):
            text = _op_text(rng)
            chars += len(text)
            parts.append(f"BT {x + i * step:.2f} {y:.2f} Td ({text}) Tj ET".encode())
    content = b"\n".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>" % (PAGE, PAGE),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    return serialise(objects), chars


def _timed(step: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def measure(kilobytes: int) -> dict[str, float]:
    """Seconds for each step on one synthetic page of `kilobytes` KB of text."""
    from pypdf import PdfReader

    from assistant.types import Page
    from ingest.flags import find_flags
    from ingest.layout import analyse, extract_page

    data, chars = synthetic_page(kilobytes)
    pypdf_s, _ = _timed(lambda: PdfReader(io.BytesIO(data)).pages[0].extract_text())
    page = PdfReader(io.BytesIO(data)).pages[0]
    ink_s, text = _timed(lambda: extract_page(page))
    raw = [(list(text.fragments), text.width, text.height)]
    layout_s, layouts = _timed(lambda: analyse(raw, ["1"]))
    kept = sum(len(f.text.strip()) for f in text.fragments)
    if text.hidden or kept < 0.9 * chars or not layouts[0].blocks:
        raise SystemExit(f"the synthetic page lost text: {kept} of {chars} characters kept")
    pages = [Page("bench.pdf", "Bench", 1, "1", layouts[0].body_text, layouts[0].footnote_text)]
    flags_s, _ = _timed(lambda: find_flags(pages, [text.hidden]))
    return {
        "chars": float(chars),
        "pypdf": pypdf_s,
        "extract_page": ink_s,
        "analyse": layout_s,
        "find_flags": flags_s,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args(argv)
    rows = [(kb, measure(kb)) for kb in args.kb]
    base_kb, base = rows[0]
    steps = ("pypdf", "extract_page", "analyse", "find_flags")
    print(f"{'text':>8} {'chars':>9} " + " ".join(f"{s + ' s':>14} {'ratio':>7}" for s in steps))
    for kb, row in rows:
        cells = " ".join(f"{row[s]:>14.3f} {row[s] / max(base[s], 1e-9):>6.1f}x" for s in steps)
        print(f"{kb:>6} KB {int(row['chars']):>9} {cells}")
    print(
        "linear time gives ratios equal to the text ratios: "
        + ", ".join(f"{kb / base_kb:g}x" for kb, _ in rows)
    )


if __name__ == "__main__":
    main()
