"""Find the passages that answer a question: dense search (Chroma) and keyword search (BM25)
fused by reciprocal rank, then reranked on signals that ship offline.

No packaged cross-encoder exists (../shared/MODELS.md), so the rerank combines what we have:
the bi-encoder's cosine similarity, the BM25 score, how many of the question's key terms the
passage (with its headings) contains, whether its headings match, and whether the numbers in
the question (years, sums, regulation numbers) appear in it. The weights were chosen on one half
of the test set and checked on the other (README, Evaluation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from assistant.embeddings import Embedder
from assistant.errors import GuideError, LibraryEmpty
from assistant.library import Library
from assistant.questions import asked, states
from assistant.text import key_terms, weighted_coverage
from assistant.types import Chunk, Hit

_NUMBER = re.compile(r"£?\d[\d,.]*")


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Limit a search to chosen documents (source file names) and/or document kinds."""

    documents: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.documents or self.kinds)


# Words that state each kind of particular, added to the keyword query: a passage saying
# "within 30 days" answers "how long do we have?" without sharing any of its words.
STATING = {
    "duration": "within days weeks months years period deadline",
    "date": "date from until",
    "amount": "£ million cost funding",
    "count": "number",
}


@dataclass(frozen=True, slots=True)
class RerankWeights:
    """Chosen with `python -m eval.tune_retrieval` on alternate answerable questions of the
    bundled test set, and checked on the other half (README, Evaluation)."""

    similarity: float = 1.0
    keyword: float = 0.15
    coverage: float = 0.20
    heading: float = 0.20
    numbers: float = 0.15
    same_document: float = 0.03  # diversity: small penalty per better-ranked passage of a doc
    # answers prefer a document's current version: an unchanged passage of a superseded version
    # always ranks below its current twin, yet what only an old version says can still be found
    superseded: float = 0.25
    # the passage states the kind of particular asked for (a duration for "how long")
    states: float = 0.10


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage and its ranking signals, each roughly in [0, 1]."""

    chunk: Chunk
    similarity: float  # cosine similarity to the question (bi-encoder)
    keyword: float  # BM25 score over the best BM25 score among the candidates
    coverage: float  # share of the question's key terms in the passage and its headings
    heading: float  # share of them in the document title and heading path
    numbers: float  # share of the question's numbers (years, sums, sections) in the passage
    superseded: bool = False  # from a version of its document that has been replaced
    states: float = 0.0  # 1 when it states the kind of particular asked for, else 0

    def score(self, w: RerankWeights) -> float:
        return (
            w.similarity * self.similarity
            + w.keyword * self.keyword
            + w.coverage * self.coverage
            + w.heading * self.heading
            + w.numbers * self.numbers
            + w.states * self.states
            - (w.superseded if self.superseded else 0.0)
        )


def numbers_in(text: str) -> set[str]:
    return {n.strip(".,").replace(",", "") for n in _NUMBER.findall(text) if len(n) > 1}


class SearchIndex(Protocol):
    """What dense search needs of the vector store (assistant.store.ChunkStore is one)."""

    def search(self, embedding: Sequence[float], k: int, versions: Sequence[str]) -> list[Hit]:
        """The `k` passages of `versions` nearest to `embedding`."""
        ...

    def embeddings(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """The stored vectors of the passages `ids` (those it has)."""
        ...


class HybridRetriever:
    """Dense + BM25 candidates, fused (RRF) and reranked. Dense search goes to `index` (by
    default the library's vector store)."""

    def __init__(
        self,
        library: Library,
        embedder: Embedder,
        k: int = 10,
        pool_size: int = 40,
        weights: RerankWeights | None = None,
        index: SearchIndex | None = None,
    ) -> None:
        self.library = library
        self.index: SearchIndex = index if index is not None else library.store
        self.embedder = embedder
        self.k = k
        self.pool_size = pool_size
        self.weights = weights or RerankWeights()
        self._by_id: dict[str, Chunk] = {}
        self._by_id_generation = ""

    def frequencies(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        """(number of passages, in how many of them each stemmed key term occurs)."""
        index = self.library.keyword_index()
        return len(index.ids), {t: index.document_frequency(t) for t in terms}

    def related(self, terms: set[str], others: set[str]) -> float:
        """How much the library discusses two subjects together (KeywordIndex.together)."""
        return self.library.keyword_index().together(terms, others)

    def versions(self, filters: SearchFilters | None) -> list[str]:
        """The versions to search: every current and superseded version that passes the filter."""
        records = self.library.records()
        if not records:
            raise LibraryEmpty(
                "The library is empty: add documents with `guide ingest PATH` "
                "(or `make run`, which ingests corpus/)."
            )
        if filters:
            records = [
                r
                for r in records
                if (not filters.documents or r.source_file in filters.documents)
                and (not filters.kinds or r.kind in filters.kinds)
            ]
            if not records:
                raise GuideError(
                    "No document in the library matches the filter; `guide docs list` shows the "
                    "documents and their kinds."
                )
        return [r.version for r in records]

    def _chunk_map(self) -> dict[str, Chunk]:
        records = self.library.records()  # one reading: another process may commit meanwhile
        generation = self.library.generation(records)
        if generation != self._by_id_generation:
            self._by_id = {c.chunk_id: c for r in records for c in self.library.chunks(r.version)}
            self._by_id_generation = generation
        return self._by_id

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        context: str = "",
    ) -> list[Hit]:
        """Ranked passages for `query`; `context` holds the earlier questions of a follow-up,
        which count for less than the question itself."""
        found = self.candidates(query, filters, context)
        return rank(found, self.weights)[: k or self.k]

    def candidates(
        self, query: str, filters: SearchFilters | None = None, context: str = ""
    ) -> list[Candidate]:
        """The fused dense and keyword candidates, each with its ranking signals."""
        versions = self.versions(filters)
        by_id = self._chunk_map()
        vector = self.embedder.embed_in_context(query, context)
        dense = self.index.search(vector, self.pool_size, versions)
        allowed = None
        if filters:
            wanted = set(versions)
            allowed = [cid for cid, c in by_id.items() if c.doc_version in wanted]
        # the focus counts twice in the keyword query, the conversation once; a question after
        # a particular also looks for the words that state one ("within 30 days")
        keyword_query = f"{query} {query} {context}" if context else query
        keyword_query = f"{keyword_query} {STATING.get(asked(query).kind, '')}".strip()
        sparse = self.library.keyword_index().search(keyword_query, self.pool_size, allowed)

        fused: dict[str, float] = {}
        for ranking in ([h.chunk.chunk_id for h in dense], [cid for cid, _ in sparse]):
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (60 + rank)
        pool = sorted(fused, key=fused.__getitem__, reverse=True)[: self.pool_size]

        similarity = {h.chunk.chunk_id: h.similarity for h in dense}
        missing = [cid for cid in pool if cid not in similarity]
        for cid, vec in self.index.embeddings(missing).items():
            similarity[cid] = sum(a * b for a, b in zip(vector, vec, strict=True))
        bm25 = dict(sparse)
        top_bm25 = max(bm25.values(), default=0.0) or 1.0
        chunks = {h.chunk.chunk_id: h.chunk for h in dense}
        focus, earlier = set(key_terms(query)), set(key_terms(context))
        q_numbers = numbers_in(query)
        superseded = self.library.superseded_versions()
        titles = self.library.titles()  # titles as they are now (a chosen title may change)
        what = asked(query)
        out: list[Candidate] = []
        for cid in pool:
            chunk = chunks.get(cid) or by_id.get(cid)
            if chunk is None:
                continue
            title = titles.get(chunk.doc_version, chunk.document)
            if title != chunk.document:
                chunk = replace(chunk, document=title)
            found_numbers = numbers_in(chunk.text)
            out.append(
                Candidate(
                    chunk=chunk,
                    similarity=similarity.get(cid, 0.0),
                    keyword=bm25.get(cid, 0.0) / top_bm25,
                    coverage=weighted_coverage(
                        focus, earlier, set(key_terms(chunk.context_text()))
                    ),
                    heading=weighted_coverage(
                        focus, earlier, set(key_terms(f"{chunk.document} {chunk.heading}"))
                    ),
                    numbers=len(q_numbers & found_numbers) / len(q_numbers) if q_numbers else 0.0,
                    superseded=chunk.doc_version in superseded,
                    states=float(what.wants_particular and states(what.kind, chunk.text)),
                )
            )
        return out


def rank(candidates: Sequence[Candidate], weights: RerankWeights) -> list[Hit]:
    """Score candidates by the weighted signals, then lower each passage a little for every
    better-scored passage of the same document, so several documents can reach the top."""
    scored = sorted(
        ((c.score(weights), c) for c in candidates), key=lambda item: item[0], reverse=True
    )
    seen: dict[str, int] = {}
    diversified: list[tuple[float, Candidate]] = []
    for score, cand in scored:
        before = seen.get(cand.chunk.source_file, 0)
        diversified.append((score - weights.same_document * before, cand))
        seen[cand.chunk.source_file] = before + 1
    diversified.sort(key=lambda item: item[0], reverse=True)
    return [Hit(c.chunk, score, c.similarity) for score, c in diversified]
