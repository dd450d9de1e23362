"""The Documents tab (staff and admins): upload, replace and remove documents, see every version,
and review passages flagged at ingest. All changes go through the LibraryDesk, so they follow
the same rules as `guide ingest` and `guide docs`, and each is audited."""

import html
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import GuideError
from assistant.library import KINDS, DocumentRecord
from assistant.ui.access import Gate, User
from assistant.ui.page import Page, refusal_keeps, user_facing
from assistant.ui.uploads import api_file, received
from ingest.document import ACCEPTED_SUFFIXES

if TYPE_CHECKING:
    from ingest.desk import LibraryDesk
    from ingest.jobs import Job, JobQueue
    from ingest.pipeline import FileResult

# Six columns that fit a desktop window without sideways scrolling (titles and file names wrap);
# chunks, who uploaded each version and when are in "Manage a document".
TABLE_HEADERS = ["Title", "File", "Kind", "Accurate to", "Pages", "Status"]
RESULT_HEADERS = ["File", "Result", "Pages", "Chunks", "Detail"]
QUEUE_HEADERS = ["Job", "By", "File", "State", "Detail", "Updated"]
QUEUE_ROWS = 30  # the most recent files shown in the upload queue
POLL_S = 1.0  # how often the tab looks at its uploads while any is unfinished
ONE_FILE = "For this file; left empty, it is read from the file."
SEVERAL_FILES = "Several files chosen: each gets the title, kind and date read from it."


def status_of(record: DocumentRecord) -> str:
    status = "current" if record.current else f"superseded {record.superseded_at[:10]}"
    if record.flags:
        status += f" - {len(record.flags)} flagged for review"
    return status


def record_row(record: DocumentRecord) -> list[Any]:
    return [
        record.title,
        record.source_file,
        record.kind,
        record.date or "-",
        record.pages,
        status_of(record),
    ]


def result_row(r: "FileResult") -> list[Any]:
    detail = r.reason + (f" ({r.flags} passages flagged for review)" if r.flags else "")
    return [Path(r.path).name, r.status, r.pages, r.chunks, detail]


def job_rows(job: "Job") -> list[list[Any]]:
    """A job's files as result rows: the state so far, then the result and its reason."""
    return [[f.name, f.describe(), f.pages or "", f.chunks or "", f.reason] for f in job.files]


def queue_rows(jobs: "Sequence[Job]") -> list[list[Any]]:
    rows = [
        [j.id, j.who, f.name, f.describe(), f.reason, f.updated_at[11:19]]
        for j in jobs
        for f in j.files
    ]
    return rows[:QUEUE_ROWS]


def api_result(r: "FileResult") -> dict[str, Any]:
    """A FileResult for API callers: the file's name, not its temporary path on the server (a
    "path" key would also make gradio_client treat the result as a file to download)."""
    out = r.to_dict()
    out["file"] = Path(out.pop("path")).name
    return out


def details_markdown(history: Sequence[DocumentRecord]) -> str:
    """A document's versions and the passages flagged in its current version (escaped: text from
    a document is shown, never interpreted)."""
    if not history:
        return ""
    current = history[0]
    lines = [
        f"#### {html.escape(current.title)}",
        "",
        f"`{html.escape(current.source_file)}`: {html.escape(current.kind)}, accurate to "
        f"{html.escape(current.date or '-')}.",
        "",
        "| Version | Status | Pages | Chunks | Added | By |",
        "|---|---|---|---|---|---|",
    ]
    for r in history:
        lines.append(
            f"| `{r.version}` | {status_of(r)} | {r.pages} | {r.chunks} | "
            f"{r.added_at.replace('T', ' ')[:16]} | {html.escape(r.uploaded_by or '-')} |"
        )
    if current.flags:
        lines += [
            "",
            f"**{len(current.flags)} passages flagged for review.** They stay in the library as "
            "text only: the assistant never follows them, never quotes instruction-like text, and "
            "hidden text is not indexed.",
            "",
        ]
        for flag in current.flags:
            kind = "hidden text" if flag.get("kind") == "hidden" else "reads as instructions"
            where = f"page {html.escape(str(flag.get('page_label', flag.get('page', '?'))))}"
            lines.append(
                f"- {where}, {kind}: <code>{html.escape(str(flag.get('text', '')))}</code>"
            )
    return "\n".join(lines)


