"""The real PDFs of the robustness corpus (tests/robustness: public PDF-parsing test collections
and UK public-sector documents, fetched at pinned commits by tests/robustness/fetch.py into a
git-ignored folder, so this test runs where they have been fetched): every file is read or
refused with a reason, as MANIFEST.json says it should be, and nothing crashes or hangs.

The files themselves are not committed (they are other projects' data); MANIFEST.json records
each one's source, commit, licence, sha256 and the outcome the loader should give."""

from __future__ import annotations

import hashlib
import json

import pytest

from assistant.errors import RefusedFile
from ingest.pdf import PdfLoader
from tests.helpers import ROOT

pytestmark = pytest.mark.integration
FOLDER = ROOT / "tests" / "robustness"
MANIFEST = json.loads((FOLDER / "MANIFEST.json").read_text(encoding="utf-8"))["files"]
PRESENT = [e for e in MANIFEST if (FOLDER / "pdfs" / e["file"]).is_file()]
if not PRESENT:
    pytest.skip(
        "the robustness PDFs are not fetched here: python tests/robustness/fetch.py (then "
        "--subset) puts them in tests/robustness/pdfs/",
        allow_module_level=True,
    )

REASONS = {  # what a refusal's reason must say, by the manifest's expectation
    "password": "needs a password",
    "no text": "no text could be extracted",
    "damaged": "damaged",
}


@pytest.mark.parametrize("entry", PRESENT, ids=lambda e: e["file"][:40])
def test_each_real_pdf_is_read_or_refused_as_its_manifest_says(entry: dict) -> None:  # type: ignore[type-arg]
    path = FOLDER / "pdfs" / entry["file"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], "a changed file"
    expected = str(entry["expected"])
    try:
        loaded = PdfLoader(seconds=120, memory_mb=2048).load(path)
    except RefusedFile as refused:
        assert expected.startswith("refuse"), f"refused, but should be read: {refused.reason}"
        wanted = next((text for key, text in REASONS.items() if key in expected), "")
        assert wanted in refused.reason, refused.reason
        return
    assert expected.startswith("read"), f"read, but should be refused ({expected})"
    assert sum(len(p.text) for p in loaded.pages) > 0
