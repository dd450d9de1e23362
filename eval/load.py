"""Load a running `guide serve` through its REST API: askers and uploaders at once, for a fixed
time, then check that every upload is in the library and that its indexes agree.

    python -m eval.load --url http://127.0.0.1:7860 --token mg_... --askers 50 --uploaders 3 \\
        --seconds 60 --json load.json

Only a loopback address is accepted: this is a tool for one's own server. It is bounded: askers
stop at the end of `--seconds`, each uploader adds at most `--uploads` files, and the whole run
stops at `--seconds` plus `--grace`. The token must belong to a staff or admin account (uploads,
/documents and /library/check need one). Questions come from the bundled test sets (follow-ups
are asked with the question they follow as history). Uploads are small generated PDFs, each
distinct, kept afterwards unless `--remove-after`. It prints throughput, p50/p95/p99 latency
and errors by kind; the exit status is 0 only with no errors, every upload present and the
indexes agreeing.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.tinypdf import serialise

TESTSETS = Path(__file__).resolve().parent / "testsets"
DEFAULT_TESTSETS = (TESTSETS / "mutuals-guide.jsonl", TESTSETS / "conversations.jsonl")
EXAMPLES_PER_KIND = 3


class LoadError(Exception):
    """A run that cannot start (a URL that is not loopback, no questions)."""


def loopback_url(url: str) -> str:
    """The URL without a trailing slash, or LoadError unless its host is a loopback address.

    >>> loopback_url("http://127.0.0.1:7860/")
    'http://127.0.0.1:7860'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise LoadError(f"{url!r} is not an http(s) URL with a host.")
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise LoadError(
                f"Refusing to load {host!r}: only a loopback address (127.0.0.1, ::1, localhost) "
                "may be loaded, so a run never reaches anyone else's server."
            )
    return url.rstrip("/")


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks; None when
    there are no values."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def questions(paths: Sequence[Path]) -> list[tuple[str, list[str]]]:
    """(question, history) pairs from test sets: a follow-up carries the question it follows."""
    from eval.testset import load_testsets

    items = load_testsets(paths)
    by_id = {i.id: i for i in items}
    asked: list[tuple[str, list[str]]] = []
    for item in items:
        history: list[str] = []
        earlier = by_id.get(item.follows) if item.follows else None
        while earlier is not None and len(history) < 5:
            history.insert(0, earlier.question)
            earlier = by_id.get(earlier.follows) if earlier.follows else None
        asked.append((item.question, history))
    if not asked:
        raise LoadError("The test sets hold no questions.")
    return asked


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def small_pdf(lines: Sequence[str], title: str) -> bytes:
    """A one-page PDF with these lines in Helvetica, written by hand (no PDF library needed)."""
    text = ["BT", "/F1 11 Tf", "14 TL", "60 780 Td"]
    text += [f"({_escape(line)}) Tj T*" for line in lines]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title (" + _escape(title).encode("latin-1") + b") >>",
    ]
    return serialise(objects, info=6)


_PLACES = ("Ashford", "Brampton", "Calder", "Dunmore", "Elmwick", "Fenby", "Garth", "Holm")
_SERVICES = ("youth work", "libraries", "adult social care", "leisure centres", "parks")


def upload_pdf(run: str, uploader: int, number: int) -> tuple[str, bytes]:
    """A distinct small document (its name and bytes) for one upload of one run."""
    rng = random.Random(f"{run}-{uploader}-{number}")
    place, service = rng.choice(_PLACES), rng.choice(_SERVICES)
    name = f"load-{run}-u{uploader}-{number:02d}.pdf"
    lines = [
        f"1. The {place} {service.title()} Mutual (load test {run}, uploader {uploader},",
        f"document {number}) took over the council's {service} service as a community",
        "benefit society owned by its staff and the people who use it.",
        f"2. It has {rng.randint(12, 400)} members and a contract of {rng.randint(3, 10)} years.",
    ]
    return name, small_pdf(lines, f"{place} {service} mutual ({run} {uploader}.{number})")


