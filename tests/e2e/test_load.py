"""The load script (eval/load.py) run short against a real `guide serve`: askers and uploaders
at once, no errors, every upload in the library afterwards and its three indexes agreeing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import ONE_PER_ROLE, add_accounts, api_token, serving

pytestmark = pytest.mark.e2e


def _token(base: str, name: str) -> str:
    return api_token(base, name, ONE_PER_ROLE[name][1], f"{name} load")


def test_a_short_load_has_no_errors_and_leaves_the_library_consistent(
    sample_library: Path, tmp_path: Path
):
    import httpx

    from eval.load import render, run_load

    data_dir = tmp_path / "library"
    shutil.copytree(sample_library, data_dir)
    add_accounts(data_dir, ONE_PER_ROLE)
    with serving(data_dir, tmp_path / "serve.log") as url:
        base = url.rstrip("/")
        staff = _token(base, "sam")
        officer = _token(base, "olu")
        check = httpx.get(
            base + "/api/v1/library/check", headers={"Authorization": f"Bearer {staff}"}
        ).json()
        assert check["agree"] and check["registry_chunks"] > 0, check
        before = check["registry_chunks"]
        refused = httpx.get(
            base + "/api/v1/library/check", headers={"Authorization": f"Bearer {officer}"}
        )
        assert refused.status_code == 403

        report = run_load(base, staff, askers=8, uploaders=2, seconds=20, uploads=2, grace=150)
        text = render(report)

        assert report["errors"] == 0, text
        assert report["ask"]["ok"] >= 8 and report["upload"]["ok"] >= 2, text
        assert len(report["uploaded"]) == report["upload"]["ok"]
        assert report["missing_uploads"] == [], text
        indexes = report["indexes"]
        assert indexes["agree"], text
        assert indexes["registry_chunks"] == indexes["store_chunks"] == indexes["keyword_chunks"]
        assert indexes["registry_chunks"] > before  # the uploads' passages were counted
        for kind in ("ask", "upload"):
            assert {"p50_s", "p95_s", "p99_s", "throughput_per_s"} <= set(report[kind])
            assert 0 < report[kind]["p50_s"] <= report[kind]["p95_s"] <= report[kind]["p99_s"]
        assert "p95" in text and "agree" in text and report["ok"]
        # what it uploaded can be asked about
        listed = httpx.get(
            base + "/api/v1/documents", headers={"Authorization": f"Bearer {staff}"}
        ).json()["documents"]
        names = {d["source_file"] for d in listed}
        assert set(report["uploaded"]) <= names
