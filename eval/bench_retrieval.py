"""Retrieval benchmark: the textbook LangChain pipeline against ours, on the same PDFs, the same
embedding model and the same test set, in one process; and our retrieval latency at scale.

The textbook pipeline is the one most tutorials build: `PyPDFLoader` per PDF,
`RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`, Chroma (cosine) and
`similarity_search_with_score(query, k=10)`. Ours is `IngestPipeline` then
`Guide(...).retriever.retrieve(question, context=...)`, as the product calls it. A follow-up
reaches the textbook pipeline as one string (the question and the earlier turn it leans on, as
`standalone_question` writes it) and ours as the product sends it (the question as the focus,
the earlier turn as lower-weighted context): how to use the conversation is part of retrieval.
Every number is measured in the run that prints it; nothing here is asserted on time.

    python -m eval.bench_retrieval                      # quality and latency, both pipelines
    python -m eval.bench_retrieval --scale 20000        # plus our latency at ~20,000 chunks
    python -m eval.bench_retrieval --docs '0[17]-*.pdf' --limit 5 --json /tmp/bench.json
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.followup import follow_up_query
from eval import metrics
from eval.runner import history_for
from eval.testset import TestItem, load_testset

if TYPE_CHECKING:
    from assistant.embeddings import Embedder
    from assistant.library import Library

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TESTSET = ROOT / "eval" / "testsets" / "mutuals-guide.jsonl"
DEFAULT_CORPUS = ROOT / "corpus" / "pdf"
K = 10
WARM_UP_QUERY = "warm-up query: what is a public service mutual?"
FILLER_SIGMA = 0.01

PageRef = metrics.PageRef
Retrieve = Callable[["Query"], list[PageRef]]
RATE_METRICS = ("hit@1", "hit@5", "mrr", "ndcg@10")


@dataclass(frozen=True, slots=True)
class Query:
    """One answerable test item as both pipelines see it."""

    item: TestItem
    text: str  # the standalone question (follow-ups carry their context)
    gold: frozenset[PageRef]
    focus: str = ""  # the question itself
    context: str = ""  # for a follow-up, the earlier question(s) it leans on


@dataclass(frozen=True, slots=True)
class Measured:
    """One pipeline's ranked pages for every query and the time each retrieve call took."""

    rankings: list[list[PageRef]]
    latencies_ms: list[float]


# -- test items ---------------------------------------------------------------------------------
def select_queries(
    items: Sequence[TestItem], pdf_names: set[str], limit: int | None = None
) -> list[Query]:
    """Answerable items whose gold pages all lie in `pdf_names`, first `limit` of them."""
    by_id = {i.id: i for i in items}
    queries: list[Query] = []
    for item in items:
        if not item.answerable or any(g.source_file not in pdf_names for g in item.gold):
            continue
        query = follow_up_query(item.question, history_for(item, by_id))
        gold = frozenset((g.source_file, g.page) for g in item.gold)
        queries.append(Query(item, query.display(), gold, query.text, query.context))
        if limit is not None and len(queries) >= limit:
            break
    return queries


# -- measuring ----------------------------------------------------------------------------------
def forget_cached_queries(embedder: Embedder) -> None:
    """Empty the embedder's query cache, so each timed retrieve embeds its query itself: both
    pipelines share one embedder, and the second must not get the first one's vectors free."""
    cache = getattr(embedder, "_query_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def measure(
    retrievers: dict[str, Retrieve],
    queries: Sequence[Query],
    embedder: Embedder,
    repeats: int = 3,
) -> dict[str, Measured]:
    """Rank pages for every query with every retriever, timing only the retrieve call.

    Each retriever answers one warm-up query first. The retrievers then take turns on each
    query (the order rotates), so a burst of load from elsewhere on the machine hits them all
    alike; a query's latency is the median of `repeats` calls, each with a cold query cache.
    """
    import statistics

    names = list(retrievers)
    for name in names:
        retrievers[name](Query(queries[0].item, WARM_UP_QUERY, frozenset(), WARM_UP_QUERY))
    rankings: dict[str, list[list[PageRef]]] = {name: [] for name in names}
    latencies: dict[str, list[float]] = {name: [] for name in names}
    for n, query in enumerate(queries):
        times: dict[str, list[float]] = {name: [] for name in names}
        for rep in range(repeats):
            turn = (n + rep) % len(names)
            for name in names[turn:] + names[:turn]:
                forget_cached_queries(embedder)
                started = time.perf_counter()
                refs = retrievers[name](query)
                times[name].append((time.perf_counter() - started) * 1000)
                if rep == 0:
                    rankings[name].append(metrics.dedupe(refs))
        for name in names:
            latencies[name].append(statistics.median(times[name]))
    return {name: Measured(rankings[name], latencies[name]) for name in names}


