"""A PDF with a ruled table through the real `guide ingest` and the real answer chain: a figure
is answered with its row's and its column's headings, its quote verified on the printed page
(PDFium's reading of the original), a row far down a long table read under the headings
repeated from its top, and text hidden in a cell neither indexed nor quoted."""

from __future__ import annotations

import json

import pytest

from assistant.config import Settings
from assistant.library import Library
from assistant.types import Status
from tests.helpers import guide_cli
from tests.pdfs import HIDDEN_CELL, budget_table_pdf

pytestmark = pytest.mark.integration

NAME = "harbourside-budget.pdf"


def test_table_figures_are_answered_with_their_headings_and_verified(
    library_copy, guide_factory, tmp_path
):
    folder = tmp_path / "arrived"
    folder.mkdir()
    budget_table_pdf(folder / NAME)
    run = guide_cli("ingest", str(folder), "--data-dir", str(library_copy), "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    (result,) = json.loads(run.stdout)["files"]
    assert result["status"] == "added", result
    assert result["flags"] >= 1  # the hidden cell, for staff to review

    library = Library(Settings(data_dir=library_copy))
    record = library.find(NAME)
    assert record is not None
    stored = "\n".join(p.full_text for p in library.pages(record.version))
    assert HIDDEN_CELL not in stored
    assert "Youth outreach | £0.9m | £1.2m | £1.4m" in stored  # the row, its cells in order
    chunks = [c for c in library.chunks(record.version) if c.role == "table"]
    assert len(chunks) >= 2  # the table runs over several passages...
    assert all(c.text.startswith("Service | 2022-23 | 2023-24 | 2024-25") for c in chunks)

    guide = guide_factory(library_copy)
    for question, row, figure in [
        ("What was the budget for youth outreach in 2023-24?", "Youth outreach", "2023-24: £1.2m"),
        # ... and a row from the second passage is read under the same headings
        (
            "What was the grounds maintenance budget in 2024-25?",
            "Grounds maintenance",
            "2024-25: £2.1m",
        ),
    ]:
        answer = guide.ask(question)
        assert answer.status is not Status.NO_ANSWER, answer.text
        assert figure in answer.text and row in answer.text, answer.text
        assert "Service: " + row in answer.text, answer.text  # the row under its heading
        cited = [c for c in answer.citations if c.source_file == NAME]
        assert cited, answer.text
        quoted = [c for c in cited if row in c.quote]
        assert quoted, [c.quote for c in cited]
        assert all(c.verified and c.origin == "pdf" and c.page_label == "7" for c in quoted)
        assert all(HIDDEN_CELL not in c.quote for c in cited)
