"""What tests share that is not a fixture: the repository's paths, the sample library's
documents, the one tiny test set, running `guide` and its server as real processes, and the
headless Chromium the browser tests drive. Tests import these from here, never from conftest.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The one tiny test set: a fact, a how-to and an unanswerable question (its markup must be shown
# escaped) on the sample library.
TINY: list[dict[str, Any]] = [
    {
        "id": "t1",
        "question": "When was the Committee's report HC 112 published?",
        "answerable": True,
        "reference_answer": "6 December 2012",
        "gold": [{"source_file": SAMPLE_DOCS[0], "page": 5}],
        "type": "fact",
    },
    {
        "id": "t2",
        "question": "What is regulation 77 of the Public Contracts Regulations 2015?",
        "answerable": True,
        "reference_answer": "It lets a contracting authority reserve some service contracts "
        "for mutuals for up to three years.",
        "gold": [{"source_file": SAMPLE_DOCS[3], "page": 5}],
        "type": "howto",
    },
    {
        "id": "t3",
        "question": "How do I apply for planning permission for a <b>conservatory</b>?",
        "answerable": False,
        "reference_answer": "",
        "gold": [],
        "type": "unanswerable",
    },
]


def write_testset(path: Path, records: list[dict[str, Any]] | None = None) -> Path:
    """Write `records` (the tiny test set by default) as JSONL to `path`."""
    rows = TINY if records is None else records
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def guide_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "guide"), *args], capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    args: list[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a server process logging to a file (a pipe nobody reads fills up and blocks it);
    `env`, if given, is its whole environment."""
    handle = log.open("wb")
    return subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, env=env)


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


def guide_env(**settings: str | int) -> dict[str, str]:
    """This process's environment without any GUIDE_* variable, plus the given settings as
    GUIDE_<NAME> (guide_env(chroma_host="127.0.0.1") sets GUIDE_CHROMA_HOST)."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDE_")}
    return {**env, **{f"GUIDE_{k.upper()}": str(v) for k, v in settings.items()}}


@contextmanager
def serving(data_dir: Path, log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`guide serve` over `data_dir` as a real process on a free loopback port; yields its URL
    once it answers, and stops it afterwards. `env`, if given, is its whole environment
    (see guide_env)."""
    port = free_port()
    args = [str(BIN / "guide"), "serve", "--data-dir", str(data_dir), "--port", str(port)]
    proc = start_server(args, log, env)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, proc, log=log)
        yield url
    finally:
        stop(proc)


# one account per role (name: (role, password)); the first is the admin `add_accounts` needs
ONE_PER_ROLE = {
    "ada": ("admin", "ada-password-1"),
    "sam": ("staff", "sam-password-1"),
    "olu": ("officer", "olu-password-1"),
    "eve": ("evaluator", "eve-password-1"),
}


def add_accounts(data_dir: Path, accounts: dict[str, tuple[str, str]]) -> None:
    """`guide users add` for each name: (role, password); the first must be an admin."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDE_")}
    for name, (role, password) in accounts.items():
        made = subprocess.run(
            [str(BIN / "guide"), "users", "add", name, "--role", role, "--password-stdin"],
            input=password + "\n",
            capture_output=True,
            text=True,
            env={**env, "GUIDE_DATA_DIR": str(data_dir)},
            timeout=60,
        )
        assert made.returncode == 0, made.stderr


def api_token(base: str, name: str, password: str, label: str = "test script") -> str:
    """Sign in to a served app as `name` (its JSON sign-in) and make an API token acting as it."""
    import httpx

    with httpx.Client(base_url=base.rstrip("/"), timeout=60) as client:
        signed = client.post(
            "/login",
            data={"username": name, "password": password},
            headers={"Accept": "application/json"},
        )
        assert signed.status_code == 200, signed.text
        made = client.post("/api/v1/tokens", json={"label": label})
        assert made.status_code == 201, made.text
        return str(made.json()["token"])


def sign_in(page: Any, url: str, name: str, password: str) -> None:
    """Sign in through the app's own sign-in page in a Playwright page, and wait for the app."""
    page.goto(url)  # redirected to /login (assistant/ui/login.py)
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#whoami").get_by_text(name).wait_for(timeout=60_000)


# Gradio marks an output whose event failed with an "Error" badge (in its status tracker, beside
# the button that clears it); a refused action must never leave one.
ERROR_BADGES = "div.clear-status ~ span.error"
WARNING_TOAST = ".toast-body.warning"
