"""Replacing a document keeps the old version as superseded: answers prefer the current one, a
citation of the old one says so, and removing a document removes every version everywhere."""

from __future__ import annotations

import json

import pytest

from assistant.config import Settings
from ingest.desk import LibraryDesk
from ingest.pipeline import UploadInfo
from tests.checks import consistent
from tests.helpers import SAMPLE_DOCS, guide_cli
from tests.pdfs import text_pdf

pytestmark = pytest.mark.integration

OLD = [
    "The Harbourside Library Trust was founded in 2011 as a staff mutual with 40 staff. "
    "It runs the town's four branch libraries under a ten-year contract with the council."
]
NEW = [
    "The Harbourside Library Trust now employs 65 staff after its merger with the county "
    "archive service. It runs the town's four branch libraries and the archive."
]


@pytest.fixture
def desk(library_copy, embedder):
    return LibraryDesk(Settings(data_dir=library_copy), embedder=embedder)


def test_replace_keeps_the_old_version_superseded_and_answers_prefer_the_new(
    desk, tmp_path, guide_factory
):
    first = text_pdf(tmp_path / "harbourside.pdf", OLD, title="Harbourside Library Trust")
    (added,) = desk.upload([first], UploadInfo(kind="case study", date="2012-03"), who="asha")
    assert added.status == "added"
    second = text_pdf(tmp_path / "harbourside-2025.pdf", NEW, title="Harbourside Library Trust")
    result = desk.replace("harbourside.pdf", second, UploadInfo(date="2025-06"), who="ben")
    assert (result.status, result.source_file) == ("replaced", "harbourside.pdf")

    library = desk.library
    current, old = library.history("harbourside.pdf")
    assert (current.status, old.status) == ("current", "superseded")
    assert current.original_name == "harbourside-2025.pdf"
    assert (current.uploaded_by, current.date, current.kind) == ("ben", "2025-06", "case study")
    assert old.superseded_by == current.version
    consistent(library)

    guide = guide_factory(library.root)
    staff = guide.ask("How many staff does the Harbourside Library Trust employ?")
    assert staff.citations, staff.text
    assert staff.citations[0].version == current.version
    assert staff.citations[0].superseded == ""
    founded = guide.ask("When was the Harbourside Library Trust founded?")
    cited = {c.version: c for c in founded.citations}
    assert old.version in cited, founded.text
    assert cited[old.version].superseded.startswith("superseded on")

    # the same file again is recognised, under its own name or another
    again = desk.upload([second], who="ben")
    assert again[0].status == "unchanged"
    assert "harbourside.pdf" in again[0].reason
    assert len(library.records()) == len(SAMPLE_DOCS) + 2


def test_remove_takes_every_version_out_of_every_index(desk, tmp_path):
    library = desk.library
    before = library.summary()
    doc = text_pdf(tmp_path / "policy.pdf", OLD)
    desk.upload([doc])
    desk.replace("policy.pdf", text_pdf(tmp_path / "policy-v2.pdf", NEW))
    versions = [r.version for r in library.history("policy.pdf")]
    assert len(versions) == 2

    with pytest.raises(Exception, match="is the current version"):
        desk.remove("policy.pdf", versions[0])
    gone = desk.remove("policy.pdf", versions[1])  # just the superseded one
    assert [r.version for r in gone] == [versions[1]]
    assert library.store.count([versions[1]]) == 0
    consistent(library)

    desk.remove("policy.pdf")
    assert library.history("policy.pdf") == []
    assert library.store.count(versions) == 0
    assert not list(library.files_dir.glob("*.pdf")) or all(
        p.stem in {r.sha256 for r in library.records()} for p in library.files_dir.glob("*.pdf")
    )
    assert library.summary() == before
    consistent(library)

    log = [(e["action"], e["result"].split(" ")[0]) for e in desk.audit.entries(10)]
    assert log[:5] == [
        ("remove", "removed"),
        ("remove", "removed"),
        ("remove", "refused:"),  # the current version alone cannot be removed
        ("replace", "replaced:"),
        ("upload", "added"),
    ]


def test_cli_replace_list_and_remove(library_copy, tmp_path):
    data = str(library_copy)
    doc = text_pdf(tmp_path / "note.pdf", OLD)
    assert guide_cli("ingest", str(doc), "--data-dir", data, "--kind", "evidence").returncode == 0
    new = text_pdf(tmp_path / "note-new.pdf", NEW)
    run = guide_cli("docs", "replace", "note.pdf", str(new), "--data-dir", data, "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["files"][0]["status"] == "replaced"

    listed = guide_cli("docs", "list", "--all", "--data-dir", data, "--json")
    records = [d for d in json.loads(listed.stdout)["documents"] if d["source_file"] == "note.pdf"]
    assert sorted(d["status"] for d in records) == ["current", "superseded"]
    assert {d["kind"] for d in records} == {"evidence"}

    missing = guide_cli("docs", "replace", "nothing.pdf", str(new), "--data-dir", data)
    assert missing.returncode == 1
    assert "no document called 'nothing.pdf'" in missing.stdout

    removed = guide_cli("docs", "remove", "note.pdf", "--data-dir", data)
    assert removed.returncode == 0, removed.stderr
    shown = guide_cli("docs", "show", "note.pdf", "--data-dir", data)
    assert shown.returncode == 2 and shown.stderr.startswith("Error: No document called")

    log = guide_cli("audit", "--data-dir", data, "--json")
    assert log.returncode == 0, log.stderr
    log = [(e["action"], e["result"].split(":")[0]) for e in json.loads(log.stdout)["entries"]]
    assert log[:4] == [
        ("remove", "removed " + log[0][1].split(" ", 1)[-1]),
        ("replace", "refused"),
        ("replace", "replaced"),
        ("upload", "added"),
    ]
