"""Files a caller hands the app must be files the app itself received as uploads.

Gradio checks that for a file argument it builds itself (one with its `meta` marker), but a
caller can send a plain `{"path": ...}` dict, or a crafted event, naming any file on the server:
another library's PDF, the accounts file, /etc/passwd. Every handler that reads a caller's file
goes through `received`, which accepts only paths inside Gradio's upload folder and refuses
everything else with one message, whether or not the path exists, so that nobody learns which
files the server holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.errors import GuideError

NOT_UPLOADED = (
    "That file was not uploaded to this server. Send the file itself (the app's upload box, or "
    "a file upload through the API client), not a path."
)


def upload_folder() -> Path:
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()).resolve()


def received(path: object) -> Path:
    """The real path of an uploaded file, or GuideError(NOT_UPLOADED)."""
    if not isinstance(path, str | Path) or not str(path):
        raise GuideError(NOT_UPLOADED)
    real = Path(path).resolve()  # symlinks and ".." resolved before the check
    if not real.is_relative_to(upload_folder()) or not real.is_file():
        raise GuideError(NOT_UPLOADED)
    return real


def api_file(data: Any) -> tuple[str, str | None] | None:
    """(path, name as uploaded) from an API file argument (a FileData or its dict). The path is
    the caller's claim: the tab that reads it checks it with `received`."""
    if data is None:
        return None
    if isinstance(data, dict):
        path, name = data.get("path"), data.get("orig_name")
    else:
        path, name = getattr(data, "path", None), getattr(data, "orig_name", None)
    return str(path or ""), name if isinstance(name, str) else None
