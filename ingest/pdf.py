"""Read a PDF with pypdf, page by page, refusing with a reason anything that cannot be used; a
scanned page (no text layer, an image) is read by OCR (ingest.ocr)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from assistant.errors import RefusedFile
from ingest.document import (
    MIN_TEXT_CHARS,
    LoadedDocument,
    ReadPage,
    check_file_name,
    has_text,
)
from ingest.garbled import UNREADABLE, garbled_reason
from ingest.layout import Block, Fragment, PageLayout, analyse, extract_page
from ingest.metadata import read_metadata, suggest

__all__ = ["MIN_TEXT_CHARS", "LoadedDocument", "LoadedPdf", "ReadPage", "check_file_name"]


LoadedPdf = LoadedDocument  # the record every reader produces (ingest.document)


def __getattr__(name: str) -> Any:
    """`PdfLoader`, the name the loader had when it read only PDFs: ingest.readers.DocumentLoader
    (imported on use: it imports this module)."""
    if name == "PdfLoader":
        from ingest.readers import DocumentLoader

        return DocumentLoader
    raise AttributeError(name)


def read_pdf(
    data: bytes,
    name: str,
    max_pages: int = 2000,
    first_pages: int | None = None,
    ocr_seconds: float = 600.0,
) -> LoadedDocument:
    """Read a PDF's bytes; `first_pages` reads only that many (the upload form's prefill), and
    then reads no page by OCR (the prefill must be quick). Pages without a text layer that draw
    an image are read by OCR (ingest.ocr), within `ocr_seconds`."""
    check_file_name(name)
    if not data:
        raise RefusedFile(name, "the file is empty (0 bytes)")
    if b"%PDF-" not in data[:1024]:
        raise RefusedFile(name, "this is not a PDF, whatever its name says")
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _open_without_password(reader, name)
        count = len(reader.pages)
    except RefusedFile:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise RefusedFile(
            name, f"the PDF is damaged or truncated and cannot be read ({exc})"
        ) from exc
    if count == 0:
        raise RefusedFile(name, "the PDF has no pages")
    if count > max_pages:
        raise RefusedFile(name, f"the PDF has {count} pages, over the {max_pages} limit")
    labels = _page_labels(reader, count)
    metadata = read_metadata(reader)  # read once, for the title, kind and date
    raw: list[tuple[list[Fragment], float, float]] = []
    hidden: list[tuple[str, ...]] = []
    ocr: list[bool] = []  # per page: its text is a scan's OCR layer
    rules: list[int] = []  # per page: straight lines and boxes painted (ruled tables)
    try:
        for page in list(reader.pages)[:first_pages]:
            text = extract_page(page)
            raw.append((list(text.fragments), text.width, text.height))
            hidden.append(text.hidden)
            ocr.append(text.ocr_layer)
            rules.append(text.rules)
    except Exception as exc:  # pypdf raises many kinds on a broken content stream
        raise RefusedFile(
            name, f"the PDF is damaged: page {len(raw) + 1} cannot be read ({exc})"
        ) from exc
    tables: dict[int, list[tuple[list[Block], bool]]] = {}
    if first_pages is None:  # the prefill reads no tables (it must be quick)
        raw, tables = _tables_apart(data, reader, raw, rules)
    layouts = [
        _with_tables(layout, tables.get(layout.number, ())) for layout in analyse(raw, labels, ocr)
    ]
    pages = tuple(
        _readable(ReadPage(i + 1, labels[i], layout, hidden[i])) for i, layout in enumerate(layouts)
    )
    scanned: list[int] = []  # pages read by OCR
    if first_pages is None:
        pages, scanned = _with_ocr(pages, data, name, ocr_seconds)
    if not has_text(pages):
        if any(p.unreadable for p in pages):
            raise RefusedFile(
                name,
                "its text cannot be read: the PDF's fonts have no usable character map, so "
                "what it prints comes out as codes, not letters. It needs OCR (text "
                "recognition) before it can be added",
            )
        if any(hidden):
            raise RefusedFile(
                name,
                "all of its text is hidden (white, invisible or microscopic), so a reader "
                "could not check anything quoted from it",
            )
        if scanned:
            raise RefusedFile(
                name,
                f"it is a scan, and OCR (text recognition) found no text on its "
                f"{len(scanned)} scanned page{'s' if len(scanned) > 1 else ''}",
            )
        raise RefusedFile(
            name,
            "no text could be extracted: its pages are blank or only drawings, with no text "
            "and no scanned image to read by OCR (text recognition)",
        )
    suggested = suggest(metadata, pages, name)
    subject = str(metadata.get("subject") or "")
    return LoadedDocument(name, suggested.title, subject, pages, data, suggested, "pdf")


# where a table stood, among the fragments layout puts in order: the page and the table's index
# in letters (layout reads digits in a margin line as a page number, and the same line with
# other digits on other pages as a running header)
_MARKED = re.compile("\ue000table([a-j]+)x([a-j]+)\ue000")


def _mark(page: int, index: int) -> str:
    def letters(n: int) -> str:
        return "".join("abcdefghij"[int(d)] for d in str(n))

    return f"\ue000table{letters(page)}x{letters(index)}\ue000"


def _index(letters: str) -> int:
    return int("".join(str("abcdefghij".index(c)) for c in letters))


def _tables_apart(
    data: bytes,
    reader: Any,
    raw: list[tuple[list[Fragment], float, float]],
    rules: Sequence[int],
) -> tuple[list[tuple[list[Fragment], float, float]], dict[int, list[tuple[list[Block], bool]]]]:
    """Each page's fragments with those of its ruled tables (ingest.tables) taken out and a
    marker put where each table stood, so that the layout reads the rest as before and places
    the table in reading order; and per page, each table's rows as blocks, in marker order."""
    from ingest import tables as found_tables
    from ingest.ink import _box_numbers, page_box

    rotated, offsets = [], {}
    for number, page in enumerate(list(reader.pages)[: len(raw)], start=1):
        try:
            turned = int(page.get("/Rotate", 0) or 0) % 360 != 0
        except (TypeError, ValueError):
            turned = True
        media = page_box(_box_numbers(page, "/MediaBox"))
        visible = page_box(_box_numbers(page, "/MediaBox"), _box_numbers(page, "/CropBox"))
        rotated.append(turned or media is None or visible is None)
        if media is not None and visible is not None:
            offsets[number] = (found_tables.page_offset(media, visible), visible[:2])
    chars = [sum(len(f.text) for f in fragments) for fragments, _, _ in raw]
    numbers = found_tables.pages_worth_looking_at(rules, chars, rotated)
    if not numbers:
        return raw, {}
    found = found_tables.find_tables(
        data, {n: (raw[n - 1][0], *offsets[n]) for n in numbers}, found_tables.TABLE_SECONDS
    )
    out = list(raw)
    blocks: dict[int, list[tuple[list[Block], bool]]] = {}
    for number, page_tables in found.items():
        fragments, width, height = raw[number - 1]
        used: set[int] = set()
        markers: list[Fragment] = []
        for table in page_tables:
            inside = found_tables.taken(table, fragments)
            rows = found_tables.table_blocks(table.grid, table.lines)
            if not rows or not inside or inside & used:
                continue
            used |= inside
            size = Counter(round(fragments[i].size, 1) for i in inside).most_common(1)[0][0]
            mark = _mark(number, len(markers))
            markers.append(Fragment(table.box[0], table.box[3] - size, size, mark))
            blocks.setdefault(number, []).append((rows, table.box[3] > height / 2))
        if markers:
            kept = [f for i, f in enumerate(fragments) if i not in used]
            out[number - 1] = (kept + markers, width, height)
    return out, blocks


