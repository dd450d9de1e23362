"""Operational logs: standard `logging`, one line of JSON per event, to stderr by default.

Every request the service answers is one event (`request_id`, `user`, `action`, `duration_ms`,
`outcome`); background jobs log their own. What people asked and anything personal stays out of
the log at INFO unless `GUIDE_LOG_QUESTIONS=true`: an event passes such fields in `private`,
which is dropped unless configured. Errors carry their traceback in the log (never on screen).

>>> configure_logging(Settings())  # doctest: +SKIP
>>> event("ask", user="asha", outcome="answered", duration_ms=81.2)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.config import Settings

LOGGER = "mutuals_guide"
request_id: ContextVar[str] = ContextVar("guide_request_id", default="")
current_user: ContextVar[str] = ContextVar("guide_current_user", default="")  # set by Gate.user
_private = {"enabled": False}


class JsonLines(logging.Formatter):
    """A record as one JSON object on one line: time, level, event and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        rid = getattr(record, "request_id", "") or request_id.get()
        if rid:
            line["request_id"] = rid
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update({k: v for k, v in fields.items() if k not in line})
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Logger:
    """Send the product's events (and uvicorn's errors) to `stream` (stderr) as JSON lines, at
    settings.log_level; called once at the edge (`guide serve`)."""
    logger = logging.getLogger(LOGGER)
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines())
    for name in (LOGGER, "uvicorn.error"):
        target = logging.getLogger(name)
        for old in [h for h in target.handlers if isinstance(h.formatter, JsonLines)]:
            target.removeHandler(old)
        target.addHandler(handler)
        target.setLevel(level)
        target.propagate = False
    _private["enabled"] = settings.log_questions
    return logger


def event(
    what: str,
    *,
    level: int = logging.INFO,
    private: dict[str, Any] | None = None,
    exc_info: bool = False,
    **fields: Any,
) -> None:
    """Log one event. `private` fields (question text, file names people chose) are logged only
    when GUIDE_LOG_QUESTIONS is on."""
    shown = dict(fields)
    if private and _private["enabled"]:
        shown.update(private)
    logging.getLogger(LOGGER).log(level, what, extra={"fields": shown}, exc_info=exc_info)


def new_request_id() -> str:
    import secrets

    return secrets.token_hex(8)


class Timer:
    """Milliseconds since it was made, for an event's duration_ms."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def ms(self) -> float:
        return round((time.perf_counter() - self.start) * 1000, 1)
