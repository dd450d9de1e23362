"""Build the bundled library's PDFs from their text sources.

Each `corpus/src/NN-slug.txt` (format: corpus/FORMAT.md) becomes `corpus/pdf/NN-slug.pdf`, laid
out the way real committee reports and briefings are: a title page and contents with roman page
labels, running headers and footers, numbered paragraphs, footnotes at the foot of the page,
tables that break across pages, optional two-column text, and an annex. The output is
deterministic: the creation date comes from the source's `accurate_to` date, so rebuilding
unchanged sources gives identical files.

Usage:
    python corpus/build_corpus.py            # build every source, then check the test-set drafts
    python corpus/build_corpus.py --only 05  # build one document
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
OUT = HERE / "pdf"
KINDS = {
    "committee report digest",
    "government response digest",
    "guidance",
    "legal or procurement briefing",
    "finance briefing",
    "case study",
    "evidence summary",
}
FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.+)$")
BODY_FONT = 10.5
LINE = 5.2
TOC_LINES = 32  # contents entries that fit on one page
MARGIN = 22.0
GUTTER = 8.0
FOOT_AREA = 34.0  # mm kept free at the foot of every page for footnotes and the folio
ASCII_FIXES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
}


class SourceError(ValueError):
    """A source file breaks the format; the message names the file and line."""


@dataclass
class Block:
    kind: str  # h1 | h2 | h3 | para | bullet | table
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    path: Path
    meta: dict[str, str]
    sources: list[str]
    sections: dict[str, list[Block]]
    footnotes: dict[str, str]

    @property
    def slug(self) -> str:
        return self.path.stem


def clean(text: str) -> str:
    for bad, good in ASCII_FIXES.items():
        text = text.replace(bad, good)
    return text


def parse(path: Path) -> Source:
    meta: dict[str, str] = {}
    sources: list[str] = []
    sections: dict[str, list[Block]] = {}
    footnotes: dict[str, str] = {}
    current: list[Block] | None = None
    para: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        nonlocal para, table
        if para and current is not None:
            current.append(Block("para", " ".join(para)))
        if table and current is not None:
            current.append(Block("table", rows=table))
        para, table = [], []

    for lineno, raw in enumerate(clean(path.read_text(encoding="utf-8")).splitlines(), 1):
        line = raw.rstrip()
        where = f"{path.name}:{lineno}"
        if current is None and not line.startswith("==="):
            if not line.strip():
                continue
            key, sep, value = line.partition(":")
            if not sep:
                raise SourceError(f"{where}: header lines are 'key: value'")
            if key.strip() == "source":
                sources.append(value.strip())
            else:
                meta[key.strip()] = value.strip()
            continue
        if line.startswith("==="):
            flush()
            name = line.strip("= ").strip()
            if name not in {"front", "body", "annex"}:
                raise SourceError(f"{where}: unknown section {name!r}")
            current = sections.setdefault(name, [])
            continue
        assert current is not None
        if not line.strip():
            flush()
            continue
        if m := FOOTNOTE_DEF.match(line):
            flush()
            footnotes[m.group(1)] = m.group(2).strip()
            continue
        if line.startswith("|"):
            if para:
                flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                table.append(cells)
            continue
        if table:
            flush()
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        if heading:
            flush()
            current.append(Block(f"h{len(heading.group(1))}", heading.group(2).strip()))
        elif line.startswith("- "):
            flush()
            current.append(Block("bullet", line[2:].strip()))
        elif current and current[-1].kind == "bullet" and not para and raw.startswith("  "):
            current[-1].text += " " + line.strip()
        else:
            para.append(line.strip())
    flush()
    for key in ("title", "kind", "accurate_to", "short_title"):
        if key not in meta:
            raise SourceError(f"{path.name}: header '{key}:' is missing")
    if meta["kind"] not in KINDS:
        raise SourceError(f"{path.name}: kind {meta['kind']!r} is not one of {sorted(KINDS)}")
    for needed in ("front", "body"):
        if not sections.get(needed):
            raise SourceError(f"{path.name}: no '=== {needed}' section")
    used = {
        m.group(1)
        for blocks in sections.values()
        for b in blocks
        for m in FOOTNOTE_REF.finditer(b.text + " ".join(" ".join(r) for r in b.rows))
    }
    missing = used - footnotes.keys()
    if missing:
        raise SourceError(f"{path.name}: footnotes used but not defined: {sorted(missing)}")
    return Source(path, meta, sources, sections, footnotes)


class ReportPdf(FPDF):
    """An A4 report with running header, footnotes at the page foot and a folio."""

    def __init__(self, source: Source) -> None:
        super().__init__(format="A4", unit="mm")
        self.source = source
        self.chapter = ""
        self.labels: dict[int, str] = {}
        self.label_style = "r"
        self.label_start = 1
        self.first_labelled = 1
        self.label_pending = False
        self.page_footnotes: dict[int, list[tuple[int, str]]] = {}
        self.footnote_numbers: dict[str, int] = {}
        self.ncols, self.col, self.col_top = 1, 0, 24.0
        self.set_margins(MARGIN, 24, MARGIN)
        self.set_auto_page_break(True, margin=FOOT_AREA)
        self.set_title(source.meta["title"])
        self.set_author(source.meta.get("author", "Mutuals Guide editorial team"))
        self.set_subject(source.meta["kind"])
        self.set_keywords(f"accurate_to={source.meta['accurate_to']}")
        self.set_creator("Mutuals Guide corpus builder")
        day = dt.date.fromisoformat(source.meta["accurate_to"])
        self.set_creation_date(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))

    def start_labels(self, style: str, start: int = 1) -> None:
        """Number pages from the next one added in `style` ("r" roman, "D" arabic)."""
        self.label_style, self.label_start = style, start
        self.first_labelled = self.page + 1
        self.label_pending = True

    # -- columns ----------------------------------------------------------------------------
    def begin_columns(self, ncols: int) -> None:
        self.ncols, self.col, self.col_top = ncols, 0, self.get_y()
        self.set_col(0)

    def end_columns(self) -> None:
        self.ncols = 1
        self.set_col(0)

    def set_col(self, col: int) -> None:
        self.col = col
        width = (self.w - 2 * MARGIN - GUTTER * (self.ncols - 1)) / self.ncols
        left = MARGIN + col * (width + GUTTER)
        self.set_left_margin(left)
        self.set_right_margin(self.w - left - width)
        self.set_x(left)

    @property
    def accept_page_break(self) -> bool:  # type: ignore[override]
        if self.ncols > 1 and self.col < self.ncols - 1:
            self.set_col(self.col + 1)
            self.set_y(self.col_top)
            return False
        if self.ncols > 1:
            self.set_col(0)
        self.col_top = self.t_margin
        return True

    def label_of(self, page: int) -> str:
        return self.labels.get(page, str(page))

    def header(self) -> None:
        if self.label_pending:
            self.set_page_label(label_style=self.label_style, label_start=self.label_start)
            self.label_pending = False
        offset = self.page - self.first_labelled
        number = self.label_start + offset
        self.labels[self.page] = roman(number) if self.label_style == "r" else str(number)
        if self.page == 1:
            return
        self.set_font("Helvetica", "I", 8)
        self.set_text_color(90, 90, 90)
        self.set_xy(MARGIN, 11)
        width = self.w - 2 * MARGIN
        self.cell(width / 2, 5, self.source.meta["short_title"], align=Align.L)
        self.cell(width / 2, 5, self.chapter, align=Align.R)
        self.set_draw_color(150, 150, 150)
        self.line(MARGIN, 17, self.w - MARGIN, 17)
        self.set_text_color(0, 0, 0)
        self.set_y(self.t_margin)

    def footer(self) -> None:
        if self.page == 1:
            return
        notes = self.page_footnotes.get(self.page, [])
        width = self.w - 2 * MARGIN
        if notes:
            self.set_y(-FOOT_AREA + 2)
            self.set_draw_color(120, 120, 120)
            self.line(MARGIN, self.get_y(), MARGIN + 45, self.get_y())
            self.set_y(self.get_y() + 1)
            self.set_font("Helvetica", "", 7)
            for number, text in notes:
                self.set_x(MARGIN)
                self.multi_cell(width, 3.2, f"{number} {text}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(-14)
        self.set_x(MARGIN)
        self.set_font("Helvetica", "", 8.5)
        self.cell(width, 5, self.labels[self.page], align=Align.C)

    # -- footnotes ---------------------------------------------------------------------------
    def footnote_text(self, text: str) -> list[tuple[str, bool]]:
        """Split text into (fragment, is_superscript) and queue its footnotes on this page."""
        parts: list[tuple[str, bool]] = []
        pos = 0
        for m in FOOTNOTE_REF.finditer(text):
            parts.append((text[pos : m.start()], False))
            label = m.group(1)
            number = self.footnote_numbers.setdefault(label, len(self.footnote_numbers) + 1)
            queue = self.page_footnotes.setdefault(self.page, [])
            if all(n != number for n, _ in queue):
                queue.append((number, self.source.footnotes[label]))
            parts.append((str(number), True))
            pos = m.end()
        parts.append((text[pos:], False))
        return [(t, s) for t, s in parts if t]


def roman(number: int) -> str:
    values = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for value, letters in values:
        while number >= value:
            out += letters
            number -= value
    return out


class Builder:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.pdf = ReportPdf(source)
        self.ncols = int(source.meta.get("columns", "1"))
        self.numbered = source.meta.get("numbered_paragraphs", "yes").lower() == "yes"
        self.paragraph_no = 0
        self.current_section = "front"

    def build(self) -> bytes:
        pdf = self.pdf
        pdf.start_labels("r")
        pdf.add_page()
        self.title_page()
        pdf.chapter = "Contents"
        pdf.add_page()
        front = self.source.sections["front"]
        pdf.chapter = front[0].text if front[0].kind == "h1" else ""  # header of the next page
        entries = sum(
            b.kind in {"h1", "h2"} for blocks in self.source.sections.values() for b in blocks
        )
        pdf.insert_toc_placeholder(self.render_contents, pages=-(-entries // TOC_LINES) or 1)
        for name in ("front", "body", "annex"):
            self.section(name, self.source.sections.get(name, []))
        return bytes(pdf.output())

    def title_page(self) -> None:
        pdf, meta = self.pdf, self.source.meta
        pdf.set_y(60)
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, meta["kind"].upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 22)
        pdf.multi_cell(0, 10, meta["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if meta.get("subtitle"):
            pdf.ln(3)
            pdf.set_font("Helvetica", "", 13)
            pdf.multi_cell(0, 6.5, meta["subtitle"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(14)
        pdf.set_font("Helvetica", "", 10)
        accurate = dt.date.fromisoformat(meta["accurate_to"]).strftime("%d %B %Y").lstrip("0")
        for line in (meta.get("author", "Mutuals Guide editorial team"), f"Accurate to {accurate}"):
            pdf.cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(-60)
        pdf.set_font("Helvetica", "", 8)
        pdf.multi_cell(0, 4, meta.get("licence", ""), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def render_contents(self, pdf: FPDF, outline: list) -> None:
        assert isinstance(pdf, ReportPdf)
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, "Contents", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
        width = pdf.w - pdf.l_margin - pdf.r_margin
        shown = [entry for entry in outline if entry.level <= 1]
        for i, entry in enumerate(shown):
            if i and i % TOC_LINES == 0:  # explicit breaks: the placeholder's page count is exact
                pdf.add_page()
            pdf.set_font("Helvetica", "B" if entry.level == 0 else "", 10 if entry.level else 11)
            indent = 8 * entry.level
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(width - indent - 15, 6.5, entry.name)
            pdf.cell(
                15,
                6.5,
                pdf.label_of(entry.page_number),
                align=Align.R,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )

    def section(self, name: str, blocks: list[Block]) -> None:
        """Lay out one of front | body | annex; every chapter starts on a new page."""
        pdf = self.pdf
        if not blocks:
            return
        self.current_section = name
        if name == "body":
            pdf.start_labels("D", 1)  # body and annex share one arabic sequence
        ncols = self.ncols if name != "front" else 1
        run: list[Block] = []
        for i, block in enumerate(blocks):
            if block.kind == "h1" or i == 0:
                self.flow(run, ncols)
                run = []
                title = block.text if block.kind == "h1" else pdf.chapter
                pdf.chapter = title
                # the contents placeholder leaves a fresh page for the front matter
                if not (name == "front" and i == 0):
                    pdf.add_page()
                if block.kind == "h1":
                    self.chapter_heading(block.text)
                    continue
            if block.kind == "table":
                self.flow(run, ncols)
                run = []
                self.table(block.rows)
            else:
                run.append(block)
        self.flow(run, ncols)

    def chapter_heading(self, text: str) -> None:
        pdf = self.pdf
        pdf.chapter = text
        pdf.start_section(text, level=0)
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)

    def flow(self, blocks: list[Block], ncols: int) -> None:
        if not blocks:
            return
        pdf = self.pdf
        pdf.begin_columns(ncols)
        for block in blocks:
            if block.kind in {"h2", "h3"}:
                if block.kind == "h2":
                    pdf.start_section(block.text, level=1)
                pdf.ln(2.5)
                pdf.set_font("Helvetica", "B", 12.5 if block.kind == "h2" else 11)
                pdf.multi_cell(0, 6, block.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(1)
                continue
            pdf.set_font("Helvetica", "", BODY_FONT)
            if block.kind == "bullet":
                self.write_text("-  " + block.text)
                pdf.ln(LINE + 1)
                continue
            prefix = ""
            if self.numbered and self.current_section == "body":
                self.paragraph_no += 1
                prefix = f"{self.paragraph_no}.  "
            self.write_text(prefix + block.text)
            pdf.ln(LINE + 2.4)
        pdf.end_columns()
        pdf.set_font("Helvetica", "", BODY_FONT)

    def write_text(self, text: str) -> None:
        pdf = self.pdf
        pdf.set_x(pdf.l_margin)
        for fragment, sup in pdf.footnote_text(text):
            if sup:
                pdf.char_vpos = "SUP"
                pdf.write(LINE, fragment)
                pdf.char_vpos = "LINE"
            else:
                pdf.write(LINE, fragment)

    def table(self, rows: list[list[str]]) -> None:
        pdf = self.pdf
        pdf.ln(1)
        pdf.set_font("Helvetica", "", 8.5)
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        heading = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
        with pdf.table(
            line_height=4.4, repeat_headings=1, padding=1.2, headings_style=heading
        ) as table:
            for row in rows:
                r = table.row()
                for cell in row:
                    r.cell("".join(t for t, _ in pdf.footnote_text(cell)))
        pdf.ln(3)
        pdf.set_font("Helvetica", "", BODY_FONT)


def build(source: Source) -> bytes:
    return Builder(source).build()


def check_drafts(pdf_path: Path) -> list[str]:
    """Find each draft question's evidence phrase in the built PDF; return problems found."""
    import json

    from pypdf import PdfReader

    prefix = pdf_path.stem.split("-")[0]
    drafts = sorted((HERE.parent / "eval" / "testsets" / "drafts").glob(f"{prefix}-*.jsonl"))
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf_path).pages]
    problems = []
    for draft in drafts:
        for n, line in enumerate(draft.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{draft.name}:{n}: not valid JSON ({exc})")
                continue
            for gold in record.get("gold", []):
                phrase = " ".join(clean(gold.get("evidence", "")).split())
                if gold.get("source_file") != pdf_path.name:
                    continue
                hits = [i + 1 for i, text in enumerate(pages) if phrase in text]
                if not hits:
                    problems.append(f"{draft.name}:{n}: evidence not found: {phrase!r}")
                elif len(hits) > 1:
                    problems.append(
                        f"{draft.name}:{n}: evidence on several pages {hits}: {phrase!r}"
                    )
    return problems


def sources_markdown(sources: list[Source]) -> str:
    """corpus/SOURCES.md: every document's title, kind, date, public sources and licence."""
    out = [
        "# Sources of the bundled library",
        "",
        "Generated by `python corpus/build_corpus.py` from the headers of `corpus/src/*.txt`;",
        "edit those, not this file. Every document was written for Mutuals Guide in its own words",
        "from the public sources listed; facts that could not be checked were left out.",
        "",
    ]
    for source in sources:
        meta = source.meta
        out += [
            f"## {source.slug}.pdf",
            "",
            f"- **Title:** {meta['title']}",
            f"- **Kind:** {meta['kind']}",
            f"- **Accurate to:** {meta['accurate_to']}",
            f"- **Licence:** {meta.get('licence', 'not stated')}",
            "- **Public sources** (title | publisher | year | address):",
        ]
        out += [f"  - {line}" for line in source.sources] or ["  - none listed"]
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="build only sources whose name starts with this")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    status = 0
    parsed: list[Source] = []
    for path in sorted(SRC.glob("*.txt")):
        if args.only and not path.name.startswith(args.only):
            continue
        try:
            source = parse(path)
            parsed.append(source)
            data = build(source)
        except (SourceError, KeyError, ValueError) as exc:
            print(f"ERROR {path.name}: {exc}", file=sys.stderr)
            status = 1
            continue
        target = OUT / f"{path.stem}.pdf"
        target.write_bytes(data)
        from pypdf import PdfReader

        n_pages = len(PdfReader(target).pages)
        flag = "" if n_pages >= 10 else "  WARNING: fewer than 10 pages"
        print(f"built {target.relative_to(HERE.parent)}: {n_pages} pages{flag}")
        for problem in check_drafts(target):
            print(f"  WARNING {problem}")
    if not args.only and status == 0:
        (HERE / "SOURCES.md").write_text(sources_markdown(parsed), encoding="utf-8")
        print("wrote corpus/SOURCES.md")
    return status


if __name__ == "__main__":
    sys.exit(main())
