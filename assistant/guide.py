"""The assembled assistant: one object the CLI, the UI and the evaluator all ask through."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from assistant.config import Settings, configure_offline
from assistant.embeddings import Embedder
from assistant.errors import GuideError
from assistant.generation.extractive import ExtractiveGenerator
from assistant.library import Library
from assistant.retrieval import HybridRetriever, SearchFilters
from assistant.types import Answer

LLM_FAILED = (
    "The language model did not answer ({reason}); this answer was composed from the "
    "passages directly."
)


class Guide:
    """Builds library, embedder, retriever, answer backend and chain from one Settings object."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        configure_offline()
        from assistant.chain import AnswerSteps, build_chain

        self.settings = settings
        self.library = Library(settings)
        self.embedder = embedder or Embedder(settings.embed_batch_size)
        self.retriever = HybridRetriever(self.library, self.embedder, k=settings.top_k)
        self.extractive = ExtractiveGenerator(
            self.embedder,
            passages=settings.answer_passages,
            max_sentences=settings.answer_sentences,
        )
        self.generator: Any = self._generator()
        backup = None if self.generator is self.extractive else self.extractive
        self.steps = AnswerSteps(
            self.retriever,
            self.library.page,
            settings.min_relevance,
            settings.min_overlap,
            backup,
            self.library.superseded_note,
        )
        self.chain = build_chain(
            self.retriever,
            self.generator,
            self.library.page,
            settings.min_relevance,
            settings.min_overlap,
            backup,
            self.library.superseded_note,
        )
        self.fallback_chain = build_chain(
            self.retriever,
            self.extractive,
            self.library.page,
            settings.min_relevance,
            settings.min_overlap,
            version_note=self.library.superseded_note,
        )

    def _generator(self) -> Any:
        s = self.settings
        if s.llm_backend == "none":
            return self.extractive
        from assistant.generation.llm import LlmGenerator, make_chat_model

        model = make_chat_model(
            s.llm_backend,
            base_url=s.llm_base_url,
            model=s.llm_model,
            api_key=s.llm_api_key.get_secret_value() if s.llm_api_key else None,
            model_path=str(s.llm_model_path) if s.llm_model_path else None,
            max_tokens=s.llm_max_tokens,
            timeout=s.llm_timeout,
        )
        where = s.llm_base_url or s.llm_model_path
        return LlmGenerator(model, passages=s.answer_passages, describe=f"The model at {where}")

    @property
    def streams(self) -> bool:
        return hasattr(self.generator, "stream")

    def warm_up(self) -> None:
        """Load the model now rather than on the first question."""
        self.embedder.embed_query("warm up")

    def _state(
        self, question: str, history: Sequence[str], filters: SearchFilters | None
    ) -> dict[str, Any]:
        return {"question": question, "history": list(history), "filters": filters}

    def ask(
        self, question: str, history: Sequence[str] = (), filters: SearchFilters | None = None
    ) -> Answer:
        state = self._state(question, history, filters)
        try:
            return self.chain.invoke(state)
        except GuideError as exc:
            if self.generator is self.extractive:
                raise
            answer = self.fallback_chain.invoke(state)
            return _with_notice(answer, LLM_FAILED.format(reason=exc))

    def ask_stream(
        self, question: str, history: Sequence[str] = (), filters: SearchFilters | None = None
    ) -> Iterator[str | Answer]:
        """Text as the language model writes it (nothing, for the extractive backend), then the
        verified Answer, always last."""
        from assistant.chain import stream_answer

        state = self._state(question, history, filters)
        try:
            yield from stream_answer(self.steps, self.generator, state)
        except GuideError as exc:
            if self.generator is self.extractive:
                raise
            answer = self.fallback_chain.invoke(state)
            yield _with_notice(answer, LLM_FAILED.format(reason=exc))


def _with_notice(answer: Answer, notice: str) -> Answer:
    from dataclasses import replace

    return replace(answer, notice=notice)
