"""Pure functions that turn an Answer into text, Markdown or HTML. Document text is data: it is
escaped everywhere it is shown, so nothing in a PDF can inject markup or links."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from assistant.safety import escape_markers
from assistant.text import normalise
from assistant.types import Answer, Citation, Page, Status

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def md_escape(text: str) -> str:
    """Escape Markdown so document text shows literally."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def citation_label(c: Citation) -> str:
    """Where a citation points: page (and PDF page), or a Word or web page's section heading;
    paragraph; that the page was read by OCR; that the version was superseded."""
    if c.origin in ("docx", "html"):
        where = f"section \u201c{c.page_label}\u201d"
    else:
        where = f"p. {c.page_label}" + (
            f" (PDF page {c.page})" if c.page_label != str(c.page) else ""
        )
        if c.origin == "ocr":
            where += " (scanned page, text read by OCR)"
    para = f", para. {c.paragraph}" if c.paragraph else ""
    old = f" [{c.superseded}]" if c.superseded else ""
    return f"{c.document}, {where}{para}{old}"


def quoted_in_answer(c: Citation, answer: Answer) -> bool:
    """Whether the answer's own text already shows the cited words (a quoted answer), so the
    source list need not repeat them."""
    return normalise(c.quote).lower() in normalise(answer.text).lower()


def answer_as_text(answer: Answer) -> str:
    """Plain text for the terminal."""
    lines = [f"Note: {answer.notice}\n"] if answer.notice else []
    lines.append(answer.text)
    if answer.citations:
        lines.append("\nSources")
        for c in answer.citations:
            lines.append(f"  [{c.n}] {citation_label(c)} - {c.source_file}")
            if not quoted_in_answer(c, answer):
                lines.append(f'      "{c.quote}"')
    if answer.status is Status.NO_ANSWER and answer.suggestions:
        lines.append("\nTo rephrase:")
        lines.extend(f"  - {tip}" for tip in answer.suggestions)
    if answer.status is Status.PARTIAL:
        lines.append(
            "\nSome statements could not be verified against their pages and were left out."
        )
    return "\n".join(lines)


def _marker_safe(text: str, link: Callable[[int], str] | None = None) -> str:
    """Escape the answer's Markdown but keep its [n] citation markers readable; with `link`,
    each marker becomes a link to `link(n)` (the chat opens that source beside the answer)."""
    if link is None:
        return re.sub(r"\\\[(\d+)\\\]", r"[\1]", md_escape(text))
    return re.sub(
        r"\\\[(\d+)\\\]",
        lambda m: f'[\\[{m[1]}\\]]({link(int(m[1]))} "Open source {m[1]} beside the answer")',
        md_escape(text),
    )


def answer_as_markdown(answer: Answer, link: Callable[[int], str] | None = None) -> str:
    """The chat message: the answer with its markers, then its numbered sources.

    Each quote is shown once. An extractive answer's statements are the quoted words, each
    with its [n], so the sources list names only where each comes from (document, page as
    printed, paragraph); a statement in other words (a language model's) has its quote shown
    under its source instead. Opening a source marks the quote on its page. With `link`, the
    markers and the sources' names link to `link(n)`."""
    parts = [f"_{md_escape(answer.notice)}_\n"] if answer.notice else []
    parts.append(_marker_safe(answer.text, link))
    if answer.citations:
        parts.append("\n**Sources**")
        for c in answer.citations:
            label = md_escape(citation_label(c))
            named = f"[{label}]({link(c.n)})" if link else label
            if quoted_in_answer(c, answer):  # the answer already shows these exact words
                parts.append(f"{c.n}. {named}")
            else:
                parts.append(f"{c.n}. {named}: \u201c{md_escape(c.quote)}\u201d")
    if answer.status is Status.NO_ANSWER and answer.suggestions:
        parts.append("\n**To rephrase:**")
        parts.extend(f"- {md_escape(tip)}" for tip in answer.suggestions)
    if answer.status is Status.PARTIAL:
        parts.append(
            "\n_Some statements could not be verified against their pages and were left out._"
        )
    return "\n".join(parts)


_BLOCKS = re.compile(r"\n[ \t]*\n")


def find_quote(quote: str, text: str) -> tuple[int, int] | None:
    """Where `quote` lies in `text` (already normalised), as (start, end), matching its words in
    order whatever the case and the spacing between them (a line or paragraph break
    included); None if it is not there."""
    wanted = normalise(escape_markers(quote)).split()
    if not wanted:
        return None
    found = re.search(r"\s+".join(re.escape(w) for w in wanted), text, re.IGNORECASE)
    return (found.start(), found.end()) if found else None


def page_with_quote(page: Page, quote: str) -> str:
    """HTML of a page's (or section's) text, paragraph by paragraph, with the quoted words
    marked. Everything from the document is escaped."""
    blocks = [normalise(escape_markers(b)) for b in _BLOCKS.split(page.full_text)]
    blocks = [b for b in blocks if b]
    joined = "\n".join(blocks)
    span = find_quote(quote, joined) if quote else None
    paragraphs = []
    offset = 0
    for block in blocks:
        end = offset + len(block)
        if span and span[0] < end and span[1] > offset:
            a, b = max(span[0], offset) - offset, min(span[1], end) - offset
            shown = (
                html.escape(block[:a])
                + f"<mark>{html.escape(block[a:b])}</mark>"
                + html.escape(block[b:])
            )
        else:
            shown = html.escape(block)
        paragraphs.append(f"<p>{shown}</p>")
        offset = end + 1
    if page.is_section:
        where = f"section \u201c{page.page_label}\u201d"
    else:
        ocr = ", text read by OCR" if page.origin == "ocr" else ""
        where = f"page {page.page_label} (PDF page {page.page}{ocr})"
    heading = html.escape(f"{page.document} - {where}")
    missing = (
        "<p class='guide-note'>The quoted words could not be found on this page's text.</p>"
        if quote and span is None
        else ""
    )
    return f"<div class='guide-page'><h4>{heading}</h4>{missing}{''.join(paragraphs)}</div>"
