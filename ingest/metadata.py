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
from typing import Any

from assistant.library import KINDS
from assistant.types import Page
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
_CUED_YEAR = re.compile(rf"{_CUE.pattern}\s*(?:in|:)?\s*{_YEAR}\b(?![-/])", re.IGNORECASE)
_CUE_REACH = 80  # characters before a date in which a cue word counts
_CHECKED_DATE = re.compile(r"^(?:19|20)\d{2}(?:-\d{2}(?:-\d{2})?)?$")
_JUNK_TITLE = re.compile(
    r"^(untitled.*|document\s*\d*|title|slide \d+|microsoft (word|powerpoint) .*|"
    r".*\.(docx?|pdf|indd|pptx?|xlsx?|rtf|odt|txt))$",
    re.IGNORECASE,
)
_KIND_CUES = (  # checked in order: the first that matches wins
    ("case study", re.compile(r"\bcase stud(y|ies)\b", re.IGNORECASE)),
    ("committee report", re.compile(r"(?=.*\bcommittee\b)(?=.*\breports?\b)", re.I | re.S)),
    (
        "government guidance",
        re.compile(r"\bguidance\b|\bgovernment response\b|\bbriefing\b", re.IGNORECASE),
    ),
    ("evidence", re.compile(r"\bevidence\b|\bsubmissions?\b", re.IGNORECASE)),
)


@dataclass(frozen=True, slots=True)
class Suggested:
    """What the upload form is prefilled with; an empty field means nothing was found."""

    title: str
    date: str  # YYYY-MM-DD, YYYY-MM or YYYY
    kind: str  # one of assistant.library.KINDS


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
    for text in (subject, first_page):
        for kind, cue in _KIND_CUES:
            if text and cue.search(text):
                return kind
    return "other"


def usable_title(title: str) -> str:
    """A metadata title worth showing, or "" for the junk that authoring tools leave there
    ("Microsoft Word - draft3.docx", "Untitled")."""
    title = " ".join(title.split())
    return "" if len(title) < 3 or _JUNK_TITLE.match(title) else title


def heading_title(layout: PageLayout | None, text: str) -> str:
    """The first page's title: its largest heading, else its first short line without a full
    stop; "" when neither."""
    if layout is not None:
        headings = [b for b in layout.blocks if b.kind == "heading" and len(b.text) < 200]
        if headings:
            return min(headings, key=lambda b: b.level).text
    for line in text.splitlines():
        line = line.strip()
        if 3 <= len(line) < 120 and not line.endswith(".") and re.search(r"[A-Za-z]{3}", line):
            return line
    return ""


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
def suggest(
    pdf: bytes | Any, pages: Sequence[Page], layouts: Sequence[PageLayout] = ()
) -> Suggested:
    """Title, date and kind for a document, from its metadata (`pdf` is the file's bytes or a
    pypdf `PdfReader`) and its extracted first pages.

    >>> suggest(data, loaded.pages, loaded.layouts)  # doctest: +SKIP
    Suggested(title='Mutual and co-operative ...', date='2012-12-06', kind='committee report')
    """
    meta = _metadata(pdf)
    first = pages[0].text if pages else ""
    name = pages[0].source_file if pages else ""
    title = (
        usable_title(str(meta.get("title") or ""))
        or heading_title(layouts[0] if layouts else None, first)
        or title_from_name(name)
    )
    opening = "\n\n".join(p.full_text for p in pages[:2])
    date = find_date(opening) or str(meta.get("created") or "")
    return Suggested(title, date, guess_kind(str(meta.get("subject") or ""), first))


def suggest_file(path: Path) -> Suggested:
    """`suggest` for a file on disk, reading only its first two pages (the upload form calls
    this as soon as a file is chosen). Raises whatever pypdf raises on a file it cannot read."""
    from pypdf import PdfReader

    from ingest.layout import analyse, extract_page

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    texts = [extract_page(page) for page in list(reader.pages)[:2]]
    raw = [(list(t.fragments), t.width, t.height) for t in texts]
    layouts = analyse(raw, [str(i + 1) for i in range(len(raw))])
    pages = [
        Page(path.name, "", i + 1, str(i + 1), layout.body_text, layout.footnote_text)
        for i, layout in enumerate(layouts)
    ]
    return suggest(reader, pages, layouts)


def _metadata(pdf: bytes | Any) -> dict[str, object]:
    """Title, subject and creation date (as an ISO date) from the PDF's document information;
    whatever cannot be read is left out."""
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
