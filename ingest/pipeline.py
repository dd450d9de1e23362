"""The ingest pipeline: discover files, validate, extract, chunk, embed, then commit atomically.

Everything that can fail (reading, parsing, embedding) happens before the library is touched;
the commit itself is the library's atomic switch (see assistant.library)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.embeddings import MODEL_NAME, Embedder
from assistant.errors import RefusedFile
from assistant.library import KINDS, DiskFull, DocumentRecord, Library, now_iso
from ingest.chunking import StructuredChunker
from ingest.document import ACCEPTED_SUFFIXES, REFUSED_SUFFIXES, LoadedDocument
from ingest.flags import find_flags
from ingest.layout import LAYOUT_VERSION
from ingest.metadata import check_date, choose_title, title_keys
from ingest.readers import DocumentLoader

ProgressFactory = Callable[[str, int], Callable[[int], Any]]


@dataclass(frozen=True, slots=True)
class UploadInfo:
    """What staff say about a document as they add it; empty fields are filled from the PDF."""

    title: str = ""
    kind: str = ""
    date: str = ""  # the date the document is accurate to
    uploaded_by: str = ""


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    status: str  # added | unchanged | replaced | refused
    reason: str = ""
    pages: int = 0
    chunks: int = 0
    source_file: str = ""  # the document's name in the library
    flags: int = 0  # instruction-like or hidden passages flagged for review

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """Files named directly, or found (recursively) in folders: PDFs, Word documents and web
    pages, and the Office files refused by name (so staff see why); missing paths are refused."""
    found = {*ACCEPTED_SUFFIXES, *REFUSED_SUFFIXES}
    files: list[Path] = []
    refused: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in found)
            )
        elif path.is_file():
            files.append(path)
        else:
            refused.append(FileResult(str(path), "refused", "no such file or folder"))
    return files, refused


class IngestPipeline:
    def __init__(
        self,
        settings: Settings,
        library: Library | None = None,
        embedder: Embedder | None = None,
        loader: DocumentLoader | None = None,
        chunker: StructuredChunker | None = None,
    ) -> None:
        self.settings = settings
        self.library = library or Library(settings)
        self.embedder = embedder or Embedder(settings.embed_batch_size)
        self.loader = loader or DocumentLoader(
            settings.max_file_mb,
            settings.max_pages,
            seconds=settings.parse_seconds,
            memory_mb=settings.parse_memory_mb,
        )
        self.chunker = chunker or StructuredChunker()
        self.fingerprint = f"{LAYOUT_VERSION}|{self.chunker.version}|{MODEL_NAME}"

    def choose_title(
        self, name: str, candidates: Sequence[str], date: str
    ) -> tuple[str, dict[str, str]]:
        """A title for a new document that no other document shows, and never a line that other
        documents also print on their first pages (a company or council name on every cover);
        plus new titles for documents whose own chosen title this one shows to be such a line.
        See ingest.metadata.choose_title."""
        others = [r for r in self.library.documents() if r.source_file != name]
        mine = title_keys(candidates)
        boilerplate = {k for r in others for k in title_keys(r.title_candidates) if k in mine}
        retitle: dict[str, str] = {}
        for other in others:
            if other.title_auto and title_keys([other.title]) & boilerplate:
                rest = {
                    k: o.date
                    for o in others
                    if o is not other
                    for k in title_keys([retitle.get(o.source_file, o.title)])
                }
                retitle[other.source_file] = choose_title(
                    other.title_candidates, rest, boilerplate, other.date
                )
        taken = {
            k: o.date for o in others for k in title_keys([retitle.get(o.source_file, o.title)])
        }
        return choose_title(candidates, taken, boilerplate, date), retitle

    def version_of(self, sha256: str) -> str:
        tag = hashlib.sha1(self.fingerprint.encode("utf-8")).hexdigest()[:6]
        return f"{sha256[:16]}-{tag}"

    def run(
        self,
        paths: Sequence[Path],
        progress: ProgressFactory | None = None,
        info: UploadInfo | None = None,
    ) -> list[FileResult]:
        """Add files and folders; a file named like a document in the library replaces it (the
        old version is kept as superseded)."""
        files, results = discover(paths)
        return results + self.ingest_files([(p, None) for p in files], progress, info)

    def ingest_files(
        self,
        files: Sequence[tuple[Path, str | None]],
        progress: ProgressFactory | None = None,
        info: UploadInfo | None = None,
    ) -> list[FileResult]:
        """Add (path, name in the library) pairs; a None name means the file's own name.

        The next file is read (in its bounded child process) while this one is embedded and
        committed, so reading and embedding overlap; each file is still committed on its own,
        in the order given."""
        from concurrent.futures import ThreadPoolExecutor

        self.library.tidy(self.embedder.encode)
        results: list[FileResult] = []
        with self.library.batch(), ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as ahead:
            pending = [ahead.submit(self.read, path, name, info) for path, name in files[:1]]
            for index, (path, _name) in enumerate(files):
                read = pending.pop(0).result()
                if index + 1 < len(files):
                    following, name = files[index + 1]
                    pending.append(ahead.submit(self.read, following, name, info))
                if isinstance(read, FileResult):
                    results.append(read)
                else:
                    results.append(self.ingest_loaded(read, str(path), progress, info))
        return results

    def read(
        self, path: Path, source_file: str | None = None, info: UploadInfo | None = None
    ) -> LoadedDocument | FileResult:
        """The file read and checked, or the reason it is refused."""
        shown = str(path)
        try:
            if info is not None and info.kind and info.kind not in KINDS:
                raise RefusedFile(shown, f"the kind must be one of: {', '.join(KINDS)}")
            if info is not None and info.date:
                check_date(info.date)
            return self.loader.load(path, source_file)
        except RefusedFile as exc:
            return FileResult(shown, "refused", exc.reason)
        except ValueError as exc:
            return FileResult(shown, "refused", str(exc))

    def ingest_file(
        self,
        path: Path,
        source_file: str | None = None,
        progress: ProgressFactory | None = None,
        info: UploadInfo | None = None,
        replaces: str | None = None,
    ) -> FileResult:
        """Add one file. `source_file` names it in the library (default: its file name);
        `replaces` names the document it is a new version of, whatever the file is called."""
        shown = str(path)
        if replaces is not None and self.library.find(replaces) is None:
            return FileResult(
                shown, "refused", f"there is no document called {replaces!r} to replace"
            )
        read = self.read(path, source_file, info)
        if isinstance(read, FileResult):
            return read
        return self.ingest_loaded(read, shown, progress, info, replaces)

    def ingest_loaded(
        self,
        loaded: LoadedDocument,
        shown: str,
        progress: ProgressFactory | None = None,
        info: UploadInfo | None = None,
        replaces: str | None = None,
    ) -> FileResult:
        info = info or UploadInfo()
        name = replaces or loaded.source_file
        sha = hashlib.sha256(loaded.data).hexdigest()
        version = self.version_of(sha)
        pages = len(loaded.pages)
        current = self.library.find(name)
        if current is not None and current.version == version:
            return FileResult(
                shown, "unchanged", "already in the library", pages, current.chunks, name
            )
        twin = self.library.find_by_sha(sha)
        if twin is not None and twin.source_file != name:
            earlier = "" if twin.current else "an earlier, superseded version of "
            return FileResult(
                shown,
                "unchanged",
                f"same content as {earlier}{twin.source_file}, already in the library",
                pages,
                twin.chunks,
                twin.source_file,
            )
        suggested = loaded.suggested
        candidates = suggested.candidates if suggested else (loaded.title,)
        found_kind = current.kind if current else (suggested.kind if suggested else "")
        kind = info.kind or found_kind or "other"
        date = info.date.strip() or (suggested.date if suggested else "")
        # a new version keeps its document's title unless staff give a new one
        retitle: dict[str, str] = {}
        if info.title.strip():
            title, auto = info.title.strip(), False
        elif current is not None:
            title, auto = current.title, current.title_auto
        else:
            title, retitle = self.choose_title(name, candidates, date)
            auto = True
        pages_named = loaded.as_pages(name, title)
        chunks = self.chunker.chunk(loaded.pages, name, title, version, kind)
        if not chunks:
            return FileResult(shown, "refused", "no text could be extracted from any page", pages)
        # pages we read by OCR are noted (a scan's own OCR layer is not, as before)
        ocr = [o if isinstance(o, str) else False for o in loaded.ocr]
        flags = find_flags(pages_named, loaded.hidden, loaded.unreadable, ocr)
        tick = progress(name, len(chunks)) if progress else None
        vectors = self.embedder.encode([c.context_text() for c in chunks], progress=tick)
        record = DocumentRecord(
            source_file=name,
            title=title,
            kind=kind,
            sha256=sha,
            version=version,
            pages=pages,
            chunks=len(chunks),
            added_at=now_iso(),
            pipeline=self.fingerprint,
            date=date,
            uploaded_by=info.uploaded_by,
            original_name=loaded.source_file if loaded.source_file != name else "",
            flags=tuple(f.to_dict() for f in flags),
            title_auto=auto,
            title_candidates=tuple(candidates),
            format=loaded.format,
        )
        try:
            old = self.library.commit(
                record, pages_named, chunks, vectors, loaded.data, retitle=retitle
            )
        except DiskFull as exc:
            return FileResult(shown, "refused", str(exc), pages)
        if old is None:
            return FileResult(shown, "added", "", pages, len(chunks), name, len(flags))
        reason = (
            "re-indexed with the current ingest pipeline"
            if old.sha256 == sha
            else "new version; the earlier one is kept as superseded"
        )
        return FileResult(shown, "replaced", reason, pages, len(chunks), name, len(flags))
