"""A process sees the registry another process wrote, even when the new file has the same
size and modification time as the one it read before (two writes within the clock's
resolution)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.files import write_atomic
from assistant.library import Library

pytestmark = pytest.mark.unit


def _registry(title: str) -> bytes:
    record = {
        "source_file": "a.pdf",
        "title": title,
        "kind": "other",
        "sha256": "0" * 64,
        "version": "0000000000000000-abcdef",
        "pages": 1,
        "chunks": 1,
        "added_at": "2026-12-01T00:00:00+00:00",
        "pipeline": "p",
    }
    return json.dumps({"format": 2, "documents": [record]}).encode("utf-8")


def test_a_registry_replaced_within_one_clock_tick_is_read_again(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    path = tmp_path / "registry.json"
    write_atomic(path, _registry("Ferry plan"))
    reader = Library(settings)  # as another app process would
    assert [d.title for d in reader.documents()] == ["Ferry plan"]
    before = path.stat()
    write_atomic(path, _registry("Canal plan"))  # same size, by another process
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # ... in the same tick
    assert path.stat().st_size == before.st_size
    assert [d.title for d in reader.documents()] == ["Canal plan"]
    assert reader.generation() == Library(settings).generation()
