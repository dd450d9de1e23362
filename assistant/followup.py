"""Read a follow-up against the conversation, without an LLM.

"And how long does the council have to respond?" after "What is the community right to
challenge?" has no subject of its own: it takes the earlier question's, so retrieval and the
composer look for the response time of the right to challenge. "What about pensions?" after a
question on reserved contracts brings a subject of its own that the library does not discuss
alongside the earlier one: the topic has changed, and the earlier question stops being used.
Whether two subjects go together is judged by the library itself: how often passages that
mention the new subject also mention the earlier one (`related`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.text import key_terms

_FOLLOW_UP_START = re.compile(
    r"^\s*(and|also|but|so|then|plus|what about|how about|what if|and if|same for|is that|"
    r"are they|does that|do they|can they|can it|what else|why|how so|how long|how much|"
    r"how many|how soon|when|who|where|which|is there|are there|any|ok|okay|right)\b",
    re.IGNORECASE,
)
_REFERRING = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|there|he|she|his|her|such|the same|"
    r"the above|the former|the latter|one|ones)\b",
    re.IGNORECASE,
)
# Words every question about the subject uses: they never make a subject of their own.
GENERIC = frozenset(
    key_terms(
        "council councils authority authorities local public service services staff employee "
        "employees worker workers people person member members body bodies organisation "
        "organisations group groups mutual mutuals co-operative co-operatives cooperative "
        "company companies new old work working run running set setting take taking need "
        "needs happen happens long much many time times year years month months week weeks "
        "day days date cost costs rule rules way ways thing things step steps part parts kind "
        "kinds type types case cases example examples mean means say says apply applies "
        "allowed allow able can could still also else too own other officer officers "
        "respond response answer decide decision process start end first last next "
        "figure figures number numbers amount amounts total totals later earlier previous "
        "since ago"
    )
)
# A person referred to and not named ("his family", "what did she say?") is someone an
# earlier turn named: such a question leans on it even with a few content words of its own.
_PERSON = re.compile(r"\b(he|she|him|his|her|hers)\b", re.IGNORECASE)
RELATED = 0.15  # share of the new subject's passages that also mention the earlier one


def is_follow_up(question: str) -> bool:
    """A short question that leans on an earlier one: starts like a follow-up or refers back,
    and has too few content words of its own to stand alone."""
    terms = key_terms(question)
    if len(terms) >= 6:
        return False
    return (
        bool(_FOLLOW_UP_START.search(question))
        or (bool(_REFERRING.search(question)) and len(terms) <= 3)
        or (bool(_PERSON.search(question)) and len(terms) <= 5)
    )


def own_subject(question: str, earlier: str) -> set[str]:
    """The question's content words that are neither generic nor already in the earlier turns:
    the subject it brings of its own, if any."""
    before = set(key_terms(earlier))
    return {t for t in key_terms(question) if t not in GENERIC and t not in before}


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What retrieval searches for: the question itself (the focus) and, for a follow-up, the
    earlier questions it leans on (context, weighted lower than the focus)."""

    text: str
    context: str = ""

    def display(self) -> str:
        return f"{self.text} (context: {self.context})" if self.context else self.text


Related = Callable[[set[str], set[str]], float]


def follow_up_query(
    question: str, history: Sequence[str], related: Related | None = None
) -> SearchQuery:
    """The question, with the earlier question(s) of its conversation as context if it is a
    follow-up (back to and including the last question that stood on its own), unless it
    changes the topic: it brings a subject of its own that refers to nothing earlier and that
    the library does not discuss with the earlier subject (`related(new, earlier)`: the share
    of passages with a new term that also hold an earlier one)."""
    question = question.strip()
    if not history or not is_follow_up(question):
        return SearchQuery(question)
    context: list[str] = []
    for earlier in reversed(history):
        context.insert(0, earlier.strip())
        if not is_follow_up(earlier):
            break
    joined = " ".join(context)
    new = own_subject(question, joined)
    if new and not _REFERRING.search(question):
        before = {t for t in key_terms(joined) if t not in GENERIC}
        if not before or (related is not None and related(new, before) < RELATED):
            return SearchQuery(question)  # a new topic: the earlier turns no longer apply
    return SearchQuery(question, joined)


def standalone_question(question: str, history: Sequence[str]) -> str:
    """One string for a follow-up and what it depends on (for display and simple callers)."""
    return follow_up_query(question, history).display()
