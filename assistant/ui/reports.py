"""Evaluation reports over HTTP, for the roles that may run evaluations only.

A kept run's report (data_dir/eval-runs/<run>/index.html, report.json, comparison.json, and
report.zip of them) and a comparison's report (<run>/compared-with-<earlier>/...) are served at
/reports/<run>/<file> and /reports/<run>/compared-with-<earlier>/<file>. Every request is
checked against its session (`Gate.require(request, "run_evaluations")`): nobody signed in gets
401 (a browser is sent to the sign-in page), a role that may not evaluate gets 403. The reports
are not among Gradio's allowed paths, so this is the only way to them.
"""

# No `from __future__ import annotations`: FastAPI reads the route's type hints at runtime, and
# fastapi is imported inside `add_report_routes` (heavy imports stay out of module scope).
import re
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.ui.access import AccessDenied, Gate

if TYPE_CHECKING:
    from fastapi import FastAPI

PREFIX = "reports"
FILES = {
    "index.html": "text/html; charset=utf-8",
    "report.json": "application/json",
    "comparison.json": "application/json",
    "report.zip": "application/zip",
}
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,120}")
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def report_url(root: Path, folder: Path, name: str = "index.html") -> str:
    """The URL (relative to the app's page) of file `name` of the report in `folder`, a run's
    folder under `root` (data_dir/eval-runs) or a comparison's folder within one."""
    parts = folder.resolve().relative_to(root.resolve()).parts
    return "/".join((PREFIX, *parts, name))


def zipped(folder: Path) -> Path:
    """The report's files in one zip beside them, made again whenever one of them is newer."""
    import zipfile

    target = folder / "report.zip"
    members = [folder / n for n in ("index.html", "report.json", "comparison.json")]
    present = [m for m in members if m.is_file()]
    newest = max((m.stat().st_mtime for m in present), default=0.0)
    if not target.exists() or target.stat().st_mtime < newest:
        partial = folder / "report.zip.part"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in present:
                archive.write(member, member.name)
        partial.replace(target)
    return target


def find_report_file(root: Path, path: str) -> Path | None:
    """The report file a request names (`<run>/<file>` or `<run>/compared-with-<id>/<file>`),
    or None for anything else: other names, other folders, '..', files that do not exist."""
    parts = path.split("/")
    if len(parts) not in (2, 3) or parts[-1] not in FILES:
        return None
    folders = parts[:-1]
    if not all(_PART.fullmatch(p) for p in folders):
        return None
    if len(folders) == 2 and not folders[1].startswith("compared-with-"):
        return None
    folder = root.joinpath(*folders)
    if not (folder / "report.json").is_file():
        return None
    if parts[-1] == "report.zip":
        return zipped(folder)
    found = folder / parts[-1]
    return found if found.is_file() else None


def add_report_routes(app: "FastAPI", gate: Gate, root: Path) -> None:
    """GET /reports/...: a report file, for a session whose role may run evaluations."""
    from fastapi import Request
    from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse, Response

    @app.get("/" + PREFIX + "/{path:path}")
    def report_file(path: str, request: Request) -> Response:
        signed_in = not gate.sign_in_required or gate.account(request) is not None
        try:
            gate.require(request, "run_evaluations")
        except AccessDenied as exc:
            if not signed_in and "text/html" in request.headers.get("accept", ""):
                root_path = str(request.scope.get("root_path", "")).rstrip("/")
                return RedirectResponse(root_path + "/login", 303, headers=_HEADERS)
            return PlainTextResponse(str(exc), 403 if signed_in else 401, headers=_HEADERS)
        found = find_report_file(root, path)
        if found is None:
            return PlainTextResponse(
                "There is no such report; open it from the Evaluate tab.", 404, headers=_HEADERS
            )
        name = found.name
        headers = dict(_HEADERS)
        if name == "report.zip":
            run = path.split("/")[0]
            headers["Content-Disposition"] = f'attachment; filename="report-{run}.zip"'
        return FileResponse(found, media_type=FILES[name], headers=headers)
