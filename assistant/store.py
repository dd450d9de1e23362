"""The Chroma wrapper: embedded PersistentClient by default, a `chroma run` server when configured.

We always pass our own embeddings: Chroma's built-in embedding function downloads a model.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from assistant.config import Settings
from assistant.errors import GuideError
from assistant.types import Chunk, Hit

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection


def _versions_in(versions: Sequence[str]) -> Any:
    """A Chroma `where` filter (typed loosely: chromadb's stubs reject plain str lists)."""
    return {"doc_version": {"$in": list(versions)}}


T = TypeVar("T")


def _vectors(rows: Sequence[Sequence[float]]) -> Any:
    return [[float(x) for x in row] for row in rows]


class ChunkStore:
    """Chunks and their vectors. Every record carries `doc_version`, so a search can be limited
    to the versions the registry lists as current, and orphans from a failed ingest can be found."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Any = None
        self._collection: Collection | None = None
        self._max_batch = 1000

    @property
    def collection(self) -> Collection:
        if self._collection is None:
            self._collection = self._open()
        return self._collection

    def _open(self) -> Collection:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        s = self.settings
        try:
            if s.chroma_host:
                client: Any = chromadb.HttpClient(
                    host=s.chroma_host, port=s.chroma_port, settings=chroma_settings
                )
            else:
                s.chroma_path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(
                    path=str(s.chroma_path), settings=chroma_settings
                )
            self._max_batch = int(client.get_max_batch_size())
            self._client = client
            return client.get_or_create_collection(
                s.collection, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        except Exception as exc:  # chromadb raises many kinds; the user needs one message
            where = f"server {s.chroma_host}:{s.chroma_port}" if s.chroma_host else s.chroma_path
            raise GuideError(f"Cannot open the vector store at {where}: {exc}") from exc

    def _using(self, use: Callable[[Collection], T]) -> T:
        """`use(collection)`, once more with the collection opened afresh if it is gone: with a
        Chroma server, another process may have rebuilt the store (a new collection under the
        same name) since this one opened it."""
        from chromadb.errors import NotFoundError

        try:
            return use(self.collection)
        except NotFoundError:
            self.close()
            return use(self.collection)

    def close(self) -> None:
        """Let go of the client, so that the next use opens the store's files afresh."""
        client, self._client, self._collection = self._client, None, None
        if client is not None:
            with contextlib.suppress(Exception):  # a client that already failed must not fail again
                client.close()

    def healthy(self) -> bool:
        """Whether the store opens and answers a search (its index files are readable)."""
        try:
            collection = self.collection
            if collection.count() == 0:
                return True
            sample = collection.get(limit=1, include=["embeddings"])
            vectors = sample["embeddings"]
            if vectors is None or len(vectors) == 0:
                return False
            probe: Any = [vectors[0]]
            collection.query(query_embeddings=_vectors(probe), n_results=1, include=[])
            return True
        except Exception:
            self.close()
            return False

    def reset(self) -> None:
        """Drop the collection and start an empty one (the library refills it from its files).
        An embedded store whose files cannot even be opened is deleted from disk."""
        s = self.settings
        try:
            self.collection  # noqa: B018 (opens the client)
            self._client.delete_collection(s.collection)
        except Exception:
            self.close()
            if s.chroma_host:
                raise
            shutil.rmtree(s.chroma_path, ignore_errors=True)
        self.close()

    def add(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        """Upsert in batches no larger than the client allows (5,461 for Chroma 1.5)."""
        self.collection  # noqa: B018 (opens the client, which says its batch size)
        step = max(1, self._max_batch)
        for start in range(0, len(chunks), step):
            part = chunks[start : start + step]
            vectors = _vectors(embeddings[start : start + step])

            def upsert(c: Collection, part: Sequence[Chunk] = part, vectors: Any = vectors) -> None:
                c.upsert(
                    ids=[x.chunk_id for x in part],
                    embeddings=vectors,
                    documents=[x.text for x in part],
                    metadatas=[x.metadata() for x in part],
                )

            self._using(upsert)

    def delete_versions(self, versions: Sequence[str]) -> None:
        if versions:
            self._using(lambda c: c.delete(where=_versions_in(versions)))

    def orphan_versions(self, current: Sequence[str]) -> set[str]:
        """Versions present in the store but not in `current` (left by an interrupted ingest)."""
        where: Any = {"doc_version": {"$nin": list(current)}} if current else None
        found = self._using(lambda c: c.get(where=where, include=["metadatas"]))
        return {str(m["doc_version"]) for m in (found["metadatas"] or [])}

    def count(self, versions: Sequence[str] | None = None) -> int:
        if versions is None:
            return int(self._using(lambda c: c.count()))
        if not versions:
            return 0
        found = self._using(lambda c: c.get(where=_versions_in(versions), include=[]))
        return len(found["ids"])

    def embeddings(self, ids: Sequence[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        found = self._using(lambda c: c.get(ids=list(ids), include=["embeddings"]))
        vectors = found["embeddings"] if found["embeddings"] is not None else []
        return {i: [float(x) for x in v] for i, v in zip(found["ids"], vectors, strict=True)}

    def ids(self, versions: Sequence[str]) -> set[str]:
        if not versions:
            return set()
        return set(self._using(lambda c: c.get(where=_versions_in(versions), include=[]))["ids"])

    def search(self, embedding: Sequence[float], k: int, versions: Sequence[str]) -> list[Hit]:
        """Nearest chunks among the given document versions; score is cosine similarity."""
        if not versions:
            return []
        result = self._using(
            lambda c: c.query(
                query_embeddings=_vectors([embedding]),
                n_results=k,
                where=_versions_in(versions),
                include=["documents", "metadatas", "distances"],
            )
        )
        ids = result["ids"][0]
        docs = (result["documents"] or [[]])[0]
        metas = (result["metadatas"] or [[]])[0]
        dists = (result["distances"] or [[]])[0]
        return [
            Hit(Chunk.from_metadata(i, d, dict(m)), 1.0 - float(dist), 1.0 - float(dist))
            for i, d, m, dist in zip(ids, docs, metas, dists, strict=True)
        ]
