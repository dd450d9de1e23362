"""Background ingestion: an upload returns at once with a job, and a worker adds its files.

Jobs and the state of each file (queued, reading, embedding, then added, replaced, unchanged,
refused or cancelled) are kept in SQLite in the data dir, with a copy of each file beside it, so
the queue survives a restart: a file that was being read or embedded when its process died is
queued again (the library's writes are atomic, so nothing of it was added). Several app
processes on one data dir share the queue; each file is claimed by one worker, in one SQLite
write transaction. A worker holds a lock file (jobs/workers/) for as long as it lives, and a
file is queued again only when its worker's lock is free: a process id alone would not do, as a
restarted container's app often has the same id as the dead one, and another container's ids
mean nothing here. Idle workers look for dead ones' files every half minute. A job can be
cancelled: its queued files are dropped and a file being embedded stops before it is added.

>>> queue = JobQueue(settings, desk)  # doctest: +SKIP
>>> job = queue.submit([(Path("/tmp/upload/x.pdf"), "x.pdf")], UploadInfo(), who="asha")
>>> queue.start()  # doctest: +SKIP
"""

from __future__ import annotations

import builtins
import json
import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from assistant.audit import AuditAction
from assistant.errors import GuideError
from assistant.files import now_iso
from assistant.localdb import LocalDb
from assistant.logs import Timer, event
from ingest.pipeline import FileResult, UploadInfo

if TYPE_CHECKING:
    from assistant.config import Settings
    from ingest.desk import LibraryDesk

WAITING = ("queued",)
WORKING = ("reading", "embedding")
FINISHED = ("added", "replaced", "unchanged", "refused", "cancelled")
MAX_JOB_FILES = 50
RECOVER_EVERY_S = 30.0


SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, who TEXT, role TEXT, action TEXT,
  replaces TEXT, info TEXT, created_at TEXT, cancelled INTEGER);
CREATE TABLE IF NOT EXISTS files (job TEXT, idx INTEGER, name TEXT, stored TEXT, state TEXT,
  reason TEXT DEFAULT '', source_file TEXT DEFAULT '', pages INTEGER DEFAULT 0,
  chunks INTEGER DEFAULT 0, owner TEXT DEFAULT '', updated_at TEXT, done INTEGER DEFAULT 0,
  total INTEGER DEFAULT 0, PRIMARY KEY (job, idx));
"""
# columns added since the queue's first release, for a queue made before them
_ADDED_COLUMNS = {"done": "INTEGER DEFAULT 0", "total": "INTEGER DEFAULT 0"}
_PROGRESS_EVERY_S = 0.5  # how often a file's embedding progress is written down


class Cancelled(GuideError):
    """The job was cancelled while its file was being embedded."""


@dataclass(frozen=True, slots=True)
class JobFile:
    index: int
    name: str
    state: str
    reason: str = ""
    source_file: str = ""
    pages: int = 0
    chunks: int = 0
    updated_at: str = ""
    done: int = 0  # passages embedded so far, of `total` (while embedding)
    total: int = 0

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def describe(self) -> str:
        """The state for people: "embedding (12 of 40 passages)", "refused: <reason>"."""
        if self.state == "embedding" and self.total:
            return f"embedding ({self.done} of {self.total} passages)"
        return self.state


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    who: str
    role: str
    action: str  # upload | replace
    replaces: str
    created_at: str
    cancelled: bool
    files: tuple[JobFile, ...]

    @property
    def finished(self) -> bool:
        return self.state in ("done", "cancelled")

    @property
    def state(self) -> str:
        states = {f.state for f in self.files}
        if states & set(WORKING):
            return "running"
        if states & set(WAITING):
            return "queued"
        return "cancelled" if self.cancelled else "done"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "state": self.state, "files": [asdict(f) for f in self.files]}


def _owner() -> str:
    """host:pid:nonce; the nonce names the worker's lock file and tells apart two processes
    that had the same id (one after the other, or in two containers)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(6)}"