def quality(queries: Sequence[Query], rankings: Sequence[list[PageRef]]) -> dict[str, float]:
    ranks = [
        metrics.first_relevant_rank(r, set(q.gold)) for q, r in zip(queries, rankings, strict=True)
    ]
    return {
        "hit@1": metrics.mean([metrics.hit_at(r, 1) for r in ranks]),
        "hit@5": metrics.mean([metrics.hit_at(r, 5) for r in ranks]),
        "mrr": metrics.mean([metrics.reciprocal_rank(r) for r in ranks]),
        "ndcg@10": metrics.mean(
            [metrics.ndcg_at(r, set(q.gold), K) for q, r in zip(queries, rankings, strict=True)]
        ),
    }


def latency(values: Sequence[float]) -> dict[str, float]:
    return {
        "latency_p50_ms": metrics.percentile(values, 50),
        "latency_p95_ms": metrics.percentile(values, 95),
    }


def summarise(queries: Sequence[Query], measured: Measured) -> dict[str, Any]:
    by_type: dict[str, dict[str, float]] = {}
    for qtype in sorted({q.item.type for q in queries}):
        picked = [i for i, q in enumerate(queries) if q.item.type == qtype]
        scores = quality([queries[i] for i in picked], [measured.rankings[i] for i in picked])
        by_type[qtype] = {"n": len(picked), "hit@5": scores["hit@5"], "mrr": scores["mrr"]}
    return {
        **quality(queries, measured.rankings),
        **latency(measured.latencies_ms),
        "by_type": by_type,
    }


# -- the two pipelines --------------------------------------------------------------------------
def build_textbook(
    pdfs: Sequence[Path], embedder: Embedder, persist_dir: Path
) -> tuple[Retrieve, int]:
    """PyPDFLoader, RecursiveCharacterTextSplitter(1000, 200), Chroma (cosine): as tutorials do."""
    import warnings

    import chromadb.config
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # langchain-community's sunset notice
        from langchain_community.document_loaders import PyPDFLoader

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    documents = []
    for pdf in pdfs:
        documents.extend(splitter.split_documents(PyPDFLoader(str(pdf)).load()))
    store = Chroma(
        collection_name="textbook",
        embedding_function=embedder,
        persist_directory=str(persist_dir),
        client_settings=chromadb.config.Settings(anonymized_telemetry=False),
        collection_metadata={"hnsw:space": "cosine"},
    )
    store.add_documents(documents)

    def retrieve(query: Query) -> list[PageRef]:
        found = store.similarity_search_with_score(query.text, k=K)
        return [
            (Path(str(doc.metadata["source"])).name, int(doc.metadata["page"]) + 1)
            for doc, _distance in found
        ]

    return retrieve, len(documents)


def our_retrieve(guide: Any) -> Retrieve:
    def retrieve(query: Query) -> list[PageRef]:
        hits = guide.retriever.retrieve(query.focus, context=query.context)
        return [(h.chunk.source_file, h.chunk.page) for h in hits]

    return retrieve


# -- scale filler -------------------------------------------------------------------------------
Row = tuple[str, dict[str, Any], Any]  # chunk text, Chroma metadata, vector


