"""Shared fixtures. Every test runs isolated: its own working folder and no GUIDE_* settings
leaking in from the developer's environment."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.config import Settings, configure_offline
from tests.isolation import describe_exit

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "pdf"
BIN = Path(sys.executable).parent
# A small slice of the bundled library: enough subjects to tell answers apart, quick to embed.
SAMPLE_DOCS = (
    "01-clg-committee-2012-report-digest.pdf",
    "05-spin-out-journey-guide.pdf",
    "07-people-tupe-pensions-consultation.pdf",
    "09-reserved-contracts-and-procurement.pdf",
)

configure_offline()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("GUIDE_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def guide_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "guide"), *args], capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a server process logging to a file (a pipe nobody reads fills up and blocks it)."""
    handle = log.open("wb")
    return subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT)


def wait_for_http(
    url: str, proc: subprocess.Popen[bytes], timeout: float = 120.0, log: Path | None = None
) -> None:
    """Poll until the URL answers, failing early (with the server's log) if it dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise AssertionError(f"server {describe_exit(proc.returncode)}:\n{out}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.25)  # polling interval while waiting for the port, not a fixed wait
    raise AssertionError(f"{url} did not answer within {timeout:.0f}s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from assistant.embeddings import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def sample_library(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    """A library holding SAMPLE_DOCS, ingested once per session with the real model.
    Tests that change a library copy it first (see `library_copy`)."""
    from ingest.pipeline import IngestPipeline

    data_dir = tmp_path_factory.mktemp("sample-library")
    settings = Settings(data_dir=data_dir)
    results = IngestPipeline(settings, embedder=embedder).run([CORPUS / d for d in SAMPLE_DOCS])
    assert [r.status for r in results] == ["added"] * len(SAMPLE_DOCS), results
    return data_dir


@pytest.fixture
def library_copy(sample_library: Path, tmp_path: Path) -> Path:
    target = tmp_path / "library"
    shutil.copytree(sample_library, target)
    return target


@pytest.fixture
def guide_factory(embedder):  # type: ignore[no-untyped-def]
    from assistant.guide import Guide

    def make(data_dir: Path, **overrides: object) -> Guide:
        return Guide(Settings(data_dir=data_dir, **overrides), embedder=embedder)  # type: ignore[arg-type]

    return make


@contextmanager
def serving(data_dir: Path, log: Path) -> Iterator[str]:
    """`guide serve` over `data_dir` as a real process on a free loopback port; yields its URL
    once it answers, and stops it afterwards."""
    port = free_port()
    args = [str(BIN / "guide"), "serve", "--data-dir", str(data_dir), "--port", str(port)]
    proc = start_server(args, log)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, proc, log=log)
        yield url
    finally:
        stop(proc)


@pytest.fixture
def app_server(sample_library: Path, tmp_path: Path) -> Iterator[str]:
    """The app over a copy of the sample library."""
    data_dir = tmp_path / "served"
    shutil.copytree(sample_library, data_dir)
    with serving(data_dir, tmp_path / "serve.log") as url:
        yield url
