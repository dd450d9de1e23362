"""How the product's PDF loader does on real published PDFs.

    python tests/robustness/report.py                 # the committed files in pdfs/
    python tests/robustness/report.py --all           # and every PDF fetched into .cache/
    python tests/robustness/report.py --bench         # the long UK reports: ingest speed
    python tests/robustness/report.py FILE_OR_DIR...  # just these
    python tests/robustness/report.py --timeout 60 --out report.json
    python tests/robustness/report.py --src /tmp/head # the loader of another source tree

Every file is read twice, each time in a fresh child process with a time limit (and a memory
limit), so a hang, a crash or a memory bomb costs one file, not the report:

- by the product's loader (`run_loader` below: the one place that knows the loader's API);
- by plain pypdf, `PdfReader(path).pages[i].extract_text()` (with the empty password tried on
  an encrypted file, as a PDF viewer does), as the baseline of what text the file holds.

For each file it records whether the loader read or refused it (and why), pages, seconds, the
characters of body text (and footnotes) kept, the characters dropped as hidden text, the
characters removed as page furniture (running headers, footers, folios), and how much of pypdf's
plain text the loader keeps: per page, the non-space characters the two have in common (as
multisets) over pypdf's non-space characters. `kept_share` counts body and footnotes; `accounted`
also counts furniture and hidden runs, so `1 - accounted` is text that went missing without a
reason.

It prints a summary and writes the whole result as JSON (default tests/robustness/report.json).
The machine it runs on matters for the timings; the rest should not change from run to run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PDFS = HERE / "pdfs"
CACHE = HERE / ".cache"
MIN_TEXT_CHARS = 20  # as the loader: a page with fewer non-blank characters has no text
SLOW_SECONDS = 10.0  # a file is "slow" past this many seconds...
SLOW_PER_PAGE = 1.0  # ...or this many seconds a page

# The fork server imports this module (as "report", found through PYTHONPATH) before it imports
# the loader, and this puts the chosen source tree first there: Python 3.11's fork server does
# not apply the parent's sys.path, so it would otherwise import the loader from its cwd.
_SRC = os.environ.get("ROBUSTNESS_REPORT_SRC") if __name__ != "__main__" else None
if _SRC and sys.path[:1] != [_SRC]:
    sys.path.insert(0, _SRC)


# --- the loader: the only code that knows its API -------------------------------------------


def run_loader(path: Path, max_mb: float, max_pages: int) -> dict[str, Any]:
    """Load one PDF with the product's loader. Returns per-page text, or the refusal reason.

    Keep every use of ingest.pdf here: when the loader's API changes, change only this."""
    from assistant.errors import RefusedFile
    from ingest.pdf import PdfLoader

    # The loader refuses unsafe file names before it looks at the bytes; the collections have
    # names like "empty#hash.pdf" that say nothing about the PDF, so give it a safe one.
    safe = re.sub(r"[^A-Za-z0-9 ._()\-]", "_", path.name)
    safe = re.sub(r"^[^A-Za-z0-9]+", "", safe)[:140] or "file"
    if not safe.lower().endswith(".pdf"):
        safe += ".pdf"
    where = sys.modules[PdfLoader.__module__].__file__
    try:
        loaded = PdfLoader(max_mb=max_mb, max_pages=max_pages).load(path, source_file=safe)
    except RefusedFile as exc:
        return {"status": "refused", "reason": exc.reason, "loader": where}
    layouts = getattr(loaded, "layouts", ()) or ()
    return {
        "status": "read",
        "pages": [
            {
                "body": page.text,
                "footnotes": getattr(page, "footnotes", "") or "",
                "label": str(getattr(page, "page_label", "")),
                "furniture": list(getattr(layouts[i], "furniture", ()) if i < len(layouts) else ()),
                "hidden": list(loaded.hidden[i]) if i < len(getattr(loaded, "hidden", ())) else [],
            }
            for i, page in enumerate(loaded.pages)
        ],
        "title": getattr(loaded, "title", ""),
        "flags": len(getattr(loaded, "flags", ()) or ()),
        "loader": where,
    }


