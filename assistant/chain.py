"""The retrieval chain: rewrite follow-ups -> retrieve -> judge the evidence -> compose -> verify.

Built with LangChain runnables so each step is named and traceable; the retriever and the
generator are parameters, so backends and retrievers swap without touching the chain. The same
steps serve streaming (`stream_answer`), so a streamed answer is verified exactly like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.abstention import Evidence, assess, closest_documents
from assistant.citations import QuoteVerifier
from assistant.followup import SearchQuery, follow_up_query
from assistant.generation.base import AnswerGenerator, Draft
from assistant.retrieval import SearchFilters
from assistant.safety import has_content
from assistant.types import Answer, Citation, Hit, Page, Status


class Retriever(Protocol):
    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        context: str = "",
    ) -> list[Hit]: ...


UNCHECKABLE = (
    "The language model's answer could not be checked against the documents, so this answer "
    "quotes the passages directly."
)

NO_ANSWER_TIPS = (
    "Name the service, law or programme you mean (for example 'TUPE', 'regulation 77', "
    "'community right to challenge').",
    "Ask about one thing at a time.",
    "If the subject is outside mutual and co-operative delivery of local services, the library "
    "may simply not cover it: staff can add documents on the Documents tab.",
)


def render(
    draft: Draft, verifier: QuoteVerifier, version_note: Callable[[str], str] | None = None
) -> tuple[str, tuple[Citation, ...], bool]:
    """Number the statements' citations, verify every quote on its page, drop what fails.

    Returns (text, citations, all_verified). Each sentence carries its own marker [n].
    `version_note(version)` says if a cited version has been superseded ("" if current)."""
    sentences: list[str] = []
    citations: list[Citation] = []
    all_ok = draft.dropped == 0
    for statement in draft.statements:
        c = statement.chunk
        candidate = Citation(
            n=len(citations) + 1,
            document=c.document,
            source_file=c.source_file,
            page=c.page,
            page_label=c.page_label,
            quote=statement.quote,
            paragraph=statement.paragraph or (c.paragraphs[0] if len(c.paragraphs) == 1 else None),
            version=c.doc_version,
            superseded=version_note(c.doc_version) if version_note else "",
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
    closest = closest_documents([h for h in hits if has_content(h.chunk.text)])
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


@dataclass(frozen=True, slots=True)
class Prepared:
    """Everything known before an answer is composed."""

    question: str
    query: SearchQuery
    hits: list[Hit]
    evidence: Evidence


class AnswerSteps:
    """The chain's steps as plain methods, shared by `invoke` and streaming."""

    def __init__(
        self,
        retriever: Retriever,
        page_lookup: Callable[[str, int], Page | None],
        min_relevance: float,
        min_overlap: float,
        fallback: AnswerGenerator | None = None,
        version_note: Callable[[str], str] | None = None,
    ) -> None:
        self.retriever = retriever
        self.fallback = fallback
        self.version_note = version_note
        self.verifier = QuoteVerifier(page_lookup)
        self.min_relevance = min_relevance
        self.min_overlap = min_overlap

    def prepare(self, state: dict[str, Any]) -> Prepared:
        query = follow_up_query(state["question"], state.get("history") or ())
        hits = self.retriever.retrieve(
            query.text, filters=state.get("filters"), context=query.context
        )
        return Prepared(
            state["question"], query, hits, assess(query.text, hits, context=query.context)
        )

    def refusal(self, p: Prepared) -> Answer | None:
        if p.evidence.sufficient(self.min_relevance, self.min_overlap):
            return None
        refused = no_answer(p.question, p.query.display(), p.hits, p.evidence.missing)
        return replace(refused, evidence=_signals(p.evidence))

    def finish(self, p: Prepared, draft: Draft, notice: str = "") -> Answer:
        text, citations, all_ok = render(draft, self.verifier, self.version_note)
        if not citations and not draft.abstained and self.fallback is not None:
            # the backend wrote claims, but none could be checked: quote the passages instead
            draft = self.fallback.generate(p.query.text, p.hits, context=p.query.context)
            text, citations, all_ok = render(draft, self.verifier, self.version_note)
            notice = UNCHECKABLE
        if draft.abstained or not citations:
            answer = no_answer(p.question, p.query.display(), p.hits)
            return replace(answer, notice=notice, evidence=_signals(p.evidence))
        return Answer(
            question=p.question,
            text=text,
            status=Status.ANSWERED if all_ok else Status.PARTIAL,
            citations=citations,
            retrieved=tuple(p.hits),
            search_query=p.query.display(),
            notice=notice,
            evidence=_signals(p.evidence),
        )


def _signals(evidence: Evidence) -> dict[str, float]:
    return {
        "relevance": round(evidence.relevance, 4),
        "coverage": round(evidence.coverage, 4),
        "missing": float(len(evidence.missing)),
    }


def build_chain(
    retriever: Retriever,
    generator: AnswerGenerator,
    page_lookup: Callable[[str, int], Page | None],
    min_relevance: float,
    min_overlap: float,
    fallback: AnswerGenerator | None = None,
    version_note: Callable[[str], str] | None = None,
) -> Runnable[dict[str, Any], Answer]:
    """Input: {"question": str, "history": [earlier questions], "filters": SearchFilters};
    output: an `Answer`. `fallback` composes the answer when `generator` writes claims of which
    none can be checked (a language model's backup is the extractive generator).

    >>> chain.invoke({"question": "What is a public service mutual?"})  # doctest: +SKIP
    """
    steps = AnswerSteps(retriever, page_lookup, min_relevance, min_overlap, fallback, version_note)

    def compose(p: Prepared) -> Answer:
        refused = steps.refusal(p)
        if refused is not None:
            return refused
        draft = generator.generate(p.query.text, p.hits, context=p.query.context)
        return steps.finish(p, draft)

    return RunnableLambda(steps.prepare).with_config(
        run_name="rewrite_and_retrieve"
    ) | RunnableLambda(compose).with_config(run_name="compose_and_verify")


def stream_answer(
    steps: AnswerSteps, generator: Any, state: dict[str, Any]
) -> Iterator[str | Answer]:
    """Text as a streaming backend writes it, then the verified Answer (always last)."""
    p = steps.prepare(state)
    refused = steps.refusal(p)
    if refused is not None:
        yield refused
        return
    if not hasattr(generator, "stream"):
        yield steps.finish(p, generator.generate(p.query.text, p.hits, context=p.query.context))
        return
    draft: Draft | None = None
    for piece in generator.stream(p.query.text, p.hits, context=p.query.context):
        if isinstance(piece, Draft):
            draft = piece
        else:
            yield piece
    yield steps.finish(p, draft or Draft((), abstained=True))