def library_rows(library: Library) -> dict[str, list[Row]]:
    """Every current chunk of the library with its vector, by doc_version, in document order."""
    import numpy as np

    versions = library.current_versions()
    found = library.store.collection.get(
        where={"doc_version": {"$in": versions}},  # type: ignore[dict-item]
        include=["documents", "metadatas", "embeddings"],
    )
    rows: dict[str, list[Row]] = {v: [] for v in versions}
    vectors = np.asarray(found["embeddings"], dtype=np.float64)
    for text, meta, vector in zip(
        found["documents"] or [], found["metadatas"] or [], vectors, strict=True
    ):
        rows[str(meta["doc_version"])].append((text, dict(meta), vector))
    for version_rows in rows.values():
        version_rows.sort(key=lambda row: int(row[1].get("ordinal", 0)))
    return rows


def fill_library(
    source: Library, target: Library, target_chunks: int, seed: int = 0
) -> dict[str, int]:
    """Copy `source` into the empty `target`, then grow `target` to about `target_chunks` with
    perturbed copies of its documents.

    The originals are committed unchanged (same texts, vectors, pages and PDFs), so `target`
    answers like `source` plus filler. Each filler copy is committed through `Library.commit` as
    a new document (new source file, sha256 and doc_version), so it is as current and searchable
    as anything ingested. Its chunks keep their text with a distinguishing word appended, and
    their vectors get Gaussian noise (sigma 0.01) and are re-normalised: embedding 20,000 new
    texts would take ~10 minutes on two cores, and only search latency is measured with it.
    """
    import numpy as np

    from assistant.files import now_iso
    from assistant.library import DocumentRecord
    from assistant.types import Chunk

    rng = np.random.default_rng(seed)
    rows = library_rows(source)
    originals = source.documents()

    def commit(record: DocumentRecord, mark: str = "") -> int:
        source_file = f"filler-{mark}-{record.source_file}" if mark else record.source_file
        suffix = f" ({mark})" if mark else ""
        sha = hashlib.sha256(f"{record.sha256}:{mark}".encode()).hexdigest() if mark else ""
        version = f"{sha[:16]}-filler" if mark else record.version
        pages = [
            replace(p, source_file=source_file, document=f"{p.document}{suffix}")
            for p in source.pages(record.version)
        ]
        chunks: list[Chunk] = []
        for n, (text, meta, _vector) in enumerate(rows[record.version]):
            if mark:
                meta = {**meta, "doc_version": version, "source_file": source_file}
                meta["document"] = f"{meta['document']}{suffix}"
                text = f"{text} {mark}"
            chunks.append(Chunk.from_metadata(f"{version}:{n:05d}", text, meta))
        vectors = np.stack([row[2] for row in rows[record.version]])
        if mark:
            vectors = vectors + rng.normal(0.0, FILLER_SIGMA, vectors.shape)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        copy = replace(
            record,
            source_file=source_file,
            title=f"{record.title}{suffix}",
            sha256=sha or record.sha256,
            version=version,
            chunks=len(chunks),
            added_at=now_iso(),
            pipeline=f"{record.pipeline}|bench-filler" if mark else record.pipeline,
        )
        target.commit(copy, pages, chunks, vectors.tolist(), source.pdf_path(record).read_bytes())
        return len(chunks)

    with target.batch():  # one keyword-index build at the end, as a bulk ingest does
        total = sum(commit(record) for record in originals)
        bundled, added_docs, copy = total, 0, 0
        while total < target_chunks:
            copy += 1
            for record in originals:
                if total >= target_chunks:
                    break
                total += commit(record, mark=f"replica{copy:03d}")
                added_docs += 1
    return {"filler_documents": added_docs, "filler_chunks": total - bundled}


# -- reporting ----------------------------------------------------------------------------------
def ratio(ours: float, baseline: float) -> float:
    if math.isnan(ours) or math.isnan(baseline) or baseline == 0:
        return float("nan")
    return ours / baseline


def _num(value: float, digits: int = 3) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


def _ratio(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}x"


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
    except ImportError:  # pragma: no cover - torch ships with the embedder
        pass
    return info