def run_plain(path: Path, max_pages: int) -> dict[str, Any]:
    """pypdf on its own: the text `page.extract_text()` gives, page by page."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    encrypted = bool(reader.is_encrypted)
    decrypted = None
    if encrypted:
        try:
            result = reader.decrypt("")  # PasswordType: NOT_DECRYPTED, USER_ or OWNER_PASSWORD
            decrypted = getattr(result, "name", str(result))
        except Exception as exc:  # noqa: BLE001 - unsupported algorithm, broken dictionary
            decrypted = f"error: {type(exc).__name__}: {exc}"[:300]
    pages: list[str] = []
    errors: list[str] = []
    count = len(reader.pages)
    for i in range(min(count, max_pages)):
        try:
            pages.append(reader.pages[i].extract_text() or "")
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken streams
            pages.append("")
            if len(errors) < 5:
                errors.append(f"page {i + 1}: {type(exc).__name__}: {exc}"[:300])
    labels: list[str] = []
    try:
        labels = [str(label) for label in reader.page_labels][:max_pages]
    except Exception:  # noqa: BLE001
        labels = []
    return {
        "pages": pages,
        "page_count": count,
        "encrypted": encrypted,
        "decrypted": decrypted,
        "errors": errors,
        "labels": labels,
    }


# --- child processes ---------------------------------------------------------------------------


def _child(kind: str, path: str, options: dict[str, Any], conn: Any) -> None:
    try:
        import resource

        limit = int(options["memory_mb"]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    sys.path.insert(0, options["src"])
    import logging
    import warnings

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair notes would flood the output
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    try:
        if kind == "loader":
            result = run_loader(Path(path), options["max_mb"], options["max_pages"])
        else:
            result = run_plain(Path(path), options["max_pages"])
        result["ok"] = True
    except MemoryError:
        result = {"ok": False, "error": "MemoryError (over the child's memory limit)"}
    except BaseException as exc:  # noqa: BLE001 - everything escaping the loader is a finding
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
    result["seconds"] = round(time.perf_counter() - started, 3)
    try:
        conn.send(result)
    except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable value
        conn.send(
            {
                "ok": False,
                "error": f"result not sendable: {exc}"[:300],
                "seconds": result["seconds"],
            }
        )
    conn.close()


def in_child(context: Any, kind: str, path: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Run `run_loader` or `run_plain` on one file in a fresh process, within the time limit."""
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(kind, str(path), options, child), daemon=True)
    started = time.perf_counter()
    process.start()
    child.close()
    result: dict[str, Any] | None = None
    try:
        if parent.poll(options["timeout"]):
            result = parent.recv()
    except (EOFError, OSError):
        result = None
    finally:
        parent.close()
    process.join(5 if result is not None else 0.1)
    if process.is_alive():
        process.kill()
        process.join()
        if result is None:
            return {
                "ok": False,
                "timeout": True,
                "seconds": round(time.perf_counter() - started, 1),
                "error": f"no answer within {options['timeout']:g} s (killed)",
            }
    if result is None:
        return {
            "ok": False,
            "crashed": True,
            "seconds": round(time.perf_counter() - started, 1),
            "error": f"the child process died (exit code {process.exitcode})",
        }
    return result


# --- measures ----------------------------------------------------------------------------------


def _chars(text: str) -> Counter[str]:
    return Counter(ch for ch in text if not ch.isspace())


def _overlap(plain: Counter[str], ours: Counter[str]) -> int:
    return sum(min(n, ours[ch]) for ch, n in plain.items())


REASONS = (  # (category, pattern on the loader's reason), first match wins
    ("encrypted", r"encrypted|password"),
    ("damaged", r"damaged|truncated"),
    ("no text (scan)", r"no text could be extracted|OCR"),
    ("all text hidden", r"all of its text is hidden"),
    ("too big", r"over the .* MB limit"),
    ("too many pages", r"pages, over the"),
    ("no pages", r"has no pages"),
    ("empty file", r"empty \(0 bytes\)"),
    ("not a PDF", r"not a PDF"),
    ("file name", r"file name"),
    ("cannot open", r"cannot be opened"),
)


def reason_category(reason: str) -> str:
    for category, pattern in REASONS:
        if re.search(pattern, reason, re.IGNORECASE):
            return category
    return "other"


