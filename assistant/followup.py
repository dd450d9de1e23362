"""Rewrite a follow-up question into one that stands alone, without an LLM.

"And what about pensions?" after "What happens to staff under TUPE when a service spins out?"
becomes a query carrying both, so retrieval sees the subject the officer is still talking about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.text import key_terms

_FOLLOW_UP_START = re.compile(
    r"^\s*(and|also|but|so|then|what about|how about|what if|and if|same for|is that|are they|"
    r"does that|do they|can they|can it|what else|why|how so|how long|how much|when)\b",
    re.IGNORECASE,
)
_REFERRING = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|there|he|she|his|her|such|the same|"
    r"the above|the former|the latter)\b",
    re.IGNORECASE,
)


def is_follow_up(question: str) -> bool:
    """A short question that leans on an earlier one: starts like a follow-up or refers back,
    and has too few content words of its own to stand alone."""
    terms = key_terms(question)
    if len(terms) >= 6:
        return False
    return bool(_FOLLOW_UP_START.search(question)) or (
        bool(_REFERRING.search(question)) and len(terms) <= 3
    )


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What retrieval searches for: the question itself (the focus) and, for a follow-up, the
    earlier questions it leans on (context, weighted lower than the focus)."""

    text: str
    context: str = ""

    def display(self) -> str:
        return f"{self.text} (context: {self.context})" if self.context else self.text


def follow_up_query(question: str, history: Sequence[str]) -> SearchQuery:
    """The question, with the earlier question(s) of its conversation as context if it is a
    follow-up: back to and including the last question that stood on its own."""
    if not history or not is_follow_up(question):
        return SearchQuery(question.strip())
    context: list[str] = []
    for earlier in reversed(history):
        context.insert(0, earlier.strip())
        if not is_follow_up(earlier):
            break
    return SearchQuery(question.strip(), " ".join(context))


def standalone_question(question: str, history: Sequence[str]) -> str:
    """One string for a follow-up and what it depends on (for display and simple callers)."""
    return follow_up_query(question, history).display()
