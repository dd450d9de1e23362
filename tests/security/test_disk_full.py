"""A disk that fills up at any moment of a write leaves the library readable and consistent: the
write is refused with a plain "disk full" message, nothing is half-added, and once space is
freed the library answers and takes the same documents. Reported: ingesting onto a nearly full
disk ended in a traceback, and afterwards every command failed ("Error deserializing pickle
file": the vector store's index file was left 0 bytes).

Each case runs the real `guide` on a copy of the sample library on a 60 MB tmpfs, in a private
mount namespace (`unshare --mount`, as root or in a user namespace), at several fill levels:
full before the write starts, and filled up in the middle of it (after our files are written,
while the vector store writes, after the registry switch).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.library import Library
from tests.checks import consistent, snapshot
from tests.helpers import BIN, ROOT
from tests.pdfs import text_pdf

pytestmark = pytest.mark.security

QUESTION = "What is a public service mutual?"
EVIDENCE = (
    "Written evidence from the {n} parish council on the transfer of its community centre to a "
    "community benefit society, with the asset transfer terms agreed in 2014. "
)


def namespace_command() -> list[str]:
    unshare = shutil.which("unshare")
    assert unshare, "unshare (util-linux) is needed to mount a private tmpfs"
    return [unshare, "--mount"] if os.geteuid() == 0 else [unshare, "--mount", "--map-root-user"]


def new_docs(folder: Path) -> list[Path]:
    folder.mkdir()
    return [
        text_pdf(folder / f"parish-evidence-{n}.pdf", [EVIDENCE.format(n=name) * 6] * 3)
        for n, name in ((1, "Ashby"), (2, "Barrow"))
    ]


def scenario(sample_library: Path, tmp_path: Path, fill_at: str, leave_kb: int) -> dict:  # type: ignore[type-arg]
    docs = new_docs(tmp_path / "new")
    spec = {
        "work": str(tmp_path),
        "library": str(sample_library),
        "disk_mb": 60,
        "reserve_mb": 1,
        "fill_at": fill_at,
        "leave_kb": leave_kb,
        "guide": str(BIN / "guide"),
        "new_docs": [str(d) for d in docs],
        "question": QUESTION,
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    driver = [sys.executable, "-m", "tests.security.disk_full_driver", str(tmp_path / "spec.json")]
    done = subprocess.run(
        [*namespace_command(), *driver], cwd=ROOT, capture_output=True, text=True, timeout=1500
    )
    assert done.returncode == 0, f"the driver failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return json.loads((tmp_path / "report.json").read_text())


def no_traceback(step: dict) -> None:  # type: ignore[type-arg]
    assert "Traceback" not in step["err"] and "Traceback" not in step["out"], step["err"][-2000:]


def answered(step: dict) -> None:  # type: ignore[type-arg]
    no_traceback(step)
    assert step["rc"] == 0, step["err"][-2000:]
    answer = json.loads(step["out"])
    assert answer["status"] == "answered" and answer["citations"], answer


def files_of(step: dict) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(step["out"])["files"]


@pytest.mark.parametrize(
    ("fill_at", "leave_kb"),
    [
        ("before", 300),
        ("after-files", 300),
        ("after-store", 200),
        ("after-registry", 200),
    ],
)
def test_a_full_disk_refuses_the_write_plainly_and_loses_nothing(
    sample_library: Path, tmp_path: Path, fill_at: str, leave_kb: int
):
    report = scenario(sample_library, tmp_path, fill_at, leave_kb)
    ingest = report["ingest"]
    no_traceback(ingest)
    before = snapshot(sample_library)
    refused = [f for f in files_of(ingest) if f["status"] == "refused"]
    for f in refused:
        assert "is full" in f["reason"] and "Nothing was changed" in f["reason"], f
    if fill_at == "before":
        assert len(refused) == 2  # no room: every file refused up front
    if fill_at in ("after-files", "after-store"):
        assert refused  # the write that met the full disk was refused
    # reading works while the disk is full
    answered(report["ask_while_full"])

    after = Library(Settings(data_dir=tmp_path / "after-refusal"))
    added = {f["source_file"] for f in files_of(ingest) if f["status"] == "added"}
    assert {r.source_file for r in after.documents()} == {
        r.source_file for r in Library(Settings(data_dir=sample_library)).documents()
    } | added  # each document wholly in or wholly out
    if not added:
        assert snapshot(tmp_path / "after-refusal")["registry"] == before["registry"]

    # once space is freed: the library answers, and takes the same documents
    answered(report["ask_after"])
    no_traceback(report["ingest_after"])
    assert report["ingest_after"]["rc"] == 0, report["ingest_after"]["err"][-2000:]
    final = Library(Settings(data_dir=tmp_path / "final"))
    consistent(final)
    assert {"parish-evidence-1.pdf", "parish-evidence-2.pdf"} <= {
        r.source_file for r in final.documents()
    }
    for path in (tmp_path / "final").rglob("*"):  # no file of the store left truncated
        if path.is_file() and path.suffix in {".pickle", ".sqlite3", ".json", ".npy"}:
            assert path.stat().st_size > 0, path