def measure(path: Path, context: Any, options: dict[str, Any]) -> dict[str, Any]:
    data = path.read_bytes()
    entry: dict[str, Any] = {
        "file": display(path),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    loader = in_child(context, "loader", path, options)
    plain = in_child(context, "plain", path, options)

    # pypdf on its own
    plain_pages: list[str] = plain.get("pages", []) if plain.get("ok") else []
    entry["plain"] = {
        "ok": bool(plain.get("ok")),
        "seconds": plain.get("seconds"),
        "pages": plain.get("page_count"),
        "encrypted": plain.get("encrypted"),
        "decrypted": plain.get("decrypted"),
        "chars": sum(sum(_chars(t).values()) for t in plain_pages),
        # a page "has text" with MIN_TEXT_CHARS non-space characters (the loader counts its
        # whitespace-normalised text, so a bare count here would call "A \n \n \n B" text)
        "text_pages": sum(sum(_chars(t).values()) >= MIN_TEXT_CHARS for t in plain_pages),
        "errors": plain.get("errors", []) if plain.get("ok") else [plain.get("error", "")],
    }
    entry["plain"]["reads"] = bool(plain.get("ok")) and entry["plain"]["text_pages"] > 0
    if plain.get("timeout"):
        entry["plain"]["timeout"] = True

    # the loader
    entry["seconds"] = loader.get("seconds")
    entry["loader"] = loader.get("loader")
    if not loader.get("ok"):
        entry["status"] = "timeout" if loader.get("timeout") else "crash"
        entry["reason"] = loader.get("error", "")
        entry["category"] = (
            "timeout"
            if loader.get("timeout")
            else "died"
            if loader.get("crashed")
            else "uncaught exception"
        )
        return entry
    if loader["status"] == "refused":
        entry["status"] = "refused"
        entry["reason"] = loader["reason"]
        entry["category"] = reason_category(loader["reason"])
        return entry
    pages = loader["pages"]
    entry["status"] = "read"
    entry["pages"] = len(pages)
    entry["seconds_per_page"] = round(loader["seconds"] / max(1, len(pages)), 4)
    entry["body_chars"] = sum(sum(_chars(p["body"]).values()) for p in pages)
    entry["footnote_chars"] = sum(sum(_chars(p["footnotes"]).values()) for p in pages)
    entry["furniture_chars"] = sum(sum(_chars(" ".join(p["furniture"])).values()) for p in pages)
    entry["hidden_chars"] = sum(sum(_chars(" ".join(p["hidden"])).values()) for p in pages)
    entry["hidden_pages"] = [i + 1 for i, p in enumerate(pages) if p["hidden"]]
    entry["hidden_sample"] = next((p["hidden"][0][:160] for p in pages if p["hidden"]), "")
    entry["flags"] = loader.get("flags", 0)
    if plain_pages and len(plain_pages) == len(pages):
        total = kept = body = accounted = 0
        worst: list[tuple[float, int, int]] = []
        for i, (theirs, ours) in enumerate(zip(plain_pages, pages, strict=True)):
            want = _chars(theirs)
            n = sum(want.values())
            if not n:
                continue
            k = _overlap(want, _chars(ours["body"] + " " + ours["footnotes"]))
            b = _overlap(want, _chars(ours["body"]))
            a = _overlap(
                want,
                _chars(
                    " ".join([ours["body"], ours["footnotes"], *ours["furniture"], *ours["hidden"]])
                ),
            )
            total, kept, body, accounted = total + n, kept + k, body + b, accounted + a
            worst.append((a / n, i + 1, n - a))
        if total:
            entry["plain_chars"] = total
            entry["kept_share"] = round(kept / total, 4)
            entry["body_share"] = round(body / total, 4)
            entry["accounted"] = round(accounted / total, 4)
            entry["lost_chars"] = total - accounted
            worst.sort()
            entry["worst_pages"] = [
                {"page": page, "accounted": round(share, 3), "lost_chars": lost}
                for share, page, lost in worst[:3]
                if share < 0.9 and lost >= 20
            ]
    elif plain_pages:
        entry["page_count_mismatch"] = [len(plain_pages), len(pages)]
    return entry


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(HERE))
    except ValueError:
        return str(path)


def benchmark_folders() -> list[Path]:
    """The long real reports fetch.py put in the cache for the speed benchmark."""
    sys.path.insert(0, str(HERE))
    from fetch import benchmark_paths

    return benchmark_paths(CACHE)


def discover(targets: list[Path], include_cache: bool, bench: bool = False) -> list[Path]:
    roots = list(targets) or ([] if bench else [PDFS])
    if include_cache:
        roots.append(CACHE)
    if bench:
        roots.extend(benchmark_folders())
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix.lower() == ".pdf" and ".git" not in path.parts:
                found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


# --- summary -----------------------------------------------------------------------------------