def print_report(result: dict[str, Any]) -> None:
    m = result["machine"]
    tb, ours = result["textbook"], result["ours"]
    print("Retrieval benchmark: textbook LangChain pipeline vs ours")
    print(f"All numbers below were measured in this run ({result['started_at']}).")
    print(
        f"machine: {m['cpu_count']} CPU cores (os.cpu_count()), {m['processor']}, "
        f"{m['platform']}, Python {m['python']}, torch threads {m.get('torch_threads', '?')}"
    )
    print(
        f"corpus: {len(result['pdfs'])} PDFs from {result['corpus']}; test set "
        f"{result['testset']}: {result['queries']} answerable items scored"
        + (f" (--limit {result['limit']})" if result["limit"] else "")
    )
    print(
        f"textbook: PyPDFLoader + RecursiveCharacterTextSplitter(1000, 200) + Chroma cosine, "
        f"k={K}: {tb['chunks']} chunks, built in {tb['build_s']:.1f} s"
    )
    print(
        f"ours: IngestPipeline + Guide.retriever ({ours['retriever']}): "
        f"{ours['chunks']} chunks, built in {ours['build_s']:.1f} s"
    )
    print(f"same embedder for both: {result['embedder']}; page-level metrics over de-duplicated")
    print("(source_file, page) rankings of the top 10 chunks.")
    print(
        f"latency: {result['latency_method']} (repeats={result['repeats']}); "
        f"1-min load average {result['load_average']['before']:.2f} before timing, "
        f"{result['load_average']['after']:.2f} after."
    )
    print()
    rows: list[tuple[str, ...]] = [("metric", "textbook", "ours", "ours/textbook", "difference")]
    for name in RATE_METRICS:
        diff = (ours[name] - tb[name]) * 100
        rows.append(
            (
                name,
                _num(tb[name]),
                _num(ours[name]),
                _ratio(ratio(ours[name], tb[name])),
                "n/a" if math.isnan(diff) else f"{diff:+.1f} pts",
            )
        )
    for name in ("latency_p50_ms", "latency_p95_ms"):
        rows.append(
            (
                name.replace("latency_", "latency ").replace("_ms", " (ms)"),
                _num(tb[name], 1),
                _num(ours[name], 1),
                _ratio(ratio(ours[name], tb[name])),
                "",
            )
        )
    _table(rows)
    print()
    rows = [("type (n)", "hit@5 textbook", "hit@5 ours", "MRR textbook", "MRR ours")]
    for qtype, t in tb["by_type"].items():
        o = ours["by_type"][qtype]
        rows.append(
            (
                f"{qtype} ({t['n']})",
                _num(t["hit@5"]),
                _num(o["hit@5"]),
                _num(t["mrr"]),
                _num(o["mrr"]),
            )
        )
    _table(rows)
    h2h = result["head_to_head"]
    print()
    print(
        f"first gold page ranked higher: ours on {h2h['ours_better']} items, textbook on "
        f"{h2h['textbook_better']}, same rank on {h2h['same']}"
    )
    if h2h["textbook_wins"]:
        print(
            "items the textbook pipeline ranks better (rank textbook / ours, '-' = not in top 10):"
        )
        for win in h2h["textbook_wins"]:
            print(
                f"  {win['id']:<8} {win['type']:<10} {win['textbook_rank']:>2} / "
                f"{win['ours_rank']:>2}  {win['question'][:70]}"
            )
    scale = result.get("scale")
    if scale:
        print()
        print("Scale: our retrieval latency, bundled library vs a filled copy of it")
        print("(both libraries open at once and timed on the same queries, turn about, this run)")
        print(
            f"filler: {scale['filler_chunks']} chunks in {scale['filler_documents']} synthetic "
            "documents, committed through Library.commit as current documents."
        )
        print(
            "NOTE: filler chunks are PERTURBED COPIES of the bundled chunks (vectors + Gaussian "
            f"noise sigma {FILLER_SIGMA}, re-normalised;"
        )
        print(
            "text + a distinguishing word), not new text; "
            f"copying and filling took {scale['fill_s']:.1f} s."
        )
        rows = [("chunks searched", "p50 (ms)", "p95 (ms)")]  # a new table, three columns
        rows.append(
            (
                f"{scale['bundled_chunks']} (bundled)",
                _num(scale["bundled"]["latency_p50_ms"], 1),
                _num(scale["bundled"]["latency_p95_ms"], 1),
            )
        )
        rows.append(
            (
                f"{scale['scaled_chunks']} (with filler)",
                _num(scale["scaled"]["latency_p50_ms"], 1),
                _num(scale["scaled"]["latency_p95_ms"], 1),
            )
        )
        rows.append(("ratio", _ratio(scale["ratio_p50"]), _ratio(scale["ratio_p95"])))
        _table(rows)


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("-+-".join("-" * w for w in widths))


