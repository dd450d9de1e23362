"""An ingest killed with SIGKILL at any point leaves the library exactly as it was (or, once the
registry has switched, exactly as if the ingest had finished); running it again completes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.library import Library
from tests.checks import consistent, snapshot
from tests.helpers import BIN, CORPUS
from tests.pdfs import text_pdf

pytestmark = pytest.mark.integration

NEW_DOCS = [
    "02-government-response-2013-digest.pdf",
    "03-what-is-a-public-service-mutual.pdf",
    "04-legal-forms-and-governance.pdf",
    "06-support-programmes-2010-2020.pdf",
]


def ingest(data_dir: Path, *paths: Path, kill_at: str | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDE_")}
    if kill_at:
        env["GUIDE_KILL_AT"] = kill_at
    args = [str(BIN / "guide"), "ingest", *map(str, paths), "--data-dir", str(data_dir), "--json"]
    return subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize("point", ["after-pdf", "after-files", "after-store"])
def test_killed_before_the_switch_the_library_is_exactly_as_before(
    library_copy: Path, tmp_path: Path, point: str
):
    doc = text_pdf(tmp_path / "new-evidence.pdf", ["Evidence from a parish council. " * 20] * 3)
    before = snapshot(library_copy)
    proc = ingest(library_copy, doc, kill_at=point)
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL

    library = Library(Settings(data_dir=library_copy))
    assert library.find("new-evidence.pdf") is None  # readers never see a half-document
    assert (library_copy / "registry.json").read_bytes() == before["registry"]
    library.recover()  # what every later write does first
    assert snapshot(library_copy) == before
    consistent(library)

    again = ingest(library_copy, doc)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert json.loads(out)["files"][0]["status"] == "added"
    consistent(Library(Settings(data_dir=library_copy)))


@pytest.mark.parametrize("point", ["after-registry", "before-keyword"])
def test_killed_after_the_switch_the_document_is_wholly_in(
    library_copy: Path, tmp_path: Path, point: str
):
    doc = text_pdf(tmp_path / "new-evidence.pdf", ["Evidence from a parish council. " * 20] * 3)
    proc = ingest(library_copy, doc, kill_at=point)
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    library = Library(Settings(data_dir=library_copy))
    assert library.find("new-evidence.pdf") is not None
    consistent(library)  # the keyword index is rebuilt for the new generation on first use


def test_killed_at_an_arbitrary_moment_mid_batch_then_completed(library_copy: Path):
    """SIGKILL from outside as soon as the first of four documents is in: the second is then
    being read, embedded or committed. A re-run completes the batch."""
    before = Library(Settings(data_dir=library_copy)).generation()
    proc = ingest(library_copy, *(CORPUS / d for d in NEW_DOCS))
    registry = library_copy / "registry.json"
    stamp = registry.stat().st_mtime_ns
    deadline = time.monotonic() + 300
    while registry.stat().st_mtime_ns == stamp and proc.poll() is None:
        assert time.monotonic() < deadline, "the first document never committed"
        time.sleep(0.05)  # polling for the first commit, not a timed wait
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)

    library = Library(Settings(data_dir=library_copy))
    assert library.generation() != before
    assert 1 <= len(library.documents()) - 4 < len(NEW_DOCS)
    library.recover()
    consistent(library)

    again = ingest(library_copy, *(CORPUS / d for d in NEW_DOCS))
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    statuses = sorted(f["status"] for f in json.loads(out)["files"])
    assert set(statuses) <= {"added", "unchanged"} and "added" in statuses
    library = Library(Settings(data_dir=library_copy))
    assert {d.source_file for d in library.documents()} >= set(NEW_DOCS)
    consistent(library)
