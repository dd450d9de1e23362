"""Ingest benchmark: the textbook LangChain ingest against ours, on the same PDFs, the same
embedding model and the same machine, in one run.

The textbook ingest is the one most tutorials build: `PyPDFLoader` per PDF,
`RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`, and Chroma filled through
`add_documents` with the same packaged MiniLM. Ours is `IngestPipeline.run` as `guide ingest`
runs it: each file read in a bounded child process (layout, hidden text, flags), chunked,
embedded, and committed atomically with its page texts, vectors and keyword index. Prints pages
per second for each, the ratio (ours / textbook), and the share of each one's time spent
embedding. Nothing here is asserted on time.

    python -m eval.bench_ingest                       # the long real reports, where fetched
    python -m eval.bench_ingest --pdfs corpus/pdf     # any files or folders
    python -m eval.bench_ingest --pdfs corpus/pdf --max-files 2 --json /tmp/ingest.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def benchmark_set() -> list[Path]:
    """The long real reports tests/robustness/fetch.py puts in its cache (about 2,200 pages),
    else the bundled library."""
    sys.path.insert(0, str(ROOT / "tests" / "robustness"))
    try:
        from fetch import benchmark_paths

        folders = [p for p in benchmark_paths() if p.exists()]
    except Exception:  # not fetched, or the script moved: fall back to the bundled library
        folders = []
    finally:
        sys.path.pop(0)
    return folders or [ROOT / "corpus" / "pdf"]


def pdfs_in(paths: Sequence[Path], max_files: int | None) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.rglob("*.pdf")) if path.is_dir() else [path])
    return found[:max_files] if max_files else found


class Timed:
    """An embedder wrapper that adds up the seconds spent embedding."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self.seconds = 0.0

    def encode(self, texts: Sequence[str], progress: Any = None) -> list[list[float]]:
        started = time.perf_counter()
        try:
            out: list[list[float]] = self.embedder.encode(texts, progress=progress)
            return out
        finally:
            self.seconds += time.perf_counter() - started

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.embedder, name)


def textbook(pdfs: Sequence[Path], embedder: Any, folder: Path) -> dict[str, Any]:
    import warnings

    import chromadb.config
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # langchain-community's sunset notice
        from langchain_community.document_loaders import PyPDFLoader

    class AsLangChain(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text)

    started = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    store = Chroma(
        collection_name="textbook",
        embedding_function=AsLangChain(),
        persist_directory=str(folder),
        client_settings=chromadb.config.Settings(anonymized_telemetry=False),
        collection_metadata={"hnsw:space": "cosine"},
    )
    pages = chunks = read = 0
    for pdf in pdfs:
        try:
            documents = PyPDFLoader(str(pdf)).load()
        except Exception:  # the textbook loader gives up on a file it cannot read
            continue
        read += 1
        pages += len(documents)
        split = splitter.split_documents(documents)
        chunks += len(split)
        for start in range(0, len(split), 1000):
            store.add_documents(split[start : start + 1000])
    return {"files": read, "pages": pages, "chunks": chunks, **_timing(started, embedder)}


def ours(pdfs: Sequence[Path], embedder: Any, folder: Path) -> dict[str, Any]:
    from assistant.config import Settings
    from ingest.pipeline import IngestPipeline

    started = time.perf_counter()
    results = IngestPipeline(Settings(data_dir=folder), embedder=embedder).run(list(pdfs))
    added = [r for r in results if r.status in ("added", "replaced")]
    return {
        "files": len(added),
        "pages": sum(r.pages for r in added),
        "chunks": sum(r.chunks for r in added),
        "refused": {r.path: r.reason for r in results if r.status == "refused"},
        **_timing(started, embedder),
    }


def _timing(started: float, embedder: Timed) -> dict[str, float]:
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "embedding_seconds": round(embedder.seconds, 2)}


def run(pdfs: Sequence[Path], embedder: Any = None) -> dict[str, Any]:
    from assistant.config import configure_offline
    from assistant.embeddings import Embedder

    configure_offline()
    base = embedder or Embedder()
    base.embed_query("warm up the model before either pipeline is timed")
    results: dict[str, Any] = {"pdfs": len(pdfs)}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        for name, pipeline in (("textbook", textbook), ("ours", ours)):
            timed = Timed(base)
            found = pipeline(pdfs, timed, Path(tmp) / name)
            found["pages_per_second"] = round(found["pages"] / max(found["seconds"], 1e-9), 2)
            found["chunks_per_page"] = round(found["chunks"] / max(found["pages"], 1), 2)
            found["embedding_share"] = round(found["embedding_seconds"] / found["seconds"], 3)
            results[name] = found
    results["ratio"] = round(
        results["ours"]["pages_per_second"] / max(results["textbook"]["pages_per_second"], 1e-9), 3
    )
    return results


def print_report(r: dict[str, Any]) -> None:
    print(f"{r['pdfs']} PDFs")
    print(
        f"{'':10} {'files':>6} {'pages':>7} {'chunks':>7} {'chunks/page':>12} {'seconds':>9} "
        f"{'pages/s':>8} {'embedding':>10}"
    )
    for name in ("textbook", "ours"):
        x = r[name]
        print(
            f"{name:10} {x['files']:>6} {x['pages']:>7} {x['chunks']:>7} "
            f"{x['chunks_per_page']:>12} {x['seconds']:>9} {x['pages_per_second']:>8} "
            f"{x['embedding_share']:>10.1%}"
        )
    print(f"ours / textbook, pages per second: {r['ratio']:.2f}x")
    for path, reason in r["ours"].get("refused", {}).items():
        print(f"  ours refused {Path(path).name}: {reason}")


def main(argv: Sequence[str] | None = None, embedder: Any = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_ingest")
    parser.add_argument("--pdfs", type=Path, nargs="+", help="files or folders (default: see doc)")
    parser.add_argument("--max-files", type=int, help="only the first N files")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    pdfs = pdfs_in(args.pdfs or benchmark_set(), args.max_files)
    if not pdfs:
        print("no PDFs found", file=sys.stderr)
        return 2
    result = run(pdfs, embedder)
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
