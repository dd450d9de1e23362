"""The default answer, with no LLM: composed from the retrieved passages' own sentences, quoted,
each tied to its passage; led by the sentence that states what the question asks for.

The composer works out what is asked (assistant.questions): a duration, a date, a sum, a count,
a name, a yes or no, a definition, a procedure, the options, a comparison. Then:

- the answer leads with the sentence that best answers the question and, for a "how long / when
  / how much / how many / who" question, states that kind of particular;
- a procedure (or the options) is given as the documents' own list, numbered, in their order,
  each step cited: a list that runs on into the next passage is followed there;
- the supporting points come after, grouped by the document they come from;
- every quoted sentence stands on its own: one that opens by pointing back ("This", "They",
  "The second is", "However") carries the sentence it points back to, or is not used;
- footnote digits never stick to the quoted words, and a document's own "[3]" never passes for
  the answer's citation markers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from assistant.embeddings import Embedder
from assistant.followup import own_subject
from assistant.generation.base import Draft, Statement
from assistant.questions import (
    AMOUNT,
    COUNT,
    DEFINITION,
    DURATION,
    OPTIONS,
    PROCEDURE,
    Asked,
    asked,
    places_in,
    states,
    years_in,
)
from assistant.safety import escape_markers, instruction_like
from assistant.text import (
    key_terms,
    prose_sentences,
    split_sentences,
    weighted_coverage,
    without_footnote_number,
)
from assistant.types import Chunk, Hit

_PARAGRAPH_START = re.compile(r"(?m)^\s*(\d{1,3})\.\s+")
_LEADING_NUMBER = re.compile(r"^\(?(\d{1,3})[.)]\s+")
# A list item: a bullet, a lettered or roman item, a closing-bracket number, or "Step 3:".
_ITEM = re.compile(
    r"^\s*(?:[-\u2022\u2023\u25aa\u25cf\u2013\u2014*\u25e6\u2043]\s+|\(?[a-z]\)\s+|"
    r"\(?(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)\)\s+|\(?\d{1,2}\)\s+|"
    r"(?:step|stage|phase)\s+\d{1,2}\s*[:.\-\u2013]\s*)",
    re.IGNORECASE,
)
# A sentence that points back to something before it and cannot stand alone.
_DANGLING = re.compile(
    r"^\s*(?:this|these|that|those|it|its|they|their|them|such|however|but|also|in addition|"
    r"additionally|moreover|furthermore|therefore|thus|hence|as a result|instead|otherwise|"
    r"similarly|likewise|both|each of (?:them|these)|either|neither|he|she|his|her|here|then|"
    r"so|and|or|nor|yet|still|even so|in (?:this|that|these|those|such) (?:case|cases|way|"
    r"event)|on (?:this|that) basis|at (?:that|this) (?:time|point|stage)|the (?:former|latter|"
    r"same|remaining|rest|above)|the (?:first|second|third|fourth|fifth|other|following)(?=\s*"
    r"(?:is|are|was|were|one|ones|of|has|had|can|will|would|,|\.))|another|"
    r"one of (?:them|these|those)|for (?:this|that|these) reasons?|to (?:do )?(?:this|that)|"
    r"by contrast|in contrast|in turn|unlike)\b",
    re.IGNORECASE,
)
# ... unless it is only an impersonal "it": "It is important to ...", "It was not clear whether".
_IMPERSONAL_IT = re.compile(
    r"^\s*it (?:is|was|will be|would be|may be|can be|has been|had been|remains?) (?:\w+ ){0,3}"
    r"(?:to|that|whether|if|how|what|when|why|for)\b",
    re.IGNORECASE,
)
_DEFINES = re.compile(
    r"\b(?:is|are|means|mean|refers? to|is defined as|are defined as|describes?|is the term|"
    r"covers?)\b",
    re.IGNORECASE,
)
_INTRODUCES_LIST = re.compile(
    r"(?::\s*$|\b(?:steps?|stages?|checklist|following|as follows|sequence|in order|process)\b)",
    re.IGNORECASE,
)
# A sentence that says what to do (rather than what happened).
_INSTRUCTS = re.compile(
    r"\b(?:should|must|needs? to|will need|has to|have to|is required|are required|it is "
    r"(?:best|wise|important) to|make sure|ensure|check|agree|consider)\b",
    re.IGNORECASE,
)
# ... and one that tells what happened, once, somewhere ("Epic CIC began running ... in 2013").
_NARRATES = re.compile(
    r"\b(?:began|was|were|had|followed|launched|became|described|explained|agreed|prepared|"
    r"decided|opened|announced|reported)\b",
    re.IGNORECASE,
)
_YEAR_IN = re.compile(r"\b(?:19|20)\d\d\b")
_MAX_ITEMS = 20
_EMBEDDED = 20  # at most this many candidate sentences are embedded for one answer
_OWN_NUMBER = re.compile(r"^(?:step|stage|phase)\s+\d{1,2}\b", re.IGNORECASE)
_MAX_ITEM_CHARS = 600


@dataclass(slots=True)
class _Sentence:
    text: str  # as shown: no paragraph number, footnote digits or stray markers
    quote: str  # what is verified on the page (the same words)
    hit_rank: int
    chunk: Chunk
    position: int  # order within its chunk
    paragraph: str | None
    terms: frozenset[str]
    item: bool = False  # a list item (a step, an option)
    block: int = 0  # which block of the chunk it is in
    score: float = 0.0
    similarity: float = 0.0  # cosine with the question (with what it points back to)
    cheap: float = 0.0  # the score before the sentence is embedded (to choose what to embed)
    before: list[_Sentence] = field(default_factory=list)  # what it points back to, if anything

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.chunk.chunk_id, self.block, self.position)


def _clean(sentence: str) -> str:
    return escape_markers(without_footnote_number(" ".join(sentence.split())))


def dangling(sentence: str) -> bool:
    """Whether a sentence opens by pointing back to something it does not say."""
    return bool(_DANGLING.match(sentence)) and not _IMPERSONAL_IT.match(sentence)


def sentences_of(chunk: Chunk, hit_rank: int = 0) -> list[_Sentence]:
    """Every usable sentence and list item of a passage, in reading order (short fragments,
    headings and instruction-like sentences left out)."""
    if chunk.role == "table":
        return _table_rows(chunk, hit_rank)
    out: list[_Sentence] = []
    text = chunk.text
    position = 0
    blocks = text.split("\n\n")
    for block_index, block in enumerate(blocks):
        block = block.strip()
        if not block:
            continue
        item = _ITEM.match(block)
        pieces: list[tuple[str, bool]]
        if item:
            body = block[item.end() :].strip()
            whole = body if len(body) <= _MAX_ITEM_CHARS else ""
            pieces = [(whole, True)] if whole else [(s, True) for s in split_sentences(body)]
        else:
            pieces = [(s, False) for s in prose_sentences(block)]
            following = blocks[block_index + 1].strip() if block_index + 1 < len(blocks) else ""
            if block.endswith(":") and _ITEM.match(following):
                # the sentence that introduces a list ("... follow these steps:")
                intro = split_sentences(block)[-1:] if len(block) < _MAX_ITEM_CHARS else []
                pieces += [(s, False) for s in intro if s not in {p for p, _ in pieces}]
        for piece, is_item in pieces:
            paragraph = None
            lead = _LEADING_NUMBER.match(piece)
            if lead and not is_item:
                paragraph = lead.group(1)
                piece = piece[lead.end() :]
            words = piece.split()
            if (
                len(words) < (3 if is_item else 4)
                or not re.search(r"[a-z]", piece)
                or instruction_like(piece)
            ):
                position += 1  # still counted: a sentence left out breaks what it separates
                continue
            if paragraph is None:
                offset = " ".join(text.split()).find(piece[:40])
                paragraph = _paragraph_at(text, offset) if offset >= 0 else None
            shown = _clean(piece)
            out.append(
                _Sentence(
                    shown,
                    shown,
                    hit_rank,
                    chunk,
                    position,
                    paragraph,
                    frozenset(key_terms(piece)),
                    item=is_item,
                    block=block_index,
                )
            )
            position += 1
    return out


_CELL_BAR = re.compile(r"\s*\|\s*")


def _table_rows(chunk: Chunk, hit_rank: int) -> list[_Sentence]:
    """A table's rows as statements, each read with its column headings ("Time limit: Within
    30 days"); the quote is the row's own cells, which is what the page shows in that order."""
    # cells are joined by " | " (ingest.document.table_row); an empty first cell leaves "| x"
    rows = [
        [cell.strip() for cell in _CELL_BAR.split(line.strip())]
        for line in chunk.text.split("\n")
        if "|" in line
    ]
    if len(rows) < 2:
        return []
    header, out = rows[0], []
    for position, cells in enumerate(rows[1:]):
        if len(cells) != len(header) or len(" ".join(cells).split()) < 4:
            continue
        if instruction_like(" ".join(cells)) or not any(re.search(r"[a-z]", c) for c in cells):
            continue
        shown = "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True))
        quote = " ".join(c for c in cells if c)
        out.append(
            _Sentence(
                _clean(shown) if shown.endswith(".") else _clean(shown) + ".",
                quote,
                hit_rank,
                chunk,
                position,
                None,
                frozenset(key_terms(" ".join(cells))),
            )
        )
    return out


