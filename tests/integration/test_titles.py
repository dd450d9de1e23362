"""Every document gets a title that tells it apart: from its metadata when that is meaningful,
else its most prominent heading, never a line other documents or its own pages repeat (a company
name on every cover, a running header), and never the same as another document's."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from assistant.config import Settings
from assistant.library import Library
from ingest.pipeline import IngestPipeline

pytestmark = pytest.mark.integration
COMPANY = "Kestrel Housing Group plc"


def report(
    path: Path, title: str, body: str, meta_title: str = "", pages: int = 4, header: bool = True
) -> Path:
    """A cover with the company name set largest and the report's own title below it, then pages
    with the company name as a running header (if `header`)."""
    pdf = FPDF()
    if meta_title:
        pdf.set_title(meta_title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 30)
    pdf.multi_cell(0, 14, COMPANY)
    pdf.ln(20)
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 10, title)
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", size=8)
        pdf.cell(0, 5, COMPANY if header else "", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, body * 8)
    path.write_bytes(bytes(pdf.output()))
    return path


def test_a_company_name_on_every_cover_is_never_the_title(tmp_path: Path, embedder):
    docs = [
        report(tmp_path / "annual.pdf", "Annual Report and Accounts 2023", "Our year in review. "),
        report(tmp_path / "tenants.pdf", "Tenant Satisfaction Survey 2024", "Residents told us. "),
        report(tmp_path / "repairs.pdf", "Repairs and Maintenance Strategy", "We will fix homes. "),
    ]
    settings = Settings(data_dir=tmp_path / "library")
    results = IngestPipeline(settings, embedder=embedder).run(docs)
    assert [r.status for r in results] == ["added"] * 3
    titles = {r.source_file: r.title for r in Library(settings).documents()}
    assert titles == {
        "annual.pdf": "Annual Report and Accounts 2023",
        "tenants.pdf": "Tenant Satisfaction Survey 2024",
        "repairs.pdf": "Repairs and Maintenance Strategy",
    }  # the first one too, retitled once the second showed the company name is on every cover


def test_meaningful_metadata_wins_and_junk_metadata_does_not(tmp_path: Path, embedder):
    docs = [
        report(
            tmp_path / "a.pdf", "Rent Setting Policy", "Rents rise by CPI. ", "Rent policy 2025"
        ),
        report(
            tmp_path / "b.pdf", "Damp and Mould Plan", "We inspect homes. ", "Microsoft Word - B"
        ),
    ]
    settings = Settings(data_dir=tmp_path / "library")
    IngestPipeline(settings, embedder=embedder).run(docs)
    titles = {r.source_file: r.title for r in Library(settings).documents()}
    assert titles == {"a.pdf": "Rent policy 2025", "b.pdf": "Damp and Mould Plan"}


def test_two_documents_never_show_the_same_title(tmp_path: Path, embedder):
    docs = [
        report(
            tmp_path / f"budget-{year}.pdf", "Budget Book", f"Spending in {year}. ", "Budget Book"
        )
        for year in (2023, 2024)
    ]
    settings = Settings(data_dir=tmp_path / "library")
    IngestPipeline(settings, embedder=embedder).run(docs)
    titles = {r.source_file: r.title for r in Library(settings).documents()}
    assert len(set(titles.values())) == 2, titles
    assert "2023" in titles["budget-2023.pdf"] and "2024" in titles["budget-2024.pdf"], titles


def test_citations_show_the_title_as_it_is_now(tmp_path: Path, embedder, guide_factory):
    first = report(
        tmp_path / "annual.pdf",
        "Annual Report and Accounts 2023",
        "Rent arrears fell by a fifth over the year as tenants were helped to claim benefits. ",
        header=False,
    )
    settings = Settings(data_dir=tmp_path / "library")
    IngestPipeline(settings, embedder=embedder).run([first])
    assert Library(settings).find("annual.pdf").title == COMPANY  # nothing to compare with yet
    second = report(
        tmp_path / "tenants.pdf", "Tenant Satisfaction Survey 2024", "Residents. ", header=False
    )
    IngestPipeline(settings, embedder=embedder).run([second])
    assert Library(settings).find("annual.pdf").title == "Annual Report and Accounts 2023"
    answer = guide_factory(tmp_path / "library").ask("By how much did rent arrears fall?")
    assert answer.citations and all(c.document != COMPANY for c in answer.citations)
    assert {h.chunk.document for h in answer.retrieved} <= {
        "Annual Report and Accounts 2023",
        "Tenant Satisfaction Survey 2024",
    }
