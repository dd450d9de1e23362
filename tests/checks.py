"""Invariants every test of a library change checks: nothing half-added, nothing left behind."""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings
from assistant.library import Library


def consistent(library: Library) -> None:
    """Store, chunk files, page files, PDFs, keyword index and registry describe the same
    versions, and a search sees only what the registry lists."""
    versions = library.indexed_versions()
    assert library.store.orphan_versions(versions) == set()
    in_files = {c.chunk_id for c in library.indexed_chunks()}
    assert library.store.ids(versions) == in_files
    assert library.store.count() == len(in_files)
    assert set(library.keyword_index().ids) == in_files
    assert {p.stem for p in library.pages_dir.glob("*.json")} == set(versions)
    assert {p.stem for p in library.chunks_dir.glob("*.json")} == set(versions)
    assert {p.stem for p in library.vectors_dir.glob("*.npy")} == set(versions)
    assert {p.stem for p in library.files_dir.glob("*.pdf")} == {
        r.sha256 for r in library.records()
    }
    assert sum(r.chunks for r in library.records()) == len(in_files)


def snapshot(data_dir: Path) -> dict[str, object]:
    """Everything a reader can observe about a library, to compare before and after."""
    library = Library(Settings(data_dir=data_dir))
    return {
        "registry": (data_dir / "registry.json").read_bytes(),
        "store": sorted(library.store.ids(library.indexed_versions())),
        "store_total": library.store.count(),
        "keyword": sorted(library.keyword_index().ids),
        "generation": library.generation(),
        "pages": sorted(p.name for p in library.pages_dir.glob("*")),
        "chunks": sorted(p.name for p in library.chunks_dir.glob("*")),
        "vectors": sorted(p.name for p in library.vectors_dir.glob("*")),
        "files": sorted(p.name for p in library.files_dir.glob("*")),
    }
