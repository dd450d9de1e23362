"""The retrieval chain: rewrite follow-ups -> retrieve -> judge the evidence -> compose -> verify.

Built with LangChain runnables so each step is named and traceable; the retriever and the
generator are parameters, so backends and retrievers swap without touching the chain. There is
one answering path (`answer_stream`): the chat streams it, and the API, the CLI and the
evaluator read its last item, so what evaluators measure is what officers see.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda

from assistant.abstention import UNFAMILIAR_LIMIT, Evidence, assess, closest_documents, unfamiliar
from assistant.citations import QuoteVerifier
from assistant.errors import GuideError
from assistant.followup import SearchQuery, follow_up_query
from assistant.generation.base import AnswerGenerator, Draft
from assistant.questions import AMOUNT, COUNT, DATE, DURATION, NAME, asked
from assistant.retrieval import SearchFilters
from assistant.safety import has_content, tainted
from assistant.types import Answer, Citation, Hit, Status


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


_STEP = re.compile(r"^\d+\.\s")


def render(
    draft: Draft, verifier: QuoteVerifier, version_note: Callable[[str], str] | None = None
) -> tuple[str, tuple[Citation, ...], bool]:
    """Number the statements' citations, verify every quote on its page, drop what fails.

    Returns (text, citations, all_verified). Each statement carries its own marker [n]; a step
    ("1. ") starts a line and steps are numbered again after any that were dropped; a statement
    that starts a paragraph is set apart by a blank line.
    `version_note(version)` says if a cited version has been superseded ("" if current)."""
    text = ""
    citations: list[Citation] = []
    all_ok = draft.dropped == 0
    step = 0
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
        prefix = statement.prefix
        if _STEP.match(prefix):
            step += 1
            prefix = f"{step}. "
        piece = f"{prefix}{statement.text} [{checked.n}]"
        if not text:
            text = piece
        elif _STEP.match(prefix):
            text += "\n" + piece
        elif statement.starts_paragraph:
            text += "\n\n" + piece
        else:
            text += " " + piece
    return text, tuple(citations), all_ok


def no_answer(
    question: str,
    search_query: str,
    hits: Sequence[Hit],
    missing: Sequence[str] = (),
    why: str = "",
) -> Answer:
    """A refusal that helps: what was missing (the question's names or figures, or `why`: the
    kind of thing asked for, or that the passages are about a neighbouring matter) and the
    closest documents. The nearest thing the library says is added by the caller."""
    closest = closest_documents([h for h in hits if has_content(h.chunk.text)])
    text = "The library does not answer this question."
    if missing:
        named = ", ".join(f"'{m}'" for m in missing)
        text += f" None of the passages that come closest mention {named}."
    elif why:
        text += f" {why}"
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
    hits: list[Hit]  # as retrieved, best first (what the answer reports as retrieved)
    evidence: Evidence
    usable: list[Hit]  # the hits that may be evidence: none holding instruction-like text
    # the answerability model's inputs and its probability, once judged (see AnswerSteps.judge)
    judged: dict[str, float] = field(default_factory=dict)


class AnswerSteps:
    """The chain's steps as plain methods, shared by `invoke` and streaming."""

    def __init__(
        self,
        retriever: Retriever,
        reference_text: Callable[[str, int], str | None],
        min_relevance: float,
        min_overlap: float,
        fallback: AnswerGenerator | None = None,
        version_note: Callable[[str], str] | None = None,
        titles: Callable[[], Iterable[str]] | None = None,
        *,
        check: str = "rule",
        composer: AnswerGenerator | None = None,
        threshold: float | None = None,
        familiar_relevance: float = 0.0,
    ) -> None:
        """`check`: how a question past the similarity floor is judged answerable: "model"
        (the calibrated model, reading `composer`'s draft), "rule" (names, figures and key-term
        share in the passages) or "off" (always)."""
        if check == "model" and composer is None:
            raise ValueError("the answerability model reads a composer's draft: give one")
        self.check = check
        self.composer = composer
        self.model = None
        if check == "model":
            from assistant.answerability import load

            self.model = load()
        self.threshold = (
            threshold if threshold is not None else self.model.threshold if self.model else 0.5
        )
        self.retriever = retriever
        self.titles = titles
        # how much the library discusses two subjects together, for reading follow-ups
        self.related = getattr(retriever, "related", None)
        # how often the library uses each term, for weighing the question's rarer words
        self.frequencies = getattr(retriever, "frequencies", None)
        self.fallback = fallback
        self.version_note = version_note
        self.verifier = QuoteVerifier(reference_text)
        self.min_relevance = min_relevance
        self.min_overlap = min_overlap
        self.familiar_relevance = familiar_relevance

    def prepare(self, state: dict[str, Any]) -> Prepared:
        query = follow_up_query(state["question"], state.get("history") or (), related=self.related)
        hits = self.retriever.retrieve(
            query.text, filters=state.get("filters"), context=query.context
        )
        usable = [h for h in hits if not tainted(h.chunk.text)]
        titles = self.titles() if self.titles else ()
        evidence = assess(query.text, usable, context=query.context, titles=titles)
        if self.frequencies:
            words = unfamiliar(f"{query.text} {query.context}", self.frequencies)
            evidence = replace(evidence, unfamiliar=words)
        return Prepared(state["question"], query, hits, evidence, usable)

    def refusal(self, p: Prepared) -> Answer | None:
        """The refusal decided before anything is composed: below the similarity floor (and,
        under the "rule" check, a name or figure missing or too few key terms)."""
        # a follow-up is short and leans on the conversation, so its closeness to any passage
        # is lower than a full question's: its similarity floor is lowered accordingly
        scale = FOLLOW_UP_FLOOR if p.query.context else 1.0
        floor = self.min_relevance * scale
        if self.check == "rule":
            passes = p.evidence.sufficient(floor, self.min_overlap, self.familiar_relevance * scale)
        else:
            passes = bool(p.usable) and p.evidence.relevance >= floor
        if passes:
            return None
        why = ""
        if p.evidence.relevance >= floor and len(p.evidence.unfamiliar) >= UNFAMILIAR_LIMIT:
            words = ", ".join(f"'{w}'" for w in p.evidence.unfamiliar)
            why = f"The library does not use words of the question such as {words}."
        refused = no_answer(p.question, p.query.display(), p.hits, p.evidence.missing, why)
        if p.evidence.relevance >= floor and self.composer is not None and p.usable:
            # close enough to be about the library's subject: offer the nearest thing it says
            draft = self.composer.generate(p.query.text, p.usable, context=p.query.context)
            refused = self.with_nearest(refused, draft)
        return replace(refused, evidence=_signals(p))

    def with_nearest(self, refused: Answer, draft: Draft) -> Answer:
        """A refusal with the draft's lead sentence added, quoted and verified, as the nearest
        thing the library says (unchanged when it does not verify)."""
        nearest = Draft(draft.statements[:1]) if draft.statements else Draft(())
        text, citations, _ = render(nearest, self.verifier, self.version_note)
        if not citations:
            return refused
        return replace(
            refused, text=f"{refused.text} The nearest it says:\n\n{text}", citations=citations
        )

    def judge(self, p: Prepared) -> tuple[Prepared, Draft | None, Answer | None]:
        """Under the "model" and "off" checks: compose the extractive draft, read the signals
        from it and decide. Returns (prepared with its signals, the draft, the refusal or
        None). The refusal says what was missing and offers the nearest thing the library
        says, quoted and verified."""
        if self.check == "rule" or self.composer is None:
            return p, None, None
        from assistant.answerability import signals

        q, context = p.query.text, p.query.context
        draft = self.composer.generate(q, p.usable, context=context)
        found = signals(q, context, p.evidence, draft, self.frequencies)
        judged = found.as_dict()
        probability = self.model.probability(found) if self.model else 1.0
        judged["answerability"] = round(probability, 4)
        p = replace(p, judged=judged)
        if probability >= self.threshold or self.check == "off":
            return p, draft, None
        why = ""
        if found.kind_missing:
            why = f"The closest passages do not give {_KIND_WORDS.get(asked(q).kind, 'it')}."
        elif draft.statements:
            about = draft.statements[0].chunk.heading or draft.statements[0].chunk.document
            why = f"The closest passages are about a neighbouring matter ({about})."
        refused = no_answer(p.question, p.query.display(), p.hits, p.evidence.missing, why)
        return p, draft, replace(self.with_nearest(refused, draft), evidence=_signals(p))

    def finish(self, p: Prepared, draft: Draft, notice: str = "") -> Answer:
        text, citations, all_ok = render(draft, self.verifier, self.version_note)
        if not citations and not draft.abstained and self.fallback is not None:
            # the backend wrote claims, but none could be checked: quote the passages instead
            draft = self.fallback.generate(p.query.text, p.usable, context=p.query.context)
            text, citations, all_ok = render(draft, self.verifier, self.version_note)
            notice = UNCHECKABLE
        if draft.abstained or not citations:
            answer = no_answer(p.question, p.query.display(), p.hits)
            return replace(answer, notice=notice, evidence=_signals(p))
        if draft.neighbour:
            # about a neighbouring year or place: withheld, the nearest evidence offered
            answer = no_answer(p.question, p.query.display(), p.hits)
            return replace(
                answer,
                text=NEIGHBOUR.format(note=draft.neighbour, nearest=text),
                citations=citations,
                notice=notice,
                evidence=_signals(p),
            )
        return Answer(
            question=p.question,
            text=text,
            status=Status.ANSWERED if all_ok else Status.PARTIAL,
            citations=citations,
            retrieved=tuple(p.hits),
            search_query=p.query.display(),
            notice=notice,
            evidence=_signals(p),
        )


