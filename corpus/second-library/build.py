"""Build the second (generalisation-only) library's PDFs from the sources in ``src/``.

    /work/main/.venv/bin/python corpus/second-library/build.py          # build all seven PDFs
    /work/main/.venv/bin/python corpus/second-library/build.py --only briefing

The seven documents are deliberately made by three different PDF producers, so that they do not
look like the bundled library (corpus/build_corpus.py, fpdf2 with Helvetica):

* headless Chromium print-to-PDF through Playwright (HTML + CSS sources, header/footer templates):
  the scrutiny review, the two-column policy briefing and the landscape Health and Wellbeing
  Board report;
* fpdf2, in styles unlike build_corpus.py (serif body, coloured banners, text columns, tables):
  the Housing Assistance Policy and the newsletter;
* a small hand-written PDF writer in this file (``RawPdf``: base-14 fonts, one content stream
  per page, justified lines drawn with word spacing), imitating an office export: the written
  evidence letter and the Cabinet report.

Quirks that real published PDFs have, on purpose: the Cabinet report's metadata Title is
"Microsoft Word - Document1"; the briefing has no metadata Title at all; the Health and
Wellbeing Board report is encrypted with an owner password only (it opens without a password).

The build is deterministic: fixed creation dates, fixed file identifiers and, for the encrypted
file, a seeded random source during encryption. Running it twice gives identical files.
Chromium is needed for three documents: /usr/bin/chromium (``apt-get install -y chromium``) or
the CHROMIUM environment variable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import os
import random
import re
import secrets
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject, NameObject

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
OUT = HERE / "pdf"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--font-render-hinting=none",
]


# ----------------------------------------------------------------------------- post-processing


def pdf_date(when: dt.datetime) -> str:
    return when.strftime("D:%Y%m%d%H%M%S+00'00'")


@contextmanager
def seeded_randomness(seed: str):
    """Make pypdf's uses of ``secrets.token_bytes`` (file IDs, AES IVs) reproducible."""
    rng = random.Random(hashlib.sha256(seed.encode()).digest())
    original = secrets.token_bytes
    secrets.token_bytes = lambda n=32: rng.randbytes(n)  # type: ignore[assignment]
    try:
        yield
    finally:
        secrets.token_bytes = original  # type: ignore[assignment]


def finalise(
    data: bytes,
    out: Path,
    *,
    metadata: dict[str, str | None],
    created: dt.datetime,
    encrypt_owner: str | None = None,
) -> None:
    """Rewrite a PDF with fixed metadata and identifiers (and optional owner-only encryption).

    ``metadata`` maps keys such as "/Title" to a value, or to None to remove the key.
    """
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    info = writer._info.get_object() if writer._info is not None else None  # noqa: SLF001
    if info is not None:
        for key in list(info.keys()):
            if key not in ("/Producer", "/Creator"):
                del info[key]
    new: dict[str, str] = {}
    for key, value in metadata.items():
        if value is not None:
            new[key] = value
    new["/CreationDate"] = pdf_date(created)
    new["/ModDate"] = pdf_date(created)
    writer.add_metadata(new)
    if info is not None:
        for key, value in metadata.items():
            if value is None and NameObject(key) in info:
                del info[NameObject(key)]
    digest = hashlib.md5(out.name.encode() + created.isoformat().encode()).digest()  # noqa: S324
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])  # noqa: SLF001
    buf = io.BytesIO()
    with seeded_randomness(out.name):
        if encrypt_owner:
            from pypdf.constants import UserAccessPermissions as Perm

            allowed = (
                Perm.PRINT
                | Perm.EXTRACT
                | Perm.EXTRACT_TEXT_AND_GRAPHICS
                | Perm.PRINT_TO_REPRESENTATION
            )
            writer.encrypt(
                user_password="",
                owner_password=encrypt_owner,
                algorithm="AES-128",
                permissions_flag=allowed,
            )
        writer.write(buf)
    out.write_bytes(buf.getvalue())


# ----------------------------------------------------------------------------- Chromium


HEADER_STYLE = (
    "font-family:'Liberation Sans',Arial,sans-serif;font-size:7.6pt;color:#444;"
    "width:100%;margin:0 {side};display:flex;justify-content:space-between;"
)


@dataclass
class ChromeDoc:
    key: str
    source: str
    output: str
    header: str
    footer: str
    margin: dict[str, str]
    created: dt.datetime
    metadata: dict[str, str | None]
    landscape: bool = False
    cover_split: bool = False  # render the first page separately, without header and footer
    encrypt_owner: str | None = None


def _template(inner: str, side: str = "18mm") -> str:
    return f'<div style="{HEADER_STYLE.format(side=side)}">{inner}</div>'