def _with_tables(layout: PageLayout, tables: Sequence[tuple[list[Block], bool]]) -> PageLayout:
    """The page's blocks with each table marker replaced by the table's rows (the block it fell
    in split around it). `tables`: each table's rows, and whether it stands in the page's top
    half. A table whose marker the layout set aside (a line in the margin, read as furniture)
    comes first or last, by where it stands, so no table is lost."""
    if not tables:
        return layout
    placed: set[int] = set()
    blocks: list[Block] = []
    for block in layout.blocks:
        if not _MARKED.search(block.text):
            blocks.append(block)
            continue
        pieces = _MARKED.split(block.text)
        for index in range(0, len(pieces), 3):
            if pieces[index].strip():
                blocks.append(Block(block.kind, " ".join(pieces[index].split()), block.level))
            if index + 2 < len(pieces):
                table = _index(pieces[index + 2])
                if table < len(tables) and table not in placed:
                    placed.add(table)
                    blocks.extend(tables[table][0])
    lost = [(rows, high) for i, (rows, high) in enumerate(tables) if i not in placed]
    top = [row for rows, high in lost if high for row in rows]
    layout.blocks = top + blocks + [row for rows, high in lost if not high for row in rows]
    layout.furniture = [f for f in layout.furniture if not _MARKED.search(f)]
    return layout


