"""Suggest a title, a date and a kind for a new document, so the upload form comes prefilled.

The date is the one the document is accurate to ("Accurate to 6 December 2012", "Published
March 2013", "Ordered by the House of Commons to be printed 4 December 2012"), read from the
first two pages, else the PDF's creation date. Staff can always overwrite what is suggested;
`check_date` checks what they type.

>>> find_date("Mutuals Guide editorial team. Accurate to 6 December 2012")
'2012-12-06'
>>> guess_kind("", "A digest of the Committee's report (HC 112)")
'committee report'
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from assistant.library import KINDS
from ingest.layout import PageLayout

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_ORDINAL = r"(?:st|nd|rd|th)?"
_WORDY = re.compile(
    rf"(?:\b(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?)?\b{_MONTH}\.?"
    rf"(?:\s+(?P<day2>\d{{1,2}}){_ORDINAL},?)?,?\s+{_YEAR}\b",
    re.IGNORECASE,
)
_ISO = re.compile(rf"\b{_YEAR}-(?P<month>\d{{2}})-(?P<day>\d{{2}})\b")
_NUMERIC = re.compile(rf"\b(?P<day>\d{{1,2}})/(?P<month>\d{{1,2}})/{_YEAR}\b")  # UK order
_CUE = re.compile(
    r"\b(published|publication|accurate|correct (?:at|as|to)|as at|as of|updated|revised|"
    r"issued|dated?|printed)\b",
    re.IGNORECASE,
)
_CUED_YEAR = re.compile(rf"{_CUE.pattern}(?:\s*(?:in|:))?\s*{_YEAR}\b(?![-/])", re.IGNORECASE)
_CUE_REACH = 80  # characters before a date in which a cue word counts
_CHECKED_DATE = re.compile(r"^(?:19|20)\d{2}(?:-\d{2}(?:-\d{2})?)?$")
_JUNK_TITLE = re.compile(
    r"^(untitled.*|document\s*\d*|title|slide \d+|microsoft (word|powerpoint|excel) .*|"
    r"powerpoint presentation|presentation\d*|report|annual report|draft\s*\d*|final|"
    r"new document|doc\d+|[a-z]:\\.*|/.*|.*\.(docx?|pdf|indd|pptx?|xlsx?|rtf|odt|txt|qxd|tex))$",
    re.IGNORECASE,
)
# A cover sheet that labels its title ("Title | ...", "Subject: ..."), as council committee
# reports and forms do; and headings that number a section, which a title never does.
_LABELLED_TITLE = re.compile(
    r"^(?:report title|title of report|name of report|title|subject|report subject)\s*[|:]\s*"
    r"(?P<title>.{3,200})$",
    re.IGNORECASE,
)
_SECTION_HEADING = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?|[A-Z]\.|(?:part|chapter|section|annex|appendix|schedule)\s+"
    r"[\dA-Zivx]+[.:]?)\s+\S",
    re.IGNORECASE,
)
_NOT_A_TITLE = re.compile(
    r"^(contents|table of contents|foreword|preface|summary|executive summary|introduction|"
    r"page \d+|www\..*|https?://.*|\S+@\S+|\d[\d\s./-]*|[ivxlc]+)$",
    re.IGNORECASE,
)
# Each kind is cued by words that must all occur (anywhere, in any order). Every word is its own
# linear search: a lookahead such as (?=.*committee)(?=.*report) rescans the rest of the text
# from every position, which took 60 s on a 50 KB first page.
_KIND_CUES: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = (  # the first match wins
    ("case study", (re.compile(r"\bcase stud(?:y|ies)\b", re.IGNORECASE),)),
    (
        "committee report",
        (re.compile(r"\bcommittee\b", re.IGNORECASE), re.compile(r"\breports?\b", re.I)),
    ),
    (
        "government guidance",
        (re.compile(r"\bguidance\b|\bgovernment response\b|\bbriefing\b", re.IGNORECASE),),
    ),
    ("evidence", (re.compile(r"\bevidence\b|\bsubmissions?\b", re.IGNORECASE),)),
)
_KIND_TEXT_CHARS = 20_000  # the opening of a first page is where its kind is announced


@dataclass(frozen=True, slots=True)
class Suggested:
    """What the upload form is prefilled with; an empty field means nothing was found.
    `candidates` are the possible titles, best first (the library picks the first that no
    other document uses: see `choose_title`); `title` is the first of them."""

    title: str
    date: str  # YYYY-MM-DD, YYYY-MM or YYYY
    kind: str  # one of assistant.library.KINDS
    candidates: tuple[str, ...] = ()


# -- pure parts ----------------------------------------------------------------------------------
def _iso(year: int, month: int | None, day: int | None) -> str:
    """The date at the precision known, or "" when it is not a real date."""
    try:
        dt.date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError:
        return ""
    if month is None:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}" + ("" if day is None else f"-{day:02d}")


def dates_in(text: str) -> list[tuple[int, str, bool]]:
    """Every date written in a text: (position, ISO date at the precision given, cued), where
    cued means a word such as "published" or "accurate to" comes just before it. A year alone
    counts only right after such a word ("Published 2013"), never on its own."""
    found: list[tuple[int, str, bool]] = []
    taken: list[tuple[int, int]] = []

    def cued(start: int) -> bool:
        return bool(_CUE.search(text[max(0, start - _CUE_REACH) : start]))

    for match in _WORDY.finditer(text):
        if not match.group("month")[0].isupper():  # "may 2012" is a verb, "May 2012" a date
            continue
        day = match.group("day") or match.group("day2")
        month = _MONTHS[match.group("month")[:3].lower()]
        value = _iso(int(match.group("year")), month, int(day) if day else None)
        if value:
            found.append((match.start(), value, cued(match.start())))
            taken.append(match.span())
    for pattern in (_ISO, _NUMERIC):
        for match in pattern.finditer(text):
            value = _iso(int(match.group("year")), int(match.group("month")), int(match["day"]))
            if value:
                found.append((match.start(), value, cued(match.start())))
                taken.append(match.span())
    for match in _CUED_YEAR.finditer(text):
        start = match.start("year")
        if not any(a <= start < b for a, b in taken):
            found.append((start, match.group("year"), True))
    return sorted(found)


def find_date(text: str) -> str:
    """The date a document is accurate to, from its opening text: the first date next to a word
    such as "published", "accurate to", "as at" or "printed", else the first full or month
    date; "" when there is none."""
    found = dates_in(text)
    for _, value, cued in found:
        if cued:
            return value
    return found[0][1] if found else ""


def guess_kind(subject: str, first_page: str) -> str:
    """One of KINDS: the PDF's Subject when it names one, else cues in the Subject, then on the
    first page ("case study"; "committee" with "report"; "guidance"; "evidence"), else other."""
    subject = " ".join(subject.split())
    if subject.lower() in KINDS:
        return subject.lower()
    for text in (subject[:_KIND_TEXT_CHARS], first_page[:_KIND_TEXT_CHARS]):
        for kind, cues in _KIND_CUES:
            if text and all(cue.search(text) for cue in cues):
                return kind
    return "other"


def usable_title(title: str) -> str:
    """A metadata title worth showing, or "" for the junk that authoring tools leave there
    ("Microsoft Word - draft3.docx", "Untitled")."""
    title = " ".join(title.split())
    return "" if len(title) < 3 or _JUNK_TITLE.match(title) else title


def _clean_title(text: str) -> str:
    return " ".join(text.split()).strip(" .,;:-\u2013\u2014|")


def _title_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def heading_titles(
    layouts: Sequence[PageLayout], texts: Sequence[str], pages: int = 3
) -> list[str]:
    """Headings of the first `pages` pages, most prominent first (largest type, then earliest),
    leaving out what cannot be a document's own title: a line the document repeats on other
    pages (a running header, a company or programme name printed on every page), contents and
    section words, dates, addresses, page numbers. Falls back to the first page's first short
    line without a full stop when there is no heading."""
    seen_on: dict[str, set[int]] = {}
    for number, layout in enumerate(layouts):
        for block in layout.blocks:
            if block.kind in ("heading", "paragraph"):
                seen_on.setdefault(_title_key(block.text), set()).add(number)
    repeated = {key for key, where in seen_on.items() if len(where) >= 3}
    found: list[tuple[int, int, int, str]] = []
    for number, layout in enumerate(layouts[:pages]):
        for order, block in enumerate(layout.blocks):
            labelled = _LABELLED_TITLE.match(" ".join(block.text.split()))
            if labelled and number < 2:  # "Title | ...": the document says what its title is
                found.append((-1, number, order, _clean_title(labelled.group("title"))))
                continue
            text = _clean_title(block.text)
            key = _title_key(text)
            if (
                block.kind != "heading"
                or _SECTION_HEADING.match(text)
                or not 3 <= len(text) <= 200
                or not re.search(r"[A-Za-z]{3}", text)
                or _NOT_A_TITLE.match(text)
                or key in repeated
                or find_date(text)
                and len(text.split()) <= 4
            ):
                continue
            found.append((block.level, number, order, text))
    titles = [t for *_, t in sorted(found)]
    if not titles and texts:
        for line in texts[0].splitlines():
            line = _clean_title(line)
            if (
                3 <= len(line) < 120
                and not line.endswith(".")
                and re.search(r"[A-Za-z]{3}", line)
                and _title_key(line) not in repeated
                and not _NOT_A_TITLE.match(line)
            ):
                titles.append(line)
                break
    return list(dict.fromkeys(titles))


def heading_title(layout: PageLayout | None, text: str) -> str:
    """The first page's most prominent title-like heading (see `heading_titles`); "" if none."""
    found = heading_titles([layout] if layout is not None else [], [text], pages=1)
    return found[0] if found else ""


