"""A native crash in a child process fails one test, naming the signal, and the suite goes on."""

from __future__ import annotations

import ctypes
import mmap
import os
import platform
import signal

import pytest

from tests.isolation import describe_exit, run_in_child

pytestmark = pytest.mark.integration


def illegal_instruction() -> None:
    """Execute an instruction the CPU refuses, as a library built for another CPU would."""
    if platform.machine() not in {"x86_64", "AMD64"}:
        os.kill(os.getpid(), signal.SIGILL)
    code = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    code.write(b"\x0f\x0b")  # ud2: the x86 "undefined instruction"
    address = ctypes.addressof(ctypes.c_char.from_buffer(code))
    ctypes.CFUNCTYPE(None)(address)()


def segmentation_fault() -> None:
    ctypes.string_at(0)


def answer() -> int:
    return 42


def test_a_child_that_dies_by_sigill_fails_the_test_naming_the_signal():
    with pytest.raises(pytest.fail.Exception) as failed:
        run_in_child(illegal_instruction, timeout=60)
    message = str(failed.value)
    assert "illegal_instruction in a child process died by SIGILL" in message
    assert "Makefile" in message  # the likely cause and where to look


def test_a_child_that_dies_by_sigsegv_fails_the_test_naming_the_signal():
    with pytest.raises(pytest.fail.Exception, match="died by SIGSEGV"):
        run_in_child(segmentation_fault, timeout=60)


def test_a_child_that_raises_fails_with_its_error_and_a_healthy_one_returns():
    with pytest.raises(pytest.fail.Exception, match="ZeroDivisionError"):
        run_in_child(divmod, 1, 0, timeout=60)
    assert run_in_child(answer, timeout=60) == 42


def test_exit_codes_are_described_for_people():
    assert describe_exit(0) == "exited with 0"
    assert describe_exit(-signal.SIGILL).startswith("died by SIGILL (illegal instruction")
    assert describe_exit(None) == "is still running"
