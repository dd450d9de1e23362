"""The background ingestion queue with the real pipeline: it survives a restart (a file a dead
process was reading is queued again and added whole), cancelling drops what is not yet added,
and the library is exactly as before for a cancelled file."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest

from assistant.config import Settings
from ingest.desk import LibraryDesk
from ingest.jobs import JobQueue
from ingest.pipeline import UploadInfo
from tests.pdfs import text_pdf

pytestmark = pytest.mark.integration


def _pdf(folder: Path, name: str, text: str) -> Path:
    return text_pdf(folder / name, [text], title=name)


def test_the_queue_survives_a_restart_and_a_dead_worker(
    library_copy: Path, tmp_path: Path, embedder
):  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=library_copy)
    desk = LibraryDesk(settings, embedder=embedder)
    before = {r.source_file for r in desk.library.documents()}
    one = _pdf(tmp_path, "one.pdf", "1. The first trust runs the leisure centres for the town.")
    two = _pdf(tmp_path, "two.pdf", "1. The second trust runs the parks and open spaces.")
    job = JobQueue(settings, desk).submit(
        [(one, "one.pdf"), (two, "two.pdf")], UploadInfo(kind="evidence"), who="sam"
    )
    one.unlink()  # the queue kept its own copy
    # the process died while reading the first file
    with sqlite3.connect(settings.data_dir / "jobs" / "jobs.sqlite3") as db:
        db.execute(
            "UPDATE files SET state = 'reading', owner = ? WHERE job = ? AND idx = 0",
            (f"{socket.gethostname()}:999999999", job.id),
        )
    restarted = JobQueue(settings, LibraryDesk(settings, embedder=embedder))
    assert restarted.get(job.id).state == "running"  # as the dead process left it
    assert restarted.recover() == 1
    assert restarted.work_one() and restarted.work_one() and not restarted.work_one()
    done = restarted.get(job.id)
    assert done is not None and done.state == "done"
    assert [f.state for f in done.files] == ["added", "added"]
    after = {r.source_file for r in restarted.desk.library.documents()}
    assert after == before | {"one.pdf", "two.pdf"}
    assert not list((settings.data_dir / "jobs" / job.id).iterdir())  # copies tidied


def test_a_cancelled_job_adds_nothing_more(library_copy: Path, tmp_path: Path, embedder):  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=library_copy)
    queue = JobQueue(settings, LibraryDesk(settings, embedder=embedder))
    summary = queue.desk.library.summary()
    files = [
        (_pdf(tmp_path, f"f{i}.pdf", f"1. Trust number {i} runs a service."), f"f{i}.pdf")
        for i in range(2)
    ]
    job = queue.submit(files, UploadInfo(), who="sam")
    cancelled = queue.cancel(job.id, who="sam")
    assert cancelled.state == "cancelled"
    assert [f.state for f in cancelled.files] == ["cancelled", "cancelled"]
    assert not queue.work_one()
    assert queue.desk.library.summary() == summary
    with pytest.raises(Exception, match="already finished"):
        queue.cancel(job.id, who="sam")


def test_cancelling_while_embedding_stops_before_the_file_is_added(
    library_copy: Path, tmp_path: Path, embedder
):  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=library_copy)
    queue = JobQueue(settings, LibraryDesk(settings, embedder=embedder))
    summary = queue.desk.library.summary()
    long_text = " ".join(
        f"{n}. Paragraph {n} of the trust's plan for the service." for n in range(400)
    )
    big = _pdf(tmp_path, "big.pdf", long_text)
    job = queue.submit([(big, "big.pdf")], UploadInfo(), who="sam")
    real = queue._set

    def cancel_on_embedding(job_id: str, index: int, state: str, result=None):  # type: ignore[no-untyped-def]
        real(job_id, index, state, result)
        if state == "embedding":  # a person presses cancel while it is embedded
            with sqlite3.connect(queue.path) as db:
                db.execute("UPDATE jobs SET cancelled = 1 WHERE id = ?", (job_id,))

    queue._set = cancel_on_embedding  # type: ignore[method-assign]
    assert queue.work_one()
    done = queue.get(job.id)
    assert done is not None and done.files[0].state == "cancelled"
    assert queue.desk.library.summary() == summary
    assert queue.desk.library.find("big.pdf") is None


CLAIM_AND_WAIT = """
import sys, time
from pathlib import Path
from assistant.config import Settings
from ingest.jobs import JobQueue
queue = JobQueue(Settings(data_dir=Path(sys.argv[1])), None)
print(queue._claim()[0], queue.owner, flush=True)
time.sleep(600)
"""


def test_a_file_is_queued_again_only_once_its_worker_is_dead(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Liveness is the worker's lock, not its process id: a restarted container's app often
    has the dead one's id (and a live process with that id must not keep the file stuck)."""
    import os
    import subprocess
    import sys

    settings = Settings(data_dir=tmp_path / "library")
    queue = JobQueue(settings, None)  # type: ignore[arg-type]  (no file is worked here)
    pdf = _pdf(tmp_path, "one.pdf", "1. The first trust runs the leisure centres for the town.")
    job = queue.submit([(pdf, "one.pdf")], UploadInfo(), who="sam")
    worker = subprocess.Popen(
        [sys.executable, "-c", CLAIM_AND_WAIT, str(settings.data_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        claimed, owner = worker.stdout.readline().split()
        assert claimed == job.id and owner.split(":")[1] == str(worker.pid)
        assert queue.recover() == 0  # alive: its file stays with it
        assert queue.get(job.id).files[0].state == "reading"
    finally:
        worker.kill()
        worker.wait()
    # as if its container restarted: a live process (this one) now has the dead worker's id
    host, _, nonce = owner.split(":")
    reused = f"{host}:{os.getpid()}:{nonce}"
    with sqlite3.connect(settings.data_dir / "jobs" / "jobs.sqlite3") as db:
        db.execute("UPDATE files SET owner = ? WHERE job = ?", (reused, job.id))
    assert queue.recover() == 1
    assert queue.get(job.id).files[0].state == "queued"
    assert not (settings.data_dir / "jobs" / "workers" / f"{nonce}.lock").exists()
