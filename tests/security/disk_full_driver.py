"""Runs inside a private mount namespace (`unshare --mount`): puts a copy of a library on a small
tmpfs, fills the disk, runs the real `guide` against it, frees the disk, and records everything
for the test (tests/security/test_disk_full.py) to check from outside.

    unshare --mount python -m tests.security.disk_full_driver SPEC.json
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from assistant.faults import fill_disk


def run(args: list[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    return {"rc": done.returncode, "out": done.stdout, "err": done.stderr[-4000:]}


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    work = Path(spec["work"])
    mnt = work / "mnt"
    mnt.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={spec['disk_mb']}m", "tmpfs", str(mnt)], check=True
    )
    lib = mnt / "lib"
    shutil.copytree(spec["library"], lib)
    filler = mnt / "filler"
    guide = spec["guide"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDE_")}
    env["GUIDE_MIN_FREE_MB"] = str(spec["reserve_mb"])
    ingest = [guide, "ingest", *spec["new_docs"], "--data-dir", str(lib), "--json"]
    ask = [guide, "ask", spec["question"], "--data-dir", str(lib), "--json"]
    report: dict[str, object] = {}
    if spec["fill_at"] == "before":
        fill_disk(str(filler), spec["leave_kb"])
        report["free_kb"] = shutil.disk_usage(mnt).free // 1024
        report["ingest"] = run(ingest, env)
        report["ask_while_full"] = run(ask, env)
    else:  # the disk fills up in the middle of the write, as another process could fill it
        fault = {
            "GUIDE_FILL_DISK_AT": spec["fill_at"],
            "GUIDE_FILL_DISK_FILE": str(filler),
            "GUIDE_FILL_DISK_LEAVE_KB": str(spec["leave_kb"]),
        }
        report["ingest"] = run(ingest, {**env, **fault})
        report["ask_while_full"] = run(ask, env)
    filler.unlink(missing_ok=True)
    shutil.copytree(lib, work / "after-refusal")  # as the failed write left it, before any tidy
    report["ask_after"] = run(ask, env)
    report["ingest_after"] = run(ingest, env)
    shutil.copytree(lib, work / "final")
    (work / "report.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
