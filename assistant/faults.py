"""Named points in a write where a test can kill the process, to prove a kill loses nothing.

Set GUIDE_KILL_AT=<point> in the environment of a test's child process and the process sends
itself SIGKILL on reaching that point: no cleanup, no `finally`, exactly like a power cut or the
OOM killer. Unset (always, outside the kill test), a checkpoint costs one dictionary lookup.

This is the only module besides config that reads the environment: a child process killed
part-way has no other way to be told where, and Settings is not threaded into the library's
innermost steps for a test's sake.
"""

from __future__ import annotations

import os
import signal

POINTS = ("after-pdf", "after-files", "after-store", "after-registry", "before-keyword")


def checkpoint(name: str) -> None:
    if os.environ.get("GUIDE_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
