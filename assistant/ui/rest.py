"""The REST API beside the Gradio app, at /api/v1 (OpenAPI at /api/v1/openapi.json), and the
health checks /healthz (the process answers) and /readyz (model loaded, store reachable,
registry readable).

The same roles as the app, enforced here on the server: a request carries the browser's session
cookie or `Authorization: Bearer <token>` (a per-account API token, `guide users token`). Every
request is logged as one JSON line (assistant.logs) with its request id, which an error's
message also gives, so a person can quote it; tracebacks go to the log only.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' type hints at runtime.
import re
import tempfile
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from assistant.audit import AuditAction
from assistant.errors import GuideError
from assistant.logs import Timer, event, request_id
from assistant.ui.access import AccessDenied, User

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.ui.app import App

MAX_UPLOAD_BYTES_SLACK = 1024 * 1024
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def add_health(app: "FastAPI", state: "App") -> None:
    from fastapi.responses import JSONResponse

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        checks = readiness(state)
        ok = all(c["ok"] for c in checks.values())
        return JSONResponse({"ready": ok, "checks": checks}, 200 if ok else 503)


def readiness(state: "App") -> dict[str, dict[str, Any]]:
    """Each thing the app needs to answer, checked now."""
    checks: dict[str, dict[str, Any]] = {}
    guide = state.guide
    try:
        loaded = guide.embedder.loaded
        checks["model"] = {"ok": bool(loaded), "detail": "loaded" if loaded else "not loaded"}
    except Exception as exc:  # a check reports, never raises
        checks["model"] = {"ok": False, "detail": type(exc).__name__}
    try:
        records = guide.library.documents()
        checks["registry"] = {"ok": True, "detail": f"{len(records)} documents"}
    except Exception as exc:
        checks["registry"] = {"ok": False, "detail": type(exc).__name__}
    try:
        count = guide.library.store.count()
        checks["store"] = {"ok": True, "detail": f"{count} passages"}
    except Exception as exc:
        checks["store"] = {"ok": False, "detail": type(exc).__name__}
    return checks


def rest_app(state: "App") -> "FastAPI":
    """The /api/v1 application (mounted by assistant.ui.login.mount)."""
    from fastapi import Depends, FastAPI, File, Form, Request, UploadFile
    from fastapi.responses import HTMLResponse, JSONResponse
    from pydantic import BaseModel, Field
    from starlette.concurrency import run_in_threadpool

    gate = state.gate
    api = FastAPI(
        title="Mutuals Guide API",
        version="1",
        description="Cited answers from the library; its documents; evaluation runs.",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    max_bytes = int(state.guide.settings.max_file_mb * 1024 * 1024) + MAX_UPLOAD_BYTES_SLACK

    @api.middleware("http")
    async def log_requests(request: Request, call_next: Any) -> Any:
        given = request.headers.get("x-request-id", "")
        rid = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        request.state.user = ""
        timer = Timer()
        try:
            response = await call_next(request)
        except Exception:
            event(
                "request",
                level=40,
                exc_info=True,
                method=request.method,
                action=request.url.path,
                duration_ms=timer.ms(),
                outcome=500,
            )
            response = JSONResponse(
                {"detail": f"Something went wrong; the error is logged as request {rid}."}, 500
            )
        else:
            event(
                "request",
                method=request.method,
                action=request.url.path,
                user=request.state.user,
                duration_ms=timer.ms(),
                outcome=response.status_code,
            )
        finally:
            request_id.reset(token)
        response.headers["X-Request-ID"] = rid
        return response

    @api.exception_handler(AccessDenied)
    async def denied(request: Request, exc: AccessDenied) -> JSONResponse:
        status = 401 if gate.account(request) is None and gate.sign_in_required else 403
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        return JSONResponse({"detail": str(exc)}, status, headers=headers)

    @api.exception_handler(GuideError)
    async def refused(request: Request, exc: GuideError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, 400)

    def needs(permission: str) -> Any:
        def check(request: Request) -> User:
            user = gate.require(request, permission)
            request.state.user = user.name
            return user

        return Depends(check)

    def signed_in(request: Request) -> User:
        user = gate.user(request)
        request.state.user = user.name
        return user

    Someone = Annotated[User, Depends(signed_in)]
    Asker = Annotated[User, needs("ask")]
    Staff = Annotated[User, needs("manage_documents")]
    Evaluator = Annotated[User, needs("run_evaluations")]

    # -- who -----------------------------------------------------------------------------------
    @api.get("/whoami", tags=["account"])
    def whoami(user: Someone) -> dict[str, Any]:
        """Who the request acts as, and its role."""
        return {"user": user.name, "role": user.role.value}

    class NewTokenBody(BaseModel):
        label: str = Field(min_length=1, max_length=80, description="What will use the token")

    @api.get("/tokens", tags=["account"])
    def list_tokens(user: Someone) -> dict[str, Any]:
        """Your API tokens (an admin sees everyone's); never the tokens themselves."""
        store = _tokens(state)
        shown = store.list(None if user.can("manage_users") else user.name)
        return {"tokens": [_token_row(t) for t in shown]}

    @api.post("/tokens", tags=["account"], status_code=201)
    def create_token(body: NewTokenBody, user: Someone) -> dict[str, Any]:
        """A new token acting as you: shown once, in this answer only."""
        made = _tokens(state).create(user.name, body.label)
        state.audit.record(
            user.name,
            AuditAction.TOKEN_CREATE,
            {"token": made.info.id},
            "created",
            role=user.role.value,
        )
        return {"token": made.token, **_token_row(made.info)}

    @api.delete("/tokens/{token_id}", tags=["account"])
    def revoke_token(token_id: str, user: Someone) -> dict[str, Any]:
        """Revoke one of your tokens (an admin may revoke anyone's)."""
        owner = None if user.can("manage_users") else user.name
        gone = _tokens(state).revoke(token_id, owner)
        state.audit.record(
            user.name,
            AuditAction.TOKEN_REVOKE,
            {"token": gone.id},
            f"revoked ({gone.account})",
            role=user.role.value,
        )
        return _token_row(gone)

    # -- asking --------------------------------------------------------------------------------
    class AskBody(BaseModel):
        question: str = Field(description="The question, in a sentence or two")
        history: list[str] = Field(default=[], description="Earlier questions, oldest first")
        documents: list[str] = Field(default=[], description="Only these source files")
        kinds: list[str] = Field(default=[], description="Only these kinds of document")

    @api.post("/ask", tags=["asking"])
    async def ask(body: AskBody, user: Asker) -> dict[str, Any]:
        """A cited answer, or a plain refusal saying what the library lacks."""
        from assistant.retrieval import SearchFilters

        filters = SearchFilters(tuple(body.documents), tuple(body.kinds))
        answer = await run_in_threadpool(state.guide.ask, body.question, body.history, filters)
        state.record_question(user, body.question, answer.status.value)
        event(
            "ask",
            user=user.name,
            outcome=answer.status.value,
            citations=len(answer.citations),
            private={"question": body.question},
        )
        return answer.to_dict()

    # -- documents -----------------------------------------------------------------------------
    @api.get("/documents", tags=["documents"])
    def documents(user: Staff) -> dict[str, Any]:
        """Every document version (current and superseded), with its flags, and the library's
        generation (it changes with every commit; app processes sharing one library agree)."""
        from dataclasses import asdict

        library = state.guide.library
        records = library.records()  # one reading: another process may commit meanwhile
        rows = [{**asdict(r), "flags": list(r.flags)} for r in records]
        return {
            "documents": rows,
            "summary": library.summary(),
            "generation": library.generation(records),
        }

    async def keep(files: list[UploadFile]) -> tuple[Path, list[tuple[Path, str]]]:
        folder = Path(tempfile.mkdtemp(prefix="guide-api-"))
        kept = []
        for index, upload in enumerate(files):
            name = Path(upload.filename or f"file-{index}").name
            target = folder / f"{index:03d}-upload"
            size = 0
            with target.open("wb") as out:
                while chunk := await upload.read(1024 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise GuideError(
                            f"{name} is larger than the {state.guide.settings.max_file_mb:g} MB "
                            "a file may be."
                        )
                    out.write(chunk)
            kept.append((target, name))
        return folder, kept

    def queue_files(
        files: list[tuple[Path, str]],
        user: User,
        title: str,
        kind: str,
        date: str,
        replaces: str = "",
    ) -> dict[str, Any]:
        from ingest.pipeline import UploadInfo

        info = UploadInfo(title=title.strip(), kind=kind.strip(), date=date.strip())
        job = state.jobs.submit(files, info, who=user.name, role=user.role.value, replaces=replaces)
        return job.to_dict()

    @api.post("/documents", tags=["documents"], status_code=202)
    async def upload(
        user: Staff,
        files: Annotated[list[UploadFile], File(description="PDF, .docx or saved .html files")],
        title: Annotated[str, Form(description="Only with one file")] = "",
        kind: Annotated[str, Form()] = "",
        date: Annotated[str, Form(description="The date the document is accurate to")] = "",
    ) -> dict[str, Any]:
        """Queue files to be added; answers at once with the job (poll /jobs/{id})."""
        folder, kept = await keep(files)
        try:
            return await run_in_threadpool(queue_files, kept, user, title, kind, date)
        finally:
            _remove_tree(folder)

    @api.put("/documents/{source_file}", tags=["documents"], status_code=202)
    async def replace(
        user: Staff,
        source_file: str,
        file: Annotated[UploadFile, File(description="The new version")],
        title: Annotated[str, Form()] = "",
        kind: Annotated[str, Form()] = "",
        date: Annotated[str, Form()] = "",
    ) -> dict[str, Any]:
        """Queue a new version of a document; the current one is kept as superseded."""
        if state.guide.library.find(source_file) is None:
            raise GuideError(f"There is no document called {source_file!r} to replace.")
        folder, kept = await keep([file])
        try:
            return await run_in_threadpool(queue_files, kept, user, title, kind, date, source_file)
        finally:
            _remove_tree(folder)

    @api.delete("/documents/{source_file}", tags=["documents"])
    def remove(user: Staff, source_file: str, version: str = "") -> dict[str, Any]:
        """Remove a document and all its versions, or only a superseded `version`."""
        gone = state.desk.remove(source_file, version or None, who=user.name, role=user.role.value)
        return {"removed": [r.version for r in gone], "summary": state.guide.library.summary()}

    @api.get("/jobs", tags=["documents"])
    def jobs(user: Staff) -> dict[str, Any]:
        """Recent upload jobs, newest first, with each file's state."""
        return {"jobs": [j.to_dict() for j in state.jobs.list()]}

    @api.get("/jobs/{job_id}", tags=["documents"])
    def job(job_id: str, user: Staff) -> dict[str, Any]:
        """One upload job: queued, running, done or cancelled, and each file's state."""
        found = state.jobs.get(job_id)
        if found is None:
            raise GuideError(f"No upload job with id {job_id!r}.")
        return found.to_dict()

    @api.post("/jobs/{job_id}/cancel", tags=["documents"])
    def cancel(job_id: str, user: Staff) -> dict[str, Any]:
        """Cancel a job: files not yet added are not added."""
        return state.jobs.cancel(job_id, who=user.name, role=user.role.value).to_dict()

    # -- library consistency -------------------------------------------------------------------
    @api.get("/library/check", tags=["documents"])
    def library_check(user: Staff) -> dict[str, Any]:
        """Whether the registry, the vector store and the keyword index agree on the passages
        of every indexed version (counts, the library's generation and `agree`)."""
        return state.guide.library.index_check()

    # -- evaluation ----------------------------------------------------------------------------
    runs = _EvalRuns(state)

    class RunBody(BaseModel):
        testsets: list[str] = Field(description="Test set names, e.g. mutuals-guide.jsonl")
        compare_with: str = Field(default="", description="An earlier run's id")

    @api.get("/eval/testsets", tags=["evaluation"])
    def testsets(user: Evaluator) -> dict[str, Any]:
        return {"testsets": [Path(v).name for _, v in state.evaluations.testset_choices()]}

    @api.get("/eval/runs", tags=["evaluation"])
    def eval_runs(user: Evaluator) -> dict[str, Any]:
        """Kept runs, newest first, and runs in progress."""
        return {"runs": state.evaluations.listing(), "running": runs.running()}

    @api.post("/eval/runs", tags=["evaluation"], status_code=202)
    def start_run(body: RunBody, user: Evaluator) -> dict[str, Any]:
        """Start a run in the background; poll /eval/runs/jobs/{id}."""
        return runs.start(user, body.testsets, body.compare_with or None)

    @api.get("/eval/runs/jobs/{job_id}", tags=["evaluation"])
    def run_status(job_id: str, user: Evaluator) -> dict[str, Any]:
        return runs.status(job_id)

    @api.get("/eval/runs/{run_id}", tags=["evaluation"])
    def run_report(run_id: str, user: Evaluator) -> dict[str, Any]:
        """A kept run: summary, by question type, every item."""
        return state.evaluations.load(_run_id(run_id)).to_dict()

    @api.get("/eval/runs/{run_id}/report", tags=["evaluation"], response_class=HTMLResponse)
    def run_html(run_id: str, user: Evaluator) -> HTMLResponse:
        """The run's HTML report."""
        path = state.evaluations.store.path(_run_id(run_id)) / "index.html"
        if not path.is_file():
            raise GuideError(f"Run {run_id!r} has no report.")
        return HTMLResponse(
            path.read_text(encoding="utf-8"),
            headers={
                "Content-Security-Policy": "default-src 'self' data:; "
                "style-src 'unsafe-inline'; script-src 'none'"
            },
        )

    return api


class _EvalRuns:
    """Evaluation runs started through the API, one at a time, in a background thread."""

    def __init__(self, state: "App") -> None:
        self.state = state
        self.lock = threading.Lock()
        self.jobs: dict[str, dict[str, Any]] = {}

    def running(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(j) for j in self.jobs.values() if j["state"] == "running"]

    def start(self, user: User, testsets: list[str], compare_with: str | None) -> dict[str, Any]:
        desk = self.state.evaluations
        paths = [desk.resolve(t) for t in testsets]
        previous = desk.load(compare_with) if compare_with else None
        with self.lock:
            if any(j["state"] == "running" for j in self.jobs.values()):
                raise GuideError("An evaluation run is in progress; start the next when it ends.")
            job_id = uuid.uuid4().hex[:12]
            job: dict[str, Any] = {
                "id": job_id,
                "state": "running",
                "done": 0,
                "total": 0,
                "run_id": None,
                "error": None,
                "by": user.name,
            }
            self.jobs[job_id] = job

        def progress(done: int, total: int) -> None:
            with self.lock:
                job.update(done=done, total=total)

        def work() -> None:
            try:
                out = desk.run(
                    paths, who=user.name, role=user.role.value, previous=previous, progress=progress
                )
                with self.lock:
                    job.update(state="done", run_id=out.run.id)
            except GuideError as exc:
                with self.lock:
                    job.update(state="failed", error=str(exc))
            except Exception:
                event("eval_run_failed", level=40, exc_info=True)
                with self.lock:
                    job.update(state="failed", error="The run failed; the error is logged.")

        threading.Thread(target=work, name=f"eval-{job_id}", daemon=True).start()
        with self.lock:
            return dict(job)

    def status(self, job_id: str) -> dict[str, Any]:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                raise GuideError(f"No evaluation run job with id {job_id!r}.")
            return dict(job)


def _run_id(run_id: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,80}", run_id) or run_id.startswith("."):
        raise GuideError(f"No run called {run_id!r}.")
    return run_id


def _tokens(state: "App") -> Any:
    if state.gate.tokens is None:
        raise GuideError("API tokens are not available here.")
    return state.gate.tokens


def _token_row(info: Any) -> dict[str, Any]:
    return {
        "id": info.id,
        "account": info.account,
        "label": info.label,
        "created_at": info.created_at,
        "last_used_at": info.last_used_at,
        "revoked_at": info.revoked_at,
    }


def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