def summarise(entries: list[dict[str, Any]], wall: float) -> dict[str, Any]:
    read = [e for e in entries if e["status"] == "read"]
    refused = [e for e in entries if e["status"] != "read"]
    load_seconds = sum(e["seconds"] or 0 for e in read)
    pages = sum(e["pages"] for e in read)
    with_plain = [e for e in read if e.get("plain_chars")]
    plain_total = sum(e["plain_chars"] for e in with_plain)
    summary = {
        "files": len(entries),
        "read": len(read),
        "refused": len(refused),
        "refused_by_category": dict(Counter(e["category"] for e in refused).most_common()),
        "pages": pages,
        "load_seconds": round(load_seconds, 1),
        "pages_per_second": round(pages / load_seconds, 1) if load_seconds else None,
        "body_chars": sum(e["body_chars"] for e in read),
        "footnote_chars": sum(e["footnote_chars"] for e in read),
        "furniture_chars": sum(e["furniture_chars"] for e in read),
        "hidden_chars": sum(e["hidden_chars"] for e in read),
        "files_with_hidden": sum(bool(e["hidden_chars"]) for e in read),
        "flags": sum(e["flags"] for e in read),
        "plain_chars": plain_total,
        "kept_share": round(
            sum(e["plain_chars"] * e["kept_share"] for e in with_plain) / plain_total, 4
        )
        if plain_total
        else None,
        "accounted": round(
            sum(e["plain_chars"] * e["accounted"] for e in with_plain) / plain_total, 4
        )
        if plain_total
        else None,
        "wall_seconds": round(wall, 1),
    }
    summary["refused_but_pypdf_reads"] = [
        {
            "file": e["file"],
            "category": e["category"],
            "reason": e["reason"][:200],
            "pypdf_text_pages": e["plain"]["text_pages"],
            "pypdf_decrypted": e["plain"]["decrypted"],
        }
        for e in refused
        if e["plain"].get("reads")
    ]
    summary["uncaught"] = [
        {"file": e["file"], "category": e["category"], "error": e["reason"][:200]}
        for e in refused
        if e["status"] in {"crash", "timeout"}
    ]
    summary["slow"] = [
        {
            "file": e["file"],
            "seconds": e["seconds"],
            "pages": e["pages"],
            "seconds_per_page": e["seconds_per_page"],
            "pypdf_seconds": e["plain"]["seconds"],
        }
        for e in read
        if (e["seconds"] or 0) >= SLOW_SECONDS or e["seconds_per_page"] >= SLOW_PER_PAGE
    ]
    summary["hidden"] = [
        {
            "file": e["file"],
            "hidden_chars": e["hidden_chars"],
            "pages": e["hidden_pages"][:10],
            "sample": e["hidden_sample"],
        }
        for e in sorted(read, key=lambda e: -e["hidden_chars"])
        if e["hidden_chars"]
    ]
    summary["most_text_lost"] = [
        {
            "file": e["file"],
            "plain_chars": e["plain_chars"],
            "kept_share": e["kept_share"],
            "accounted": e["accounted"],
            "lost_chars": e["lost_chars"],
            "worst_pages": e.get("worst_pages", []),
        }
        for e in sorted(with_plain, key=lambda e: e["accounted"])
        if e["accounted"] < 0.95 and e["lost_chars"] >= 100
    ][:25]
    return summary


