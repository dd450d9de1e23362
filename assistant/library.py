"""The document library: a registry of current document versions, their page texts, the
original PDFs, and their chunks in the vector store, kept consistent through crashes.

Commit order makes every write atomic for readers: chunks go into the store tagged with a new
`doc_version`, then the registry (one JSON file, replaced atomically) switches to that version,
then the old version is deleted. Readers only search versions the registry lists, so a crash at
any point leaves the library as it was; `recover()` later deletes the orphaned chunks.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from assistant.config import Settings
from assistant.errors import GuideError
from assistant.keyword import KeywordIndex
from assistant.store import ChunkStore
from assistant.types import Chunk, Page

REGISTRY_FORMAT = 1


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """One current document in the library."""

    source_file: str
    title: str
    kind: str
    sha256: str
    version: str  # sha256 prefix + pipeline fingerprint: a new pipeline means a new version
    pages: int
    chunks: int
    added_at: str
    pipeline: str


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see either the old or the new content, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        self._registry: dict[str, DocumentRecord] = {}
        self._registry_stamp: tuple[int, int] | None = None
        self._pages_cache: dict[str, list[Page]] = {}
        self._chunks_cache: dict[str, list[Chunk]] = {}
        self._keyword: KeywordIndex | None = None
        self._batch_depth = 0
        self._keyword_stale = False

    # -- reading ------------------------------------------------------------------------------
    def _load(self) -> dict[str, DocumentRecord]:
        try:
            stat = self.registry_path.stat()
        except FileNotFoundError:
            self._registry, self._registry_stamp = {}, None
            return self._registry
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._registry_stamp:
            try:
                raw = json.loads(self.registry_path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise GuideError(
                    f"The library registry {self.registry_path} cannot be read ({exc}). "
                    "Restore it from a backup or re-ingest into a new --data-dir."
                ) from exc
            self._registry = {
                d["source_file"]: DocumentRecord(**d) for d in raw.get("documents", [])
            }
            self._registry_stamp = stamp
        return self._registry

    def documents(self) -> list[DocumentRecord]:
        return sorted(self._load().values(), key=lambda d: d.source_file)

    def find(self, source_file: str) -> DocumentRecord | None:
        return self._load().get(source_file)

    def find_by_sha(self, sha256: str) -> DocumentRecord | None:
        return next((d for d in self._load().values() if d.sha256 == sha256), None)

    def current_versions(self) -> list[str]:
        return [d.version for d in self._load().values()]

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
            self._pages_cache[version] = [Page(**p) for p in raw["pages"]]
        return self._pages_cache[version]

    def page(self, version: str, page: int) -> Page | None:
        pages = self.pages(version)
        return pages[page - 1] if 1 <= page <= len(pages) else None

    def generation(self) -> str:
        """Identifies the set of current document versions; changes with every commit."""
        joined = "\n".join(sorted(self.current_versions()))
        return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]

    def chunks(self, version: str) -> list[Chunk]:
        """A version's chunks in document order (from its chunk file, not the vector store)."""
        if version not in self._chunks_cache:
            raw = self._read_version(self.chunks_dir, version, "chunks")
            self._chunks_cache[version] = [
                Chunk(**{**c, "paragraphs": tuple(c["paragraphs"])}) for c in raw["chunks"]
            ]
        return self._chunks_cache[version]

    def current_chunks(self, versions: list[str] | None = None) -> list[Chunk]:
        return [c for v in (versions or self.current_versions()) for c in self.chunks(v)]

    def keyword_index(self) -> KeywordIndex:
        """The BM25 index of the current generation: in memory, else from disk, else built."""
        generation = self.generation()
        if self._keyword is None or self._keyword.generation != generation:
            index = KeywordIndex.load(self.keyword_dir, generation)
            if index is None:
                index = self._build_keyword(generation)
            self._keyword = index
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
                with self._lock():
                    self._refresh_keyword()

    def _refresh_keyword(self) -> None:
        if self._batch_depth:
            self._keyword_stale = True
            return
        self._keyword_stale = False
        self._keyword = self._build_keyword(self.generation())

    def _build_keyword(self, generation: str) -> KeywordIndex:
        chunks = self.current_chunks()
        index = KeywordIndex.build(
            generation, [c.chunk_id for c in chunks], [c.context_text() for c in chunks]
        )
        index.save(self.keyword_dir)
        return index

    def pdf_path(self, record: DocumentRecord) -> Path:
        return self.files_dir / f"{record.sha256}.pdf"

    # -- writing ------------------------------------------------------------------------------
    def _lock(self) -> FileLock:
        self.root.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.root / ".write.lock"))

    def _save(self, records: dict[str, DocumentRecord]) -> None:
        body = {
            "format": REGISTRY_FORMAT,
            "documents": [asdict(r) for r in sorted(records.values(), key=lambda r: r.source_file)],
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
    ) -> DocumentRecord | None:
        """Make `record` the current version of its source file; return the version it replaced."""
        with self._lock():
            self._recover_locked()
            pdf_path = self.pdf_path(record)
            if not pdf_path.exists():
                write_atomic(pdf_path, pdf_bytes)
            pages_body = {"version": record.version, "pages": [asdict(p) for p in pages]}
            write_atomic(
                self.pages_dir / f"{record.version}.json",
                json.dumps(pages_body).encode("utf-8"),
            )
            chunks_body = {"version": record.version, "chunks": [asdict(c) for c in chunks]}
            write_atomic(
                self.chunks_dir / f"{record.version}.json",
                json.dumps(chunks_body).encode("utf-8"),
            )
            self.store.add(chunks, embeddings)
            records = dict(self._load())
            old = records.get(record.source_file)
            records[record.source_file] = record
            self._save(records)  # the switch: from here on readers see the new version
            if old is not None and old.version != record.version:
                self._drop(old, records)
            self._refresh_keyword()
            return old

    def remove(self, source_file: str) -> DocumentRecord:
        with self._lock():
            records = dict(self._load())
            old = records.pop(source_file, None)
            if old is None:
                raise GuideError(
                    f"No document called {source_file!r} is in the library; "
                    "`guide docs list` shows what is."
                )
            self._save(records)
            self._drop(old, records)
            self._refresh_keyword()
            return old

    def _drop(self, old: DocumentRecord, remaining: dict[str, DocumentRecord]) -> None:
        self.store.delete_versions([old.version])
        if all(r.version != old.version for r in remaining.values()):
            (self.pages_dir / f"{old.version}.json").unlink(missing_ok=True)
            (self.chunks_dir / f"{old.version}.json").unlink(missing_ok=True)
            self._pages_cache.pop(old.version, None)
            self._chunks_cache.pop(old.version, None)
        if all(r.sha256 != old.sha256 for r in remaining.values()):
            self.pdf_path(old).unlink(missing_ok=True)

    def recover(self) -> list[str]:
        """Delete whatever an interrupted ingest left behind; return the orphan versions."""
        with self._lock():
            return self._recover_locked()

    def _recover_locked(self) -> list[str]:
        current = self.current_versions()
        orphans = sorted(self.store.orphan_versions(current))
        self.store.delete_versions(orphans)
        known = set(current)
        for folder in (self.pages_dir, self.chunks_dir):
            if folder.exists():
                for path in folder.glob("*.json"):
                    if path.stem not in known:
                        path.unlink(missing_ok=True)
        if self.files_dir.exists():
            shas = {r.sha256 for r in self._load().values()}
            for path in self.files_dir.glob("*.pdf"):
                if path.stem not in shas:
                    path.unlink(missing_ok=True)
        for folder in (self.root, self.pages_dir, self.chunks_dir, self.files_dir):
            for stray in folder.glob(".*.tmp"):
                stray.unlink(missing_ok=True)
        return orphans

    def summary(self) -> dict[str, Any]:
        docs = self.documents()
        return {
            "documents": len(docs),
            "pages": sum(d.pages for d in docs),
            "chunks": sum(d.chunks for d in docs),
        }


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
