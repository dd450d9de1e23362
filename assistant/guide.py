"""The assembled assistant: one object the CLI, the UI and the evaluator all ask through."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from assistant.config import MAX_HISTORY_TURNS, Settings, configure_offline
from assistant.errors import GuideError
from assistant.retrieval import SearchFilters
from assistant.types import Answer

if TYPE_CHECKING:
    from assistant.chain import Retriever
    from assistant.embeddings import Embedder
    from assistant.generation.base import AnswerGenerator
    from assistant.library import Library


class Guide:
    """Library, embedder, retriever, answer backend and chain, from one Settings object; any
    part can be given instead (a test's stand-in, a shared embedder).

    >>> Guide(settings).ask("What is a public service mutual?")  # doctest: +SKIP
    """

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        *,
        library: Library | None = None,
        retriever: Retriever | None = None,
        generator: AnswerGenerator | None = None,
        extractive: AnswerGenerator | None = None,
    ) -> None:
        configure_offline()
        from assistant.chain import AnswerSteps, build_chain
        from assistant.embeddings import Embedder
        from assistant.generation.extractive import ExtractiveGenerator
        from assistant.library import Library
        from assistant.retrieval import HybridRetriever

        self.settings = settings
        self.library = library or Library(settings)
        self.embedder = embedder or Embedder(settings.embed_batch_size)
        # finish an interrupted write, rebuild a damaged vector store (see Library.tidy)
        self.library.tidy(self.embedder.encode)
        self.retriever = retriever or HybridRetriever(self.library, self.embedder, k=settings.top_k)
        self.extractive = extractive or ExtractiveGenerator(
            self.embedder,
            passages=settings.answer_passages,
            max_sentences=settings.answer_sentences,
            neighbour=self.library.neighbour,
        )
        self.generator = generator or self._generator()
        # a language model's backup is the extractive composer: used when the model cannot be
        # reached, or none of its claims can be checked
        backup = None if self.generator is self.extractive else self.extractive
        self.steps = AnswerSteps(
            self.retriever,
            self.library.reference_text,
            settings.min_relevance,
            settings.min_overlap,
            backup,
            self.library.superseded_note,
            self.library.names,
            check=settings.answerability,
            composer=self.extractive,
            threshold=settings.answerability_threshold,
            familiar_relevance=settings.familiar_relevance,
        )
        self.chain = build_chain(self.steps, self.generator)

    def _generator(self) -> AnswerGenerator:
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

    def warm_up(self) -> None:
        """Load the model now rather than on the first question."""
        self.embedder.embed_query("warm up")

    def _state(
        self, question: str, history: Sequence[str], filters: SearchFilters | None
    ) -> dict[str, Any]:
        limit = self.settings.max_question_chars
        if not isinstance(question, str) or not question.strip():
            raise GuideError("Type a question first.")
        for text in (question, *history):
            if not isinstance(text, str) or len(text) > limit:
                raise GuideError(
                    f"A question may be at most {limit:,} characters; ask about one thing at "
                    "a time, in a sentence or two."
                )
        recent = list(history)[-MAX_HISTORY_TURNS:]  # a follow-up leans on the last few turns
        return {"question": question, "history": recent, "filters": filters}

    def ask_stream(
        self, question: str, history: Sequence[str] = (), filters: SearchFilters | None = None
    ) -> Iterator[str | Answer]:
        """Text as a language model writes it (nothing, for the extractive backend), then the
        verified Answer, always last: the one answering path (assistant.chain.answer_stream)."""
        yield from self.chain.stream(self._state(question, history, filters))

    def ask(
        self, question: str, history: Sequence[str] = (), filters: SearchFilters | None = None
    ) -> Answer:
        """The verified Answer: the last item of `ask_stream`, so it is exactly what the chat
        shows."""
        answer: Answer | None = None
        for piece in self.ask_stream(question, history, filters):
            if isinstance(piece, Answer):
                answer = piece
        if answer is None:  # the chain always ends with an Answer
            raise GuideError("No answer was produced; please try again.")
        return answer