def title_candidates(
    meta_title: str, layouts: Sequence[PageLayout], texts: Sequence[str], name: str
) -> list[str]:
    """Possible titles, best first: the metadata title when meaningful, the prominent headings
    of the first pages, then one made from the file name."""
    found = [usable_title(meta_title), *heading_titles(layouts, texts), title_from_name(name)]
    keys: set[str] = set()
    out: list[str] = []
    for title in found:
        key = _title_key(title)
        if key and key not in keys:
            keys.add(key)
            out.append(title)
    return out


def choose_title(
    candidates: Sequence[str], taken: dict[str, str], boilerplate: set[str], date: str = ""
) -> str:
    """The first candidate no other document of the library already uses as its title
    (`taken`: title key -> date of that document) and that is not boilerplate (a line other
    documents also print on their first pages: a company or council name); if every candidate
    is taken, the first one, told apart by its date or else marked as another document."""
    usable = [c for c in candidates if _title_key(c) not in boilerplate] or list(candidates)
    for title in usable:
        if _title_key(title) not in taken:
            return title
    if not usable:
        return ""
    first = usable[0]
    other_date = taken.get(_title_key(first), "")
    if date and date != other_date:
        return f"{first} ({date})"
    n = 2
    while _title_key(f"{first} ({n})") in taken:
        n += 1
    return f"{first} ({n})"


