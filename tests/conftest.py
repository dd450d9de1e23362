"""Shared fixtures. Every test runs isolated: its own working folder and no GUIDE_* settings
leaking in from the developer's environment. Helpers that are not fixtures live in
tests/helpers.py."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings, configure_offline
from tests.helpers import CORPUS, SAMPLE_DOCS, serving

configure_offline()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("GUIDE_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


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


@pytest.fixture
def app_server(sample_library: Path, tmp_path: Path) -> Iterator[str]:
    """The app over a copy of the sample library."""
    data_dir = tmp_path / "served"
    shutil.copytree(sample_library, data_dir)
    with serving(data_dir, tmp_path / "serve.log") as url:
        yield url
