"""The assembled assistant: one object the CLI, the UI and the evaluator all ask through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.config import Settings, configure_offline
from assistant.embeddings import Embedder
from assistant.generation.extractive import ExtractiveGenerator
from assistant.library import Library
from assistant.retrieval import HybridRetriever, SearchFilters
from assistant.types import Answer


class Guide:
    """Builds library, embedder, retriever, generator and chain from one Settings object."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        configure_offline()
        self.settings = settings
        self.library = Library(settings)
        self.embedder = embedder or Embedder(settings.embed_batch_size)
        self.retriever = HybridRetriever(self.library, self.embedder, k=settings.top_k)
        self.generator = ExtractiveGenerator(
            self.embedder,
            passages=settings.answer_passages,
            max_sentences=settings.answer_sentences,
        )
        from assistant.chain import build_chain

        self.chain = build_chain(
            self.retriever,
            self.generator,
            self.library.page,
            settings.min_relevance,
            settings.min_overlap,
        )

    def warm_up(self) -> None:
        """Load the model now rather than on the first question."""
        self.embedder.embed_query("warm up")

    def ask(
        self, question: str, history: Sequence[str] = (), filters: SearchFilters | None = None
    ) -> Answer:
        state: dict[str, Any] = {
            "question": question,
            "history": list(history),
            "filters": filters,
        }
        return self.chain.invoke(state)
