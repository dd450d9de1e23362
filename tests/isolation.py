"""Run native code that may crash (a model load, a compiled library) in a child process, so a
SIGILL or SIGSEGV fails one test with its cause named instead of killing the whole suite.

>>> answer = run_in_child(ask_with_local_model, str(data_dir))  # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing
import signal
import traceback
from collections.abc import Callable
from typing import Any

import pytest

# What a death by signal most likely means, for the failure message.
_CAUSES = {
    signal.SIGILL: "an instruction this CPU does not run: a library built for another CPU "
    "(for llama.cpp: built with native CPU detection; see LLAMA_CMAKE_ARGS in the Makefile)",
    signal.SIGSEGV: "a memory fault in native code",
    signal.SIGBUS: "a memory fault in native code",
    signal.SIGABRT: "native code aborted",
    signal.SIGFPE: "an arithmetic fault in native code",
    signal.SIGKILL: "killed, perhaps by the out-of-memory killer",
}


def describe_exit(code: int | None) -> str:
    """'died by SIGILL (illegal instruction: ...)' for a negative exit code, else 'exited with
    N'."""
    if code is None:
        return "is still running"
    if code >= 0:
        return f"exited with {code}"
    try:
        sig = signal.Signals(-code)
    except ValueError:
        return f"died by signal {-code}"
    meaning = signal.strsignal(sig) or sig.name
    cause = _CAUSES.get(sig)
    return f"died by {sig.name} ({meaning.lower()}{': ' + cause if cause else ''})"


def _child(conn: Any, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind
    try:
        conn.send(("ok", target(*args)))
    except BaseException as exc:  # sent back and raised in the test
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        conn.close()


def run_in_child(target: Callable[..., Any], *args: Any, timeout: float = 600.0) -> Any:
    """`target(*args)` in a fresh Python process (spawn: nothing inherited but the arguments);
    returns its (picklable) result. A child that dies by a signal, raises, or runs past `timeout`
    fails the calling test with the reason; the test process itself is never at risk."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, target, args), daemon=True)
    proc.start()
    send.close()
    name = getattr(target, "__qualname__", repr(target))
    try:
        if not receive.poll(timeout):
            proc.kill()
            proc.join()
            pytest.fail(f"{name} in a child process ran past {timeout:.0f} s", pytrace=False)
        try:
            status, value = receive.recv()
        except EOFError:  # the child died before it could answer
            status, value = "died", None
    finally:
        receive.close()
        proc.join(timeout=30)
    if status == "died":
        pytest.fail(f"{name} in a child process {describe_exit(proc.exitcode)}", pytrace=False)
    if status == "error":
        pytest.fail(f"{name} in a child process raised {value}", pytrace=False)
    return value
