"""What a question asks for, so that the answer can lead with it.

An officer's question asks for a particular kind of thing: a duration ("how long do we have to
respond?"), a date, a sum, a count, a name, a yes or no, what a term means, the steps of a
procedure, the options open, a comparison, or a reason. The composer leads with the sentence
that states that kind of thing (`states`), and checks the particulars the question names (a
year, a place, a body, a figure) in that sentence (`particulars`).

>>> asked("How long does the council have to respond?").kind
'duration'
>>> asked("What are the steps to set up a staff mutual?").kind
'procedure'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DURATION, DATE, AMOUNT, COUNT, NAME = "duration", "date", "amount", "count", "name"
YES_NO, DEFINITION, PROCEDURE, OPTIONS, COMPARISON, REASON, OTHER = (
    "yes_no",
    "definition",
    "procedure",
    "options",
    "comparison",
    "reason",
    "other",
)
PARTICULAR_KINDS = (DURATION, DATE, AMOUNT, COUNT, NAME)

_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|"
    r"twenty|thirty|forty|fifty|sixty|ninety|a|an|several|\d+(?:\.\d+)?)"
)
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
)

# The question's form, checked in order: the first that matches says what it asks for.
_ASKS: list[tuple[str, re.Pattern[str]]] = [
    (
        COMPARISON,
        re.compile(
            r"\b(difference|differences|differ|compare|comparison|versus|vs\.?|better|"
            r"pros and cons|advantages? and disadvantages?)\b|\bwhich is (more|less|best)\b",
            re.I,
        ),
    ),
    (
        DURATION,
        re.compile(
            r"\bhow (long|soon|quickly|many (days|weeks|months|years))\b|\b(deadline|time limit|"
            r"notice period|time ?frame|within what|by when|how much time|how much notice|"
            r"minimum period|maximum (term|period|length)|longest|shortest)\b",
            re.I,
        ),
    ),
    (DATE, re.compile(r"^\s*(and |so |but )?(when|what date|what year|since when)\b", re.I)),
    (
        AMOUNT,
        re.compile(
            r"\bhow much\b|\bwhat (is|was|were|are) the (cost|costs|budget|value|price|fee|"
            r"fees|sum|amount|threshold|limit|funding|grant|allocation|spend)\b|\b(cost|"
            r"budget|threshold|funding|allocation) (of|for|in)\b",
            re.I,
        ),
    ),
    (COUNT, re.compile(r"\bhow many\b|\bwhat (number|share|proportion|percentage)\b", re.I)),
    (
        PROCEDURE,
        re.compile(
            r"\bhow (do|does|did|should|can|could|would|will|must) (we|i|you|they|a council|"
            r"councils|the council|officers|staff|an officer|one)\b|\bhow to\b|\b(what|which) "
            r"(are the |)(steps|stages|process|procedure)\b|\bwhat (do|should|must) (we|i) "
            r"(do|need to do|have to do|sort out|check|put in place|set up)\b|\bstep[- ]by[- ]step"
            r"\b|\bwhat (needs|has) to (happen|be done)\b|\bchecklist\b|\bwhere do (we|i) start\b",
            re.I,
        ),
    ),
    (
        OPTIONS,
        re.compile(
            r"\b(what|which) (are the |)(options|routes|ways|choices|models|legal forms|forms|"
            r"alternatives|types)\b|\bwhat (can|could) (we|i|a council|councils) (use|choose)\b",
            re.I,
        ),
    ),
    (
        DEFINITION,
        re.compile(
            r"^\s*(and |so )?(what|who) (is|are) (a|an|the)?\s*[\w' -]{2,60}\??\s*$|\bwhat does "
            r"[\w' -]+ mean\b|\bmeaning of\b|\bdefin(e|ition)\b|\bwhat counts as\b|\bwhat is "
            r"meant by\b|\bin plain (words|english|terms)\b|\bexplain\b",
            re.I,
        ),
    ),
    (REASON, re.compile(r"^\s*(and |so |but )?why\b|\bwhat (is|was) the reason\b", re.I)),
    (
        NAME,
        re.compile(
            r"^\s*(and |so )?(who|which|whom)\b|\bwhat (is|was) the name\b|\bwhat (body|"
            r"organisation|council|department|regulator|minister|act|law|regulation|scheme|"
            r"programme|fund)\b",
            re.I,
        ),
    ),
    (
        YES_NO,
        re.compile(
            r"^\s*(and |so |but )?(is|are|was|were|can|could|does|do|did|will|would|should|"
            r"must|may|might|has|have|had|shall)\b",
            re.I,
        ),
    ),
]

# What a sentence must hold to state each kind of particular.
STATES: dict[str, re.Pattern[str]] = {
    DURATION: re.compile(
        rf"\b{_NUMBER_WORDS}[- ](?:working |calendar |clear |full )?(?:day|week|month|year|"
        rf"hour)s?\b|\bwithin\b|\bdeadline\b|\b(?:no|not) (?:later|longer|more) than\b|\buntil\b"
        rf"|\bbefore the\b",
        re.I,
    ),
    DATE: re.compile(
        rf"\b(?:\d{{1,2}} )?{_MONTH}\.? (?:\d{{1,2}}, )?(?:19|20)\d{{2}}\b|\b(?:in|"
        r"from|since|on|by|until|during) (?:19|20)\d{2}\b|\b(?:19|20)\d{2}\b"
    ),
    AMOUNT: re.compile(
        r"£\s?\d|\b\d[\d,.]*\s?(?:million|billion|bn|m|k|thousand|per cent|percent|%|pounds|"
        r"euros?)\b|€\s?\d",
        re.I,
    ),
    COUNT: re.compile(
        r"\b(?<![£€])(?:\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
        r"twelve|twenty|thirty|forty|fifty|hundred|dozens?|hundreds|thousands)\b(?!\s?(?:"
        r"January|February|March|April|May|June|July|August|September|October|November|"
        r"December))",
        re.I,
    ),
    NAME: re.compile(
        r"\b[A-Z][a-z]+(?: [A-Z][a-z]+|\s(?:of|and|for) [A-Z][a-z]+)+\b|\b[A-Z]{2,}\b"
    ),
}
_YEAR = re.compile(r"\b(?:19|20)\d{2}(?:[-/](?:\d{2}|\d{4}))?\b")
_SUM = re.compile(r"£\s?\d[\d,.]*\s?(?:million|billion|bn|m|k)?|\b\d+(?:\.\d+)?\s?(?:%|per cent)")
# Places and bodies whose neighbours a library often covers instead (England for Wales).
_PLACE = re.compile(
    r"\b(England|Wales|Scotland|Northern Ireland|Great Britain|United Kingdom|UK|Ireland|"
    r"London|EU|European Union)\b"
)


@dataclass(frozen=True, slots=True)
class Asked:
    kind: str  # one of the kinds above
    particulars: tuple[str, ...] = ()  # years, sums and places the question names

    @property
    def wants_particular(self) -> bool:
        """Whether the answer must state a particular of the kind asked for."""
        return self.kind in PARTICULAR_KINDS


def asked(question: str) -> Asked:
    """What the question asks for and the particulars it names."""
    kind = next((k for k, pattern in _ASKS if pattern.search(question)), OTHER)
    if kind == DEFINITION and re.match(r"^\s*(and |so )?who\b", question, re.I):
        kind = NAME
    found = [m.group(0) for m in _YEAR.finditer(question)]
    found += [m.group(0).strip() for m in _SUM.finditer(question)]
    found += [m.group(0) for m in _PLACE.finditer(question)]
    return Asked(kind, tuple(dict.fromkeys(found)))


def states(kind: str, sentence: str) -> bool:
    """Whether a sentence states a particular of the kind (a duration, a date, ...)."""
    pattern = STATES.get(kind)
    return bool(pattern and pattern.search(sentence))


def years_in(text: str) -> set[str]:
    """The years a text names, "2021-22" counted as 2021 and 2022."""
    found: set[str] = set()
    for match in _YEAR.finditer(text):
        value = match.group(0)
        first = value[:4]
        found.add(first)
        rest = re.split(r"[-/]", value)[1:] if re.search(r"[-/]", value) else []
        for tail in rest:
            found.add(tail if len(tail) == 4 else first[:2] + tail)
    return found


def places_in(text: str) -> set[str]:
    return {m.group(0) for m in _PLACE.finditer(text)}
