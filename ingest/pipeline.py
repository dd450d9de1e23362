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
from assistant.library import DocumentRecord, Library, now_iso
from ingest.chunking import StructuredChunker
from ingest.layout import LAYOUT_VERSION
from ingest.pdf import LoadedPdf, PdfLoader

ProgressFactory = Callable[[str, int], Callable[[int], Any]]


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    status: str  # added | unchanged | replaced | refused
    reason: str = ""
    pages: int = 0
    chunks: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """PDF files named directly or found (recursively) in folders; missing paths are refused."""
    files: list[Path] = []
    refused: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
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
        loader: PdfLoader | None = None,
        chunker: StructuredChunker | None = None,
    ) -> None:
        self.settings = settings
        self.library = library or Library(settings)
        self.embedder = embedder or Embedder(settings.embed_batch_size)
        self.loader = loader or PdfLoader(settings.max_file_mb, settings.max_pages)
        self.chunker = chunker or StructuredChunker()
        self.fingerprint = f"{LAYOUT_VERSION}|{self.chunker.version}|{MODEL_NAME}"

    def version_of(self, sha256: str) -> str:
        tag = hashlib.sha1(self.fingerprint.encode("utf-8")).hexdigest()[:6]
        return f"{sha256[:16]}-{tag}"

    def run(
        self, paths: Sequence[Path], progress: ProgressFactory | None = None
    ) -> list[FileResult]:
        self.library.recover()
        files, results = discover(paths)
        with self.library.batch():
            for path in files:
                results.append(self.ingest_file(path, progress=progress))
        return results

    def ingest_file(
        self, path: Path, source_file: str | None = None, progress: ProgressFactory | None = None
    ) -> FileResult:
        shown = str(path)
        try:
            loaded = self.loader.load(path, source_file)
        except RefusedFile as exc:
            return FileResult(shown, "refused", exc.reason)
        return self.ingest_loaded(loaded, shown, progress)

    def ingest_loaded(
        self, loaded: LoadedPdf, shown: str, progress: ProgressFactory | None = None
    ) -> FileResult:
        sha = hashlib.sha256(loaded.data).hexdigest()
        version = self.version_of(sha)
        pages = len(loaded.pages)
        current = self.library.find(loaded.source_file)
        if current is not None and current.version == version:
            return FileResult(shown, "unchanged", "already in the library", pages, current.chunks)
        twin = self.library.find_by_sha(sha)
        if twin is not None and twin.source_file != loaded.source_file:
            return FileResult(
                shown,
                "unchanged",
                f"same content as {twin.source_file}, already in the library",
                pages,
                twin.chunks,
            )
        chunks = self.chunker.chunk(loaded.pages, loaded.layouts, version, loaded.kind)
        if not chunks:
            return FileResult(shown, "refused", "no text could be extracted from any page", pages)
        tick = progress(loaded.source_file, len(chunks)) if progress else None
        vectors = self.embedder.encode([c.context_text() for c in chunks], progress=tick)
        record = DocumentRecord(
            source_file=loaded.source_file,
            title=loaded.title,
            kind=loaded.kind,
            sha256=sha,
            version=version,
            pages=pages,
            chunks=len(chunks),
            added_at=now_iso(),
            pipeline=self.fingerprint,
        )
        old = self.library.commit(record, loaded.pages, chunks, vectors, loaded.data)
        return FileResult(shown, "replaced" if old else "added", "", pages, len(chunks))