def title_keys(titles: Sequence[str]) -> set[str]:
    return {_title_key(t) for t in titles if _title_key(t)}


def title_from_name(name: str) -> str:
    """'01-clg-committee_report.pdf' -> 'Clg committee report'."""
    stem = Path(name).stem
    return re.sub(r"[-_]+", " ", re.sub(r"^\d+[-_ ]+", "", stem)).strip().capitalize() or stem


def check_date(date: str) -> str:
    """The date as typed, if it is a real YYYY-MM-DD, YYYY-MM or YYYY; ValueError otherwise."""
    date = date.strip()
    if _CHECKED_DATE.match(date):
        parts: list[int | None] = [int(p) for p in date.split("-")]
        year, month, day = (parts + [None, None])[:3]
        if year is not None and _iso(year, month, day):
            return date
    raise ValueError(
        f"the date {date!r} is not a date: write it as YYYY-MM-DD, YYYY-MM or YYYY "
        "(for example 2012-12-06)"
    )


# -- reading a PDF -------------------------------------------------------------------------------
class ReadPageLike(Protocol):
    """What `suggest` reads of a page (ingest.pdf.ReadPage)."""

    @property
    def text(self) -> str: ...
    @property
    def full_text(self) -> str: ...
    @property
    def layout(self) -> PageLayout: ...


def suggest(metadata: dict[str, object], pages: Sequence[ReadPageLike], name: str) -> Suggested:
    """Title, date and kind for a document, from its metadata (`read_metadata`) and its first
    pages as read.

    >>> suggest(read_metadata(reader), loaded.pages, "guide.pdf")  # doctest: +SKIP
    Suggested(title='Mutual and co-operative ...', date='2012-12-06', kind='committee report')
    """
    first = pages[0].text if pages else ""
    candidates = title_candidates(
        str(metadata.get("title") or ""),
        [p.layout for p in pages],
        [p.text for p in pages[:3]],
        name,
    )
    opening = "\n\n".join(p.full_text for p in pages[:2])
    date = find_date(opening) or str(metadata.get("created") or "")
    kind = guess_kind(str(metadata.get("subject") or ""), first)
    return Suggested(candidates[0] if candidates else "", date, kind, tuple(candidates))


def suggest_file(path: Path) -> Suggested:
    """`suggest` for a file on disk, reading only its first pages (the upload form calls this
    as soon as a file is chosen), the same way ingest reads them. Raises RefusedFile for a file
    that cannot be read."""
    from ingest.readers import DocumentLoader

    loaded = DocumentLoader().load_bytes(path.read_bytes(), path.name, first_pages=3)
    assert loaded.suggested is not None
    return loaded.suggested


def read_metadata(pdf: bytes | Any) -> dict[str, object]:
    """Title, subject and creation date (as an ISO date) from the PDF's document information
    (`pdf` is the file's bytes or a pypdf `PdfReader`); whatever cannot be read is left out."""
    found: dict[str, object] = {}
    try:
        if isinstance(pdf, bytes | bytearray):
            from pypdf import PdfReader

            pdf = PdfReader(io.BytesIO(pdf))
        meta = pdf.metadata
    except Exception:
        return found
    if not meta:
        return found
    for key in ("title", "subject"):
        try:
            found[key] = str(getattr(meta, key) or "").strip()
        except Exception:
            continue
    try:
        created = meta.creation_date
    except Exception:  # a malformed /CreationDate
        created = None
    if created is not None:
        found["created"] = created.date().isoformat()
    return found