class DocumentsTab:
    def __init__(self, desk: "LibraryDesk", gate: Gate, jobs: "JobQueue | None" = None) -> None:
        self.desk = desk
        self.gate = gate
        self.jobs = jobs  # uploads and replacements from the tab go through this queue

    @property
    def library(self) -> Any:
        return self.desk.library

    # -- actions shared by the tab and the API ------------------------------------------------
    def listing(self) -> list[dict[str, Any]]:
        return [{**asdict(r), "flags": list(r.flags)} for r in self.library.records()]

    def rows(self) -> list[list[Any]]:
        return [record_row(r) for r in self.library.records()]

    def choices(self) -> list[tuple[str, str]]:
        return [(f"{r.title} ({r.source_file})", r.source_file) for r in self.library.documents()]

    def upload(
        self,
        user: User,
        files: Sequence[tuple[str, str | None]],
        title: str = "",
        kind: str = "",
        date: str = "",
    ) -> "list[FileResult]":
        """Add files and wait for the result (the Gradio API's /upload; the tab queues them).
        `files`: (path on this server, name as uploaded) pairs."""
        from ingest.pipeline import UploadInfo

        if not files:
            raise GuideError("Choose one or more PDF files to upload first.")
        return self.desk.upload(
            [received(p) for p, _ in files],
            UploadInfo(title=title or "", kind=kind or "", date=date or ""),
            who=user.name,
            role=user.role.value,
            names=[name or Path(p).name for p, name in files],
        )

    def replace(
        self,
        user: User,
        source_file: str,
        file: tuple[str, str | None] | None,
        title: str = "",
        kind: str = "",
        date: str = "",
    ) -> "FileResult":
        from ingest.pipeline import UploadInfo

        if not source_file:
            raise GuideError("Choose the document to replace first.")
        if not file:
            raise GuideError("Choose the PDF of the new version first.")
        path, name = file
        return self.desk.replace(
            source_file,
            received(path),
            UploadInfo(title=title or "", kind=kind or "", date=date or ""),
            who=user.name,
            role=user.role.value,
            name=name or Path(path).name,
        )

    def queue_upload(
        self,
        user: User,
        paths: Sequence[str],
        title: str = "",
        kind: str = "",
        date: str = "",
        replaces: str = "",
    ) -> "Job":
        """Queue files from the tab: the answer comes at once, the worker adds them."""
        from ingest.pipeline import UploadInfo

        if self.jobs is None:
            raise GuideError("The upload queue is not running here.")
        if not paths:
            raise GuideError(
                "Choose the PDF of the new version first."
                if replaces
                else "Choose one or more PDF files to upload first."
            )
        if replaces and self.library.find(replaces) is None:
            raise GuideError(f"There is no document called {replaces!r} to replace.")
        files = [(received(p), Path(p).name) for p in paths]
        info = UploadInfo(title=title or "", kind=kind or "", date=date or "")
        return self.jobs.submit(files, info, who=user.name, role=user.role.value, replaces=replaces)

    def remove(self, user: User, source_file: str, version: str | None = None) -> list[str]:
        if not source_file:
            raise GuideError("Choose the document to remove first.")
        gone = self.desk.remove(source_file, version or None, who=user.name, role=user.role.value)
        return [r.version for r in gone]

    def suggest(self, path: str) -> tuple[str, str, str]:
        """Title, kind and date to prefill, read from the PDF (empty where nothing is found)."""
        try:
            found = self.desk.suggest(received(path))
        except Exception:  # a file that cannot be read is refused, with its reason, on upload
            return "", "", ""
        return found.title, found.kind, found.date

    # -- the tab -------------------------------------------------------------------------------
    def build(self, page: Page) -> None:
        """Lay out the tab, wire its events and register what it refreshes on page load."""
        import gradio as gr

        gr.Markdown(
            "Add evidence and guidance as it arrives: PDFs (scans are read by OCR), Word "
            "documents (.docx) and saved web pages (.html). Each file is checked (a real, "
            "readable, unprotected file with text, within the size and page limits; no "
            "macros) before anything in the "
            "library changes. A file named like a document already here becomes its new "
            "version; the old version is kept, marked superseded."
        )
        with gr.Accordion("Upload documents", open=True):
            files = gr.File(
                label="Files (" + ", ".join(ACCEPTED_SUFFIXES) + ")",
                file_count="multiple",
                file_types=list(ACCEPTED_SUFFIXES),
                elem_id="upload-files",
            )
            with gr.Row():
                title = gr.Textbox(label="Title", info=ONE_FILE, elem_id="upload-title")
                kind = gr.Dropdown(
                    label="Kind", choices=list(KINDS), value=None, elem_id="upload-kind"
                )
                date = gr.Textbox(
                    label="Accurate to (YYYY-MM-DD, YYYY-MM or YYYY)",
                    elem_id="upload-date",
                )
            upload_button = gr.Button("Upload", variant="primary", elem_id="upload")
            results = gr.Dataframe(
                headers=RESULT_HEADERS,
                label="Results",
                interactive=False,
                elem_id="upload-results",
            )
        table = gr.Dataframe(
            headers=TABLE_HEADERS,
            value=None,
            label="Library",
            interactive=False,
            wrap=True,  # long titles and file names wrap rather than widen the table
            column_widths=["30%", "27%", "13%", "10%", "7%", "13%"],
            elem_id="library-table",
        )
        with gr.Accordion("Manage a document", open=False):
            pick = gr.Dropdown(label="Document", choices=[], elem_id="manage-doc")
            details = gr.Markdown(elem_id="manage-details")
            with gr.Row():
                new_version = gr.File(
                    label="New version", file_types=list(ACCEPTED_SUFFIXES), elem_id="replace-file"
                )
                with gr.Column():
                    replace_button = gr.Button("Replace with this version", elem_id="replace")
                    confirm = gr.Checkbox(
                        label="Yes, remove this document and all its versions",
                        elem_id="remove-confirm",
                    )
                    remove_button = gr.Button("Remove", variant="stop", elem_id="remove")

        with gr.Accordion("Upload queue", open=True):
            queue = gr.Dataframe(
                headers=QUEUE_HEADERS,
                value=None,
                label="Recent uploads (everyone's), newest first",
                interactive=False,
                wrap=True,
                elem_id="upload-queue",
            )
            with gr.Row():
                to_cancel = gr.Dropdown(
                    label="Unfinished upload", choices=[], elem_id="cancel-job", scale=3
                )
                cancel_button = gr.Button("Cancel this upload", elem_id="cancel", scale=1)
        poll = gr.Timer(POLL_S, active=False)
        watched = gr.State([])  # the jobs this page started and is waiting for
        seen_done = gr.State(0)  # how many of their files had finished at the last look

        def refreshed() -> tuple[Any, Any]:
            return self.rows(), gr.update(choices=self.choices())

        def queue_view() -> tuple[Any, Any, bool]:
            """The queue table, the cancel choices, and whether anything is unfinished."""
            assert self.jobs is not None
            open_jobs = self.jobs.unfinished()
            choices = [
                (f"{j.id}: {', '.join(f.name for f in j.files)} (by {j.who})", j.id)
                for j in open_jobs
            ]
            return (
                queue_rows(self.jobs.list(limit=QUEUE_ROWS)),
                gr.update(choices=choices, value=None),
                bool(open_jobs),
            )

        def fields(chosen: int, found: tuple[str, str, str] = ("", "", "")) -> tuple[Any, ...]:
            """Title, kind and date for a new file selection: never what the last one left.
            One file: what is read from it, to check or edit. Several: empty and locked, so
            each file gets its own."""
            one = chosen <= 1
            return (
                gr.update(value=found[0], info=ONE_FILE if one else SEVERAL_FILES, interactive=one),
                gr.update(value=found[1] or None, interactive=one),
                gr.update(value=found[2], interactive=one),
            )

        @refusal_keeps(10)
        def on_upload(
            paths: list[str] | None,
            title_value: str,
            kind_value: str | None,
            date_value: str,
            request: gr.Request,
        ) -> tuple[Any, ...]:
            user = self.gate.require(request, "manage_documents")
            chosen = list(paths or [])
            if len(chosen) > 1:  # the fields are locked for several files: each gets its own
                title_value, kind_value, date_value = "", "", ""
            job = self.queue_upload(user, chosen, title_value, kind_value or "", date_value)
            gr.Info(f"Queued {len(job.files)} file(s); their state is shown below as they go.")
            rows, choices, _ = queue_view()
            return (
                job_rows(job),
                rows,
                choices,
                gr.Timer(active=True),
                [job.id],
                0,
                None,
                *fields(0),
            )

        upload_button.click(
            on_upload,
            [files, title, kind, date],
            [results, queue, to_cancel, poll, watched, seen_done, files, title, kind, date],
            api_visibility="private",
            concurrency_id="library-queue",
            concurrency_limit=4,
        )

        def on_poll(
            jobs_watched: list[str], done_before: int, source_file: str | None, request: gr.Request
        ) -> tuple[Any, ...]:
            """While uploads are unfinished: their states, the queue, and the library once a
            file has finished. Stops itself when nothing is left to wait for."""
            try:
                self.gate.require(request, "manage_documents")
            except GuideError:  # signed out meanwhile: stop looking
                keep = tuple(gr.update() for _ in range(6))
                return (*keep, gr.Timer(active=False), gr.update())
            assert self.jobs is not None
            mine = [j for j in (self.jobs.get(i) for i in jobs_watched or []) if j is not None]
            files_done = [f for j in mine for f in j.files if f.finished]
            rows, choices, anything_open = queue_view()
            library_rows: Any = gr.update()
            pick_choices: Any = gr.update()
            details_now: Any = gr.update()
            if len(files_done) != done_before:
                library_rows, pick_choices = refreshed()
                if source_file:
                    details_now = details_markdown(self.library.history(source_file))
                refused = [f for f in files_done[done_before:] if f.state == "refused"]
                if refused:
                    gr.Warning(
                        f"{len(refused)} file(s) were refused: "
                        + "; ".join(f"{f.name}: {f.reason}" for f in refused)
                    )
            results_now = [r for j in mine for r in job_rows(j)] if mine else gr.update()
            still = anything_open or any(not j.finished for j in mine)
            return (
                results_now,
                rows,
                choices,
                library_rows,
                pick_choices,
                len(files_done),
                gr.Timer(active=still),
                details_now,
            )

        poll.tick(
            on_poll,
            [watched, seen_done, pick],
            [results, queue, to_cancel, table, pick, seen_done, poll, details],
            api_visibility="private",
            show_progress="hidden",
            concurrency_id="library-queue-look",
            concurrency_limit=None,
        )

        @refusal_keeps(4)
        def on_cancel(job_id: str | None, request: gr.Request) -> tuple[Any, ...]:
            user = self.gate.require(request, "manage_documents")
            if not job_id:
                raise GuideError("Choose the unfinished upload to cancel first.")
            assert self.jobs is not None
            self.jobs.cancel(job_id, who=user.name, role=user.role.value)
            gr.Info(f"Cancelled upload {job_id}; nothing more of it will be added.")
            rows, choices, _ = queue_view()
            return rows, choices, gr.Timer(active=True), gr.update()

        cancel_button.click(
            on_cancel,
            [to_cancel],
            [queue, to_cancel, poll, results],
            api_visibility="private",
            concurrency_id="library-queue",
        )

        @refusal_keeps(3)
        def on_files(paths: list[str] | None, request: gr.Request) -> tuple[Any, ...]:
            self.gate.require(request, "manage_documents")
            chosen = list(paths or [])
            if len(chosen) != 1:
                return fields(len(chosen))
            return fields(1, self.suggest(chosen[0]))

        files.change(on_files, [files], [title, kind, date], api_visibility="private")

        @refusal_keeps(1)
        def on_pick(source_file: str | None, request: gr.Request) -> str:
            self.gate.require(request, "manage_documents")
            return details_markdown(self.library.history(source_file)) if source_file else ""

        pick.change(on_pick, [pick], [details], api_visibility="private")

        @refusal_keeps(7)
        def on_replace(
            source_file: str | None,
            path: str | None,
            request: gr.Request,
        ) -> tuple[Any, ...]:
            user = self.gate.require(request, "manage_documents")
            if not source_file:
                raise GuideError("Choose the document to replace first.")
            job = self.queue_upload(user, [path] if path else [], replaces=source_file)
            gr.Info(f"Queued the new version of {source_file}.")
            rows, choices, _ = queue_view()
            return job_rows(job), rows, choices, gr.Timer(active=True), [job.id], 0, None

        replace_button.click(
            on_replace,
            [pick, new_version],
            [results, queue, to_cancel, poll, watched, seen_done, new_version],
            api_visibility="private",
            concurrency_id="library-queue",
        )

        @refusal_keeps(4)
        def on_remove(source_file: str | None, sure: bool, request: gr.Request) -> tuple[Any, ...]:
            user = self.gate.require(request, "manage_documents")
            if not sure:
                raise GuideError("Tick the box to confirm the removal first.")
            self.remove(user, source_file or "")
            gr.Info(f"Removed {source_file}.")
            rows, choices = refreshed()
            return rows, gr.update(**{**choices, "value": None}), "", False

        remove_button.click(
            on_remove,
            [pick, confirm],
            [table, pick, details, confirm],
            api_visibility="private",
            concurrency_id="library-writes",
        )

        def on_load(user: User) -> tuple[Any, ...]:
            if not user.can("manage_documents"):
                return tuple(gr.update() for _ in range(5))
            rows, choices, anything_open = queue_view()
            # something still being added (by anyone, before a restart too): watch it
            return (
                self.rows(),
                gr.update(choices=self.choices()),
                rows,
                choices,
                (gr.Timer(active=anything_open)),
            )

        page.on_load([table, pick, queue, to_cancel, poll], on_load)

    # -- the API -------------------------------------------------------------------------------
    def endpoints(self) -> None:
        """The same actions as API endpoints, with the same role checks."""
        import gradio as gr
        from gradio.data_classes import FileData

        @user_facing
        def api_documents(request: gr.Request) -> dict[str, Any]:
            """Every document version in the library (current and superseded), with flags."""
            self.gate.require(request, "manage_documents")
            return {"documents": self.listing(), "summary": self.library.summary()}

        @user_facing
        def api_upload(
            files: list[FileData],
            request: gr.Request,
            title: str = "",
            kind: str = "",
            date: str = "",
        ) -> dict[str, Any]:
            """Add PDFs. `title` only with one file; `kind`, `date` (accurate to) for all."""
            user = self.gate.require(request, "manage_documents")
            pairs = [p for p in (api_file(f) for f in files or []) if p]
            found = self.upload(user, pairs, title, kind, date)
            return {"files": [api_result(r) for r in found], "summary": self.library.summary()}

        @user_facing
        def api_replace(
            source_file: str,
            file: FileData,
            request: gr.Request,
            title: str = "",
            kind: str = "",
            date: str = "",
        ) -> dict[str, Any]:
            """Make `file` the current version of `source_file`; the old one is kept superseded."""
            user = self.gate.require(request, "manage_documents")
            result = self.replace(user, source_file, api_file(file), title, kind, date)
            return {"file": api_result(result), "summary": self.library.summary()}

        @user_facing
        def api_remove(source_file: str, request: gr.Request, version: str = "") -> dict[str, Any]:
            """Remove a document and all its versions, or only the given superseded `version`."""
            user = self.gate.require(request, "manage_documents")
            gone = self.remove(user, source_file, version or None)
            return {"removed": gone, "summary": self.library.summary()}

        writes = {"concurrency_id": "library-writes", "concurrency_limit": 2}
        gr.api(api_documents, api_name="documents")
        gr.api(api_upload, api_name="upload", **writes)
        gr.api(api_replace, api_name="replace", **writes)
        gr.api(api_remove, api_name="remove", **writes)