_KIND_WORDS = {
    DURATION: "a time limit or period",
    DATE: "a date",
    AMOUNT: "a sum",
    COUNT: "a number",
    NAME: "a name",
}


def _signals(p: Prepared) -> dict[str, float]:
    """What an answer reports of the decision: similarity, key-term share, the number of the
    question's names and figures missing from the passages, and (once judged) the model's
    inputs (prefixed "signal_") and its probability ("answerability")."""
    out = {
        "relevance": round(p.evidence.relevance, 4),
        "coverage": round(p.evidence.coverage, 4),
        "missing": float(len(p.evidence.missing)),
        "unfamiliar": float(len(p.evidence.unfamiliar)),
    }
    for name, value in p.judged.items():
        out[name if name == "answerability" else f"signal_{name}"] = value
    return out


FOLLOW_UP_FLOOR = 0.8

NEIGHBOUR = (
    "The library does not answer this question as asked: it gives {note}. The nearest it "
    "says:\n\n{nearest}"
)

LLM_FAILED = (
    "The language model did not answer ({reason}); this answer was composed from the "
    "passages directly."
)


def answer_stream(
    steps: AnswerSteps, generator: AnswerGenerator, prepared: Prepared
) -> Iterator[str | Answer]:
    """The one way an answer is made, for every caller: text as a streaming backend writes it,
    then the verified Answer (always last). A backend that fails (a language model that cannot
    be reached) is replaced by the fallback, with a notice saying so."""
    refused = steps.refusal(prepared)
    if refused is not None:
        yield refused
        return
    prepared, composed, refused = steps.judge(prepared)
    if refused is not None:
        yield refused
        return
    if composed is not None and generator is steps.composer:
        yield steps.finish(prepared, composed)  # the judged draft is the answer
        return
    q, context = prepared.query.text, prepared.query.context
    draft: Draft | None = None
    try:
        for piece in generator.stream(q, prepared.usable, context=context):
            if isinstance(piece, Draft):
                draft = piece
            else:
                yield piece
    except GuideError as exc:
        if steps.fallback is None or steps.fallback is generator:
            raise
        answer = steps.finish(prepared, steps.fallback.generate(q, prepared.usable, context))
        yield replace(answer, notice=LLM_FAILED.format(reason=exc))
        return
    yield steps.finish(prepared, draft or Draft((), abstained=True))


def build_chain(steps: AnswerSteps, generator: AnswerGenerator) -> Runnable[dict[str, Any], Any]:
    """The answering chain: rewrite a follow-up and retrieve, then compose and verify.

    Input: {"question": str, "history": [earlier questions], "filters": SearchFilters}.
    `chain.stream(state)` yields the text a streaming backend writes as it writes it, then the
    verified `Answer`, always last; every caller (chat, API, CLI, evaluation) reads that stream.

    >>> last(chain.stream({"question": "What is a public service mutual?"}))  # doctest: +SKIP
    """

    def compose(prepared: Iterator[Prepared]) -> Iterator[str | Answer]:
        for p in prepared:
            yield from answer_stream(steps, generator, p)

    return RunnableLambda(steps.prepare).with_config(
        run_name="rewrite_and_retrieve"
    ) | RunnableGenerator(compose).with_config(run_name="compose_and_verify")