CHROME_DOCS = [
    ChromeDoc(
        key="scrutiny",
        source="kestrelford-dfg-scrutiny-review-2024.html",
        output="kestrelford-dfg-scrutiny-review-2024.pdf",
        header=_template(
            "<span>Kestrelford Borough Council</span>"
            "<span>Adapting homes, changing lives: Task and Finish Group report</span>",
            "22mm",
        ),
        footer=_template(
            '<span>Report OSC/24/07</span><span><span class="pageNumber"></span></span>',
            "22mm",
        ),
        margin={"top": "24mm", "bottom": "22mm", "left": "22mm", "right": "22mm"},
        created=dt.datetime(2024, 11, 19, 9, 30, 0),
        metadata={
            "/Title": "Adapting homes, changing lives: Task and Finish Group review of the "
            "Disabled Facilities Grant service",
            "/Author": "Kestrelford Borough Council, Democratic Services",
            "/Subject": "Overview and Scrutiny report OSC/24/07",
        },
        cover_split=True,
    ),
    ChromeDoc(
        key="briefing",
        source="dfg-england-policy-briefing-2025.html",
        output="dfg-england-policy-briefing-2025.pdf",
        header=_template(
            "<span>HCPX Briefing 25/06</span><span>Disabled Facilities Grants in England</span>",
            "16mm",
        ),
        footer=_template(
            "<span>Housing and Care Policy Exchange · 15 October 2025</span>"
            '<span>Page <span class="pageNumber"></span> of '
            '<span class="totalPages"></span></span>',
            "16mm",
        ),
        margin={"top": "20mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
        created=dt.datetime(2025, 10, 15, 8, 0, 0),
        metadata={"/Title": None, "/Author": "Housing and Care Policy Exchange"},
    ),
    ChromeDoc(
        key="bcf",
        source="northmoor-bcf-dfg-outturn-2024-25.html",
        output="northmoor-bcf-dfg-outturn-2024-25.pdf",
        header=_template(
            "<span>Northmoor Health and Wellbeing Board · 24 July 2025</span>"
            "<span>Agenda item 7</span>",
            "18mm",
        ),
        footer=_template(
            "<span>Better Care Fund 2024/25: DFG outturn</span>"
            '<span>Page <span class="pageNumber"></span></span>',
            "18mm",
        ),
        margin={"top": "18mm", "bottom": "17mm", "left": "18mm", "right": "18mm"},
        created=dt.datetime(2025, 7, 15, 14, 5, 0),
        metadata={"/Title": "Item 7 - BCF DFG outturn", "/Author": "challworth"},
        landscape=True,
        encrypt_owner="nmhwb-2025-owner",
    ),
]


def build_chrome(docs: list[ChromeDoc]) -> None:
    if not docs:
        return
    if not Path(CHROMIUM).exists():
        sys.exit(f"build.py: Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        for doc in docs:
            html = (SRC / doc.source).read_text(encoding="utf-8")
            options = dict(
                format="A4",
                landscape=doc.landscape,
                print_background=True,
                display_header_footer=True,
                header_template=doc.header,
                footer_template=doc.footer,
                margin=doc.margin,
            )
            if doc.cover_split:
                cover_html, rest_html = split_cover(html)
                page.set_content(cover_html, wait_until="load")
                cover = page.pdf(
                    format="A4",
                    print_background=True,
                    display_header_footer=False,
                    margin=doc.margin,
                )
                page.set_content(rest_html, wait_until="load")
                rest = page.pdf(**options)
                data = merge_pdfs([cover, rest])
                info = PdfReader(io.BytesIO(rest)).metadata or {}
                doc.metadata = {
                    "/Creator": info.get("/Creator"),
                    "/Producer": info.get("/Producer"),
                    **doc.metadata,
                }
            else:
                page.set_content(html, wait_until="load")
                data = page.pdf(**options)
            finalise(
                data,
                OUT / doc.output,
                metadata=doc.metadata,
                created=doc.created,
                encrypt_owner=doc.encrypt_owner,
            )
            print(f"built {doc.output}")
        browser.close()


def split_cover(html: str) -> tuple[str, str]:
    """The first ``<div class="cover">...</div>`` as one document, everything else as another."""
    match = re.search(r'<div class="cover">.*?\n</div>\n', html, re.S)
    if not match:
        raise SystemExit("build.py: no cover block found")
    head, body_start = html.split("<body>", 1)
    cover = head + "<body>" + match.group(0) + "</body></html>"
    rest = html.replace(match.group(0), "", 1)
    # the first block after the cover must not force a blank page
    rest = rest.replace('<div class="plain-page">', '<div class="first-page">', 1)
    return cover, rest


def merge_pdfs(parts: list[bytes]) -> bytes:
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------- fpdf2 documents

FOOTNOTE_REF = re.compile(r"\[\^([A-Za-z0-9_-]+)\]")


def parse_meta(lines: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Leading ``@key value`` lines (keys may repeat) and the remaining lines."""
    meta: dict[str, list[str]] = {}
    rest: list[str] = []
    for line in lines:
        if line.startswith("@") and not rest:
            key, _, value = line[1:].partition(" ")
            meta.setdefault(key, []).append(value.strip())
        else:
            rest.append(line)
    return meta, rest


def paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated blocks, except that bullets, table rows and headings stand alone."""
    blocks: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            blocks.append(" ".join(buf))
            buf.clear()

    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        if line.startswith(("#", "- ", "|", "[^", ">", "==")):
            flush()
            blocks.append(line)
        else:
            buf.append(line.strip())
    flush()
    return blocks


class PolicyPDF:
    """Kestrelford Housing Assistance Policy: Times, decimal-numbered paragraphs, green rules."""

    GREEN = (0, 94, 66)
    GREY = (90, 90, 90)

    def __init__(self, source: Path, created: dt.datetime) -> None:
        from fpdf import FPDF

        text = source.read_text(encoding="utf-8")
        self.meta, lines = parse_meta(text.splitlines())
        self.sections: dict[str, list[str]] = {}
        current = None
        self.footnotes: dict[str, str] = {}
        for line in lines:
            if line.startswith("=== "):
                current = line[4:].strip()
                self.sections[current] = []
            elif line.startswith("[^") and "]:" in line:
                label, _, note = line[2:].partition("]:")
                self.footnotes[label] = note.strip()
            elif current:
                self.sections[current].append(line)
        outer = self

        class _PDF(FPDF):
            def header(self) -> None:  # noqa: D401
                if self.page_no() == 1:
                    return
                self.set_font("Times", "I", 8.5)
                self.set_text_color(*outer.GREY)
                self.set_y(11)
                self.cell(0, 5, outer.meta["org"][0], align="L")
                self.set_x(self.l_margin)
                self.cell(0, 5, outer.meta["title"][0], align="R")
                self.set_draw_color(*outer.GREEN)
                self.set_line_width(0.4)
                self.line(self.l_margin, 17, self.w - self.r_margin, 17)
                self.set_text_color(0, 0, 0)
                self.set_y(24)

            def footer(self) -> None:
                if self.page_no() == 1:
                    return
                notes = outer.page_notes.get(self.page_no(), [])
                if notes:
                    y = self.h - 14 - 4.2 * len(notes) - 3
                    self.set_draw_color(120, 120, 120)
                    self.set_line_width(0.2)
                    self.line(self.l_margin, y, self.l_margin + 45, y)
                    self.set_y(y + 1.2)
                    self.set_font("Times", "", 8)
                    for number, note in notes:
                        self.set_x(self.l_margin)
                        self.cell(5, 4.2, str(number))
                        self.cell(0, 4.2, note)
                        self.ln(4.2)
                self.set_y(-12)
                self.set_font("Times", "", 8.5)
                self.set_text_color(*outer.GREY)
                self.cell(0, 5, f"{outer.meta['version'][0]} - {outer.meta['date'][0]}", align="L")
                self.set_x(self.l_margin)
                self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
                self.set_text_color(0, 0, 0)

        self.pdf = _PDF(format="A4")
        self.pdf.core_fonts_encoding = "windows-1252"
        self.pdf.set_creation_date(created.replace(tzinfo=dt.UTC))
        self.pdf.set_margins(25, 24, 22)
        self.pdf.set_auto_page_break(True, margin=30)
        self.pdf.alias_nb_pages()
        self.page_notes: dict[int, list[tuple[int, str]]] = {}
        self.note_numbers: dict[str, int] = {}

    # -- pieces
    def cover(self) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.set_fill_color(*self.GREEN)
        pdf.rect(0, 0, 18, pdf.h, style="F")
        pdf.set_fill_color(214, 232, 222)
        pdf.rect(18, 0, 3, pdf.h, style="F")
        pdf.set_xy(32, 34)
        pdf.set_font("Times", "B", 15)
        pdf.set_text_color(*self.GREEN)
        pdf.cell(0, 8, self.meta["org"][0])
        pdf.set_xy(32, 92)
        pdf.set_font("Times", "B", 30)
        pdf.set_text_color(20, 20, 20)
        pdf.multi_cell(150, 13, self.meta["title"][0], align="L")
        pdf.set_x(32)
        pdf.set_font("Times", "I", 14)
        pdf.multi_cell(140, 7, self.meta["subtitle"][0], align="L")
        pdf.set_xy(32, 215)
        pdf.set_font("Times", "", 11)
        for line in self.meta.get("cover", []):
            pdf.set_x(32)
            pdf.cell(0, 6.2, line)
            pdf.ln(6.2)
        pdf.set_x(32)
        pdf.set_font("Times", "B", 11)
        pdf.cell(0, 6.2, f"{self.meta['version'][0]}, {self.meta['date'][0]}")
        pdf.set_text_color(0, 0, 0)

    def table(self, rows: list[list[str]], widths: tuple[float, ...] | None = None) -> None:
        from fpdf.fonts import FontFace

        pdf = self.pdf
        pdf.set_font("Times", "", 10)
        head = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=self.GREEN)
        with pdf.table(
            col_widths=widths,
            headings_style=head,
            line_height=5.4,
            text_align="LEFT",
            borders_layout="HORIZONTAL_LINES",
            padding=1.6,
            first_row_as_headings=True,
        ) as table:
            for row in rows:
                r = table.row()
                for cell in row:
                    r.cell(cell)
        pdf.ln(4)

    def rich(self, text: str, indent: float, size: float = 11) -> None:
        """Flowing text with superscript footnote markers, left-aligned, hanging at ``indent``."""
        pdf = self.pdf
        old = pdf.l_margin
        pdf.set_left_margin(indent)
        pdf.set_x(indent)
        pos = 0
        for m in FOOTNOTE_REF.finditer(text):
            pdf.set_font("Times", "", size)
            pdf.write(5.6, text[pos : m.start()])
            label = m.group(1)
            number = self.note_numbers.setdefault(label, len(self.note_numbers) + 1)
            pdf.set_font("Times", "", size - 3.5)
            pdf.char_vpos = "SUP"
            pdf.write(5.6, str(number))
            pdf.char_vpos = "LINE"
            self.page_notes.setdefault(pdf.page_no(), []).append((number, self.footnotes[label]))
            pos = m.end()
        pdf.set_font("Times", "", size)
        pdf.write(5.6, text[pos:])
        pdf.ln(5.6)
        pdf.set_left_margin(old)
        pdf.set_x(old)

    def block_list(self, lines: list[str], numbered: bool) -> None:
        pdf = self.pdf
        chapter = None
        para = 0
        rows: list[list[str]] = []
        for block in paragraphs(lines) + ["<end>"]:
            if rows and not block.startswith("|"):
                header, body = rows[0], [r for r in rows[1:] if not set("".join(r)) <= set("- ")]
                widths = (70, 93) if len(header) == 2 else None
                self.table([header] + body, widths)
                rows = []
            if block == "<end>":
                break
            if block.startswith("# "):
                title = block[2:].strip()
                pdf.add_page()
                pdf.start_section(title, level=0)
                first = title.split(" ", 1)[0]
                chapter = first if first.isdigit() else None
                para = 0
                pdf.set_font("Times", "B", 18)
                pdf.set_text_color(*self.GREEN)
                pdf.multi_cell(0, 9, title, align="L")
                pdf.set_text_color(0, 0, 0)
                pdf.ln(3)
            elif block.startswith("## "):
                if pdf.get_y() > pdf.h - 55:
                    pdf.add_page()
                pdf.ln(2)
                pdf.set_font("Times", "B", 12.5)
                pdf.set_text_color(*self.GREEN)
                pdf.multi_cell(0, 6.5, block[3:].strip(), align="L")
                pdf.set_text_color(0, 0, 0)
                pdf.ln(1.2)
            elif block.startswith("|"):
                rows.append([c.strip() for c in block.strip().strip("|").split("|")])
            elif block.startswith("- "):
                pdf.set_font("Times", "", 11)
                x = pdf.l_margin + (12 if numbered else 0)
                pdf.set_x(x + 1)
                pdf.cell(4, 5.6, "\u2022")
                self.rich(block[2:].strip(), x + 6)
                pdf.ln(0.6)
            elif block.startswith(": ") and numbered and chapter:
                para += 1
                label = f"{chapter}.{para}"
                pdf.set_font("Times", "B", 11)
                pdf.set_text_color(*self.GREEN)
                y = pdf.get_y()
                if y > pdf.h - pdf.b_margin - 12:
                    pdf.add_page()
                pdf.set_x(pdf.l_margin)
                pdf.cell(12, 5.6, label)
                pdf.set_text_color(0, 0, 0)
                self.rich(block[2:].strip(), pdf.l_margin + 12)
                pdf.ln(2.4)
            else:
                body = block[2:].strip() if block.startswith(": ") else block
                self.rich(body, pdf.l_margin)
                pdf.ln(2.4)

    def build(self) -> bytes:
        pdf = self.pdf
        self.cover()
        pdf.add_page()
        pdf.set_font("Times", "B", 16)
        pdf.set_text_color(*self.GREEN)
        pdf.cell(0, 9, "Document control")
        pdf.ln(12)
        pdf.set_text_color(0, 0, 0)
        self.block_list(self.sections["control"], numbered=False)
        pdf.insert_toc_placeholder(self.render_toc, pages=1, reset_page_indices=False)
        self.block_list(self.sections["body"], numbered=True)
        self.block_list(self.sections.get("annex", []), numbered=False)
        pdf.set_title(self.meta["title"][0])
        pdf.set_author(self.meta["org"][0])
        pdf.set_subject(self.meta["subtitle"][0])
        pdf.set_creator("fpdf2")
        return bytes(pdf.output())

    def render_toc(self, pdf, outline) -> None:  # noqa: ANN001
        pdf.set_font("Times", "B", 16)
        pdf.set_text_color(*self.GREEN)
        pdf.cell(0, 9, "Contents")
        pdf.ln(14)
        pdf.set_text_color(0, 0, 0)
        for section in outline:
            pdf.set_font("Times", "", 11.5)
            pdf.set_x(pdf.l_margin)
            title = section.name
            pdf.cell(140, 7.2, title)
            pdf.cell(0, 7.2, str(section.page_number), align="R")
            pdf.ln(7.2)


class NewsletterPDF:
    """At Home newsletter: DejaVu Sans Condensed, banner masthead, two flowing columns."""

    TEAL = (0, 110, 120)
    ORANGE = (214, 98, 28)
    FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

    def __init__(self, source: Path, created: dt.datetime) -> None:
        from fpdf import FPDF

        self.meta, lines = parse_meta(source.read_text(encoding="utf-8").splitlines())
        self.parts: list[tuple[str, str, list[str]]] = []
        for line in lines:
            if line.startswith("== "):
                kind, _, title = line[3:].partition(" ")
                self.parts.append((kind, title.strip(), []))
            elif self.parts:
                self.parts[-1][2].append(line)
        outer = self

        class _PDF(FPDF):
            col = 0

            def accept_page_break(self) -> bool:
                if outer.in_columns and self.col == 0:
                    self.col = 1
                    outer.set_col(1)
                    self.set_y(outer.col_top)
                    return False
                self.col = 0
                outer.set_col(0)
                outer.col_top = 22
                return True

            def header(self) -> None:
                if self.page_no() == 1:
                    return
                self.set_font(outer.F, "B", 8)
                self.set_text_color(*outer.TEAL)
                self.set_xy(self.l_margin, 9)
                self.cell(0, 4, f"AT HOME  |  {outer.meta['issue'][0].upper()}", align="L")
                self.set_draw_color(*outer.TEAL)
                self.set_line_width(0.8)
                self.line(self.l_margin, 15, self.w - self.r_margin, 15)
                self.set_text_color(0, 0, 0)
                self.set_y(22)

            def footer(self) -> None:
                self.set_y(-11)
                self.set_font(outer.F, "", 7.2)
                self.set_text_color(110, 110, 110)
                old = self.l_margin
                self.set_left_margin(14)
                self.set_x(14)
                self.cell(150, 4, outer.meta["footer"][0], align="L")
                self.cell(0, 4, str(self.page_no()), align="R")
                self.set_left_margin(old)
                self.set_text_color(0, 0, 0)

        self.pdf = _PDF(format="A4")
        pdf = self.pdf
        pdf.set_creation_date(created.replace(tzinfo=dt.UTC))
        regular = self.FONT_DIR / "DejaVuSansCondensed.ttf"
        bold = self.FONT_DIR / "DejaVuSansCondensed-Bold.ttf"
        italic = self.FONT_DIR / "DejaVuSansCondensed-Oblique.ttf"
        if regular.exists() and bold.exists() and italic.exists():
            pdf.add_font("Cond", "", str(regular))
            pdf.add_font("Cond", "B", str(bold))
            pdf.add_font("Cond", "I", str(italic))
            self.F = "Cond"
        else:  # pragma: no cover - fonts-dejavu-core missing
            self.F = "Times"
        pdf.set_margins(14, 22, 14)
        pdf.set_auto_page_break(True, margin=16)
        self.in_columns = False
        self.col_top = 22
        self.col_w = (pdf.w - 28 - 7) / 2

    def set_col(self, col: int) -> None:
        x = 14 + col * (self.col_w + 7)
        self.pdf.set_left_margin(x)
        self.pdf.set_right_margin(self.pdf.w - x - self.col_w)
        self.pdf.set_x(x)

    def start_columns(self) -> None:
        self.in_columns = True
        self.pdf.col = 0
        self.col_top = self.pdf.get_y()
        self.set_col(0)

    def end_columns(self) -> None:
        self.in_columns = False
        self.pdf.set_left_margin(14)
        self.pdf.set_right_margin(14)
        self.pdf.set_x(14)

    def masthead(self) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.set_fill_color(*self.TEAL)
        pdf.rect(0, 0, pdf.w, 44, style="F")
        pdf.set_fill_color(*self.ORANGE)
        pdf.rect(0, 44, pdf.w, 2.2, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.set_xy(14, 8)
        pdf.set_font(self.F, "B", 40)
        pdf.cell(0, 18, self.meta["title"][0])
        pdf.set_xy(14, 27)
        pdf.set_font(self.F, "", 10.5)
        pdf.cell(0, 5, self.meta["strap"][0])
        pdf.set_xy(14, 34)
        pdf.set_font(self.F, "B", 10.5)
        pdf.cell(0, 5, self.meta["issue"][0])
        pdf.set_text_color(0, 0, 0)
        pdf.set_y(52)

    def para(self, text: str, size: float = 9.8) -> None:
        pdf = self.pdf
        pdf.set_font(self.F, "", size)
        pdf.multi_cell(self.col_w, 4.9, text, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.2)

    def subhead(
        self, text: str, size: float = 11, color: tuple[int, int, int] | None = None
    ) -> None:
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 40:
            pdf.accept_page_break() or None
            if pdf.col == 0:
                pdf.add_page()
                self.set_col(0)
        pdf.set_font(self.F, "B", size)
        pdf.set_text_color(*(color or self.TEAL))
        pdf.multi_cell(self.col_w, size * 0.48, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.2)

    def box(self, title: str, lines: list[str]) -> None:
        pdf = self.pdf
        text = " ".join(b for b in paragraphs(lines))
        pdf.set_font(self.F, "", 9.2)
        inner = self.col_w - 6
        body_h = pdf.multi_cell(inner, 4.6, text, dry_run=True, output="HEIGHT")
        total = body_h + 15
        if pdf.get_y() + total > pdf.h - 16:
            if pdf.col == 0:
                pdf.col = 1
                self.set_col(1)
                pdf.set_y(self.col_top)
            else:
                pdf.col = 0
                pdf.add_page()
                self.set_col(0)
                self.col_top = 22
        x, y = pdf.get_x(), pdf.get_y()
        pdf.set_fill_color(253, 236, 222)
        pdf.rect(x, y, self.col_w, total, style="F")
        pdf.set_fill_color(*self.ORANGE)
        pdf.rect(x, y, self.col_w, 1.4, style="F")
        pdf.set_xy(x + 3, y + 4)
        pdf.set_font(self.F, "B", 10.5)
        pdf.set_text_color(*self.ORANGE)
        pdf.multi_cell(inner, 5, title, align="L", new_x="LEFT", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.5)
        pdf.set_x(x + 3)
        pdf.set_font(self.F, "", 9.2)
        pdf.multi_cell(inner, 4.6, text, align="L", new_x="LEFT", new_y="NEXT")
        pdf.set_xy(x, y + total + 4)

    def section_banner(self, title: str) -> None:
        pdf = self.pdf
        self.end_columns()
        pdf.add_page()
        pdf.set_fill_color(*self.TEAL)
        pdf.rect(14, pdf.get_y(), pdf.w - 28, 11, style="F")
        pdf.set_xy(17, pdf.get_y() + 2)
        pdf.set_font(self.F, "B", 15)
        pdf.set_text_color(255, 255, 255)
        pdf.cell(0, 7, title)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(14)

    def build(self) -> bytes:
        pdf = self.pdf
        self.masthead()
        for kind, title, lines in self.parts:
            blocks = paragraphs(lines)
            if kind == "lead":
                head = blocks[0][2:].strip()
                pdf.set_font(self.F, "B", 21)
                pdf.set_text_color(*self.TEAL)
                pdf.multi_cell(0, 9.5, head, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.set_text_color(0, 0, 0)
                pdf.ln(3)
                self.start_columns()
                for b in blocks[1:]:
                    self.para(b, 10.2)
            elif kind == "box":
                if not self.in_columns:
                    self.start_columns()
                self.box(title, lines)
            elif kind in ("article", "faq"):
                head = blocks[0][2:].strip()
                self.section_banner(head)
                self.start_columns()
                for b in blocks[1:]:
                    if b.startswith("## "):
                        self.subhead(
                            b[3:].strip(),
                            10.8 if kind == "faq" else 11.5,
                            self.ORANGE if kind == "faq" else None,
                        )
                    else:
                        self.para(b)
        self.end_columns()
        pdf.set_title(f"{self.meta['title'][0]} {self.meta['issue'][0]}")
        pdf.set_author("Hearth & Home Kestrelford")
        pdf.set_creator("fpdf2")
        return bytes(pdf.output())


@dataclass
class FpdfDoc:
    key: str
    source: str
    output: str
    kind: type
    created: dt.datetime
    metadata: dict[str, str | None] = field(default_factory=dict)


FPDF_DOCS = [
    FpdfDoc(
        key="policy",
        source="kestrelford-housing-assistance-policy-2025-2028.txt",
        output="kestrelford-housing-assistance-policy-2025-2028.pdf",
        kind=PolicyPDF,
        created=dt.datetime(2025, 3, 28, 11, 15, 0),
        metadata={
            "/Title": "Housing Assistance Policy 2025-2028",
            "/Author": "Kestrelford Borough Council",
            "/Subject": "Home adaptations, the Disabled Facilities Grant and discretionary "
            "housing assistance",
        },
    ),
    FpdfDoc(
        key="newsletter",
        source="at-home-newsletter-spring-2025.txt",
        output="at-home-newsletter-spring-2025.pdf",
        kind=NewsletterPDF,
        created=dt.datetime(2025, 4, 24, 16, 40, 0),
        metadata={
            "/Title": "At Home Issue 14 - Spring 2025",
            "/Author": "Hearth & Home Kestrelford",
        },
    ),
]


def build_fpdf(docs: list[FpdfDoc]) -> None:
    for doc in docs:
        from fpdf import FPDF_VERSION

        data = doc.kind(SRC / doc.source, doc.created).build()
        metadata = {"/Producer": f"PyFPDF/fpdf{FPDF_VERSION}", **doc.metadata}
        finalise(data, OUT / doc.output, metadata=metadata, created=doc.created)
        print(f"built {doc.output}")


# ------------------------------------------------------------------- hand-written PDF writer


class RawPdf:
    """A minimal PDF writer: base-14 fonts (WinAnsi), one compressed content stream per page.

    Lines are placed with absolute text matrices and justified with the Tw operator, the way
    many office exporters do. Widths come from fpdf2's core-font metrics.
    """

    FONTS = {
        "R": "Times-Roman",
        "B": "Times-Bold",
        "I": "Times-Italic",
        "H": "Helvetica",
        "HB": "Helvetica-Bold",
        "HI": "Helvetica-Oblique",
    }
    METRIC = {
        "R": "times",
        "B": "timesB",
        "I": "timesI",
        "H": "helvetica",
        "HB": "helveticaB",
        "HI": "helveticaI",
    }
    W, H = 595.28, 841.89

    def __init__(self) -> None:
        from fpdf.fonts import CORE_FONTS_CHARWIDTHS

        self.cw = CORE_FONTS_CHARWIDTHS
        self.pages: list[list[str]] = []

    # -- measuring and drawing
    def width(self, text: str, font: str, size: float) -> float:
        table = self.cw[self.METRIC[font]]
        return sum(table.get(ch, 500) for ch in text) * size / 1000

    @staticmethod
    def esc(text: str) -> str:
        raw = text.encode("cp1252")
        out = []
        for b in raw:
            c = chr(b)
            if c in "()\\":
                out.append("\\" + c)
            elif b < 32 or b > 126:
                out.append(f"\\{b:03o}")
            else:
                out.append(c)
        return "".join(out)

    def new_page(self) -> list[str]:
        self.pages.append([])
        return self.pages[-1]

    def text(
        self,
        page: list[str],
        x: float,
        y: float,
        s: str,
        font: str,
        size: float,
        tw: float = 0.0,
        grey: float = 0.0,
    ) -> None:
        """Draw ``s`` with its baseline at ``y`` (from the top of the page)."""
        tw_op = f"{tw:.3f} Tw " if tw else ""
        colour = f"{grey:.2f} g " if grey else ""
        page.append(
            f"BT {colour}/F{font} {size:.2f} Tf {tw_op}1 0 0 1 {x:.2f} {self.H - y:.2f} Tm "
            f"({self.esc(s)}) Tj{' 0 Tw' if tw else ''}{' 0 g' if grey else ''} ET"
        )

    def rule(
        self,
        page: list[str],
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        width: float = 0.5,
        grey: float = 0.0,
    ) -> None:
        page.append(
            f"{grey:.2f} G {width:.2f} w {x1:.2f} {self.H - y1:.2f} m "
            f"{x2:.2f} {self.H - y2:.2f} l S 0 G"
        )

    def fill(self, page: list[str], x: float, y: float, w: float, h: float, grey: float) -> None:
        page.append(f"{grey:.2f} g {x:.2f} {self.H - y - h:.2f} {w:.2f} {h:.2f} re f 0 g")

    def wrap(self, text: str, font: str, size: float, width: float) -> list[str]:
        words = text.split()
        lines: list[str] = []
        cur = ""
        for word in words:
            trial = f"{cur} {word}" if cur else word
            if self.width(trial, font, size) <= width or not cur:
                cur = trial
            else:
                lines.append(cur)
                cur = word
        if cur:
            lines.append(cur)
        return lines

    # -- output
    def output(self, info: dict[str, str]) -> bytes:
        import zlib

        objects: list[bytes] = []

        def add(obj: bytes) -> int:
            objects.append(obj)
            return len(objects)

        font_ids = {}
        for key, base in self.FONTS.items():
            font_ids[key] = add(
                f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} "
                f"/Encoding /WinAnsiEncoding >>".encode()
            )
        pages_id = len(objects) + 1 + 2 * len(self.pages) + 1
        page_ids = []
        font_res = " ".join(f"/F{k} {v} 0 R" for k, v in font_ids.items())
        for ops in self.pages:
            stream = zlib.compress("\n".join(ops).encode("latin-1"), 9)
            cid = add(
                f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
                + stream
                + b"\nendstream"
            )
            page_ids.append(
                add(
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {self.W} {self.H}] "
                    f"/Resources << /Font << {font_res} >> >> /Contents {cid} 0 R >>".encode()
                )
            )
        catalog_id = add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode())
        kids = " ".join(f"{i} 0 R" for i in page_ids)
        assert add(f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()) == pages_id
        info_body = " ".join(f"/{k} ({self.esc(v)})" for k, v in info.items())
        info_id = add(f"<< {info_body} >>".encode())
        out = io.BytesIO()
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, obj in enumerate(objects, 1):
            offsets.append(out.tell())
            out.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
        xref = out.tell()
        out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
        for off in offsets:
            out.write(f"{off:010d} 00000 n \n".encode())
        ident = hashlib.md5(repr(info).encode()).hexdigest()  # noqa: S324
        out.write(
            f"trailer\n<< /Size {len(objects) + 1} /Root {catalog_id} 0 R /Info {info_id} 0 R "
            f"/ID [<{ident}> <{ident}>] >>\nstartxref\n{xref}\n%%EOF\n".encode()
        )
        return out.getvalue()


class Flow:
    """Top-to-bottom layout on RawPdf pages with a running header and footer drawn afterwards."""

    def __init__(self, pdf: RawPdf, left: float, right: float, top: float, bottom: float) -> None:
        self.pdf = pdf
        self.left, self.right, self.top, self.bottom = left, right, top, bottom
        self.page = pdf.new_page()
        self.y = top

    @property
    def width(self) -> float:
        return self.pdf.W - self.left - self.right

    def need(self, height: float) -> None:
        if self.y + height > self.pdf.H - self.bottom:
            self.page = self.pdf.new_page()
            self.y = self.top

    def lines(
        self,
        lines: list[str],
        x: float,
        width: float,
        font: str,
        size: float,
        lead: float,
        justify: bool,
    ) -> None:
        for i, line in enumerate(lines):
            self.need(lead)
            self.y += lead
            tw = 0.0
            last = i == len(lines) - 1
            gaps = line.count(" ")
            if justify and not last and gaps:
                tw = (width - self.pdf.width(line, font, size)) / gaps
            self.pdf.text(self.page, x, self.y - lead * 0.22, line, font, size, tw)

    def para(
        self,
        text: str,
        font: str = "R",
        size: float = 11.0,
        lead: float = 14.0,
        indent: float = 0.0,
        label: str | None = None,
        justify: bool = True,
        after: float = 7.0,
        label_font: str | None = None,
    ) -> None:
        x = self.left + indent
        width = self.width - indent
        wrapped = self.pdf.wrap(text, font, size, width)
        self.need(lead * min(2, len(wrapped)))
        if label:
            self.pdf.text(
                self.page, self.left, self.y + lead - lead * 0.22, label, label_font or font, size
            )
        self.lines(wrapped, x, width, font, size, lead, justify)
        self.y += after


def parse_rec_table(
    pdf: RawPdf,
    flow: Flow,
    rows: list[list[str]],
    widths: list[float],
    font: str,
    size: float,
    head: list[str] | None = None,
) -> None:
    """A ruled table whose cells wrap; the heading row repeats after a page break."""
    lead = size * 1.3
    x0 = flow.left

    def draw_row(cells: list[str], bold: bool) -> None:
        f = "HB" if bold else font
        wrapped = [pdf.wrap(c, f, size, w - 8) for c, w in zip(cells, widths, strict=False)]
        height = max(len(w) for w in wrapped) * lead + 6
        if flow.y + height > pdf.H - flow.bottom:
            flow.page = pdf.new_page()
            flow.y = flow.top
            if head and not bold:
                draw_row(head, True)
        if bold:
            pdf.fill(flow.page, x0, flow.y, sum(widths), height, 0.88)
        x = x0
        for lines, w in zip(wrapped, widths, strict=False):
            for j, line in enumerate(lines):
                pdf.text(flow.page, x + 4, flow.y + 3 + (j + 1) * lead - lead * 0.25, line, f, size)
            x += w
        flow.y += height
        pdf.rule(flow.page, x0, flow.y, x0 + sum(widths), flow.y, 0.4, 0.55)

    pdf.rule(flow.page, x0, flow.y, x0 + sum(widths), flow.y, 0.8)
    if head:
        draw_row(head, True)
    for row in rows:
        draw_row(row, False)
    flow.y += 10


def build_letter(source: Path) -> bytes:
    """Hearth & Home Kestrelford's written evidence: a letter on headed paper, Times."""
    meta, lines = parse_meta(source.read_text(encoding="utf-8").splitlines())
    pdf = RawPdf()
    flow = Flow(pdf, left=84, right=84, top=104, bottom=92)
    # letterhead on the first page
    first = flow.page
    pdf.text(first, 84, 62, meta["org"][0], "HB", 17)
    pdf.rule(first, 84, 70, pdf.W - 84, 70, 1.4, 0.25)
    pdf.text(first, 84, 84, meta["orgline"][0], "HI", 8.5)
    flow.y = 112
    addressee = [ln[4:] for ln in lines if ln.startswith(">to ")]
    for line in addressee:
        flow.para(line, "R", 12, 15, justify=False, after=0)
    flow.y += 16
    flow.para(meta["date"][0], "R", 12, 15, justify=False, after=16)
    table: list[list[str]] = []

    def signature() -> None:
        flow.y += 30
        flow.need(40)
        for i, line in enumerate(sig):
            flow.para(line, "B" if i == 0 else "R", 12, 15, justify=False, after=0)
        sig.clear()

    sig: list[str] = []
    for block in paragraphs([ln for ln in lines if not ln.startswith(">to ")]) + ["<end>"]:
        if table and not block.startswith(">table "):
            widths = [200] + [(flow.width - 200) / (len(table[0]) - 1)] * (len(table[0]) - 1)
            parse_rec_table(pdf, flow, table[1:], widths, "R", 10.5, table[0])
            table = []
        if block == "<end>":
            break
        if block.startswith(">sig "):
            sig.append(block[5:])
            continue
        if sig:
            signature()
        if block.startswith(">table "):
            table.append(block[7:].split("|"))
        elif block.startswith(">pagebreak"):
            flow.page = pdf.new_page()
            flow.y = flow.top
        elif block.startswith("## "):
            flow.need(44)
            flow.y += 8
            flow.para(block[3:], "B", 12.5, 16, justify=False, after=5)
        else:
            m = re.match(r"^([A-Z]?\d*\.\d+) (.*)$", block)
            if m:
                flow.para(m.group(2), "R", 12, 16.5, indent=34, label=m.group(1), after=8)
            else:
                flow.para(block, "R", 12, 16.5, justify=block.endswith("."), after=8)
    if sig:
        signature()
    total = len(pdf.pages)
    for number, page in enumerate(pdf.pages, 1):
        if number > 1:
            pdf.text(page, 84, 50, meta["org"][0], "HB", 9)
            pdf.text(
                page,
                pdf.W - 84 - pdf.width(meta["date"][0], "H", 8.5),
                50,
                meta["date"][0],
                "H",
                8.5,
            )
            pdf.rule(page, 84, 56, pdf.W - 84, 56, 0.6, 0.25)
            pdf.text(page, 84, 68, meta["running"][0], "HI", 8.5)
        foot = f"Page {number} of {total}"
        pdf.rule(page, 84, pdf.H - 52, pdf.W - 84, pdf.H - 52, 0.4, 0.5)
        pdf.text(
            page,
            84,
            pdf.H - 40,
            "Hearth & Home Kestrelford is a registered charity and a company limited by guarantee.",
            "H",
            7.5,
            grey=0.35,
        )
        pdf.text(page, pdf.W - 84 - pdf.width(foot, "H", 8), pdf.H - 40, foot, "H", 8)
    return pdf.output(
        {
            "Title": "HHK evidence to OSC June 2024",
            "Author": "G Foy",
            "Creator": "HHK letter template",
            "Producer": "Second-library RawPdf 1.0",
            "CreationDate": "D:20240628152200+01'00'",
        }
    )


def build_cabinet(source: Path) -> bytes:
    """Kestrelford Cabinet report: Helvetica, front-sheet table, Appendix B response table."""
    meta, lines = parse_meta(source.read_text(encoding="utf-8").splitlines())
    pdf = RawPdf()
    flow = Flow(pdf, left=62, right=62, top=92, bottom=76)
    first = flow.page
    pdf.text(first, 62, 58, meta["org"][0], "HB", 15)
    pdf.text(
        first,
        pdf.W - 62 - pdf.width(meta["classification"][0], "HB", 9),
        58,
        meta["classification"][0],
        "HB",
        9,
    )
    pdf.rule(first, 62, 66, pdf.W - 62, 66, 2.0)
    flow.y = 84
    fields = [ln[7:].split("|", 1) for ln in lines if ln.startswith(">field ")]
    parse_rec_table(pdf, flow, [[k, v] for k, v in fields], [150, flow.width - 150], "H", 9.6)
    table: list[list[str]] = []
    recs: list[list[str]] = []
    body = [ln for ln in lines if not ln.startswith(">field ")]
    for block in paragraphs(body) + ["<end>"]:
        if table and not block.startswith(">table "):
            head, rows = table[0], table[1:]
            first_w = 250 if len(head) == 3 else 215
            rest = (flow.width - first_w) / (len(head) - 1)
            parse_rec_table(pdf, flow, rows, [first_w] + [rest] * (len(head) - 1), "H", 9.6, head)
            table = []
        if recs and not block.startswith(">rec "):
            parse_rec_table(
                pdf,
                flow,
                recs,
                [36, 190, flow.width - 226],
                "H",
                9.2,
                ["No.", "Recommendation", "Cabinet response"],
            )
            recs = []
        if block == "<end>":
            break
        if block.startswith(">table "):
            table.append(block[7:].split("|"))
        elif block.startswith(">rec "):
            recs.append(block[5:].split("|"))
        elif block.startswith("## "):
            title = block[3:]
            if title.startswith("Appendix"):
                flow.page = pdf.new_page()
                flow.y = flow.top
            flow.need(46)
            flow.y += 8
            flow.para(title, "HB", 11.5, 15, justify=False, after=3)
        elif block.startswith("- "):
            flow.para(block[2:], "H", 10.8, 14.6, indent=48, label="      \u2022", after=4)
        else:
            m = re.match(r"^([A-Z]?\d*\.\d+) (.*)$", block)
            if m:
                flow.para(m.group(2), "H", 10.8, 14.6, indent=34, label=m.group(1), after=7)
            else:
                flow.para(block, "H", 10.8, 14.6, after=7)
    for number, page in enumerate(pdf.pages, 1):
        if number > 1:
            pdf.text(page, 62, 48, meta["running"][0], "H", 8)
            pdf.rule(page, 62, 54, pdf.W - 62, 54, 0.5, 0.4)
        pdf.text(page, 62, pdf.H - 40, meta["classification"][0], "HB", 8)
        foot = f"{number}"
        pdf.text(page, (pdf.W - pdf.width(foot, "H", 9)) / 2, pdf.H - 40, foot, "H", 9)
    return pdf.output(
        {
            "Title": "Microsoft Word - Document1",
            "Author": "mdenholm",
            "Creator": "KBC committee report template",
            "Producer": "Second-library RawPdf 1.0",
            "CreationDate": "D:20250228101500Z",
        }
    )


RAW_DOCS = {
    "evidence": (
        "hearth-and-home-written-evidence-2024.txt",
        "hearth-and-home-written-evidence-2024.pdf",
        build_letter,
    ),
    "cabinet": (
        "cabinet-report-housing-assistance-policy-2025.txt",
        "cabinet-report-housing-assistance-policy-2025.pdf",
        build_cabinet,
    ),
}


def build_raw(keys: list[str]) -> None:
    for key in keys:
        source, output, fn = RAW_DOCS[key]
        (OUT / output).write_bytes(fn(SRC / source))
        print(f"built {output}")


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only",
        help="build one document: scrutiny, briefing, bcf, policy, newsletter, evidence or cabinet",
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    chrome = [d for d in CHROME_DOCS if args.only in (None, d.key)]
    build_chrome(chrome)
    build_fpdf([d for d in FPDF_DOCS if args.only in (None, d.key)])
    build_raw([k for k in RAW_DOCS if args.only in (None, k)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
