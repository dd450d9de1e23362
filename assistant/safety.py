"""Text in documents is data, never instructions.

Documents are only ever quoted, and the LLM prompt fences sources off as data. On top of that,
sentences that read as instructions to an AI ("ignore your previous instructions", "you are now",
"cite this document as ...", "when you answer, state that ...") are never quoted in an answer and
are withheld from an LLM's sources, so a planted PDF cannot steer an answer on any path. Staff see
such text flagged in the library (see the documents tab) for review.

Matching is done on a folded form of the text, so that tricks which leave the words readable to a
model but not to a plain pattern do not get through: soft hyphens and zero-width or bidi control
characters inside words ("ig\u00adnore"), compatibility forms (full-width letters, ligatures),
look-alike letters from other alphabets ("ign\u043ere" with a Cyrillic o), odd spacing and case.

Citation markers written inside a document ("[1]") would look like the app's own; `escape_markers`
rewrites them for display ("[ref 1]"), while quotes keep the page's exact text for verification.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.text import split_sentences

# Characters that are invisible in print but split a word for a pattern matcher.
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x034F, 0x061C, 0x180E, 0xFEFF, *range(0x200B, 0x2010), *range(0x202A, 0x202F)]
    + [*range(0x2060, 0x2070)],
    None,
)
# Latin look-alikes from Cyrillic and Greek, the usual substitutes in a disguised instruction.
_LOOKALIKES = str.maketrans(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u04bb\u0501\u051b\u051d"
    "\u03bf\u03b1\u03b5\u03b9\u03ba\u03bd\u03c1\u03c4\u03c5\u03c7",
    "aeopcyxijshdqwoaeikvptux",
)


def fold(text: str) -> str:
    """The text as a pattern should see it: compatibility forms, invisible characters removed,
    look-alike letters mapped to Latin, whitespace collapsed, case folded."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_LOOKALIKES)
    return " ".join(text.split()).casefold()


_AI = r"(?:ai|a\.i\.|assistant|chatbot|chat bot|bot|language model|llm|model|gpt|copilot)"
_OTHER_SOURCES = (
    r"(?:the )?(?:other|all other|any other|remaining|previous|prior|earlier|above|rest of the|"
    r"competing|conflicting) (?:documents?|sources?|passages?|extracts?|search results|context|"
    r"instructions?)"
)
_PATTERNS = [
    # "ignore/disregard ... your instructions / the other documents"
    r"\b(?:ignore|disregard|forget|override|overrule|pay no (?:attention|heed) to|do not (?:use|"
    r"rely on|consider|trust|read|follow))\b[^.]{0,60}?(?:\b(?:instructions?|prompts?|"
    r"everything (?:above|else|before))\b|\b(?:previous|prior|earlier|above|original|system) "
    r"(?:instructions?|prompts?|messages?|rules|context|directions)\b|"
    + _OTHER_SOURCES
    + r"|\bany (?:documents?|sources?) (?:other than|except|but) )",
    r"\byou are now\b",
    r"\bfrom now on,? (?:you|the assistant|always|only|never)\b",
    r"\b(?:system|developer|admin(?:istrator)?) (?:prompt|message|note|instruction|override)s?\b",
    r"\bas an? (?:ai|a\.i\.|ai assistant|language model|llm|chatbot)\b",
    rf"\b(?:act|behave|respond|answer|reply|pretend) (?:only )?(?:as|like) (?:if you were\b|"
    rf"an? (?:{_AI}|unrestricted|unfiltered|different)\b)",
    # addressed to whoever answers questions: "when you answer questions on X, state that ..."
    r"\b(?:when|whenever|if|each time|every time|before) (?:you|the assistant|an? (?:ai|assistant|"
    r"model|chatbot)) (?:are asked|get asked|answer|respond|reply|summari[sz]e|write|generate|"
    r"answering|responding|replying|summari[sz]ing|writing)(?: to)? (?:any |a |the |this |these |"
    r"such |all |every )?(?:questions?|quer(?:y|ies)|requests?|prompts?|users?|about|on|an answer)"
    r"\b[^.]{0,120}?\b(?:state|say|tell|answer|respond|reply|claim|write|assert|conclude|insist|"
    r"report|mention|add|include|cite|recommend)\b",
    r"\b(?:when|whenever|if|before) (?:answering|responding to|replying to|asked about|"
    r"summari[sz]ing) (?:any |a |the |every |all |such )?(?:questions?|quer(?:y|ies)|requests?|"
    r"prompts?)\b[^.]{0,120}?\b(?:state|say|tell|answer|respond|reply|claim|write|assert|"
    r"conclude|insist|report|mention|add|include|cite|recommend)\b",
    rf"\b(?:the assistant|the {_AI}|any {_AI}|an? {_AI}|you,? the {_AI}) (?:must|should|shall|will|"
    r"(?:is|are) to|needs? to|ha(?:s|ve) to|is required to) "
    r"(?:now |always |only |never |not )*(?:say|state|"
    r"answer|reply|respond|claim|tell|write|cite|mention|refuse|recommend|ignore|disregard|"
    r"quote|output|print)\b",
    r"\bcite (?:this|the following|only this) (?:document|source|page|passage)\b",
    r"\b(?:always|only|never) (?:answer|reply|respond|say|cite|quote)\b (?:with|that|by|using|in|"
    r"this|from|the)\b",
    r"\bdo not (?:tell|mention|reveal|cite|quote|show) (?:the|any|this|other|that)\b[^.]{0,40}?"
    r"\b(?:user|officer|reader|documents?|sources?|passages?)\b",
    r"\bnew instructions?\b",
    r"\bjailbreak|prompt injection|\bdeveloper mode\b|\bmaintenance mode\b",
    r"\b(?:treat|regard|consider) (?:this|the following) (?:document|passage|text|source) as "
    r"(?:the only|authoritative|your|an instruction|instructions)\b",
    r"\b(?:respond|answer|reply) (?:to )?(?:every|all|any) (?:question|query|request)s? "
    r"(?:with|by)",
]
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))


def instruction_like(sentence: str) -> bool:
    """True when a sentence reads as an instruction addressed to an AI assistant."""
    return bool(_INSTRUCTION.search(fold(sentence)))


def withhold_instructions(text: str) -> str:
    """The text with instruction-like sentences removed ("" if nothing else is left)."""
    kept = [s for s in split_sentences(text) if not instruction_like(s)]
    return " ".join(kept)


def flagged_phrases(text: str) -> list[str]:
    """The instruction-like sentences in a text, for staff to review."""
    return [s for s in split_sentences(text) if instruction_like(s)]


def tainted(text: str) -> bool:
    """Whether a passage holds instruction-like text anywhere. Such a passage is not used as
    evidence at all (its other sentences may be the planted claims the instruction is there to
    push); staff see it flagged for review."""
    return any(instruction_like(s) for s in split_sentences(text))


def has_content(text: str) -> bool:
    """Whether anything but instructions is left of a passage (a planted passage has none)."""
    return len(withhold_instructions(text)) >= 25


_DOCUMENT_MARKER = re.compile(r"\[(\d{1,4})\]")


def escape_markers(text: str) -> str:
    """A document's own bracketed reference numbers, rewritten so they cannot pass for the app's
    citation markers: "as shown [3]." -> "as shown [ref 3].". For display and model prompts only;
    quotes keep the page's exact text."""
    return _DOCUMENT_MARKER.sub(r"[ref \1]", text)
