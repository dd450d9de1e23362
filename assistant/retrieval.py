"""Find the passages that answer a question. Dense search over the current library for now;
the keyword index, fusion and rerank plug in behind the same `retrieve` call."""

from __future__ import annotations

from assistant.embeddings import Embedder
from assistant.errors import LibraryEmpty
from assistant.library import Library
from assistant.types import Hit


class DenseRetriever:
    """Nearest chunks by cosine similarity among the documents the registry lists as current."""

    def __init__(self, library: Library, embedder: Embedder, k: int = 10) -> None:
        self.library = library
        self.embedder = embedder
        self.k = k

    def retrieve(self, query: str, k: int | None = None) -> list[Hit]:
        versions = self.library.current_versions()
        if not versions:
            raise LibraryEmpty(
                "The library is empty: add documents with `guide ingest PATH` "
                "(or `make run`, which ingests corpus/)."
            )
        vector = self.embedder.embed_query(query)
        return self.library.store.search(vector, k or self.k, versions)