@dataclass
class Tally:
    """What one kind of request did, shared by the threads making it."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)

    def failed(self, what: str) -> None:
        with self.lock:
            self.errors.append(what[:300])

    def summary(self, elapsed: float) -> dict[str, Any]:
        with self.lock:
            done, errors = list(self.latencies), list(self.errors)
        kinds: dict[str, int] = {}
        for e in errors:
            head = e.split(":", 1)[0]
            kinds[head] = kinds.get(head, 0) + 1
        return {
            "requests": len(done) + len(errors),
            "ok": len(done),
            "errors": len(errors),
            "throughput_per_s": round(len(done) / elapsed, 3) if elapsed > 0 else 0.0,
            "p50_s": _rounded(percentile(done, 50)),
            "p95_s": _rounded(percentile(done, 95)),
            "p99_s": _rounded(percentile(done, 99)),
            "max_s": _rounded(max(done) if done else None),
            "error_kinds": kinds,
            "error_examples": errors[:EXAMPLES_PER_KIND],
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _asker(
    base: str,
    headers: dict[str, str],
    asked: list[tuple[str, list[str]]],
    seed: int,
    until: float,
    tally: Tally,
    timeout: float,
) -> None:
    import httpx

    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers=headers, timeout=timeout) as client:
        while time.monotonic() < until:
            question, history = rng.choice(asked)
            started = time.monotonic()
            try:
                answer = client.post("/api/v1/ask", json={"question": question, "history": history})
            except httpx.HTTPError as exc:
                tally.failed(f"{type(exc).__name__}: {exc}")
                continue
            if answer.status_code != 200:
                tally.failed(f"HTTP {answer.status_code}: {answer.text[:200]}")
            elif answer.json().get("status") not in ("answered", "partial", "no_answer"):
                tally.failed(f"bad answer: {answer.text[:200]}")
            else:
                tally.ok(time.monotonic() - started)


def _uploader(
    base: str,
    headers: dict[str, str],
    run: str,
    number: int,
    uploads: int,
    until: float,
    hard_until: float,
    tally: Tally,
    added: list[str],
    timeout: float,
) -> None:
    import httpx

    with httpx.Client(base_url=base, headers=headers, timeout=timeout) as client:
        for n in range(uploads):
            if time.monotonic() >= until:
                return
            name, pdf = upload_pdf(run, number, n)
            started = time.monotonic()
            try:
                queued = client.post(
                    "/api/v1/documents",
                    files=[("files", (name, pdf, "application/pdf"))],
                    data={"kind": "case study"},
                )
                if queued.status_code != 202:
                    tally.failed(f"HTTP {queued.status_code}: {name}: {queued.text[:200]}")
                    continue
                job_id = queued.json()["id"]
                job: dict[str, Any] = queued.json()
                while job["state"] not in ("done", "cancelled"):
                    if time.monotonic() >= hard_until:
                        tally.failed(f"timeout: {name} not finished (job {job_id})")
                        return
                    time.sleep(0.25)  # polling interval while the job runs
                    polled = client.get(f"/api/v1/jobs/{job_id}")
                    if polled.status_code != 200:
                        tally.failed(f"HTTP {polled.status_code}: job {job_id}: {polled.text}")
                        break
                    job = polled.json()
                else:
                    state = job["files"][0]
                    if state["state"] == "added":
                        tally.ok(time.monotonic() - started)
                        added.append(state.get("source_file") or name)
                    else:
                        tally.failed(f"{state['state']}: {name}: {state.get('reason', '')}")
            except httpx.HTTPError as exc:
                tally.failed(f"{type(exc).__name__}: {name}: {exc}")


def run_load(
    url: str,
    token: str,
    askers: int = 50,
    uploaders: int = 3,
    seconds: float = 60.0,
    uploads: int = 10,
    grace: float = 300.0,
    testsets: Sequence[Path] = DEFAULT_TESTSETS,
    remove_after: bool = False,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """Run the load and the checks after it; the report as a dict (see `render`)."""
    import httpx

    base = loopback_url(url)
    asked = questions(testsets)
    headers = {"Authorization": f"Bearer {token}"}
    run = uuid.uuid4().hex[:8]
    ask, upload = Tally(), Tally()
    added: list[str] = []
    started = time.monotonic()
    until, hard_until = started + seconds, started + seconds + grace
    threads = [
        threading.Thread(
            target=_asker,
            args=(base, headers, asked, i, until, ask, timeout),
            name=f"asker-{i}",
            daemon=True,
        )
        for i in range(askers)
    ] + [
        threading.Thread(
            target=_uploader,
            args=(base, headers, run, i, uploads, until, hard_until, upload, added, timeout),
            name=f"uploader-{i}",
            daemon=True,
        )
        for i in range(uploaders)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, hard_until - time.monotonic()))
    elapsed = time.monotonic() - started
    stuck = [t.name for t in threads if t.is_alive()]
    with httpx.Client(base_url=base, headers=headers, timeout=timeout) as client:
        listed = client.get("/api/v1/documents")
        listed.raise_for_status()
        present = {d["source_file"] for d in listed.json()["documents"] if d["status"] == "current"}
        check = client.get("/api/v1/library/check")
        check.raise_for_status()
        missing = sorted(set(added) - present)
        removed = []
        after_removal: dict[str, Any] = {}
        if remove_after:
            for name in added:
                if client.delete(f"/api/v1/documents/{name}").status_code == 200:
                    removed.append(name)
            after = client.get("/api/v1/library/check")
            after.raise_for_status()
            after_removal = after.json()
    report: dict[str, Any] = {
        "url": base,
        "run": run,
        "askers": askers,
        "uploaders": uploaders,
        "seconds": seconds,
        "elapsed_s": round(elapsed, 2),
        "questions": len(asked),
        "ask": ask.summary(elapsed),
        "upload": upload.summary(elapsed),
        "uploaded": sorted(added),
        "missing_uploads": missing,
        "stuck_threads": stuck,
        "indexes": check.json(),
        "removed": removed,
        "indexes_after_removal": after_removal,
    }
    report["errors"] = report["ask"]["errors"] + report["upload"]["errors"] + len(stuck)
    report["ok"] = (
        report["errors"] == 0
        and not missing
        and bool(report["indexes"].get("agree"))
        and len(removed) == (len(added) if remove_after else 0)
        and (not remove_after or bool(after_removal.get("agree")))
    )
    return report


def render(report: dict[str, Any]) -> str:
    """The report as text."""
    lines = [
        f"Load on {report['url']}: {report['askers']} askers, {report['uploaders']} uploaders, "
        f"{report['seconds']:g} s (took {report['elapsed_s']:g} s), "
        f"{report['questions']} questions",
    ]
    for kind, what in (("ask", "ask"), ("upload", "upload to added")):
        s = report[kind]
        lines.append(
            f"  {what:>15}: {s['ok']} ok, {s['errors']} errors, {s['throughput_per_s']:g}/s; "
            f"p50 {s['p50_s']} s, p95 {s['p95_s']} s, p99 {s['p99_s']} s, max {s['max_s']} s"
        )
        for example in s["error_examples"]:
            lines.append(f"      error: {example}")
    idx = report["indexes"]
    missing = report["missing_uploads"]
    lines.append(
        f"  uploads present: {len(report['uploaded']) - len(missing)}/{len(report['uploaded'])}"
        + (f" (missing: {', '.join(missing)})" if missing else "")
    )
    lines.append(
        f"  indexes: registry {idx.get('registry_chunks')}, store {idx.get('store_chunks')} "
        f"(in all {idx.get('store_total')}), keyword {idx.get('keyword_chunks')}: "
        + ("agree" if idx.get("agree") else "DISAGREE")
    )
    if report["stuck_threads"]:
        lines.append(f"  still running at the hard timeout: {', '.join(report['stuck_threads'])}")
    if report["removed"]:
        agree = report["indexes_after_removal"].get("agree")
        lines.append(
            f"  removed afterwards: {len(report['removed'])}/{len(report['uploaded'])}; indexes "
            + ("agree" if agree else "DISAGREE")
        )
    lines.append("  result: " + ("OK" if report["ok"] else "PROBLEMS"))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:7860")
    parser.add_argument("--token", required=True, help="a staff or admin API token (mg_...)")
    parser.add_argument("--askers", type=int, default=50)
    parser.add_argument("--uploaders", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long askers ask")
    parser.add_argument("--uploads", type=int, default=10, help="at most this many per uploader")
    parser.add_argument("--grace", type=float, default=300.0, help="hard stop after --seconds")
    parser.add_argument("--questions", type=Path, action="append", help="a JSONL test set")
    parser.add_argument("--json", type=Path, help="also write the report here as JSON")
    parser.add_argument("--remove-after", action="store_true", help="remove what it uploaded")
    args = parser.parse_args(argv)
    try:
        report = run_load(
            args.url,
            args.token,
            askers=args.askers,
            uploaders=args.uploaders,
            seconds=args.seconds,
            uploads=args.uploads,
            grace=args.grace,
            testsets=args.questions or DEFAULT_TESTSETS,
            remove_after=args.remove_after,
        )
    except LoadError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(render(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
