"""Run a parser where a runaway can be stopped: a child process with a time and memory limit.

A hostile or broken file can make a parser loop, backtrack or allocate without end; inside the
app's own process that would hold a worker (and every request behind it) for as long as it
runs. Here the work runs in a child forked from a small server process that has the readers
already imported (multiprocessing's "forkserver": cheap to start, safe beside the app's threads),
with an address-space limit; if it does not answer within the time limit it is killed, and the
caller gets `OverBudget` naming the budget, which becomes the file's refusal reason.

>>> run_bounded(load_pdf, path, seconds=120, memory_mb=2048)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from assistant.errors import GuideError

# the readers and their libraries, imported once in the server that forks the children
_PRELOAD = [
    "ingest.readers",
    "ingest.pdf",
    "ingest.tables",
    "ingest.word",
    "ingest.webpage",
    "docx",
    "bs4",
    "lxml",
    "pdfplumber",
    "pypdfium2",
]
_context: Any = None
_context_lock = threading.RLock()


class OverBudget(GuideError):
    """The work ran past its time or memory budget and was stopped; the message says which."""


def _ctx() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            _context = ctx
        return _context


_NO_MEMORY = ("failed to map segment", "cannot allocate memory", "out of memory")


def _child(conn: Any, memory_mb: int, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        result = ("ok", target(*args))
    except MemoryError:
        result = ("memory", None)
    except (ImportError, OSError) as exc:
        # at the address-space limit, loading a module's shared library fails with "failed to
        # map segment" (ENOMEM) instead of MemoryError: the same budget ran out
        out_of_memory = getattr(exc, "errno", None) == errno.ENOMEM or any(
            sign in str(exc).lower() for sign in _NO_MEMORY
        )
        result = ("memory", None) if out_of_memory else ("error", exc)
    except BaseException as exc:  # re-raised in the parent, whatever it is
        result = ("error", exc)
    try:
        conn.send(result)
    except Exception as exc:  # an unpicklable error: send its text
        conn.send(("error", GuideError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start children without re-running the parent's main script in them: multiprocessing
    imports `__main__` into every child it starts (so a script without an `if __name__ ==
    "__main__"` guard would run again); the reader needs nothing from it."""
    main = sys.modules["__main__"]
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    with _context_lock:
        main.__dict__.pop("__file__", None)
        if "__spec__" in saved:
            main.__spec__ = None
        try:
            yield
        finally:
            for key, value in saved.items():
                setattr(main, key, value)


def run_bounded(
    target: Callable[..., Any], *args: Any, seconds: float, memory_mb: int, what: str = "reading"
) -> Any:
    """`target(*args)` in a child process; its result, or the exception it raised. `target` and
    its result must be picklable (a module-level function). OverBudget if it runs past `seconds`,
    needs more than `memory_mb` of memory, or dies."""
    ctx = _ctx()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, memory_mb, target, args), daemon=True)
    with _main_module_hidden():
        proc.start()
    send.close()
    try:
        if not receive.poll(seconds):
            proc.kill()
            raise OverBudget(
                f"{what} it took longer than the {seconds:g} s limit for one file "
                "(GUIDE_PARSE_SECONDS), so it was stopped"
            )
        try:
            status, value = receive.recv()
        except EOFError:
            status, value = "died", None
    finally:
        receive.close()
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
            proc.join()
    if status == "ok":
        return value
    if status == "memory" or (status == "died" and proc.exitcode == -signal.SIGKILL):
        raise OverBudget(
            f"{what} it needed more than the {memory_mb:,} MB memory limit for one file "
            "(GUIDE_PARSE_MEMORY_MB), so it was stopped"
        )
    if status == "died":
        raise OverBudget(f"{what} it, the reader stopped unexpectedly (exit {proc.exitcode})")
    raise value
