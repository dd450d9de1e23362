"""Fetch the full, pinned PDF test collections into tests/robustness/.cache/ (git-ignored).

The PDFs committed under tests/robustness/pdfs/ are a small, licence-checked subset. This script
brings the whole of each collection they came from, each at the commit recorded below, so that
`report.py --all` can run the loader over more than a thousand real PDFs.

    python tests/robustness/fetch.py                      # git clone from GitHub
    python tests/robustness/fetch.py --mirror /work/.mirror   # from local snapshots
    python tests/robustness/fetch.py --only pdfjs pypdf  # some collections only
    python tests/robustness/fetch.py --list              # what would be fetched
    python tests/robustness/fetch.py --group benchmark   # only the long UK reports
    python tests/robustness/fetch.py --group tables      # camelot's table benchmark
    python tests/robustness/fetch.py --subset            # and recreate pdfs/ from the cache
    python tests/robustness/fetch.py --check             # pdfs/ matches MANIFEST.json

From GitHub it does a shallow, blob-less fetch of the pinned commit and a sparse checkout of the
collection's folders, so only the PDFs are downloaded (pdf.js's test/pdfs is about 250 MB; the
rest are small). With --mirror DIR it clones from DIR/<owner>+<name>/repo (or DIR/<owner>+<name>
when that is itself a git directory) with `git clone --shared`, so nothing is copied but the
checked-out files. Snapshots may lack their largest files (some stores keep no blob of 4 MiB or
more); those are listed as missing in .cache/index.json and the rest are checked out.

Each collection lands in .cache/<owner>+<name>/ as a git work tree at the pinned commit. Running
the script again skips a collection already at its commit. Nothing outside .cache/ is touched.
The files keep their upstream licences: see tests/robustness/README.md before copying any of them
elsewhere, and do not commit the cache.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"


@dataclass(frozen=True)
class Collection:
    key: str  # short name for --only
    repo: str  # owner/name on GitHub
    commit: str  # pinned commit (full hash)
    paths: tuple[str, ...]  # folders to check out; () = the whole tree
    licence: str  # the repository's licence, for the index (per-file notes: README.md)
    note: str = ""
    # robustness: odd PDFs; benchmark: long real reports, for speed; tables: tables to read
    # (tests/robustness/tables.py; pdfplumber's own table PDFs are in its robustness collection)
    group: str = "robustness"

    @property
    def folder(self) -> str:
        return self.repo.replace("/", "+")


COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        "sample-files",
        "py-pdf/sample-files",
        "6921079eb3e1ed0944db5ec75016910d59da7fdb",
        (),
        "CC-BY-SA-4.0 (every PDF, per the repository README)",
        "pypdf's sample documents: LaTeX, LibreOffice, Google Docs, forms, Arabic, encrypted",
    ),
    Collection(
        "pdfplumber",
        "jsvine/pdfplumber",
        "147f2c4c07dc1191fc1d05bb589b4f6af3aaf74a",
        ("tests/pdfs",),
        "MIT (code); test PDFs are mostly US public documents, no per-file licence",
        "real-world tables: FBI NICS, Federal Register, Senate expenditures, WARN reports",
    ),
    Collection(
        "pdfjs",
        "mozilla/pdf.js",
        "0f26334f9d6f96119f6e5164fb65832fbbde7344",
        ("test/pdfs",),
        "Apache-2.0 (code); test PDFs of mixed provenance, mostly from bug reports",
        "about 980 PDFs stored in the repository; the ~460 *.link files point elsewhere and are "
        "not followed",
    ),
    Collection(
        "pdfminer",
        "pdfminer/pdfminer.six",
        "9e1243c4ad000bf9bbe60e81fc8dde2fccc0ed3b",
        ("samples",),
        "MIT (code); samples/README says the samples 'can be distributed freely'",
        "encryption samples (RC4 40/128, AES 128/256), CJK, US government forms",
    ),
    Collection(
        "pypdf",
        "py-pdf/pypdf",
        "f6853ccd3ff492309c84060186aabc88ed472ffd",
        ("resources",),
        "BSD-3-Clause",
        "pypdf's own test resources: encryption R2-R6 with user/owner/empty passwords, forms",
    ),
    Collection(
        "huma2026",
        "Southampton-Digital-Humanities/HUMA2026_data-analysis",
        "bec3cd5107092ad81e33413055a73f4fa547e2c1",
        ("/pdf/",),
        "Open Parliament Licence v3.0 (per the repository README)",
        "17 UK parliamentary research briefings and the Climate Change Act 2008, collected for "
        "text extraction and topic modelling (about 530 pages; 2 files of 4 MiB or more)",
        group="benchmark",
    ),
    Collection(
        "cop509",
        "gcosma/COP509",
        "13f3c929ea31db218f104eca9df7434075ad599c",
        ("/CWdatasets/*.pdf",),
        "no repository licence; the documents are UK public-sector publications, most stating "
        "the Open Government Licence v3.0 or the Open Parliament Licence v3.0",
        "UK public inquiry reports, Lords committee reports and government responses (Covid-19 "
        "Inquiry, Infected Blood Inquiry, Post Office Horizon, Space Economy; about 1,060 pages), "
        "collected for an information-extraction course",
        group="benchmark",
    ),
    Collection(
        "camelot",
        "camelot-dev/camelot",
        "2b80d0bc692d1b22203c3385e77da8201675aa50",
        ("docs/benchmark",),
        "MIT (code); the benchmark PDFs are public documents (Indian and US government "
        "statistics, a seed harvest report) with no per-file licence: not committed",
        "camelot's table-extraction benchmark: ruled ('lattice') and unruled ('stream') tables, "
        "spanning cells, two tables on a page, each with the CSVs camelot and others extracted",
        group="tables",
    ),
)

# Long real documents in the robustness collections that the speed benchmark (report.py --bench)
# reads too, beside the benchmark collections: a 352-page book and 117 pages of lecture notes.
BENCHMARK_EXTRAS: tuple[tuple[str, str], ...] = (
    ("pdfjs", "test/pdfs/freeculture.pdf"),
    ("sample-files", "009-pdflatex-geotopo/GeoTopo-komprimiert.pdf"),
)


def benchmark_paths(cache: Path = CACHE) -> list[Path]:
    """The speed benchmark: the benchmark collections and the extras, where fetched."""
    by_key = {c.key: c for c in COLLECTIONS}
    paths = [cache / c.folder for c in COLLECTIONS if c.group == "benchmark"]
    paths += [cache / by_key[key].folder / path for key, path in BENCHMARK_EXTRAS]
    return [p for p in paths if p.exists()]


def git(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True)


def mirror_source(mirror: Path, collection: Collection) -> Path:
    base = mirror / collection.folder
    for candidate in (base / "repo", base, base.with_suffix(".git")):
        if candidate.is_dir() and (candidate / "HEAD").exists():
            return candidate
    raise SystemExit(f"no mirror of {collection.repo} under {mirror} (looked for {base}/repo)")


def head(dest: Path) -> str:
    result = git("rev-parse", "HEAD", cwd=dest, check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


def fetch_one(collection: Collection, cache: Path, mirror: Path | None, force: bool) -> dict:
    dest = cache / collection.folder
    if (dest / ".git").exists() and head(dest) == collection.commit and not force:
        print(f"{collection.key}: already at {collection.commit[:12]}, skipped")
        return summarise(collection, dest, "skipped", mirror)
    if dest.exists():
        subprocess.run(["rm", "-rf", str(dest)], check=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if mirror is not None:
        source = mirror_source(mirror, collection)
        print(f"{collection.key}: cloning from {source}")
        git("clone", "--quiet", "--shared", "--no-checkout", str(source), str(dest))
    else:
        url = f"https://github.com/{collection.repo}.git"
        print(f"{collection.key}: fetching {url} at {collection.commit[:12]}")
        git("init", "--quiet", str(dest))
        git("remote", "add", "origin", url, cwd=dest)
        shallow = git(
            "fetch",
            "--quiet",
            "--depth",
            "1",
            "--filter=blob:none",
            "origin",
            collection.commit,
            cwd=dest,
            check=False,
        )
        if shallow.returncode != 0:  # a server that will not serve a bare commit: fetch all
            git("fetch", "--quiet", "--filter=blob:none", "origin", cwd=dest)
    if collection.paths:
        git("sparse-checkout", "set", "--no-cone", *collection.paths, cwd=dest)
    checkout = git("checkout", "--quiet", "--detach", collection.commit, cwd=dest, check=False)
    if head(dest) != collection.commit:
        raise SystemExit(
            f"{collection.key}: checkout of {collection.commit} failed:\n{checkout.stderr.strip()}"
        )
    status = "fetched" if checkout.returncode == 0 else "fetched, some files missing"
    summary = summarise(collection, dest, status, mirror)
    print(
        f"{collection.key}: {summary['pdfs']} PDFs at {collection.commit[:12]}"
        + (f", {len(summary['missing'])} missing" if summary["missing"] else "")
    )
    return summary


def summarise(collection: Collection, dest: Path, status: str, mirror: Path | None) -> dict:
    missing = git("ls-files", "--deleted", cwd=dest, check=False).stdout.split("\n")
    pdfs = [
        p
        for p in dest.rglob("*")
        if p.is_file() and p.suffix.lower() == ".pdf" and ".git" not in p.relative_to(dest).parts
    ]
    return {
        "key": collection.key,
        "repo": collection.repo,
        "commit": collection.commit,
        "paths": list(collection.paths) or ["(all)"],
        "licence": collection.licence,
        "note": collection.note,
        "folder": str(dest),
        "source": "mirror" if mirror is not None else "github",
        "group": collection.group,
        "status": status,
        "pdfs": len(pdfs),
        "bytes": sum(p.stat().st_size for p in pdfs),
        "missing": sorted(m for m in missing if m),
    }


def check(cache: Path) -> int:
    """The committed files are byte-for-byte the pinned originals the manifest names."""
    import hashlib

    manifest = json.loads((HERE / "MANIFEST.json").read_text())
    by_repo = {c.repo: c for c in COLLECTIONS}
    problems = 0
    committed = {p.name for p in (HERE / "pdfs").glob("*") if p.is_file()}
    listed = {entry["file"] for entry in manifest["files"]}
    for name in sorted(committed ^ listed):
        print(f"{name}: {'not in MANIFEST.json' if name in committed else 'listed but missing'}")
        problems += 1
    for entry in manifest["files"]:
        path = HERE / "pdfs" / entry["file"]
        if not path.exists():
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != entry["sha256"]:
            print(f"{entry['file']}: sha256 differs from MANIFEST.json")
            problems += 1
        collection = by_repo.get(entry["source"])
        if collection is None or collection.commit != entry["commit"]:
            print(
                f"{entry['file']}: source {entry['source']}@{entry['commit'][:12]} is not a "
                "pinned collection"
            )
            problems += 1
            continue
        original = cache / collection.folder / entry["path"]
        if original.exists() and hashlib.sha256(original.read_bytes()).hexdigest() != digest:
            print(f"{entry['file']}: differs from {original}")
            problems += 1
    print(f"{len(manifest['files'])} files checked, {problems} problem(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, help="clone from local snapshots in this folder")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"default {CACHE}")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="KEY",
        help="collections to fetch: " + ", ".join(c.key for c in COLLECTIONS),
    )
    parser.add_argument("--force", action="store_true", help="fetch again even if up to date")
    parser.add_argument("--list", action="store_true", help="list the collections and stop")
    parser.add_argument(
        "--group",
        choices=["robustness", "benchmark", "tables"],
        help="only the collections of this group",
    )
    parser.add_argument(
        "--subset",
        action="store_true",
        help="after fetching, (re)create pdfs/ from the cache: every file "
        "MANIFEST.json lists, checked against its sha256",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="check every file in pdfs/ against MANIFEST.json and, where the "
        "cache has it, against its original; fetch nothing",
    )
    args = parser.parse_args(argv)
    if args.check:
        return check(args.cache.resolve())
    chosen = [
        c
        for c in COLLECTIONS
        if (not args.only or c.key in args.only) and (not args.group or c.group == args.group)
    ]
    unknown = set(args.only or ()) - {c.key for c in COLLECTIONS}
    if unknown:
        parser.error(f"unknown collection(s): {', '.join(sorted(unknown))}")
    if args.list:
        for c in COLLECTIONS:
            print(
                f"{c.key:13} {c.group:10} {c.repo:54} {c.commit[:12]}  "
                f"{' '.join(c.paths) or '(all)'}"
            )
        return 0
    cache = args.cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    index_path = cache / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    for collection in chosen:
        index[collection.key] = fetch_one(collection, cache, args.mirror, args.force)
        index_path.write_text(json.dumps(index, indent=2) + "\n")
    total = sum(index[c.key]["pdfs"] for c in chosen)
    print(f"{total} PDFs in {len(chosen)} collection(s) under {cache}; index: {index_path}")
    return subset(cache) if args.subset else 0


def subset(cache: Path) -> int:
    """Copy the committed subset out of the cache, for a checkout that does not carry pdfs/."""
    import hashlib
    import shutil

    manifest = json.loads((HERE / "MANIFEST.json").read_text())
    by_repo = {c.repo: c for c in COLLECTIONS}
    target = HERE / "pdfs"
    target.mkdir(exist_ok=True)
    problems = 0
    for entry in manifest["files"]:
        original = cache / by_repo[entry["source"]].folder / entry["path"]
        if not original.exists():
            print(f"{entry['file']}: {original} is not in the cache")
            problems += 1
            continue
        if hashlib.sha256(original.read_bytes()).hexdigest() != entry["sha256"]:
            print(f"{entry['file']}: {original} does not match MANIFEST.json")
            problems += 1
            continue
        shutil.copyfile(original, target / entry["file"])
    print(f"{len(manifest['files']) - problems} files in {target}, {problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
