"""The retrieval chain: rewrite follow-ups -> retrieve -> judge the evidence -> compose -> verify.

Built with LangChain runnables so each step is named and traceable; the retriever and the
generator are parameters, so backends and retrievers swap without touching the chain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.abstention import assess, closest_documents
from assistant.citations import QuoteVerifier
from assistant.followup import SearchQuery, follow_up_query
from assistant.generation.base import AnswerGenerator, Draft
from assistant.retrieval import SearchFilters
from assistant.types import Answer, Citation, Hit, Page, Status


class Retriever(Protocol):
    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        context: str = "",
    ) -> list[Hit]: ...


NO_ANSWER_TIPS = (
    "Name the service, law or programme you mean (for example 'TUPE', 'regulation 77', "
    "'community right to challenge').",
    "Ask about one thing at a time.",
    "If the subject is outside mutual and co-operative delivery of local services, the library "
    "may simply not cover it: staff can add documents on the Documents tab.",
)


def render(draft: Draft, verifier: QuoteVerifier) -> tuple[str, tuple[Citation, ...], bool]:
    """Number the statements' citations, verify every quote on its page, drop what fails.

    Returns (text, citations, all_verified). Each sentence carries its own marker [n]."""
    sentences: list[str] = []
    citations: list[Citation] = []
    all_ok = True
    for statement in draft.statements:
        c = statement.chunk
        candidate = Citation(
            n=len(citations) + 1,
            document=c.document,
            source_file=c.source_file,
            page=c.page,
            page_label=c.page_label,
            quote=statement.quote,
            paragraph=statement.paragraph,
        )
        checked = verifier.verify(candidate, c.doc_version)
        if not checked.verified:
            all_ok = False
            continue
        citations.append(checked)
        sentences.append(f"{statement.text} [{checked.n}]")
    return " ".join(sentences), tuple(citations), all_ok


def no_answer(
    question: str, search_query: str, hits: Sequence[Hit], missing: Sequence[str] = ()
) -> Answer:
    closest = closest_documents(hits)
    text = "The library does not answer this question."
    if missing:
        named = ", ".join(f"'{m}'" for m in missing)
        text += f" None of the passages that come closest mention {named}."
    if closest:
        text += " The closest documents found were: " + "; ".join(closest) + "."
    return Answer(
        question=question,
        text=text,
        status=Status.NO_ANSWER,
        retrieved=tuple(hits),
        search_query=search_query,
        suggestions=NO_ANSWER_TIPS,
    )


def build_chain(
    retriever: Retriever,
    generator: AnswerGenerator,
    page_lookup: Callable[[str, int], Page | None],
    min_relevance: float,
    min_overlap: float,
) -> Runnable[dict[str, Any], Answer]:
    """Input: {"question": str, "history": [earlier questions], "filters": SearchFilters};
    output: an `Answer`.

    >>> chain.invoke({"question": "What is a public service mutual?"})  # doctest: +SKIP
    """
    verifier = QuoteVerifier(page_lookup)

    def rewrite(state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "query": follow_up_query(state["question"], state.get("history") or ())}

    def retrieve(state: dict[str, Any]) -> dict[str, Any]:
        query: SearchQuery = state["query"]
        hits = retriever.retrieve(query.text, filters=state.get("filters"), context=query.context)
        return {**state, "hits": hits}

    def compose(state: dict[str, Any]) -> Answer:
        question, query, hits = state["question"], state["query"], state["hits"]
        evidence = assess(query.text, hits, context=query.context)
        if not evidence.sufficient(min_relevance, min_overlap):
            return no_answer(question, query.display(), hits, evidence.missing)
        draft = generator.generate(query.text, hits, context=query.context)
        text, citations, all_ok = render(draft, verifier)
        if not citations:
            return no_answer(question, query.display(), hits)
        return Answer(
            question=question,
            text=text,
            status=Status.ANSWERED if all_ok else Status.PARTIAL,
            citations=citations,
            retrieved=tuple(hits),
            search_query=query.display(),
        )

    return (
        RunnableLambda(rewrite).with_config(run_name="rewrite_follow_up")
        | RunnableLambda(retrieve).with_config(run_name="retrieve")
        | RunnableLambda(compose).with_config(run_name="compose_and_verify")
    )
