"""Make the other documents staff are sent, for tests: a scanned page (text rendered to an image
with Pillow, wrapped as an image-only PDF), Word documents (python-docx) and saved web pages,
and each kind of bad one."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

SCAN_LINES = (
    "Minutes of the Harbourside Leisure Trust board, signed copy.",
    "The board agreed that the swimming pool will reopen on 3 March 2025",
    "after the roof repairs, which cost the trust 412,000 pounds.",
    "",
    "Forty two members of staff transferred to the trust in April 2014.",
)


def scan_image(lines: tuple[str, ...] = SCAN_LINES, dpi: int = 200):  # type: ignore[no-untyped-def]
    """An A4 page image (grey, like a scanner's) with the lines of text printed on it."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=int(dpi * 0.16))  # about 11.5 pt
    y = int(dpi * 1.0)
    for line in lines:
        draw.text((int(dpi * 0.9), y), line, fill=20, font=font)
        y += int(dpi * 0.28)
    return image


def scanned_image_pdf(path: Path, pages: int = 1, lines: tuple[str, ...] = SCAN_LINES) -> Path:
    """A PDF whose pages are only an image of printed text: no text layer at all."""
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        buffer = io.BytesIO()
        scan_image(lines).save(buffer, format="PNG")
        buffer.seek(0)
        pdf.image(buffer, x=0, y=0, w=210, h=297)
    path.write_bytes(bytes(pdf.output()))
    return path


def blank_image_pdf(path: Path) -> Path:
    """A scan of a blank sheet: an image, but nothing on it to read."""
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.add_page()
    buffer = io.BytesIO()
    Image.new("L", (400, 560), 250).save(buffer, format="PNG")
    buffer.seek(0)
    pdf.image(buffer, x=0, y=0, w=210, h=297)
    path.write_bytes(bytes(pdf.output()))
    return path


BUDGET_ROWS = (
    ("Service", "2022-23", "2023-24"),
    ("Home adaptations", "£1.10m", "£1.35m"),
    ("Handyperson scheme", "£0.21m", "£0.24m"),
    ("Occupational therapy", "£0.48m", "£0.52m"),
)


def word_doc(path: Path, hidden: str = "") -> Path:
    """A Word report: a title, two headed sections with paragraphs, a budget table; `hidden`
    adds a run formatted as hidden."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Kestrelford adaptations review"
    document.add_heading("Kestrelford adaptations review", 0)
    document.add_paragraph(
        "This review looks at how the council delivered home adaptations for disabled "
        "residents between 2022 and 2024."
    )
    document.add_heading("Waiting times", 1)
    document.add_paragraph(
        "Residents waited too long for adaptations in the first year of the review."
    )
    document.add_paragraph(
        "The average wait for a stairlift fell from 31 weeks to 17 weeks after the council "
        "moved its surveyors into one team."
    )
    if hidden:
        para = document.add_paragraph("Nothing more to add here for now. ")
        para.add_run(hidden).font.hidden = True
    document.add_heading("Budget", 1)
    document.add_paragraph("The adaptations budget by service was as follows.")
    table = document.add_table(rows=len(BUDGET_ROWS), cols=3)
    for i, row in enumerate(BUDGET_ROWS):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def macro_doc(path: Path) -> Path:
    """A Word document with a macro project in it (what a .docm is), under any name."""
    source = word_doc(path.with_name("plain-for-macro.docx")).read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as old,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"wordprocessingml.document.main+xml",
                    b"ms-word.document.macroEnabled.main+xml",
                )
            new.writestr(item, data)
        new.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro project")
    path.write_bytes(out.getvalue())
    return path


def damaged_doc(path: Path) -> Path:
    """A Word document cut off part-way, as an interrupted download leaves it."""
    data = word_doc(path.with_name("whole-for-damage.docx")).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def empty_doc(path: Path) -> Path:
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


WEB_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Northmoor outturn report</title>
<script>document.write("never run");</script><style>p { color: black }</style></head>
<body><header><nav><a href="/">Home</a> | <a href="/about">About us</a></nav></header>
<main>
<h1>Northmoor disabled facilities grant outturn</h1>
<p>This report sets out how Northmoor spent its disabled facilities grant in 2024-25.</p>
<h2>Spending</h2>
<p>The council completed 214 adaptations, up from 187 the year before.</p>
<p>Most of the money went on level-access showers and stairlifts for older residents.</p>
<div hidden>Hidden note: the grant was underspent by half.</div>
<h2>Budget by year</h2>
<table>
<tr><th>Item</th><th>2023-24</th><th>2024-25</th></tr>
<tr><td>Grant allocation</td><td>&pound;2.10m</td><td>&pound;2.45m</td></tr>
<tr><td>Spent on adaptations</td><td>&pound;1.98m</td><td>&pound;2.31m</td></tr>
</table>
</main>
<footer>Copyright Northmoor Council</footer></body></html>
"""


def web_page(path: Path, markup: str = WEB_PAGE) -> Path:
    path.write_text(markup, encoding="utf-8")
    return path
