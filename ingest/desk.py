"""The staff desk: every change to the library (add, replace, remove) goes through here, from the
CLI and the web app alike, so the same rules apply everywhere and every change is audited.

>>> desk = LibraryDesk(settings)  # doctest: +SKIP
>>> desk.upload([Path("guidance.pdf")], UploadInfo(kind="evidence"), who="asha")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.audit import AuditAction, AuditLog
from assistant.config import Settings
from assistant.errors import GuideError, RefusedFile
from assistant.library import DocumentRecord, Library
from ingest.metadata import Suggested
from ingest.pipeline import FileResult, IngestPipeline, ProgressFactory, UploadInfo

if TYPE_CHECKING:
    from assistant.embeddings import Embedder


class LibraryDesk:
    def __init__(
        self,
        settings: Settings,
        library: Library | None = None,
        embedder: Embedder | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self.settings = settings
        self.pipeline = IngestPipeline(settings, library=library, embedder=embedder)
        self.library = self.pipeline.library
        self.library.tidy(self.pipeline.embedder.encode)  # what a killed write left behind
        self.audit = audit or AuditLog.from_settings(settings)

    def suggest(self, path: Path, seconds: float = 15.0) -> Suggested:
        """Title, kind and date to prefill the upload form, read from the file's first pages in
        a bounded child process (a file is chosen long before it is uploaded), with the title
        the library would give it (never another document's, never a company name on every
        cover). RefusedFile if it cannot be read."""
        from ingest.bounded import OverBudget, run_bounded
        from ingest.metadata import suggest_file

        try:
            found: Suggested = run_bounded(
                suggest_file, path, seconds=seconds, memory_mb=self.settings.parse_memory_mb
            )
        except OverBudget as exc:
            raise RefusedFile(path.name, str(exc)) from exc
        title, _ = self.pipeline.choose_title(path.name, found.candidates, found.date)
        return replace(found, title=title)

    def upload(
        self,
        paths: Sequence[Path],
        info: UploadInfo | None = None,
        who: str = "",
        role: str = "",
        progress: ProgressFactory | None = None,
        names: Sequence[str | None] | None = None,
    ) -> list[FileResult]:
        """Add files (or folders); a file named like a library document replaces it. `names`
        gives each file's name as the person uploaded it, when the path is a temporary copy."""
        info = _with_uploader(info, who)
        if info.title and len(paths) != 1:
            raise GuideError("A title can only be given when adding one file at a time.")
        if names is None:
            results = self.pipeline.run(paths, progress=progress, info=info)
        else:
            pairs = list(zip(paths, names, strict=True))
            results = self.pipeline.ingest_files(pairs, progress=progress, info=info)
        for r in results:
            self.audit.record(who, AuditAction.UPLOAD, _what(r), _result(r), role=role)
        return results

    def replace(
        self,
        source_file: str,
        path: Path,
        info: UploadInfo | None = None,
        who: str = "",
        role: str = "",
        progress: ProgressFactory | None = None,
        name: str | None = None,
    ) -> FileResult:
        """Make the file a new version of `source_file`; the current version becomes superseded."""
        info = _with_uploader(info, who)
        result = self.pipeline.ingest_file(
            path, name, progress=progress, info=info, replaces=source_file
        )
        what = {**_what(result), "replaces": source_file}
        self.audit.record(who, AuditAction.REPLACE, what, _result(result), role=role)
        return result

    def remove(
        self, source_file: str, version: str | None = None, who: str = "", role: str = ""
    ) -> list[DocumentRecord]:
        what = {"document": source_file, **({"version": version} if version else {})}
        try:
            gone = self.library.remove(source_file, version)
        except GuideError as exc:
            self.audit.record(who, AuditAction.REMOVE, what, f"refused: {exc}", role=role)
            raise
        removed = ", ".join(r.version for r in gone)
        self.audit.record(who, AuditAction.REMOVE, what, f"removed {removed}", role=role)
        return gone


def _with_uploader(info: UploadInfo | None, who: str) -> UploadInfo:
    info = info or UploadInfo()
    return replace(info, uploaded_by=info.uploaded_by or who)


def _what(r: FileResult) -> dict[str, object]:
    return {"file": Path(r.path).name, "document": r.source_file, "pages": r.pages}


def _result(r: FileResult) -> str:
    detail = f": {r.reason}" if r.reason else ""
    flagged = f" ({r.flags} passages flagged for review)" if r.flags else ""
    return f"{r.status}{detail}{flagged}"