def print_summary(summary: dict[str, Any], entries: list[dict[str, Any]], verbose: bool) -> None:
    s = summary
    print(
        f"\n{s['files']} files: {s['read']} read, {s['refused']} refused "
        f"({', '.join(f'{k} {v}' for k, v in s['refused_by_category'].items()) or 'none'})"
    )
    print(
        f"{s['pages']} pages in {s['load_seconds']} s of loading: "
        f"{s['pages_per_second']} pages/s (wall {s['wall_seconds']} s with pypdf baseline)"
    )
    print(
        f"body {s['body_chars']:,} chars, footnotes {s['footnote_chars']:,}, furniture removed "
        f"{s['furniture_chars']:,}, hidden dropped {s['hidden_chars']:,} "
        f"(in {s['files_with_hidden']} files; {s['flags']} flags for staff)"
    )
    if s["plain_chars"]:
        print(
            f"of pypdf's {s['plain_chars']:,} plain chars (files read): kept {s['kept_share']:.1%}"
            f", accounted for (kept + furniture + hidden) {s['accounted']:.1%}"
        )
    sections = (
        (
            "refused, though plain pypdf reads text",
            s["refused_but_pypdf_reads"],
            lambda x: (
                f"{x['file']}: [{x['category']}] {x['reason'][:110]} "
                f"(pypdf: {x['pypdf_text_pages']} text pages, decrypt {x['pypdf_decrypted']})"
            ),
        ),
        (
            "crashes and timeouts",
            s["uncaught"],
            lambda x: f"{x['file']}: [{x['category']}] {x['error'][:140]}",
        ),
        (
            "slow",
            s["slow"],
            lambda x: (
                f"{x['file']}: {x['seconds']} s, {x['pages']} pages "
                f"({x['seconds_per_page']} s/page; pypdf alone {x['pypdf_seconds']} s)"
            ),
        ),
        (
            "hidden text dropped",
            s["hidden"],
            lambda x: (
                f"{x['file']}: {x['hidden_chars']} chars on pages {x['pages']}: "
                f"{x['sample'][:80]!r}"
            ),
        ),
        (
            "most text unaccounted for",
            s["most_text_lost"],
            lambda x: (
                f"{x['file']}: kept {x['kept_share']:.0%}, accounted {x['accounted']:.0%}, "
                f"{x['lost_chars']} of {x['plain_chars']} chars lost"
            ),
        ),
    )
    for title, items, line in sections:
        if items:
            print(f"\n{title} ({len(items)}):")
            for item in items[: None if verbose else 30]:
                print("  " + line(item))
            if not verbose and len(items) > 30:
                print(f"  ... {len(items) - 30} more in the JSON")
    refused = [e for e in entries if e["status"] != "read"]
    if refused and verbose:
        print(f"\nall refused ({len(refused)}):")
        for e in refused:
            print(f"  {e['file']}: [{e['category']}] {e['reason'][:140]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", type=Path, help="files or folders (default pdfs/)")
    parser.add_argument("--all", action="store_true", help="also every PDF under .cache/")
    parser.add_argument(
        "--bench",
        action="store_true",
        help="the long UK reports (and two long documents) fetch.py put in .cache/: "
        "the ingest-speed benchmark",
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a file (default 60)")
    parser.add_argument("--memory-mb", type=int, default=3072, help="memory a child (default 3072)")
    parser.add_argument("--max-mb", type=float, default=50.0, help="loader's size limit")
    parser.add_argument("--max-pages", type=int, default=2000, help="loader's page limit")
    parser.add_argument("--out", type=Path, default=HERE / "report.json", help="JSON written here")
    parser.add_argument(
        "--src",
        type=Path,
        default=ROOT,
        help="import the loader from this source tree (default: this checkout), "
        "e.g. a `git archive` of another commit, to compare two versions",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="list every refused file")
    args = parser.parse_args(argv)

    files = discover(args.targets, args.all, args.bench)
    if not files:
        print("no PDFs found" + ("" if CACHE.exists() else "; run fetch.py for --all or --bench"))
        return 1
    # forkserver: each file gets a fresh process; the loader is imported once, in the server.
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    context = mp.get_context(method)
    src = str(args.src.resolve())
    os.environ["ROBUSTNESS_REPORT_SRC"] = src
    if method == "forkserver":  # the server imports the loader once; each file forks from it
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [str(HERE), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        context.set_forkserver_preload(["report", "pypdf", "ingest.pdf"])
    options = {
        "timeout": args.timeout,
        "memory_mb": args.memory_mb,
        "max_mb": args.max_mb,
        "max_pages": args.max_pages,
        "src": src,
    }
    started = time.perf_counter()
    entries = []
    for n, path in enumerate(files, 1):
        entry = measure(path, context, options)
        entries.append(entry)
        mark = {
            "read": f"{entry.get('pages')}p {entry.get('seconds')}s",
        }.get(entry["status"], f"{entry['status']}: {entry.get('category')}")
        if sys.stdout.isatty() or os.environ.get("REPORT_PROGRESS"):
            print(f"[{n}/{len(files)}] {entry['file']}: {mark}", flush=True)
    summary = summarise(entries, time.perf_counter() - started)
    import pypdf

    result = {
        "tool": "tests/robustness/report.py",
        "python": sys.version.split()[0],
        "pypdf": pypdf.__version__,
        "options": options,
        "summary": summary,
        "files": entries,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print_summary(summary, entries, args.verbose)
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
