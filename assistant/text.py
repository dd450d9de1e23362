"""Pure text helpers shared by retrieval, answer composition and quote verification."""

from __future__ import annotations

import re
import unicodedata

_DASHES = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u00ad": "",
    }
)

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "also",
        "may",
        "might",
        "must",
        "shall",
        "us",
        "get",
        "got",
        "tell",
        "give",
        "want",
        "wants",
        "need",
        "needs",
        "know",
        "please",
        "does",
        "did",
        "there's",
        "what's",
        "it's",
        "i'm",
        "we're",
        "they're",
        "let",
        "lets",
    ]
)

_ABBREVIATIONS = (
    "e.g",
    "i.e",
    "etc",
    "para",
    "paras",
    "reg",
    "regs",
    "s",
    "ss",
    "no",
    "nos",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "cf",
    "vol",
    "art",
    "sch",
    "cm",
    "hc",
    "p",
    "pp",
    "c",
    "ch",
    "co",
    "ltd",
    "inc",
    "vs",
    "v",
    "fig",
    "approx",
    "sec",
)
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?P<note>\d{1,2}(?=\s+[A-Z]))?[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9£])"
)
_FOOTNOTE_TAIL = re.compile(r"([.!?][\"')\]]?)\d{1,2}$")


def normalise(text: str) -> str:
    """Whitespace- and typography-insensitive form used to compare quotes with page text."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    # words hyphenated across lines; [ \t]* (not \s*) before the one newline keeps it linear
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping abbreviations such as "s.123" and "e.g." intact and a
    footnote number printed after a full stop ("scheme.11 The") with its sentence."""
    flat = " ".join(text.split())
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(flat):
        body = flat[start : match.start()].rstrip()
        last_word = body.rsplit(" ", 1)[-1].rstrip(".").lower()
        if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
            continue
        if re.fullmatch(r"\(?\d{1,3}[.)]?", body):  # a paragraph number, not a sentence
            continue
        # keep closing quotes/brackets and a footnote number with the sentence
        sentence = flat[start : match.start() + len(match.group(0).rstrip())]
        if sentence:
            pieces.append(sentence)
        start = match.end()
    tail = flat[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def without_footnote_number(sentence: str) -> str:
    """'...scheme.11' -> '...scheme.' for display; the quote keeps the page's exact text."""
    return _FOOTNOTE_TAIL.sub(r"\1", sentence)


_TOKEN = re.compile(r"[a-z0-9£]+(?:[.'-][a-z0-9]+)*")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text).lower())


def stem(word: str) -> str:
    """A light suffix stripper: enough to match "mutuals" with "mutual", "transferred" with
    "transfer"; not a linguistic stemmer."""
    for suffix in (
        "ations",
        "ation",
        "ments",
        "ment",
        "ings",
        "ing",
        "ies",
        "ied",
        "ers",
        "er",
        "ed",
        "es",
        "s",
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                base += "y"
            return base
    return word


def key_terms(text: str) -> list[str]:
    """Content-bearing stems of a question or passage, in order, without repeats."""
    seen: dict[str, None] = {}
    for token in tokens(text):
        if token in STOPWORDS or len(token) < 2:
            continue
        seen.setdefault(stem(token), None)
    return list(seen)


_ENDS_CLAUSE = re.compile(r"[.!?:;,]['\")\]]?$")
_SENTENCE_SHAPE = re.compile(r"^[\"'(]?[A-Z0-9£].*[.!?][\"')\]]?\d{0,2}$")


def prose_blocks(text: str) -> list[str]:
    """Runs of wrapped prose lines, with headings, running headers, folios and table rows cut
    out. A line counts as prose if it is long compared with the page's longest lines (wrapped
    body text fills the measure) or ends a clause; short unpunctuated lines are fragments."""
    lines = [line.strip() for line in text.splitlines()]
    lengths = sorted((len(line) for line in lines if line), reverse=True)
    if not lengths:
        return []
    measure = lengths[len(lengths) // 10]  # 90th percentile: robust to an overlong line
    blocks: list[str] = []
    current: list[str] = []
    for line in lines:
        full = len(line) >= 0.7 * measure
        if line and (full or _ENDS_CLAUSE.search(line) or current):
            current.append(line)
            if not full:  # a short line ends a paragraph (or is a fragment)
                blocks.append(" ".join(current))
                current = []
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


_FOOTNOTE_START = re.compile(r"^\d{1,2} [A-Z]")  # "7 Best Value ..." (a paragraph is "7. ...")


def prose_sentences(text: str) -> list[str]:
    """Sentences of the page's prose only: each starts like a sentence and ends with . ! or ?;
    footnotes (a bare number, no full stop, then text) are not prose."""
    out: list[str] = []
    for block in prose_blocks(text):
        if _FOOTNOTE_START.match(block):
            continue
        out.extend(
            s
            for s in split_sentences(block)
            if _SENTENCE_SHAPE.match(s) and not _FOOTNOTE_START.match(s)
        )
    return out


def weighted_coverage(focus: set[str], context: set[str], found: set[str]) -> float:
    """Share of the question's key terms found, counting a follow-up's context terms half."""
    context = context - focus
    total = len(focus) + 0.5 * len(context)
    if not total:
        return 0.0
    return (len(focus & found) + 0.5 * len(context & found)) / total
