"""Read scanned pages with OCR: Tesseract (Debian's `tesseract-ocr` and `tesseract-ocr-eng`,
installed by `make test` / `make ocr`), run as a program on each page rendered by PDFium.

Only a page that has no text layer *and* draws an image is recognised: a page of nothing
(blank) or of drawn shapes has nothing to read, and a PDF of blank pages is still refused. The
page is rendered at `DPI` (at most `MAX_PIXELS`, so a huge page cannot exhaust memory), grey,
and all pages go to one Tesseract run (it loads its model once). Tesseract inherits the reading
child's memory limit (ingest.bounded), and is stopped past `seconds` (the rest of the file's
time budget), so a scan is bounded like any other file.

Its text becomes paragraphs (Tesseract separates them by blank lines; lines are joined, and a
word hyphenated at a line end is rejoined). The page's record says `origin="ocr"`: citations of
it say they were read by OCR, and quotes verify against this OCR text (there is no text layer
to check them against).

>>> paragraphs("It runs\\nthe libra-\\nries.\\n\\nIt employs 40 staff.")
['It runs the libraries.', 'It employs 40 staff.']
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

DPI = 300  # what Tesseract is trained for
MAX_PIXELS = 40_000_000  # a page is rendered smaller rather than bigger than this
LANGUAGE = "eng"
_HYPHEN_BREAK = re.compile(r"(?<=[A-Za-z])-\n(?=[a-z])")


class OcrUnavailable(Exception):
    """Tesseract (or its English data) is not installed on this machine."""


def tesseract() -> str:
    found = shutil.which("tesseract")
    if not found:
        raise OcrUnavailable(
            "the OCR program (Tesseract) is not installed on this server: install the "
            "tesseract-ocr and tesseract-ocr-eng packages (make ocr)"
        )
    return found


def paragraphs(text: str) -> list[str]:
    """Tesseract's text as paragraphs: blank lines part them; lines in one are joined, and a
    word broken by a hyphen at a line end ("libra-" / "ries") is joined again."""
    text = text.replace("\f", "\n\n").replace("\r", "")
    out = []
    for part in re.split(r"\n\s*\n", text):
        joined = " ".join(_HYPHEN_BREAK.sub("", part).split())
        if joined:
            out.append(joined)
    return out


def pages_with_images(data: bytes, numbers: Sequence[int]) -> list[int]:
    """Those of the 1-based `numbers` whose page draws an image (what a scan is)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from assistant.pdftext import PDFIUM_LOCK

    found = []
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(data, password="")
        try:
            for number in numbers:
                page = document[number - 1]
                try:
                    images = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)
                    if next(iter(images), None) is not None:
                        found.append(number)
                finally:
                    page.close()
        finally:
            document.close()
    return found


def recognise(data: bytes, numbers: Sequence[int], seconds: float = 600.0) -> dict[int, str]:
    """The OCR text of each of the 1-based pages `numbers` of the PDF `data`. OcrUnavailable
    without Tesseract; TimeoutError past `seconds`; RuntimeError if Tesseract fails."""
    if not numbers:
        return {}
    program = tesseract()
    import pypdfium2 as pdfium

    from assistant.pdftext import PDFIUM_LOCK

    with tempfile.TemporaryDirectory(prefix="guide-ocr-") as folder:
        images: list[Path] = []
        with PDFIUM_LOCK:
            document = pdfium.PdfDocument(data, password="")
            try:
                for number in numbers:
                    page = document[number - 1]
                    try:
                        width, height = page.get_size()  # points
                        scale = DPI / 72
                        pixels = width * scale * height * scale
                        if pixels > MAX_PIXELS:
                            scale *= (MAX_PIXELS / pixels) ** 0.5
                        bitmap = page.render(scale=scale, grayscale=True)
                        image = bitmap.to_pil().convert("L")
                        path = Path(folder) / f"page-{number:05d}.png"
                        image.save(path, compress_level=1)
                        images.append(path)
                    finally:
                        page.close()
            finally:
                document.close()
        listing = Path(folder) / "pages.txt"
        listing.write_text("\n".join(str(p) for p in images) + "\n", encoding="utf-8")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per run: others share them
        try:
            done = subprocess.run(
                [program, str(listing), "stdout", "-l", LANGUAGE, "--psm", "3"],
                capture_output=True,
                timeout=seconds,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise TimeoutError(f"OCR took longer than {seconds:g} s") from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise RuntimeError(f"Tesseract failed ({' '.join(message) or done.returncode})")
    # one text per image, in order, each ended by a form feed
    texts = done.stdout.decode("utf-8", "replace").split("\f")
    return {n: texts[i] if i < len(texts) else "" for i, n in enumerate(numbers)}