def _with_ocr(
    pages: tuple[ReadPage, ...], data: bytes, name: str, seconds: float
) -> tuple[tuple[ReadPage, ...], list[int]]:
    """The pages, those with no text layer that draw an image (a scan) read by OCR instead;
    and the numbers of the pages so read. RefusedFile when a scan cannot be read (no
    Tesseract here, or it failed or ran out of time)."""
    from ingest import ocr

    empty = [
        p.number
        for p in pages
        if len(p.text.strip()) < MIN_TEXT_CHARS and not p.unreadable and not p.hidden
    ]
    if not empty:
        return pages, []
    try:
        scans = ocr.pages_with_images(data, empty)
    except Exception:  # PDFium cannot open what pypdf could: no scans to read
        return pages, []
    if not scans:
        return pages, []
    try:
        texts = ocr.recognise(data, scans, seconds)
    except ocr.OcrUnavailable as exc:
        raise RefusedFile(name, f"it is a scan and needs OCR, but {exc}") from exc
    except (TimeoutError, RuntimeError, OSError) as exc:
        raise RefusedFile(name, f"it is a scan, and OCR (text recognition) failed: {exc}") from exc
    out = list(pages)
    for number, text in texts.items():
        blocks = [Block("paragraph", para) for para in ocr.paragraphs(text)]
        if not blocks:
            continue
        old = out[number - 1]
        layout = PageLayout(number, blocks, old.layout.furniture)
        out[number - 1] = ReadPage(number, old.label, layout, old.hidden, origin="ocr")
    return tuple(out), scans


def _readable(page: ReadPage) -> ReadPage:
    """The page without the blocks that are glyph codes rather than text (a font with no
    character map), noting why; all of it, if the codes are spread through every block."""
    blocks = page.layout.blocks
    kept = [b for b in blocks if not garbled_reason(b.text)]
    if garbled_reason("\n".join(b.text for b in kept)):
        kept = []
    if len(kept) == len(blocks):
        return page
    page.layout.blocks = kept
    return replace(page, unreadable=UNREADABLE)


def _open_without_password(reader: Any, name: str) -> None:
    """Decrypt a PDF that opens without a password: most encrypted PDFs that publishers send out
    carry only an owner password (restricting printing or copying) and an empty user password,
    and any viewer opens them. Only a PDF that really needs a password to open is refused."""
    from pypdf import PasswordType
    from pypdf.errors import DependencyError

    try:
        opened = reader.decrypt("")
    except (DependencyError, NotImplementedError) as exc:
        raise RefusedFile(
            name,
            f"the PDF is encrypted in a way this reader cannot undo ({exc}); save an "
            "unprotected copy and upload that",
        ) from exc
    if opened == PasswordType.NOT_DECRYPTED:
        raise RefusedFile(
            name,
            "the PDF is encrypted and needs a password to open; save a copy without the password "
            "(in a PDF viewer: print or export it to PDF) and upload that",
        )


def _page_labels(reader: object, count: int) -> list[str]:
    try:
        labels = list(reader.page_labels)  # type: ignore[attr-defined]
    except Exception:
        labels = []
    if len(labels) != count:
        return [str(i + 1) for i in range(count)]
    return [str(label) or str(i + 1) for i, label in enumerate(labels)]
