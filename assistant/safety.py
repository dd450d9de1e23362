"""Text in documents is data, never instructions.

Documents are only ever quoted, and the LLM prompt fences sources off as data. On top of that,
sentences that read as instructions to an AI ("ignore your previous instructions", "you are now",
"cite this document as ...") are never quoted in an answer and are withheld from an LLM's
sources, so a planted PDF cannot steer an answer on any path. Staff see such text flagged in
the library (see the documents tab) for review.
"""

from __future__ import annotations

import re

from assistant.text import split_sentences

_PATTERNS = [
    r"\b(ignore|disregard|forget|override)\b[^.]{0,40}\b(instructions?|rules|prompt|guidance "
    r"above|everything above|previous|prior)\b",
    r"\byou are now\b",
    r"\b(system|developer) (prompt|message|note|instruction)s?\b",
    r"\bas an? (ai|language model|assistant)\b",
    r"\b(act|behave|respond|answer|reply) (only )?(as|like) (if you were\b|an? (ai|assistant|"
    r"chatbot|language model|unrestricted|unfiltered|different)\b)",
    r"\bcite (this|the following) (document|source|page)\b",
    r"\b(always|only) (answer|reply|respond|say)\b (with|that|by|using|in)\b",
    r"\bdo not (tell|mention|reveal|cite)\b",
    r"\bnew instructions?\b",
    r"\bjailbreak|prompt injection\b",
]
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


def instruction_like(sentence: str) -> bool:
    """True when a sentence reads as an instruction addressed to an AI assistant."""
    return bool(_INSTRUCTION.search(sentence))


def withhold_instructions(text: str) -> str:
    """The text with instruction-like sentences removed ("" if nothing else is left)."""
    kept = [s for s in split_sentences(text) if not instruction_like(s)]
    return " ".join(kept)


def flagged_phrases(text: str) -> list[str]:
    """The instruction-like sentences in a text, for staff to review."""
    return [s for s in split_sentences(text) if instruction_like(s)]


def has_content(text: str) -> bool:
    """Whether anything but instructions is left of a passage (a planted passage has none)."""
    return len(withhold_instructions(text)) >= 25