def _paragraph_at(chunk_text: str, offset: int) -> str | None:
    number = None
    for match in _PARAGRAPH_START.finditer(chunk_text):
        if match.start() > offset:
            break
        number = match.group(1)
    return number


Neighbour = Callable[[Chunk, int], Chunk | None]


class ExtractiveGenerator:
    """Composes the answer from the passages' sentences (see the module docstring).

    `neighbour(chunk, offset)` gives the passage before (-1) or after (+1) one in its
    document, so that a sentence can carry the one it points back to and a list can be followed
    into the next passage; without it, only the retrieved passages are used.
    """

    streams = False

    def __init__(
        self,
        embedder: Embedder,
        passages: int = 5,
        max_sentences: int = 4,
        neighbour: Neighbour | None = None,
    ) -> None:
        self.embedder = embedder
        self.passages = passages
        self.max_sentences = max_sentences
        self.neighbour = neighbour

    def stream(self, question: str, hits: Sequence[Hit], context: str = "") -> Iterator[Draft]:
        """Nothing to stream: the composed Draft at once."""
        yield self.generate(question, hits, context)

    def generate(self, question: str, hits: Sequence[Hit], context: str = "") -> Draft:
        top = list(hits[: self.passages])
        what = asked(question)
        pool = [
            s
            for rank, hit in enumerate(top)
            # a table's rows answer a question after a particular (a time limit, a sum);
            # other questions are answered in the documents' prose
            if hit.chunk.role != "table" or what.wants_particular
            for s in sentences_of(hit.chunk, rank)
        ]
        pool = self._whole_thoughts(pool)
        if not pool:
            return Draft(())
        own = own_subject(question, context) if context else set()
        if own:
            # "What about pensions?" after a question on contracts: the answer is about pensions
            on_subject = [s for s in pool if own & set(s.terms).union(*(b.terms for b in s.before))]
            pool = on_subject or pool
        pool = self._score(pool, question, context, top, what)
        pool.sort(key=lambda s: s.score, reverse=True)
        if what.kind in (PROCEDURE, OPTIONS):
            listed = self._list_answer(pool, what)
            if listed is not None:
                return listed
        focus = set(key_terms(question))
        lead = self._lead(pool, what, focus)
        lead, neighbour = self._about_particulars(lead, pool, what, focus)
        chosen = [lead]
        for cand in pool:
            if len(chosen) >= self.max_sentences or cand.score < lead.score - 0.15:
                break
            if neighbour:
                break  # an answer about a neighbour offers only the nearest thing it says
            if cand is lead or any(_similar(cand, other) for other in chosen):
                continue
            chosen.append(cand)
        # steps are numbered only when they are one document's own sequence
        numbered = what.kind == PROCEDURE and len({s.chunk.source_file for s in chosen}) == 1
        return Draft(
            self._statements(lead, chosen[1:], numbered=numbered),
            neighbour=neighbour,
            lead_similarity=lead.similarity,
        )

    # -- particulars -------------------------------------------------------------------------
    def _about_particulars(
        self, lead: _Sentence, ranked: list[_Sentence], what: Asked, focus: set[str]
    ) -> tuple[_Sentence, str]:
        """The lead, checked against the year and place the question names: a sentence about
        another year (2018 for 2020) or place (England for Wales) does not answer. A nearly as
        good sentence about the named one leads instead; failing that, the lead is kept and the
        returned note says which neighbour it is about (the answer is then withheld)."""
        years = set(years_in(" ".join(what.particulars)))
        places = places_in(" ".join(what.particulars))
        figure = what.kind in (COUNT, AMOUNT, DURATION)
        if not places and not (years and figure):
            return lead, ""

        def wrong(s: _Sentence) -> str:
            # the sentence and its headings; not the title ("... 2008-2020" covers many years)
            where = " ".join([_with_before(s), s.chunk.heading])
            if years and figure and not years & years_in(where):
                other = sorted(years_in(_with_before(s)) - years)
                if other:
                    return f"the figure for {_join(other)}, and none for {_join(sorted(years))}"
            if places and not places & places_in(where):
                other = sorted(places_in(_with_before(s)) - places)
                if other:
                    return f"what applies in {_join(other)}, not {_join(sorted(places))}"
            return ""

        note = wrong(lead)
        if not note:
            return lead, ""
        for cand in ranked:
            if cand.score < lead.score - 0.2:
                break
            if cand is lead or wrong(cand) or not _names_any(cand, years, places):
                continue
            if not what.wants_particular or _answers(what, cand, focus):
                return cand, ""
        return lead, note

    # -- whole thoughts ----------------------------------------------------------------------
    def _whole_thoughts(self, pool: list[_Sentence]) -> list[_Sentence]:
        """Give each sentence that points back the sentence(s) it points back to (up to two,
        from its passage or the one before it on the same page); drop the ones that cannot be
        given their antecedent."""
        by_chunk: dict[str, list[_Sentence]] = {}
        for s in pool:
            by_chunk.setdefault(s.chunk.chunk_id, []).append(s)
        kept: list[_Sentence] = []
        for s in pool:
            if s.item or not dangling(s.text):
                kept.append(s)
                continue
            before = self._antecedents(s, by_chunk[s.chunk.chunk_id])
            if before:
                s.before = before
                kept.append(s)
        return kept

    def _antecedents(self, s: _Sentence, siblings: list[_Sentence]) -> list[_Sentence]:
        earlier = [o for o in siblings if o.position < s.position and not o.item]
        if not earlier and s.position == 0 and self.neighbour is not None:
            # the passage opens with it: what it points back to ends the passage before
            previous = self.neighbour(s.chunk, -1)
            same_section = previous is not None and previous.heading == s.chunk.heading
            if previous is not None and same_section and previous.page == s.chunk.page:
                earlier = [o for o in sentences_of(previous, s.hit_rank) if not o.item]
        chain: list[_Sentence] = []
        for other in reversed(earlier):
            if chain and chain[0].position != other.position + 1:
                break
            chain.insert(0, other)
            if not dangling(other.text) or len(chain) == 2:
                break
        if not chain or dangling(chain[0].text):
            return []
        if s.position - chain[-1].position > 1 and chain[-1].chunk is s.chunk:
            return []  # not the sentence just before it
        return chain

    # -- scoring -----------------------------------------------------------------------------
    def _score(
        self, pool: list[_Sentence], question: str, context: str, top: Sequence[Hit], what: Asked
    ) -> list[_Sentence]:
        """Score the sentences; returns the ones worth embedding, scored (the rest, far from
        the question on every cheap signal, are left out: embedding is most of an answer's
        time)."""
        import numpy as np

        focus, earlier = set(key_terms(question)), set(key_terms(context))
        topics: dict[str, float] = {}  # how far each passage's document and headings are on topic
        for s in pool:
            terms = set(s.terms).union(*(b.terms for b in s.before))
            chunk = s.chunk
            if chunk.chunk_id not in topics:
                where = set(key_terms(f"{chunk.document} {chunk.heading}"))
                topics[chunk.chunk_id] = weighted_coverage(focus, earlier, where)
            rest = 0.25 * weighted_coverage(focus, earlier, terms)
            rest += 0.10 * topics[chunk.chunk_id] + 0.15 * top[s.hit_rank].score
            if what.wants_particular and states(what.kind, _with_before(s)):
                rest += 0.08
            if what.kind == DEFINITION and _defines(s.text, focus):
                rest += 0.05
            if what.kind == PROCEDURE:
                # "how do we ...?" is answered by what to do, not by what happened once
                if s.item or _INSTRUCTS.search(s.text):
                    rest += 0.06
                elif _NARRATES.search(s.text) and _YEAR_IN.search(s.text):
                    rest -= 0.06
            s.score = rest
            # until it is embedded, the passage's own closeness stands in for the sentence's
            s.cheap = rest + 0.50 * top[s.hit_rank].similarity
        pool = sorted(pool, key=lambda s: s.cheap, reverse=True)[:_EMBEDDED]
        q_vec = np.asarray(self.embedder.embed_in_context(question, context), np.float32)
        # Each sentence is embedded on its own (and cached, so a passage met again costs
        # nothing); one that points back is scored with what it points back to added in.
        texts = list(dict.fromkeys(t.quote for s in pool for t in (*s.before, s)))
        rows = self.embedder.sentence_vectors(texts)
        at = {text: i for i, text in enumerate(texts)}
        for s in pool:
            vec = rows[at[s.quote]]
            if s.before:
                vec = vec + rows[[at[b.quote] for b in s.before]].sum(axis=0)
                vec = vec / (float(np.linalg.norm(vec)) or 1.0)
            s.similarity = float(vec @ q_vec)
            s.score += 0.50 * s.similarity
            if earlier:
                # a follow-up stays on the conversation's subject: a sentence whose passage,
                # headings and document never name it is about something else
                chunk = s.chunk
                subject = set(s.terms).union(*(b.terms for b in s.before))
                subject |= set(key_terms(f"{chunk.document} {chunk.heading}"))
                s.score *= 0.7 + 0.3 * len(earlier & subject) / len(earlier)
        return pool

    def _lead(self, ranked: list[_Sentence], what: Asked, focus: set[str]) -> _Sentence:
        """The best sentence; for a question after a particular, the best one stating it, if
        it is nearly as good."""
        best = ranked[0]
        if what.wants_particular and not _answers(what, best, focus):
            for cand in ranked[1:]:
                if cand.score < best.score - 0.25:
                    break
                if _answers(what, cand, focus):
                    return cand
        return best

    # -- lists -------------------------------------------------------------------------------
    def _list_answer(self, ranked: list[_Sentence], what: Asked) -> Draft | None:
        """The steps (or options) as the best-matching list in the passages gives them, whole
        and in order, numbered; None when no list answers the question as well as a sentence."""
        best_item = None
        for s in ranked[:4]:
            if s.item:
                if s.score >= ranked[0].score - 0.06:
                    best_item = s
                break
            if _INTRODUCES_LIST.search(s.text):  # "To set up a mutual, follow these steps:"
                following = [
                    o for o in sentences_of(s.chunk, s.hit_rank) if o.position == s.position + 1
                ]
                if following and following[0].item:
                    best_item = following[0]
                    break
        if best_item is None:
            return None  # no list is among the best answers: sentences answer better
        items = self._whole_list(best_item)
        if len(items) < 2:
            return None
        intro = self._list_intro(best_item, items[0])
        rest = [s for s in ranked if not s.item and s is not intro][:1]
        statements = self._statements(intro, [], numbered=False) if intro else ()
        # items that carry their own numbers ("Step 3: ...") keep them; others are numbered
        own_numbers = all(_OWN_NUMBER.match(s.text) for s in items)
        steps = tuple(
            Statement(
                s.text,
                s.chunk,
                s.quote,
                s.paragraph,
                prefix="" if own_numbers else f"{n}. ",
                starts_paragraph=own_numbers or n == 1,
            )
            for n, s in enumerate(items[:_MAX_ITEMS], 1)
        )
        support = tuple(
            Statement(s.text, s.chunk, s.quote, s.paragraph, starts_paragraph=True)
            for s in rest
            if s.score >= ranked[0].score - 0.1
            and s.chunk.source_file != best_item.chunk.source_file
        )
        # the list was chosen for scoring close to the best sentence: that one's closeness
        return Draft((*statements, *steps, *support), lead_similarity=ranked[0].similarity)

    def _whole_list(self, item: _Sentence) -> list[_Sentence]:
        """The list `item` belongs to, from its first item to its last, following it into the
        passages before and after it (same document, same heading)."""
        own = [s for s in sentences_of(item.chunk, item.hit_rank)]
        index = next(i for i, s in enumerate(own) if s.key == item.key)
        start = index
        while start > 0 and own[start - 1].item:
            start -= 1
        end = index
        while end + 1 < len(own) and own[end + 1].item:
            end += 1
        items = own[start : end + 1]
        if self.neighbour is not None and start == 0:  # begins in the passage before
            chunk = item.chunk
            while len(items) < _MAX_ITEMS:
                previous = self.neighbour(chunk, -1)
                if previous is None or previous.heading != chunk.heading:
                    break
                earlier = sentences_of(previous, item.hit_rank)
                run: list[_Sentence] = []
                for s in reversed(earlier):
                    if not s.item:
                        break
                    run.insert(0, s)
                if not run:
                    break
                items = run + items
                chunk = previous
                if len(run) < len(earlier):
                    break
        if self.neighbour is not None:
            chunk = item.chunk
            while end == len(own) - 1 and len(items) < _MAX_ITEMS:  # runs on into the next
                following = self.neighbour(chunk, 1)
                if following is None or following.heading != chunk.heading:
                    break
                more = sentences_of(following, item.hit_rank)
                run = []
                for s in more:
                    if not s.item:
                        break
                    run.append(s)
                if not run:
                    break
                items.extend(run)
                own, chunk, end = more, following, len(run) - 1
                if len(run) < len(more):
                    break
        return items

    def _list_intro(self, item: _Sentence, first: _Sentence) -> _Sentence | None:
        """The sentence that introduces the list, when the passage has one just before it."""
        own = sentences_of(first.chunk, item.hit_rank)
        before = [s for s in own if s.position < first.position and not s.item]
        if before and _INTRODUCES_LIST.search(before[-1].text):
            return before[-1]
        return None

    # -- statements --------------------------------------------------------------------------
    def _statements(
        self, lead: _Sentence | None, rest: list[_Sentence], numbered: bool
    ) -> tuple[Statement, ...]:
        """The lead first; then the rest grouped by document (documents in the order their best
        sentence ranked) and in reading order within each, a new paragraph for each document."""
        if lead is None:
            return ()
        order: dict[str, int] = {}
        for s in [lead, *rest]:
            order.setdefault(s.chunk.source_file, len(order))
        rest = sorted(
            rest,
            key=lambda s: (order[s.chunk.source_file], s.chunk.page, s.chunk.ordinal, s.position),
        )
        out = [_statement(lead)]
        previous_doc = None
        for n, s in enumerate(rest, 2):
            doc = s.chunk.source_file
            out.append(
                _statement(
                    s,
                    prefix=f"{n}. " if numbered else "",
                    starts_paragraph=numbered or doc != previous_doc,
                )
            )
            previous_doc = doc
        if numbered:
            out[0] = _statement(lead, prefix="1. ")
        return tuple(out)


