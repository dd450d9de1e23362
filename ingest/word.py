"""Read a Word document (.docx) with python-docx into sections (ingest.document.sections):
headings by their style ("Title", "Heading 1" ...), paragraphs, and tables row by row with
their cells in their columns.

Refused with a reason: a file that is not a .docx whatever its name says (a PDF, an old .doc,
a password-protected file, which Word saves as an encrypted container), a damaged or truncated
one, one that unpacks to more than `MAX_UNPACKED_MB` (a zip bomb), one that carries macros
(a .docm renamed), and one with no text. Text formatted as hidden (Word's "Hidden" font effect)
is not indexed, and is flagged for review like a PDF's hidden text.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from assistant.errors import RefusedFile
from ingest.document import LoadedDocument, has_text, sections, table_row
from ingest.metadata import suggest

MAX_UNPACKED_MB = 500  # what a .docx may unpack to; a bomb is refused before it is parsed
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003, or an encrypted (password) file
_HEADING = re.compile(r"^heading (\d)$", re.IGNORECASE)


def read_docx(
    data: bytes, name: str, max_pages: int = 2000, first_pages: int | None = None
) -> LoadedDocument:
    """The document's sections; RefusedFile with the reason it cannot be used."""
    if data[:8] == _OLE:
        raise RefusedFile(
            name,
            "this is not a .docx file: it is either password-protected or an old Word 97-2003 "
            "(.doc) document. Open it in Word, remove any password, save it as a Word "
            "document (.docx) and upload that",
        )
    if data[:4] != b"PK\x03\x04":
        raise RefusedFile(name, "this is not a Word document (.docx), whatever its name says")
    _check_package(data, name)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        items, hidden = _items(document)
    except RefusedFile:
        raise
    except RecursionError as exc:
        raise RefusedFile(name, "the Word document is nested too deeply to read") from exc
    except Exception as exc:  # python-docx and lxml raise many kinds on a broken package
        raise RefusedFile(
            name, f"the Word document is damaged and cannot be read ({type(exc).__name__}: {exc})"
        ) from exc
    pages = sections(items, "docx", hidden)
    if len(pages) > max_pages:
        raise RefusedFile(
            name, f"the Word document has {len(pages)} sections, over the {max_pages} limit"
        )
    if not has_text(pages):
        if hidden:
            raise RefusedFile(
                name, "all of its text is formatted as hidden, so nobody reading it sees it"
            )
        raise RefusedFile(name, "the Word document has no text")
    pages = pages[:first_pages]
    metadata = _metadata(document)
    suggested = suggest(metadata, pages, name)
    subject = str(metadata.get("subject") or "")
    return LoadedDocument(name, suggested.title, subject, pages, data, suggested, "docx")


def _check_package(data: bytes, name: str) -> None:
    """Refuse a damaged zip, one that is no Word document, a bomb, or one with macros."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            names = {i.filename.lower() for i in infos}
            types = (
                package.read("[Content_Types].xml")[:200_000]
                if "[content_types].xml" in names
                else b""
            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, EOFError) as exc:
        raise RefusedFile(
            name, f"the Word document is damaged or truncated and cannot be read ({exc})"
        ) from exc
    if "word/document.xml" not in names:
        raise RefusedFile(
            name,
            "this is not a Word document (.docx), whatever its name says: it holds no "
            "document text (word/document.xml)",
        )
    if any(n.endswith("vbaproject.bin") for n in names) or b"macroenabled" in types.lower():
        raise RefusedFile(
            name,
            "it carries macros (a macro-enabled Word document, .docm, named .docx): macros are "
            "programs that can run when the file is opened, so it is not accepted. Save it as "
            "a Word document (.docx) without macros and upload that",
        )
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED_MB * 1024 * 1024:
        raise RefusedFile(
            name,
            f"the Word document unpacks to {unpacked / 1024 / 1024:,.0f} MB, over the "
            f"{MAX_UNPACKED_MB} MB limit",
        )


def _items(document: Any) -> tuple[list[tuple[str, str, int]], list[str]]:
    """(kind, text, level) for each heading, paragraph and table row in reading order, and the
    runs of hidden text."""
    from docx.table import Table

    items: list[tuple[str, str, int]] = []
    hidden: list[str] = []
    for part in document.iter_inner_content():
        if isinstance(part, Table):
            for index, cells in enumerate(_rows(part)):
                if any(c.strip() for c in cells):
                    items.append(("table", table_row(cells), 1 if index == 0 else 0))
            continue
        text, secret = _visible_text(part)
        if secret:
            hidden.append(secret)
        if not text.strip():
            continue
        level = _heading_level(part)
        items.append(("heading", text, level) if level else ("paragraph", text, 0))
    return items, hidden


def _rows(table: Any) -> Iterator[list[str]]:
    for row in table.rows:
        cells: list[str] = []
        last = None
        for cell in row.cells:
            if cell._tc is last:  # a merged cell repeats: once per column it spans
                cells.append(cells[-1])
                continue
            last = cell._tc
            cells.append(" ".join(cell.text.split()))
        yield cells


def _style_name(paragraph: Any) -> str:
    try:
        return str(paragraph.style.name or "")
    except Exception:  # a style the document refers to but does not define
        return ""


def _heading_level(paragraph: Any) -> int:
    style = _style_name(paragraph)
    if style.lower() == "title":
        return 1
    match = _HEADING.match(style)
    return int(match.group(1)) if match else 0


def _style_hidden(paragraph: Any) -> bool:
    try:
        return bool(paragraph.style.font.hidden)
    except Exception:
        return False


def _visible_text(paragraph: Any) -> tuple[str, str]:
    """The paragraph's text a reader sees, and its hidden text ("" if none)."""
    if _style_hidden(paragraph):
        return "", paragraph.text
    from docx.text.run import Run

    shown: list[str] = []
    secret: list[str] = []
    for piece in paragraph.iter_inner_content():
        if isinstance(piece, Run) and piece.font.hidden:
            secret.append(piece.text)
        else:
            shown.append(piece.text)
    return "".join(shown), " ".join(" ".join(secret).split())


def _metadata(document: Any) -> dict[str, object]:
    found: dict[str, object] = {}
    try:
        props = document.core_properties
        found["title"] = str(props.title or "").strip()
        found["subject"] = str(props.subject or "").strip()
        if props.created is not None:
            found["created"] = props.created.date().isoformat()
    except Exception:  # a malformed core properties part: nothing from it
        pass
    return found
