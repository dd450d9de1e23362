"""Writing the data folder's files safely, and the timestamps written into them: shared by the
library, the accounts file and the audit log.

    write_atomic(path, data)    readers see the old file or the new one, never a mix
    append_durably(path, line)  the line is on disk before the call returns
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see either the old or the new content, never a mix. The file
    is private to its owner (mkstemp creates it 0600), and so is a folder made for it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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


def append_durably(path: Path, data: bytes) -> None:
    """Append `data` to `path` and flush it to disk (an fsync) before returning."""
    with path.open("ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def now_iso() -> str:
    """Now, UTC, to the second: 2026-11-24T15:30:12+00:00."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