_NUMBER = re.compile(
    r"^(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|hundred|hundreds|thousands|dozens?)$",
    re.IGNORECASE,
)


def _answers(what: Asked, s: _Sentence, focus: set[str]) -> bool:
    """Whether the sentence states the kind of particular asked for; for a count, a number of
    the thing asked about ("about 115 mutuals" for "how many mutuals"), not any number."""
    text = _with_before(s)
    if what.kind != COUNT:
        return states(what.kind, text)
    words = re.findall(r"[\w£€$,.%-]+", text)
    counted = re.search(r"(?i)\b(?:number|total|count) of ([\w' -]{3,60})", text)
    if counted and set(key_terms(counted.group(1))) & focus:
        focus = set()  # "the number of mutuals ... about 130": any count of it will do
        if any(
            _NUMBER.match(w.strip(",.")) and not _YEAR_IN.fullmatch(w.strip(",.")) for w in words
        ):
            return True
    for i, word in enumerate(words):
        bare = word.strip(",.")
        if not _NUMBER.match(bare) or re.fullmatch(r"(?:19|20)\d\d", bare):
            continue  # not a number, or a year
        after = words[i + 1 : i + 4]
        if after and re.match(r"(?i)(?:million|billion|bn|m|k|per|percent|%)\b", after[0]):
            continue  # a sum or a share, not a count
        if set(key_terms(" ".join(after))) & focus:
            return True
    return False


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _names_any(s: _Sentence, years: set[str], places: set[str]) -> bool:
    where = " ".join([_with_before(s), s.chunk.heading])
    return bool(years & years_in(where) or places & places_in(where))


def _with_before(s: _Sentence) -> str:
    return " ".join([*(b.text for b in s.before), s.text])


def _statement(s: _Sentence, prefix: str = "", starts_paragraph: bool = False) -> Statement:
    """A sentence (with what it points back to) as one cited statement."""
    text = _with_before(s)
    return Statement(
        text,
        s.chunk,
        " ".join([*(b.quote for b in s.before), s.quote]),
        (s.before[0] if s.before else s).paragraph,
        prefix=prefix,
        starts_paragraph=starts_paragraph,
    )


def _defines(sentence: str, focus: set[str]) -> bool:
    head = sentence[: max(60, len(sentence) // 2)]
    return bool(_DEFINES.search(head)) and bool(set(key_terms(head)) & focus)


def _similar(a: _Sentence, b: _Sentence) -> bool:
    if (
        a.key == b.key
        or any(x.key == b.key for x in a.before)
        or any(x.key == a.key for x in b.before)
    ):
        return True
    if not a.terms or not b.terms:
        return False
    return len(a.terms & b.terms) / len(a.terms | b.terms) > 0.6
