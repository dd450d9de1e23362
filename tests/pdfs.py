"""Make real PDFs for tests with fpdf2 and pypdf: good ones, and each kind of bad one."""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF


def text_pdf(
    path: Path, pages: list[str], title: str = "Test document", roman_front: int = 0
) -> Path:
    """One string per page; the first `roman_front` pages are labelled i, ii, ..."""
    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_font("Helvetica", size=11)
    for index, text in enumerate(pages):
        pdf.add_page()
        if index == 0 and roman_front:
            pdf.set_page_label(label_style="r")
        if index == roman_front and roman_front:
            pdf.set_page_label(label_style="D", label_start=1)
        pdf.multi_cell(0, 6, text)
    path.write_bytes(bytes(pdf.output()))
    return path


def blank_pdf(path: Path, pages: int) -> Path:
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
    path.write_bytes(bytes(pdf.output()))
    return path


def scanned_pdf(path: Path) -> Path:
    """Pages with only drawn shapes: what a scan looks like to a text extractor."""
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.set_fill_color(90, 90, 90)
        for row in range(30):
            pdf.rect(20, 20 + row * 8, 160, 4, style="F")
    path.write_bytes(bytes(pdf.output()))
    return path


def encrypted_pdf(path: Path, source: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def truncated_pdf(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path