def _nonce(owner: str) -> str:
    parts = owner.split(":")
    nonce = parts[-1] if len(parts) == 3 else ""
    return nonce if nonce.isalnum() else ""


def _pid_alive(owner: str) -> bool:
    """For an owner written before workers held lock files (host:pid)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's worker: not ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobQueue:
    def __init__(self, settings: Settings, desk: LibraryDesk) -> None:
        self.root = settings.data_dir / "jobs"
        self.path = self.root / "jobs.sqlite3"
        self.desk = desk
        self.store = LocalDb(self.path, SCHEMA, "The upload queue")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.owner = _owner()
        self._migrated = False
        self.workers = self.root / "workers"
        self._alive_lock: FileLock | None = None

    # -- which workers are alive ------------------------------------------------------------
    def _worker_lock(self, nonce: str) -> FileLock:
        return FileLock(str(self.workers / f"{nonce}.lock"), mode=0o600)

    def _hold(self) -> None:
        """Take this worker's lock before it claims anything; held until `stop`."""
        if self._alive_lock is None:
            self.workers.mkdir(mode=0o700, parents=True, exist_ok=True)
            lock = self._worker_lock(_nonce(self.owner))
            lock.acquire(timeout=10)
            self._alive_lock = lock

    def _alive(self, owner: str) -> bool:
        if owner == self.owner:
            return True
        nonce = _nonce(owner)
        if not nonce:
            return _pid_alive(owner)
        lock = self._worker_lock(nonce)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return True  # its process still holds it
        lock.release()
        Path(lock.lock_file).unlink(missing_ok=True)
        return False

    def _sweep_workers(self) -> None:
        """Remove the lock files that dead workers left (a killed process cannot). Only old
        ones: a worker starting now creates its file a moment before it locks it."""
        if not self.workers.is_dir():
            return
        mine = _nonce(self.owner)
        for path in self.workers.glob("*.lock"):
            try:
                old = time.time() - path.stat().st_mtime > 2 * RECOVER_EVERY_S
            except OSError:
                continue
            if old and path.stem != mine:
                self._alive(f"::{path.stem}")

    # -- the store --------------------------------------------------------------------------
    def _db(self) -> Any:
        """A write transaction on the queue's store (reads take one too: they are tiny)."""
        if not self._migrated:
            self._migrated = True
            with self.store.transaction() as db:
                have = {row[1] for row in db.execute("PRAGMA table_info(files)")}
                for column, kind in _ADDED_COLUMNS.items():
                    if column not in have:
                        db.execute(f"ALTER TABLE files ADD COLUMN {column} {kind}")
        return self.store.transaction()

    def submit(
        self,
        files: Sequence[tuple[Path, str]],
        info: UploadInfo,
        who: str,
        role: str = "",
        replaces: str = "",
    ) -> Job:
        """Queue (temporary path, name as uploaded) pairs; the files are copied in first."""
        if not files:
            raise GuideError("Choose at least one file to upload.")
        if len(files) > MAX_JOB_FILES:
            raise GuideError(f"Upload at most {MAX_JOB_FILES} files at a time.")
        if replaces and len(files) != 1:
            raise GuideError("A document is replaced by one file.")
        if info.title and len(files) != 1:
            raise GuideError("A title can only be given when adding one file at a time.")
        job_id = secrets.token_hex(6)
        folder = self.root / job_id
        folder.mkdir(parents=True)
        stored = []
        for index, (path, name) in enumerate(files):
            target = folder / f"{index:03d}{Path(name).suffix.lower()[:8]}"
            shutil.copyfile(path, target)
            stored.append((index, Path(name).name, str(target)))
        now = now_iso()
        with self._db() as db:
            db.execute(
                "INSERT INTO jobs VALUES (?,?,?,?,?,?,?,0)",
                (
                    job_id,
                    who,
                    role,
                    "replace" if replaces else "upload",
                    replaces,
                    json.dumps(asdict(info)),
                    now,
                ),
            )
            db.executemany(
                "INSERT INTO files (job, idx, name, stored, state, updated_at) "
                "VALUES (?,?,?,?, 'queued', ?)",
                [(job_id, i, n, s, now) for i, n, s in stored],
            )
        event("job_queued", job=job_id, user=who, files=len(stored), action="upload")
        self._wake.set()
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return None
            files = db.execute(
                "SELECT idx, name, state, reason, source_file, pages, chunks, updated_at, done, "
                "total FROM files WHERE job = ? ORDER BY idx",
                (job_id,),
            ).fetchall()
        return Job(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[6],
            bool(row[7]),
            tuple(JobFile(*f) for f in files),
        )

    def list(self, limit: int = 50, who: str | None = None) -> list[Job]:
        query, args = "SELECT id FROM jobs", []
        if who is not None:
            query, args = query + " WHERE who = ?", [who]
        with self._db() as db:
            ids = [
                r[0]
                for r in db.execute(query + " ORDER BY created_at DESC, id LIMIT ?", [*args, limit])
            ]
        return [j for j in (self.get(i) for i in ids) if j is not None]

    def cancel(self, job_id: str, who: str, role: str = "") -> Job:
        job = self.get(job_id)
        if job is None:
            raise GuideError(f"No upload job with id {job_id!r}.")
        if job.state in ("done", "cancelled"):
            raise GuideError("That upload has already finished; remove the document instead.")
        with self._db() as db:
            db.execute("UPDATE jobs SET cancelled = 1 WHERE id = ?", (job_id,))
            db.execute(
                "UPDATE files SET state = 'cancelled', reason = 'cancelled before it was read', "
                "updated_at = ? WHERE job = ? AND state = 'queued'",
                (now_iso(), job_id),
            )
        self.desk.audit.record(who, AuditAction.UPLOAD, {"job": job_id}, "cancelled", role=role)
        event("job_cancelled", job=job_id, user=who)
        done = self.get(job_id)
        assert done is not None
        return done

    def recover(self) -> int:
        """Queue again the files a dead process was reading or embedding; how many."""
        with self._db() as db:
            rows = db.execute(
                "SELECT job, idx, owner FROM files WHERE state IN ('reading', 'embedding')"
            ).fetchall()
            dead = [(job, idx) for job, idx, owner in rows if not self._alive(owner)]
            for job, idx in dead:
                db.execute(
                    "UPDATE files SET state = 'queued', owner = '', updated_at = ? "
                    "WHERE job = ? AND idx = ?",
                    (now_iso(), job, idx),
                )
        self._sweep_workers()
        if dead:
            event("jobs_recovered", files=len(dead))
        return len(dead)

    # -- the worker -------------------------------------------------------------------------
    def _claim(self) -> tuple[str, int, str, str] | None:
        """The oldest queued file, now ours: (job, index, stored path, name). The select and
        the update are one write transaction, so two processes never claim the same file."""
        self._hold()
        with self._db() as db:
            row = db.execute(
                "SELECT f.job, f.idx, f.stored, f.name FROM files f JOIN jobs j ON j.id = f.job "
                "WHERE f.state = 'queued' AND j.cancelled = 0 ORDER BY j.created_at, f.job, f.idx "
                "LIMIT 1"
            ).fetchone()
            if row is not None:
                db.execute(
                    "UPDATE files SET state = 'reading', owner = ?, updated_at = ? "
                    "WHERE job = ? AND idx = ?",
                    (self.owner, now_iso(), row[0], row[1]),
                )
        return None if row is None else (row[0], row[1], row[2], row[3])

    def _set(self, job: str, index: int, state: str, result: FileResult | None = None) -> None:
        with self._db() as db:
            if result is None:
                db.execute(
                    "UPDATE files SET state = ?, updated_at = ? WHERE job = ? AND idx = ?",
                    (state, now_iso(), job, index),
                )
            else:
                db.execute(
                    "UPDATE files SET state = ?, reason = ?, source_file = ?, pages = ?, "
                    "chunks = ?, updated_at = ? WHERE job = ? AND idx = ?",
                    (
                        state,
                        result.reason,
                        result.source_file,
                        result.pages,
                        result.chunks,
                        now_iso(),
                        job,
                        index,
                    ),
                )

    def _progress(self, job: str, index: int, done: int, total: int) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE files SET done = ?, total = ?, updated_at = ? WHERE job = ? AND idx = ?",
                (min(done, total), total, now_iso(), job, index),
            )

    def unfinished(self) -> builtins.list[Job]:
        """Jobs with a file still queued, being read or being embedded, oldest first."""
        with self._db() as db:
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT DISTINCT f.job FROM files f JOIN jobs j ON j.id = f.job "
                    "WHERE f.state IN ('queued', 'reading', 'embedding') ORDER BY j.created_at"
                )
            ]
        return [j for j in (self.get(i) for i in ids) if j is not None]

    def _cancelled(self, job: str) -> bool:
        with self._db() as db:
            row = db.execute("SELECT cancelled FROM jobs WHERE id = ?", (job,)).fetchone()
        return bool(row and row[0])

    def work_one(self) -> bool:
        """Add the oldest queued file; False when there was none."""
        claimed = self._claim()
        if claimed is None:
            return False
        job_id, index, stored, name = claimed
        job = self.get(job_id)
        assert job is not None
        with self._db() as db:
            (info_json,) = db.execute("SELECT info FROM jobs WHERE id = ?", (job_id,)).fetchone()
        info = UploadInfo(**json.loads(info_json))
        timer = Timer()

        def progress(_name: str, total: int) -> Callable[[int], None]:
            self._set(job_id, index, "embedding")
            self._progress(job_id, index, 0, total)
            done = [0]
            written = [time.monotonic()]

            def tick(step: int) -> None:
                done[0] += step
                now = time.monotonic()
                if now - written[0] >= _PROGRESS_EVERY_S or done[0] >= total:
                    written[0] = now
                    self._progress(job_id, index, done[0], total)
                if self._cancelled(job_id):
                    raise Cancelled("The upload was cancelled while it was being embedded.")

            return tick

        try:
            if job.action == "replace":
                result = self.desk.replace(
                    job.replaces,
                    Path(stored),
                    info,
                    who=job.who,
                    role=job.role,
                    progress=progress,
                    name=name,
                )
            else:
                (result,) = self.desk.upload(
                    [Path(stored)],
                    info,
                    who=job.who,
                    role=job.role,
                    progress=progress,
                    names=[name],
                )
            state = result.status
        except Cancelled as exc:
            result, state = FileResult(name, "cancelled", str(exc)), "cancelled"
        except GuideError as exc:
            result, state = FileResult(name, "refused", str(exc)), "refused"
        except Exception:
            event("job_failed", job=job_id, level=40, exc_info=True)
            result = FileResult(name, "refused", "it could not be added (an error, logged)")
            state = "refused"
        self._set(job_id, index, state, result)
        Path(stored).unlink(missing_ok=True)
        event(
            "job_file",
            job=job_id,
            file_index=index,
            outcome=state,
            user=job.who,
            duration_ms=timer.ms(),
            private={"file": name},
        )
        return True

    def start(self) -> None:
        """Recover what a dead process left, then work in a background thread."""
        if self._thread is not None:
            return
        self.recover()
        self._thread = threading.Thread(target=self._loop, name="ingest-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=60)
        if self._alive_lock is not None and not (thread and thread.is_alive()):
            self._alive_lock.release()
            Path(self._alive_lock.lock_file).unlink(missing_ok=True)
            self._alive_lock = None

    def _loop(self) -> None:
        recovered = time.monotonic()
        while not self._stop.is_set():
            try:
                busy = self.work_one()
                if not busy and time.monotonic() - recovered > RECOVER_EVERY_S:
                    self.recover()  # another process may have died holding a file
                    recovered = time.monotonic()
            except Exception:  # the store itself failed: log, wait, try again
                event("job_worker_error", level=40, exc_info=True)
                busy = False
            if not busy:
                self._wake.wait(timeout=2.0)  # another process may queue work too
                self._wake.clear()
