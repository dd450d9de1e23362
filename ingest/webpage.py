"""Read a saved web page (.html, .htm) with Beautiful Soup on lxml into sections
(ingest.document.sections): headings h1-h6, paragraphs and list items, and tables row by row
with their cells in their columns (a cell spanning columns fills each).

Only what a reader sees is read: scripts, styles, forms and embedded objects are dropped; so
are navigation, headers and footers when the page marks its main content (`<main>`,
`role="main"`, or one `<article>`), which is where a saved committee report or guidance page
has its text. Text hidden from readers (`hidden`, `aria-hidden="true"`, `display: none`,
`visibility: hidden`) is not indexed, and is flagged for review like a PDF's hidden text.
Nothing on the page is fetched or run: links, images and scripts are never followed.

Refused with a reason: a file that is not a web page whatever its name says, one nested too
deeply to read, one with no text.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.errors import RefusedFile
from ingest.document import LoadedDocument, has_text, sections, table_row

_LOOKS_HTML = re.compile(
    r"<\s*(!doctype\s+html|html|head|body|p|h[1-6]|div|table|article|main|section)[\s>/]",
    re.IGNORECASE,
)
_DROPPED = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "form",
    "button",
    "select",
    "textarea",
    "input",
    "canvas",
    "video",
    "audio",
    "map",
)
_FURNITURE = ("nav", "header", "footer", "aside")
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_TEXT_BLOCKS = {"p", "li", "dt", "dd", "pre", "figcaption", "caption", "address", "blockquote"}
_BLOCKS = {
    "div",
    "section",
    "article",
    "main",
    "body",
    "html",
    "ul",
    "ol",
    "dl",
    "figure",
    "details",
    "summary",
    "center",
    "fieldset",
    "hr",
    *_TEXT_BLOCKS,
    *_HEADINGS,
    "table",
}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
MAX_SPAN = 50  # columns one cell may fill


def read_html(
    data: bytes, name: str, max_pages: int = 2000, first_pages: int | None = None
) -> LoadedDocument:
    """The page's sections; RefusedFile with the reason it cannot be used."""
    from bs4 import BeautifulSoup, UnicodeDammit

    if data[:5] == b"%PDF-" or data[:4] == b"PK\x03\x04" or data[:2] in (b"MZ", b"\x7fE"):
        raise RefusedFile(name, "this is not a web page (HTML), whatever its name says")
    markup = UnicodeDammit(data, is_html=True).unicode_markup
    if markup is None or "\x00" in markup or not _LOOKS_HTML.search(markup):
        raise RefusedFile(name, "this is not a web page (HTML), whatever its name says")
    try:
        soup = BeautifulSoup(markup, "lxml")
        title = soup.title.get_text(" ", strip=True) if soup.title else ""
        hidden = _drop_hidden(soup)
        root = _main(soup)
        items: list[tuple[str, str, int]] = []
        walker = _Walker(items)
        walker.walk(root)
        walker.flush()
    except RecursionError as exc:
        raise RefusedFile(name, "the web page is nested too deeply to read") from exc
    pages = sections(items, "html", hidden)
    if len(pages) > max_pages:
        raise RefusedFile(
            name, f"the web page has {len(pages)} sections, over the {max_pages} limit"
        )
    if not has_text(pages):
        if hidden:
            raise RefusedFile(name, "all of its text is hidden, so nobody reading it sees it")
        raise RefusedFile(name, "the web page has no text")
    from ingest.metadata import suggest

    pages = pages[:first_pages]
    suggested = suggest({"title": title}, pages, name)
    return LoadedDocument(name, suggested.title, "", pages, data, suggested, "html")


def _drop_hidden(soup: Any) -> list[str]:
    """Remove what no reader sees; the hidden text, to be flagged."""
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    hidden: list[str] = []
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        attrs = tag.attrs or {}
        if (
            "hidden" in attrs
            or str(attrs.get("aria-hidden", "")).lower() == "true"
            or _HIDDEN_STYLE.search(str(attrs.get("style", "")))
        ):
            text = " ".join(tag.get_text(" ").split())
            if text:
                hidden.append(text)
            tag.decompose()
    return hidden


def _main(soup: Any) -> Any:
    """The page's main content when it marks it; else its body without navigation furniture."""
    main = soup.find("main") or soup.find(attrs={"role": "main"})
    articles = soup.find_all("article")
    root = main or (articles[0] if len(articles) == 1 else None)
    if root is not None:
        return root
    body = soup.body or soup
    for tag in body.find_all(_FURNITURE):
        tag.decompose()
    for tag in body.find_all(attrs={"role": ("navigation", "banner", "contentinfo")}):
        tag.decompose()
    return body


class _Walker:
    """Collects (kind, text, level) in reading order from a tree of tags."""

    def __init__(self, items: list[tuple[str, str, int]]) -> None:
        self.items = items
        self.loose: list[str] = []  # text outside any paragraph (straight inside a div)

    def flush(self) -> None:
        text = " ".join(" ".join(self.loose).split())
        if text:
            self.items.append(("paragraph", text, 0))
        self.loose = []

    def walk(self, node: Any) -> None:
        from bs4 import NavigableString, Tag
        from bs4.element import Comment, ProcessingInstruction

        for child in list(node.children):
            if isinstance(child, Comment | ProcessingInstruction):
                continue
            if isinstance(child, NavigableString):
                self.loose.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name.lower()
            if name in _HEADINGS:
                self.flush()
                self.items.append(("heading", child.get_text(" "), _HEADINGS[name]))
            elif name == "table":
                self.flush()
                self.table(child)
            elif name in _TEXT_BLOCKS and not child.find(list(_BLOCKS)):
                self.flush()
                self.items.append(("paragraph", child.get_text(" "), 0))
            elif name in _BLOCKS:
                self.flush()
                self.walk(child)
                self.flush()
            elif name == "br":
                self.loose.append(" ")
            else:  # inline: a link, emphasis, a span
                self.walk(child)
        # a node's loose text ends with it only where the caller flushes

    def table(self, table: Any) -> None:
        first = True
        for row in table.find_all("tr"):
            if row.find_parent("table") is not table:
                continue  # a nested table's row: read with its own cell's text
            cells: list[str] = []
            for cell in row.find_all(("td", "th"), recursive=False):
                text = " ".join(cell.get_text(" ").split())
                try:
                    span = max(1, min(MAX_SPAN, int(str(cell.get("colspan") or 1))))
                except ValueError:
                    span = 1
                cells.extend([text] * span)
            if any(c.strip() for c in cells):
                self.items.append(("table", table_row(cells), 1 if first else 0))
                first = False