def _rank_text(rank: int | None) -> str:
    return "-" if rank is None else str(rank)


def head_to_head(
    queries: Sequence[Query], textbook: Measured, ours: Measured
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    items: list[dict[str, Any]] = []
    counts = {"ours_better": 0, "textbook_better": 0, "same": 0}
    wins: list[dict[str, Any]] = []
    for n, query in enumerate(queries):
        gold = set(query.gold)
        t_rank = metrics.first_relevant_rank(textbook.rankings[n], gold)
        o_rank = metrics.first_relevant_rank(ours.rankings[n], gold)
        t_rr, o_rr = metrics.reciprocal_rank(t_rank), metrics.reciprocal_rank(o_rank)
        key = "same" if t_rr == o_rr else "ours_better" if o_rr > t_rr else "textbook_better"
        counts[key] += 1
        record = {
            "id": query.item.id,
            "type": query.item.type,
            "question": query.item.question,
            "query": query.text,
            "gold": sorted(query.gold),
            "textbook_rank": t_rank,
            "ours_rank": o_rank,
            "textbook_ranked": textbook.rankings[n],
            "ours_ranked": ours.rankings[n],
            "textbook_latency_ms": textbook.latencies_ms[n],
            "ours_latency_ms": ours.latencies_ms[n],
        }
        items.append(record)
        if key == "textbook_better":
            wins.append(
                {
                    "id": query.item.id,
                    "type": query.item.type,
                    "question": query.item.question,
                    "textbook_rank": _rank_text(t_rank),
                    "ours_rank": _rank_text(o_rank),
                }
            )
    return {**counts, "textbook_wins": wins}, items


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


# -- the run ------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m eval.bench_retrieval",
        description="Textbook LangChain retrieval vs ours on the same PDFs and test set.",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of PDFs")
    parser.add_argument("--testset", type=Path, default=DEFAULT_TESTSET, help="JSONL test set")
    parser.add_argument(
        "--docs",
        default="*.pdf",
        help="glob on PDF file names; only items whose gold pages all lie in them are scored",
    )
    parser.add_argument("--limit", type=int, default=None, help="first N answerable items only")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="also time our retrieval with about this many chunks (perturbed copies as filler)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed calls per query; the median is kept"
    )
    parser.add_argument("--json", type=Path, default=None, help="write every number here")
    return parser.parse_args(argv)


