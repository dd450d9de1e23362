"""What every `guide` command shares: the --data-dir option, Settings from options, errors
turned into one line and an exit code, and who the audit log names for a terminal user."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from assistant.config import Settings
from assistant.errors import GuideError

F = TypeVar("F", bound=Callable[..., Any])


def data_dir_option(func: F) -> F:
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Library folder (default: $GUIDE_DATA_DIR, else .data/).",
    )(func)


def make_settings(data_dir: Path | None, **overrides: Any) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    return Settings(**values)


def human_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GuideError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def cli_user() -> str:
    """Who the audit log names for a command run in a terminal."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
