"""Named points in a write where a test can kill the process, to prove a kill loses nothing.

Set GUIDE_KILL_AT=<point> in the environment of a test's child process and the process sends
itself SIGKILL on reaching that point: no cleanup, no `finally`, exactly like a power cut or the
OOM killer. Unset (always, outside the kill test), a checkpoint costs one dictionary lookup.

This is the only module besides config that reads the environment: a child process killed
part-way has no other way to be told where, and Settings is not threaded into the library's
innermost steps for a test's sake.

The same points can fill the disk instead (GUIDE_FILL_DISK_AT=<point>, with GUIDE_FILL_DISK_FILE
naming the file to grow and GUIDE_FILL_DISK_LEAVE_KB what to leave free), as another process
writing to the same disk would, to prove a disk that fills up in the middle of a write loses
nothing.
"""

from __future__ import annotations

import os
import signal

POINTS = (
    "after-pdf",
    "after-files",
    "after-store",
    "after-registry",
    "before-keyword",
    "after-remove-switch",
)


def checkpoint(name: str) -> None:
    if os.environ.get("GUIDE_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("GUIDE_FILL_DISK_AT") == name:
        fill_disk(os.environ["GUIDE_FILL_DISK_FILE"], int(os.environ["GUIDE_FILL_DISK_LEAVE_KB"]))


def fill_disk(path: str, leave_kb: int) -> None:
    """Grow `path` until its disk has only `leave_kb` KB free."""
    import shutil

    free = shutil.disk_usage(os.path.dirname(path) or ".").free
    with open(path, "ab") as handle:
        remaining = free - leave_kb * 1024
        block = b"\0" * (1 << 20)
        while remaining > 0:
            piece = block[: min(len(block), remaining)]
            try:
                handle.write(piece)
                handle.flush()
            except OSError:
                break
            remaining -= len(piece)
