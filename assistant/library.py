"""The document library: a registry of document versions, their page texts, the original PDFs,
and their chunks in the vector store, kept consistent through crashes.

Each document (named by its source file) has one current version and any number of superseded
ones: replacing a document keeps the old version, searchable but ranked below the current one,
and a citation of it says it was superseded. Re-indexing the same content with a new ingest
pipeline is not a new version: the old index of it is dropped.

Commit order makes every write atomic for readers: chunks go into the store tagged with a new
`doc_version`, then the registry (one JSON file, replaced atomically) switches to that version,
then anything no longer listed is deleted. Readers only search versions the registry lists, so a
crash or kill at any point leaves the library as it was; `recover()` (run before every write)
deletes the orphans.

The vector store is derived data. Each version's vectors are also kept in the library's own
files (`vectors/<version>.npy`, written atomically like everything else), so when the store's own
files are damaged (a disk that filled up while Chroma was writing, a crash inside Chroma), the
store is rebuilt from them without embedding anything again (`rebuild_store`), and a write never
starts unless the disk has room for it (`DiskFull`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.errors import GuideError
from assistant.faults import checkpoint
from assistant.files import now_iso, write_atomic
from assistant.keyword import KeywordIndex
from assistant.pdftext import Reference, ReferenceText
from assistant.store import ChunkStore
from assistant.types import Chunk, Page

REGISTRY_FORMAT = 2
_MB = 1024 * 1024
# Disk use of one passage in the vector store beyond its vector: text, metadata, the write-ahead
# log and the full-text index (measured: about 4 KB a passage for Chroma 1.5; doubled for safety).
_STORE_BYTES_PER_CHUNK = 8 * 1024
_DISK_FULL_MARKERS = ("no space left", "disk is full", "database or disk is full", "quota")


class DiskFull(GuideError):
    """The disk holding the library has no room for a write; nothing was changed."""


def disk_full_error(where: Path, needed: int | None = None) -> DiskFull:
    free = shutil.disk_usage(where).free if where.exists() else 0
    need = f", about {needed / _MB:.1f} MB needed" if needed else ""
    return DiskFull(
        f"The disk holding the library ({where}) is full: {free / _MB:.1f} MB free{need}. "
        "Nothing was changed. Free some space (or set GUIDE_DATA_DIR to a bigger disk) and try "
        "again."
    )


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error (an OSError, or a store error wrapping one) means the disk is full."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return any(marker in text for marker in _DISK_FULL_MARKERS)


CURRENT, SUPERSEDED = "current", "superseded"
KINDS = ("committee report", "government guidance", "evidence", "case study", "other")


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """One version of a document in the library."""

    source_file: str  # the document's name in the library (its file name when first added)
    title: str
    kind: str
    sha256: str
    version: str  # sha256 prefix + pipeline fingerprint: a new pipeline means a new version
    pages: int
    chunks: int
    added_at: str
    pipeline: str
    date: str = ""  # the date the document is accurate to: YYYY-MM-DD, YYYY-MM or YYYY
    uploaded_by: str = ""
    original_name: str = ""  # the uploaded file's name, when it differs from source_file
    status: str = CURRENT  # current | superseded
    superseded_at: str = ""
    superseded_by: str = ""  # the version that replaced this one
    flags: tuple[dict[str, Any], ...] = ()  # instruction-like or hidden text, for staff review
    # the title was chosen by the library (not given by staff), from these candidates: it may be
    # changed when another document shows that it is only boilerplate (a company name)
    title_auto: bool = False
    title_candidates: tuple[str, ...] = ()
    format: str = "pdf"  # the original file's format: pdf | docx | html (ingest.readers)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> DocumentRecord:
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        known["flags"] = tuple(known.get("flags") or ())
        known["title_candidates"] = tuple(known.get("title_candidates") or ())
        return cls(**known)

    @property
    def current(self) -> bool:
        return self.status == CURRENT

    def superseded_note(self) -> str:
        """What a citation of this version must say ("" for a current version)."""
        if self.current:
            return ""
        when = self.superseded_at[:10] or "an unknown date"
        return f"superseded on {when} by a newer version of this document"


class Library:
    """Reads and writes one library under `settings.data_dir`."""

    def __init__(self, settings: Settings, store: ChunkStore | None = None) -> None:
        self.settings = settings
        self.root = settings.data_dir
        self.store = store or ChunkStore(settings)
        self.registry_path = self.root / "registry.json"
        self.pages_dir = self.root / "pages"
        self.chunks_dir = self.root / "chunks"
        self.files_dir = self.root / "files"
        self.keyword_dir = self.root / "keyword"
        self.vectors_dir = self.root / "vectors"
        self.rebuild_marker = self.root / ".store-needs-rebuild"
        self._records: list[DocumentRecord] = []
        self._registry_stamp: tuple[int, ...] | None = None
        self._pages_cache: dict[str, list[Page]] = {}
        self._chunks_cache: dict[str, list[Chunk]] = {}
        self._keyword: KeywordIndex | None = None
        self._reference = ReferenceText()
        self._keyword_lock = threading.Lock()
        self._batch_depth = 0
        self._keyword_stale = False

    # -- reading ------------------------------------------------------------------------------
    def _load(self) -> list[DocumentRecord]:
        try:
            stat = self.registry_path.stat()
        except FileNotFoundError:
            self._records, self._registry_stamp = [], None
            return self._records
        # Another process replaces the file (a new inode) within the clock's resolution, and
        # two registries can have the same size: the inode and ctime tell them apart.
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
        if stamp != self._registry_stamp:
            try:
                raw = json.loads(self.registry_path.read_text(encoding="utf-8"))
                records = [DocumentRecord.from_dict(d) for d in raw.get("documents", [])]
            except (OSError, json.JSONDecodeError, TypeError) as exc:
                raise GuideError(
                    f"The library registry {self.registry_path} cannot be read ({exc}). "
                    "Restore it from a backup or re-ingest into a new --data-dir."
                ) from exc
            self._records, self._registry_stamp = records, stamp
        return self._records

    def documents(self) -> list[DocumentRecord]:
        """The current version of every document, by source file."""
        return sorted((r for r in self._load() if r.current), key=lambda d: d.source_file)

    def records(self) -> list[DocumentRecord]:
        """Every version, current and superseded: by document, the current version first,
        then the superseded ones newest first."""
        newest_first = sorted(self._load(), key=lambda r: r.superseded_at, reverse=True)
        return sorted(newest_first, key=lambda r: (r.source_file, not r.current))  # stable

    def history(self, source_file: str) -> list[DocumentRecord]:
        """A document's versions, current first, then superseded newest first."""
        return [r for r in self.records() if r.source_file == source_file]

    def find(self, source_file: str) -> DocumentRecord | None:
        """The current version of a document."""
        return next((r for r in self._load() if r.current and r.source_file == source_file), None)

    def find_version(self, version: str) -> DocumentRecord | None:
        return next((r for r in self._load() if r.version == version), None)

    def find_by_sha(self, sha256: str) -> DocumentRecord | None:
        """A version with this content, the current one if there is one."""
        same = [r for r in self._load() if r.sha256 == sha256]
        return next((r for r in same if r.current), same[0] if same else None)

    def current_versions(self) -> list[str]:
        return [r.version for r in self._load() if r.current]

    def indexed_versions(self) -> list[str]:
        """Every version whose passages are searchable: current and superseded."""
        return [r.version for r in self._load()]

    def superseded_versions(self) -> set[str]:
        return {r.version for r in self._load() if not r.current}

    def superseded_note(self, version: str) -> str:
        record = self.find_version(version)
        return record.superseded_note() if record else ""

    def names(self) -> list[str]:
        """What a question may call each current document by: its title, file names, kind and
        date ("the March 2025 Cabinet report", "the 2024 written evidence")."""
        return [
            " ".join(
                (
                    r.title,
                    Path(r.source_file).stem,
                    Path(r.original_name).stem,
                    r.kind,
                    spelled_date(r.date),
                )
            )
            for r in self.documents()
        ]

    def titles(self) -> dict[str, str]:
        """Each indexed version's title as the registry holds it now (a title can change after
        its chunks were made: see DocumentRecord.title_auto)."""
        return {r.version: r.title for r in self._load()}

    @staticmethod
    def _read_version(folder: Path, version: str, what: str) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(
                (folder / f"{version}.json").read_text(encoding="utf-8")
            )
        except FileNotFoundError as exc:
            raise GuideError(
                f"The {what} of document version {version} are missing from the library; "
                "re-ingest the document."
            ) from exc
        return data

    def pages(self, version: str) -> list[Page]:
        if version not in self._pages_cache:
            raw = self._read_version(self.pages_dir, version, "page texts")
            self._pages_cache[version] = [
                Page(**{**p, "paragraph_numbers": tuple(p.get("paragraph_numbers") or ())})
                for p in raw["pages"]
            ]
        return self._pages_cache[version]

    def page(self, version: str, page: int) -> Page | None:
        pages = self.pages(version)
        return pages[page - 1] if 1 <= page <= len(pages) else None

    def reference_text(self, version: str, page: int) -> str | None:
        """The cited page as an independent extractor reads it from the original PDF (not our
        layout analysis), for verifying quotes; None if there is no such page or file.

        A page with no text layer that we read by OCR, and a section of a Word document or
        web page, have no second reading to check against: the text is the one we stored (the
        OCR text of the page, the section's text), returned as a `Reference` that says so
        and numbers the section's paragraphs, so a citation can say where it is."""
        record = self.find_version(version)
        if record is None:
            return None
        if record.format != "pdf" or self._stored_origin(version, page) == "ocr":
            try:
                stored = self.page(version, page)
            except GuideError:
                return None
            return Reference.of(stored) if stored is not None else None
        path = self.file_path(record)
        return self._reference.page(path, page) if path.exists() else None

    def _stored_origin(self, version: str, page: int) -> str:
        try:
            stored = self.page(version, page)
        except GuideError:
            return ""
        return stored.origin if stored is not None else ""

    def generation(self, records: Sequence[DocumentRecord] | None = None) -> str:
        """Identifies the set of indexed versions and their status; changes with every commit.
        Given `records` (one reading of the registry), theirs."""
        records = self._load() if records is None else records
        joined = "\n".join(sorted(f"{r.version}:{r.status}" for r in records))
        return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]

    def chunks(self, version: str) -> list[Chunk]:
        """A version's chunks in document order (from its chunk file, not the vector store)."""
        if version not in self._chunks_cache:
            raw = self._read_version(self.chunks_dir, version, "chunks")
            self._chunks_cache[version] = [
                Chunk(**{**c, "paragraphs": tuple(c["paragraphs"])}) for c in raw["chunks"]
            ]
        return self._chunks_cache[version]

    def neighbour(self, chunk: Chunk, offset: int) -> Chunk | None:
        """The passage `offset` places before (-1) or after (+1) `chunk` in its document."""
        try:
            chunks = self.chunks(chunk.doc_version)
        except GuideError:
            return None
        index = chunk.ordinal + offset
        return chunks[index] if 0 <= index < len(chunks) else None

    def current_chunks(self, versions: list[str] | None = None) -> list[Chunk]:
        return [c for v in (versions or self.current_versions()) for c in self.chunks(v)]

    def indexed_chunks(self) -> list[Chunk]:
        return [c for v in self.indexed_versions() for c in self.chunks(v)]

    def keyword_index(self) -> KeywordIndex:
        """The BM25 index of the current generation: in memory, else from disk, else built.

        Another process may commit meanwhile: the generation and the chunks indexed come from
        one reading of the registry, and a version it has just dropped (its chunk file gone)
        means reading the registry again."""
        with self._keyword_lock:  # one build at a time when questions arrive together
            for attempt in range(3):
                records = self._load()
                generation = self.generation(records)
                if self._keyword is not None and self._keyword.generation == generation:
                    break
                try:
                    index = KeywordIndex.load(self.keyword_dir, generation)
                    if index is None:
                        index = self._build_keyword(generation, records)
                except GuideError:
                    if attempt == 2:
                        raise
                    self._registry_stamp = None
                    continue
                self._keyword = index
                break
            assert self._keyword is not None
            return self._keyword

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Many commits, one keyword-index build at the end (rebuilding after each commit
        would make a bulk ingest quadratic). A reader in another process meanwhile builds the
        index it needs itself, so searches stay consistent."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._keyword_stale:
                with self._writing():
                    self._refresh_keyword()

    def _refresh_keyword(self) -> None:
        if self._batch_depth:
            self._keyword_stale = True
            return
        self._keyword_stale = False
        checkpoint("before-keyword")
        records = self._load()
        with self._keyword_lock:
            self._keyword = self._build_keyword(self.generation(records), records)

    def _build_keyword(self, generation: str, records: Sequence[DocumentRecord]) -> KeywordIndex:
        chunks = [c for r in records for c in self.chunks(r.version)]
        index = KeywordIndex.build(
            generation, [c.chunk_id for c in chunks], [c.context_text() for c in chunks]
        )
        with contextlib.suppress(OSError):  # a full disk: it serves from memory; a reader saves it
            index.save(self.keyword_dir)
        return index

    def file_path(self, record: DocumentRecord) -> Path:
        """Where the version's original file is kept (a PDF, a .docx or a saved web page)."""
        suffix = {"docx": ".docx", "html": ".html"}.get(record.format, ".pdf")
        return self.files_dir / f"{record.sha256}{suffix}"

    pdf_path = file_path  # the name from when every original was a PDF

    # -- writing ------------------------------------------------------------------------------
    def _lock(self) -> FileLock:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        return FileLock(str(self.root / ".write.lock"), mode=0o600)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """The write lock, and the registry read afresh under it: a writer builds the next
        registry from the last one written by any process, never from its own cached copy."""
        with self._lock():
            self._registry_stamp = None
            yield

    # -- room on the disk -----------------------------------------------------------------------
    def _store_files_bytes(self) -> int:
        """What the embedded store may rewrite in one write: its index files (not its database,
        which grows by rows)."""
        if self.settings.chroma_host:
            return 0
        return sum(_folder_bytes(p) for p in self.settings.chroma_path.glob("*/"))

    def ensure_room(self, incoming: int, chunks: int) -> None:
        """DiskFull unless the disk has room for a write of `incoming` bytes of our own files and
        `chunks` new passages in the store, plus the reserve (GUIDE_MIN_FREE_MB)."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        needed = (
            incoming
            + chunks * _STORE_BYTES_PER_CHUNK
            + self._store_files_bytes()
            + _folder_bytes(self.keyword_dir)  # the next keyword index is saved beside the last
            + int(self.settings.min_free_mb * _MB)
        )
        if shutil.disk_usage(self.root).free < needed:
            raise disk_full_error(self.root, needed)

    def _save(self, records: Sequence[DocumentRecord]) -> None:
        body = {
            "format": REGISTRY_FORMAT,
            "documents": [
                {**asdict(r), "flags": list(r.flags)}
                for r in sorted(records, key=lambda r: (r.source_file, r.version))
            ],
        }
        write_atomic(self.registry_path, json.dumps(body, indent=1).encode("utf-8"))
        self._registry_stamp = None

    def commit(
        self,
        record: DocumentRecord,
        pages: Sequence[Page],
        chunks: Sequence[Chunk],
        embeddings: Sequence[Sequence[float]],
        pdf_bytes: bytes,
        retitle: dict[str, str] | None = None,
    ) -> DocumentRecord | None:
        """Make `record` the current version of its document; return the version it replaced.

        A replaced version with other content is kept as superseded; one with the same content
        (re-indexed by a newer pipeline) is dropped. Committing a superseded version's content
        again makes that version current again. `retitle` gives other documents (by source file)
        new titles, in the same switch."""
        pages_json = json.dumps(
            {"version": record.version, "pages": [asdict(p) for p in pages]}
        ).encode("utf-8")
        chunks_json = json.dumps(
            {"version": record.version, "chunks": [asdict(c) for c in chunks]}
        ).encode("utf-8")
        vectors = _vectors_bytes(embeddings)
        with self._writing():
            self._recover_locked()
            incoming = len(pdf_bytes) + len(pages_json) + len(chunks_json) + len(vectors)
            self.ensure_room(incoming, len(chunks))
            writing_store = False
            try:
                self._write_version(record, pdf_bytes, pages_json, chunks_json, vectors)
                writing_store = True
                self.store.add(chunks, embeddings)
                writing_store = False
                checkpoint("after-store")
                old, records, dropped = self._switch(record, retitle or {})
            except GuideError:
                raise
            except Exception as exc:  # nothing was switched: the orphans go at the next write
                if is_disk_full(exc):
                    if writing_store:
                        self._after_failed_store_write()
                    raise disk_full_error(self.root) from exc
                raise
            checkpoint("after-registry")
            for gone in dropped:
                self._drop(gone, records)
            self._refresh_keyword()
            return old

    def _switch(
        self, record: DocumentRecord, retitle: dict[str, str]
    ) -> tuple[DocumentRecord | None, list[DocumentRecord], list[DocumentRecord]]:
        """Save the registry with `record` current: the old current version superseded, or
        dropped if it has the same content; other documents retitled as `retitle` says.
        Returns (old, the new records, records to drop)."""
        records = [
            replace(r, title=retitle[r.source_file])
            if r.source_file in retitle and r.title_auto and r.source_file != record.source_file
            else r
            for r in self._load()
            if r.version != record.version
        ]
        old = next((r for r in records if r.current and r.source_file == record.source_file), None)
        dropped: list[DocumentRecord] = []
        if old is not None:
            records.remove(old)
            if old.sha256 == record.sha256:
                dropped.append(old)
            else:
                records.append(
                    replace(
                        old,
                        status=SUPERSEDED,
                        superseded_at=now_iso(),
                        superseded_by=record.version,
                    )
                )
        records.append(record)
        self._save(records)  # the switch: from here on readers see the new version
        return old, records, dropped

    def _write_version(
        self,
        record: DocumentRecord,
        pdf_bytes: bytes,
        pages_json: bytes,
        chunks_json: bytes,
        vectors: bytes,
    ) -> None:
        original = self.file_path(record)
        if not original.exists():
            write_atomic(original, pdf_bytes)
        checkpoint("after-pdf")
        write_atomic(self.pages_dir / f"{record.version}.json", pages_json)
        write_atomic(self.chunks_dir / f"{record.version}.json", chunks_json)
        write_atomic(self.vectors_dir / f"{record.version}.npy", vectors)
        self._pages_cache.pop(record.version, None)
        self._chunks_cache.pop(record.version, None)
        checkpoint("after-files")

    def _after_failed_store_write(self) -> None:
        """A store write failed part-way (the disk filled up): the store's own files may be
        damaged. Mark it for a rebuild from our files, which `tidy` does when it next
        opens; our own files were written atomically and the registry never switched."""
        # with no room even for the marker, the store check at the next open still finds damage
        with contextlib.suppress(OSError):
            write_atomic(self.rebuild_marker, b"store write failed\n")
        self.store.close()

    def tidy(self, embed: Any = None) -> dict[str, Any]:
        """At start-up: finish what an interrupted write left behind (a killed removal leaves the
        removed document's files until now) and rebuild a damaged vector store from the library's
        files. Skipped while another process is writing (that writer tidies first). `embed(texts)`
        re-embeds versions whose vectors file is missing (libraries made before vectors were
        kept). Returns what was done: {"orphans": [...], "rebuilt": passages or 0}."""
        done: dict[str, Any] = {"orphans": [], "rebuilt": 0}
        if not self.registry_path.exists():
            return done
        lock = self._lock()
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return done
        self._registry_stamp = None
        try:
            if self.rebuild_marker.exists() or not self.store.healthy():
                done["rebuilt"] = self._rebuild_store_locked(embed)
            done["orphans"] = self._recover_locked()
        finally:
            lock.release()
        return done

    def rebuild_store(self, embed: Any = None) -> int:
        """Empty the vector store and fill it again with every indexed version's chunks and
        vectors; returns the number of passages."""
        with self._writing():
            return self._rebuild_store_locked(embed)

    def _rebuild_store_locked(self, embed: Any) -> int:
        versions = self.indexed_versions()
        chunks = [c for v in versions for c in self.chunks(v)]
        self.ensure_room(0, len(chunks))
        # vectors first (re-embedding what is missing can take minutes), then the swap
        vectors = {v: self._vectors(v, self.chunks(v), embed) for v in versions}
        self.store.reset()
        for version in versions:
            self.store.add(self.chunks(version), vectors[version])
        self.rebuild_marker.unlink(missing_ok=True)
        return len(chunks)

    def _vectors(self, version: str, chunks: Sequence[Chunk], embed: Any) -> list[list[float]]:
        import numpy as np

        path = self.vectors_dir / f"{version}.npy"
        try:
            array = np.load(path, allow_pickle=False)
            if len(array) == len(chunks):
                return [[float(x) for x in row] for row in array]
        except (OSError, ValueError):
            pass
        if embed is None:
            raise GuideError(
                f"The vectors of document version {version} are missing; re-ingest it, or run "
                "the rebuild where the embedding model can be loaded."
            )
        vectors: list[list[float]] = embed([c.context_text() for c in chunks])
        write_atomic(path, _vectors_bytes(vectors))
        return vectors

    def remove(self, source_file: str, version: str | None = None) -> list[DocumentRecord]:
        """Remove a document with all its versions, or (given `version`) one superseded version.
        Returns the records removed."""
        with self._writing():
            self._recover_locked()
            records = list(self._load())
            if version is None:
                gone = [r for r in records if r.source_file == source_file]
            else:
                gone = [r for r in records if r.source_file == source_file and r.version == version]
                if gone and gone[0].current:
                    raise GuideError(
                        f"Version {version} is the current version of {source_file!r}. Remove "
                        "the whole document, or replace it with another version first."
                    )
            if not gone:
                what = f"version {version} of " if version else ""
                raise GuideError(
                    f"No {what}document called {source_file!r} is in the library; "
                    "`guide docs list` shows what is."
                )
            remaining = [r for r in records if r not in gone]
            self._save(remaining)
            checkpoint("after-remove-switch")
            for record in gone:
                self._drop(record, remaining)
            self._refresh_keyword()
            return gone

    def _drop(self, old: DocumentRecord, remaining: Sequence[DocumentRecord]) -> None:
        if all(r.version != old.version for r in remaining):
            try:
                self.store.delete_versions([old.version])
            except Exception as exc:  # the registry has switched: its passages are orphans now,
                if not is_disk_full(exc):  # removed by the next write once there is room
                    raise
            (self.pages_dir / f"{old.version}.json").unlink(missing_ok=True)
            (self.chunks_dir / f"{old.version}.json").unlink(missing_ok=True)
            (self.vectors_dir / f"{old.version}.npy").unlink(missing_ok=True)
            self._pages_cache.pop(old.version, None)
            self._chunks_cache.pop(old.version, None)
        if all(r.sha256 != old.sha256 for r in remaining):
            self.file_path(old).unlink(missing_ok=True)

    def recover(self) -> list[str]:
        """Delete whatever an interrupted ingest left behind; return the orphan versions."""
        with self._writing():
            return self._recover_locked()

    def _recover_locked(self) -> list[str]:
        indexed = self.indexed_versions()
        orphans = sorted(self.store.orphan_versions(indexed))
        self.store.delete_versions(orphans)
        known = set(indexed)
        for folder, pattern in (
            (self.pages_dir, "*.json"),
            (self.chunks_dir, "*.json"),
            (self.vectors_dir, "*.npy"),
        ):
            if folder.exists():
                for path in folder.glob(pattern):
                    if path.stem not in known:
                        path.unlink(missing_ok=True)
        if self.files_dir.exists():
            shas = {r.sha256 for r in self._load()}
            for path in self.files_dir.glob("*.*"):
                if path.suffix in (".pdf", ".docx", ".html") and path.stem not in shas:
                    path.unlink(missing_ok=True)
        for folder in (
            self.root,
            self.pages_dir,
            self.chunks_dir,
            self.vectors_dir,
            self.files_dir,
        ):
            for stray in folder.glob(".*.tmp"):
                stray.unlink(missing_ok=True)
        return orphans

    def index_check(self) -> dict[str, Any]:
        """Whether the registry, the vector store and the keyword index hold the same passages:
        the registry's chunk total over every indexed version (current and superseded), the
        store's count for those versions and in all (no orphans), and the keyword index's.
        Taken under the write lock, so a commit in progress is never half counted."""
        with self._lock():
            records = self._load()
            versions = [r.version for r in records]
            registry = sum(r.chunks for r in records)
            store = self.store.count(versions)
            store_total = self.store.count()
            keyword = len(self.keyword_index().ids)
            generation = self.generation()
        return {
            "generation": generation,
            "versions": len(versions),
            "registry_chunks": registry,
            "store_chunks": store,
            "store_total": store_total,
            "keyword_chunks": keyword,
            "agree": registry == store == store_total == keyword,
        }

    def summary(self) -> dict[str, Any]:
        docs = self.documents()
        return {
            "documents": len(docs),
            "pages": sum(d.pages for d in docs),
            "chunks": sum(d.chunks for d in docs),
            "superseded_versions": len(self._load()) - len(docs),
            "flagged": sum(bool(d.flags) for d in docs),
        }


def _folder_bytes(folder: Path) -> int:
    total = 0
    if folder.is_dir():
        for path in folder.rglob("*"):
            try:
                total += path.stat().st_size if path.is_file() else 0
            except OSError:
                continue
    return total


def _vectors_bytes(embeddings: Sequence[Sequence[float]]) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.asarray(embeddings, dtype=np.float32), allow_pickle=False)
    return buffer.getvalue()


def spelled_date(date: str) -> str:
    """A record's date as a question would say it: "2025-03-11" -> "March 2025"; "2024" stays;
    "" or anything else unparsable -> ""."""
    parts = date.split("-")
    if not parts[0].isdigit():
        return ""
    if len(parts) >= 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        return f"{datetime(2000, int(parts[1]), 1):%B} {parts[0]}"
    return parts[0]
