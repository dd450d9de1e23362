"""Pure functions that turn an Answer into text, Markdown or HTML. Document text is data: it is
escaped everywhere it is shown, so nothing in a PDF can inject markup or links."""

from __future__ import annotations

import html
import re

from assistant.citations import quote_on_page
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


def _marker_safe(text: str) -> str:
    """Escape the answer's Markdown but keep its [n] citation markers readable."""
    return re.sub(r"\\\[(\d+)\\\]", r"[\1]", md_escape(text))


def answer_as_markdown(answer: Answer) -> str:
    """The chat message: the answer with its markers, then its numbered sources."""
    parts = [f"_{md_escape(answer.notice)}_\n"] if answer.notice else []
    parts.append(_marker_safe(answer.text))
    if answer.citations:
        parts.append("\n**Sources**")
        for c in answer.citations:
            label = md_escape(citation_label(c))
            if quoted_in_answer(c, answer):  # the answer already shows these exact words
                parts.append(f"{c.n}. {label}")
            else:
                parts.append(f"{c.n}. {label}: \u201c{md_escape(c.quote)}\u201d")
    if answer.status is Status.NO_ANSWER and answer.suggestions:
        parts.append("\n**To rephrase:**")
        parts.extend(f"- {md_escape(tip)}" for tip in answer.suggestions)
    if answer.status is Status.PARTIAL:
        parts.append(
            "\n_Some statements could not be verified against their pages and were left out._"
        )
    return "\n".join(parts)


def page_with_quote(page: Page, quote: str) -> str:
    """HTML of a whole page's text with the quoted passage highlighted."""
    text = normalise(page.text)
    escaped = html.escape(text)
    if quote and quote_on_page(quote, page.text):
        q = html.escape(normalise(quote))
        escaped = escaped.replace(q, f"<mark>{q}</mark>", 1)
    if page.is_section:
        where = f"section \u201c{page.page_label}\u201d"
    else:
        ocr = ", text read by OCR" if page.origin == "ocr" else ""
        where = f"page {page.page_label} (PDF page {page.page}{ocr})"
    heading = html.escape(f"{page.document} - {where}")
    return (
        f"<div class='guide-page'><h4>{heading}</h4>"
        f"<p style='white-space: pre-wrap'>{escaped}</p></div>"
    )