def _status(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, embedder: Embedder | None = None) -> dict[str, Any]:
    from assistant.config import Settings, configure_offline

    configure_offline()
    from assistant.embeddings import MODEL_NAME, Embedder
    from assistant.guide import Guide
    from assistant.library import Library
    from ingest.pipeline import IngestPipeline

    pdfs = sorted(p for p in args.corpus.glob("*.pdf") if fnmatch.fnmatch(p.name, args.docs))
    if not pdfs:
        raise SystemExit(f"bench_retrieval: no PDF in {args.corpus} matches {args.docs!r}")
    items = load_testset(args.testset)
    queries = select_queries(items, {p.name for p in pdfs}, args.limit)
    if not queries:
        raise SystemExit("bench_retrieval: no answerable test item has its gold pages in --docs")
    embedder = embedder or Embedder()
    embedder.embed_query(WARM_UP_QUERY)  # load the model before anything is timed

    result: dict[str, Any] = {
        "started_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "corpus": str(args.corpus),
        "pdfs": [p.name for p in pdfs],
        "testset": str(args.testset),
        "limit": args.limit,
        "queries": len(queries),
        "k": K,
        "repeats": args.repeats,
        "embedder": f"assistant.embeddings.Embedder ({MODEL_NAME})",
        "measured_in_this_run": True,
        "latency_method": (
            "retrieve call only, after one warm-up query per retriever; retrievers take turns on "
            "each query; per-query latency is the median of the repeats, each with a cold "
            "query-embedding cache"
        ),
    }
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        work = Path(tmp)

        _status(f"textbook pipeline: loading, splitting and embedding {len(pdfs)} PDFs")
        started = time.perf_counter()
        textbook_retrieve, textbook_chunks = build_textbook(pdfs, embedder, work / "textbook")
        textbook_build = time.perf_counter() - started

        _status(f"ours: ingesting {len(pdfs)} PDFs")
        settings = Settings(data_dir=work / "ours", chroma_host=None, top_k=K)
        started = time.perf_counter()
        ingested = IngestPipeline(settings, embedder=embedder).run(pdfs)
        our_build = time.perf_counter() - started
        refused = [r for r in ingested if r.status == "refused"]
        if refused:
            raise SystemExit(f"bench_retrieval: ingest refused {refused}")
        guide = Guide(settings, embedder=embedder)
        bundled_chunks = guide.library.store.count(guide.library.current_versions())
        retrievers = {"textbook": textbook_retrieve, "ours": our_retrieve(guide)}

        scale: dict[str, Any] | None = None
        if args.scale:
            _status(f"scale: a second library, filled to about {args.scale} chunks")
            scaled_settings = settings.model_copy(update={"data_dir": work / "ours-scaled"})
            started = time.perf_counter()
            filled = fill_library(guide.library, Library(scaled_settings), args.scale)
            fill_s = time.perf_counter() - started
            scaled_guide = Guide(scaled_settings, embedder=embedder)
            scaled_chunks = scaled_guide.library.store.count(
                scaled_guide.library.current_versions()
            )
            retrievers["ours_scaled"] = our_retrieve(scaled_guide)
            scale = {
                "target": args.scale,
                **filled,
                "fill_s": fill_s,
                "filler_note": (
                    "filler chunks are perturbed copies of the bundled chunks: vectors + "
                    f"N(0, {FILLER_SIGMA}) noise, re-normalised; text + a distinguishing word"
                ),
                "bundled_chunks": bundled_chunks,
                "scaled_chunks": scaled_chunks,
            }

        _status(f"timing {len(queries)} queries x {args.repeats} on: {', '.join(retrievers)}")
        load_before = os.getloadavg()
        measured = measure(retrievers, queries, embedder, args.repeats)
        result["load_average"] = {"before": load_before[0], "after": os.getloadavg()[0]}

    textbook, ours = measured["textbook"], measured["ours"]
    result["textbook"] = {
        "chunks": textbook_chunks,
        "build_s": textbook_build,
        **summarise(queries, textbook),
    }
    result["ours"] = {
        "retriever": type(guide.retriever).__name__,
        "chunks": bundled_chunks,
        "build_s": our_build,
        **summarise(queries, ours),
    }
    result["comparison"] = {
        name: {
            "ratio": ratio(result["ours"][name], result["textbook"][name]),
            **(
                {"difference_pts": (result["ours"][name] - result["textbook"][name]) * 100}
                if name in RATE_METRICS
                else {}
            ),
        }
        for name in (*RATE_METRICS, "latency_p50_ms", "latency_p95_ms")
    }
    result["head_to_head"], result["items"] = head_to_head(queries, textbook, ours)
    if scale is not None:
        bundled_latency = latency(ours.latencies_ms)
        scaled_latency = latency(measured["ours_scaled"].latencies_ms)
        scale.update(
            bundled=bundled_latency,
            scaled=scaled_latency,
            ratio_p50=ratio(scaled_latency["latency_p50_ms"], bundled_latency["latency_p50_ms"]),
            ratio_p95=ratio(scaled_latency["latency_p95_ms"], bundled_latency["latency_p95_ms"]),
            scaled_latencies_ms=measured["ours_scaled"].latencies_ms,
        )
    result["scale"] = scale
    return result


def main(argv: Sequence[str] | None = None, embedder: Embedder | None = None) -> int:
    """Run the benchmark, print the report and, with --json, write every number."""
    args = parse_args(argv)
    result = run(args, embedder)
    print_report(result)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(_json_safe(result), indent=1), encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
