"""The audit log: append, read newest first, filter, rotate, survive corrupt lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.audit import AuditAction, AuditLog
from assistant.cli.admin import audit, users
from assistant.errors import GuideError

pytestmark = pytest.mark.unit


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit" / "audit.jsonl")


def test_record_writes_one_json_line(log):
    entry = log.record("alice", AuditAction.UPLOAD, {"file": "guide.pdf"}, "added", role="staff")
    assert set(entry) == {"at", "who", "role", "action", "what", "result"}
    assert entry["at"].endswith("+00:00")  # UTC, to the microsecond: merged logs sort by it
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [entry]
    assert entry["action"] == "upload" and entry["role"] == "staff"


def test_entries_newest_first_and_filtered(log):
    log.record("alice", AuditAction.SIGN_IN, "", "ok", role="admin")
    log.record("bob", AuditAction.ASK, {"question": "What is a mutual?\nSecond line"}, "answered")
    log.record("alice", AuditAction.ASK, {"question": "TUPE?"}, "answered")
    log.record("bob", AuditAction.SIGN_IN_FAILED, "", "wrong password")

    assert [e["action"] for e in log.entries()] == ["sign_in_failed", "ask", "ask", "sign_in"]
    assert [e["who"] for e in log.entries(action="ask")] == ["alice", "bob"]
    assert [e["action"] for e in log.entries(who="bob")] == ["sign_in_failed", "ask"]
    assert [e["what"] for e in log.entries(who="bob", action="ask")] == [
        {"question": "What is a mutual?\nSecond line"}
    ]
    assert len(log.entries(limit=2)) == 2
    assert log.entries(limit=0) == []
    assert len(log.path.read_text().splitlines()) == 4  # a newline in a value stays one line


def test_no_log_yet_means_no_entries(log):
    assert log.entries() == []


def test_corrupt_lines_are_skipped(log):
    log.record("alice", AuditAction.ASK, "first", "ok")
    with log.path.open("ab") as handle:
        handle.write(b'{"at": "2024-01-01T00:00:00+00:00", "who": "half\n[1, 2]\n\xff\xfe\n\n')
    log.record("alice", AuditAction.ASK, "second", "ok")
    assert [e["what"] for e in log.entries()] == ["second", "first"]


def test_rotation_keeps_the_newest_files(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl", max_bytes=1000, keep=3)
    for i in range(200):
        log.record("alice", AuditAction.ASK, {"n": i}, "ok")
    files = log.files()
    assert [p.name for p in files] == [
        "audit.jsonl",
        "audit.jsonl.1",
        "audit.jsonl.2",
        "audit.jsonl.3",
    ]
    assert not (tmp_path / "audit.jsonl.4").exists()
    assert all(p.stat().st_size <= 1000 for p in files)
    kept = sum(len(p.read_text().splitlines()) for p in files)
    line = len(json.dumps(log.entries(limit=1)[0], ensure_ascii=False)) + 1
    per_file = 1000 // line
    assert per_file * 3 < kept <= per_file * 4  # three full rotated files and the current one
    numbers = [e["what"]["n"] for e in log.entries(limit=1000)]
    assert len(numbers) == kept
    assert numbers == list(range(199, 199 - kept, -1))  # newest first, none missing or doubled
    assert [e["what"]["n"] for e in log.entries(limit=kept + 5)] == numbers


def test_rotation_with_nothing_kept(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl", max_bytes=200, keep=0)
    for i in range(20):
        log.record("alice", AuditAction.ASK, {"n": i}, "ok")
    assert [p.name for p in log.files()] == ["audit.jsonl"]
    assert log.entries(limit=1)[0]["what"] == {"n": 19}


def test_a_disk_problem_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the audit folder should be")
    log = AuditLog(blocker / "audit.jsonl")
    with pytest.raises(GuideError, match="audit log .* cannot be written"):
        log.record("alice", AuditAction.ASK, "q", "ok")


def test_what_that_is_not_json_is_kept_as_text(log):
    entry = log.record("alice", AuditAction.UPLOAD, {"path": Path("a.pdf")}, "ok")
    assert log.entries()[0]["what"] == {"path": "a.pdf"}
    assert entry["what"] == {"path": Path("a.pdf")}


# -- guide audit ------------------------------------------------------------------------------
def test_cli_audit_shows_user_changes(tmp_path):
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    for args, password in (
        (["add", "alice", "--role", "admin"], "alice password"),
        (["add", "bob", "--role", "officer"], "bob password"),
    ):
        result = runner.invoke(users, [*args, *data, "--password-stdin"], input=password + "\n")
        assert result.exit_code == 0, result.output
    assert runner.invoke(users, ["remove", "bob", *data]).exit_code == 0
    assert runner.invoke(users, ["remove", "carol", *data]).exit_code == 2

    shown = runner.invoke(audit, data)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert len(lines) == 4
    assert "user_remove" in lines[0] and "name=carol" in lines[0] and "refused" in lines[0]
    assert "user_remove" in lines[1] and "name=bob" in lines[1] and lines[1].endswith("-> ok")
    assert "user_add" in lines[3] and "name=alice role=admin" in lines[3]
    assert all(" cli" in line for line in lines)
    assert "password" not in shown.output

    as_json = json.loads(runner.invoke(audit, [*data, "--json", "--action", "user_add"]).output)
    assert [e["what"]["name"] for e in as_json["entries"]] == ["bob", "alice"]
    assert as_json["entries"][0]["who"].startswith("cli")
    limited = runner.invoke(audit, [*data, "--limit", "1", "--json"])
    assert len(json.loads(limited.output)["entries"]) == 1
    assert runner.invoke(audit, [*data, "--who", "nobody"]).output.strip() == (
        "No audit entries match."
    )


def test_cli_audit_empty(tmp_path):
    result = CliRunner().invoke(audit, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 0 and "The audit log is empty." in result.output


# -- failed sign-ins --------------------------------------------------------------------------
def test_failed_sign_ins_have_their_own_log_and_cannot_evict_the_history(tmp_path):
    from assistant.config import Settings

    settings = Settings(data_dir=tmp_path, audit_max_mb=0.002, audit_keep=1)
    log = AuditLog.from_settings(settings)
    log.record("alice", AuditAction.SIGN_IN, {"client": "127.0.0.1"}, "ok", role="admin")
    log.record("alice", AuditAction.UPLOAD, {"file": "guide.pdf"}, "added", role="admin")
    for i in range(500):  # far more than the main log holds
        log.record(f"guess{i}", AuditAction.SIGN_IN_FAILED, {"client": "203.0.113.9"}, "refused")
    assert [e["action"] for e in AuditLog(settings.audit_path).entries()] == ["upload", "sign_in"]
    assert settings.sign_in_failures_path.exists()
    assert "guess" not in settings.audit_path.read_text()
    # read together, newest first; a filter on the action reads only the failures
    assert log.entries(limit=1)[0]["who"] == "guess499"
    failed = log.entries(limit=1000, action=AuditAction.SIGN_IN_FAILED)
    assert len(failed) == 500 and failed[0]["who"] == "guess499"
    assert [e["action"] for e in log.entries(limit=1000) if e["action"] != "sign_in_failed"] == [
        "upload",
        "sign_in",
    ]
    assert log.entries(action="upload") == AuditLog(settings.audit_path).entries(action="upload")
    assert [e["what"] for e in log.entries(who="guess7")] == [{"client": "203.0.113.9"}]


def test_the_failures_log_rotates_on_its_own_limits(tmp_path):
    from assistant.config import Settings

    settings = Settings(data_dir=tmp_path, sign_in_log_max_mb=0.001, sign_in_log_keep=2)
    log = AuditLog.from_settings(settings)
    for i in range(100):
        log.record(f"guess{i}", AuditAction.SIGN_IN_FAILED, {}, "refused")
    assert log.failures is not None
    assert [p.name for p in log.failures.files()] == [
        "sign-in-failures.jsonl",
        "sign-in-failures.jsonl.1",
        "sign-in-failures.jsonl.2",
    ]
    assert all(p.stat().st_size <= 1000 for p in log.failures.files())


def test_cli_audit_shows_failed_sign_ins(tmp_path):
    from assistant.config import Settings

    log = AuditLog.from_settings(Settings(data_dir=tmp_path))
    log.record("mallory", AuditAction.SIGN_IN_FAILED, {"client": "203.0.113.9", "count": 7}, "x")
    shown = CliRunner().invoke(audit, ["--data-dir", str(tmp_path), "--action", "sign_in_failed"])
    assert shown.exit_code == 0, shown.output
    assert "mallory" in shown.output and "count=7" in shown.output
