"""Opening a cited source beside the answer: the panel's HTML, the routes that serve the cited
PDFs (to signed-in users who may ask, never through Gradio's file route) and PDF.js (from the
npm package `pdfjs-dist`, installed by `make install-run` into assistant/ui/vendor; no CDN),
and the browser script that renders the cited page with the quote marked on it.

A PDF source is drawn by PDF.js (the page's canvas and its text layer) and the text-layer spans
that hold the quoted words are marked; if PDF.js cannot be loaded or the words cannot be found
on the drawn page, the page's stored text is shown instead with the quote marked. A Word or web
page source is only ever shown as its stored text: an uploaded web page is never served back.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' type hints at runtime.
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.library import Library
from assistant.render import page_with_quote
from assistant.ui.access import AccessDenied, Gate

if TYPE_CHECKING:
    from fastapi import FastAPI

PDFJS_DIR = Path(__file__).resolve().parent / "vendor" / "node_modules" / "pdfjs-dist"
# what the browser needs from the package, and nothing else of it
PDFJS_SERVED = ("build", "web", "standard_fonts", "cmaps", "wasm", "iccs")
_TYPES = {
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".wasm": "application/wasm",
    ".bcmap": "application/octet-stream",
    ".pfb": "application/octet-stream",
    ".ttf": "font/ttf",
    ".icc": "application/octet-stream",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


def pdf_url(version: str) -> str:
    """The cited PDF's address, relative to the app's page."""
    return f"sources/{version}/pdf"


def source_panel(library: Library, citation: dict[str, Any], label: str, key: int) -> str:
    """The side panel's HTML for one citation (`key` makes each opening a new render)."""
    title = (
        f"<h3 class='guide-source-title' tabindex='-1'>"
        f"Source [{int(citation['n'])}]: {html.escape(label)}</h3>"
    )
    record = library.find_version(str(citation.get("version") or "")) or library.find(
        str(citation["source_file"])
    )
    if record is None:
        return title + "<p>This document is no longer in the library.</p>"
    page = library.page(record.version, int(citation["page"]))
    if page is None:
        return title + "<p>That page is no longer in the library.</p>"
    text_view = page_with_quote(page, str(citation["quote"]))
    if record.format != "pdf":  # a Word document or an uploaded web page: its text, never the file
        return f"<div class='guide-source' data-key='{key}'>{title}{text_view}</div>"
    url = pdf_url(record.version)
    printed = f" (PDF page {page.page})" if page.page_label != str(page.page) else ""
    where = html.escape(f"Page {page.page_label}{printed}", quote=True)
    quote = html.escape(str(citation["quote"]), quote=True)
    return (
        f"<div class='guide-source' data-key='{key}'>{title}"
        f"<p><a href='{url}#page={page.page}' target='_blank' rel='noopener' id='open-pdf'>"
        f"Open the whole PDF at page {html.escape(page.page_label)}</a></p>"
        f"<div class='guide-pdf' data-pdf='{url}' data-page='{page.page}' data-quote='{quote}' "
        f"data-where='{where}' data-key='{key}'>"
        "<p class='guide-pdf-status' role='status'>Drawing the page\u2026</p></div>"
        f"<details class='guide-page-text'><summary>The page's text</summary>{text_view}"
        "</details></div>"
    )


def add_routes(app: "FastAPI", gate: Gate, library: Library) -> None:
    """GET /sources/{version}/pdf (signed-in users who may ask: 401 signed out, 403 for a role
    that may not) and GET /vendor/pdfjs/... (the PDF.js files the viewer loads)."""
    from fastapi import Request
    from fastapi.responses import FileResponse, PlainTextResponse, Response

    @app.get("/sources/{version}/pdf")
    def cited_pdf(version: str, request: Request) -> Response:
        if gate.sign_in_required and gate.account(request) is None:
            return PlainTextResponse("Sign in to open the documents.", 401)
        try:
            gate.require(request, "ask")
        except AccessDenied as exc:
            return PlainTextResponse(str(exc), 403)
        record = library.find_version(version)
        path = library.file_path(record) if record is not None else None
        if record is None or record.format != "pdf" or path is None or not path.is_file():
            return PlainTextResponse("There is no such PDF in the library.", 404)
        name = "".join(ch for ch in record.source_file if ch.isalnum() or ch in "-_.") or "source"
        return FileResponse(
            path,
            media_type="application/pdf",
            headers={
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
                "Content-Disposition": f'inline; filename="{name}"',
            },
        )

    @app.get("/vendor/pdfjs/{part}/{rest:path}")
    def pdfjs(part: str, rest: str) -> Response:
        root = (PDFJS_DIR / part).resolve() if part in PDFJS_SERVED else None
        path = (root / rest).resolve() if root is not None else None
        if root is None or path is None or not path.is_relative_to(root) or not path.is_file():
            return PlainTextResponse("Not found.", 404)
        return FileResponse(
            path,
            media_type=_TYPES.get(path.suffix, "application/octet-stream"),
            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )


# Run once when the page loads (an event's `js`). It turns a click on a `#source-T-N` link (an
# answer's [n] or a source's name, by mouse or Enter) into a click on the hidden "open source"
# button, and renders each PDF panel that appears with PDF.js.
VIEWER_JS = r"""
() => {
  if (window.guideSources) return [];
  const here = (path) => new URL(path, window.location.href).href;
  const sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = here("vendor/pdfjs/web/pdf_viewer.css");
  document.head.append(sheet);
  const style = document.createElement("style");
  style.textContent = __PANEL_CSS__;
  document.head.append(style);
  const state = { wanted: "", lib: null };
  window.guideSources = state;

  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest("a[href*='#source-']") : null;
    const found = link && /#source-(\d+)-(\d+)$/.exec(link.getAttribute("href") || "");
    if (!found) return;
    event.preventDefault();
    event.stopPropagation();
    state.wanted = `${found[1]}-${found[2]}`;
    const opener = document.querySelector("#open-source");
    (opener && opener.tagName !== "BUTTON" ? opener.querySelector("button") : opener)?.click();
  }, true);

  async function pdfjs() {
    if (!state.lib) {
      state.lib = await import(here("vendor/pdfjs/build/pdf.min.mjs"));
      state.lib.GlobalWorkerOptions.workerSrc = here("vendor/pdfjs/build/pdf.worker.min.mjs");
    }
    return state.lib;
  }

  // letters and digits only, lower case: spacing, hyphenation, punctuation and ligatures
  // differ between the stored text and the text layer, the words do not
  function squash(text, index, out) {
    for (const ch of text.normalize("NFKC").toLowerCase()) {
      if (/[\p{L}\p{N}]/u.test(ch)) { out.chars.push(ch); out.owner.push(index); }
    }
  }

  function mark(spans, quote) {
    const page = { chars: [], owner: [] };
    spans.forEach((span, i) => squash(span.textContent || "", i, page));
    const wanted = { chars: [], owner: [] };
    squash(quote, 0, wanted);
    const needle = wanted.chars.join("");
    const at = needle ? page.chars.join("").indexOf(needle) : -1;
    if (at < 0) return [];
    const hits = [];
    for (let i = page.owner[at]; i <= page.owner[at + needle.length - 1]; i++) {
      spans[i].classList.add("guide-hit");
      hits.push(spans[i]);
    }
    return hits;
  }

  function fallBack(box, why) {
    const status = box.querySelector(".guide-pdf-status");
    if (status) status.textContent = why + " The quote is marked in the page's text below.";
    const text = box.parentElement.querySelector(".guide-page-text");
    if (text) text.open = true;
    box.dataset.state = "text";
  }

  // one drawing per opening: a newer opening of the same panel supersedes an unfinished one
  async function render(box) {
    const run = {};
    box.guideRun = run;
    box.dataset.state = "loading";
    const current = () => box.guideRun === run;
    let lib;
    try { lib = await pdfjs(); } catch (error) {
      return fallBack(box, "The PDF viewer could not be loaded.");
    }
    try {
      const doc = await lib.getDocument({
        url: here(box.dataset.pdf),
        isEvalSupported: false,
        standardFontDataUrl: here("vendor/pdfjs/standard_fonts/"),
        cMapUrl: here("vendor/pdfjs/cmaps/"),
        cMapPacked: true,
        wasmUrl: here("vendor/pdfjs/wasm/"),
        iccUrl: here("vendor/pdfjs/iccs/"),
      }).promise;
      const page = await doc.getPage(Number(box.dataset.page));
      if (!current()) return;
      const width = Math.max((box.clientWidth || 0) - 2, 280);
      const scale = width / page.getViewport({ scale: 1 }).width;
      const viewport = page.getViewport({ scale });
      const ratio = window.devicePixelRatio || 1;
      const sheet = document.createElement("div");
      sheet.className = "guide-pdf-page";
      for (const [name, value] of [["--scale-factor", String(scale)], ["--user-unit", "1"],
        ["--total-scale-factor", String(scale)], ["--scale-round-x", "1px"],
        ["--scale-round-y", "1px"]]) sheet.style.setProperty(name, value);
      sheet.style.width = `${viewport.width}px`;
      sheet.style.height = `${viewport.height}px`;
      const canvas = document.createElement("canvas");
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${viewport.width}px`;
      canvas.style.height = `${viewport.height}px`;
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `${box.dataset.where} of the PDF`);
      const layer = document.createElement("div");
      layer.className = "textLayer";
      sheet.append(canvas, layer);
      await page.render({
        canvas,
        canvasContext: canvas.getContext("2d"),
        viewport,
        transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null,
      }).promise;
      const text = new lib.TextLayer({
        textContentSource: page.streamTextContent(),
        container: layer,
        viewport,
      });
      await text.render();
      if (!current()) return;
      box.querySelectorAll(".guide-pdf-page").forEach((old) => old.remove());
      box.append(sheet);
      const spans = Array.from(layer.querySelectorAll("span:not(.markedContent)"));
      const hits = mark(spans, box.dataset.quote || "");
      box.dataset.state = "drawn";
      if (!hits.length) {
        return fallBack(box, "The quoted words could not be found on the drawn page.");
      }
      box.dataset.state = "marked";
      const status = box.querySelector(".guide-pdf-status");
      if (status) status.textContent = `${box.dataset.where}: the quoted words are marked.`;
      hits[0].scrollIntoView({ block: "nearest" });
    } catch (error) {
      if (current()) fallBack(box, "The page could not be drawn.");
    }
  }

  function renderNew() {
    document.querySelectorAll(".guide-pdf").forEach((box) => {
      if (box.guideKey === box.dataset.key) return;
      box.guideKey = box.dataset.key;
      render(box);
    });
  }
  new MutationObserver(renderNew).observe(document.body, { childList: true, subtree: true });
  renderNew();
  return [];
}
"""

# After an answer arrives: the chat scrolled so that the new answer's first line is at the top.
SCROLL_TO_ANSWER_JS = r"""
() => {
  requestAnimationFrame(() => {
    const answers = document.querySelectorAll("#chat .bot-row");
    const last = answers[answers.length - 1];
    let box = last ? last.parentElement : null;
    while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
    if (!last || !box) return;
    const top = box.getBoundingClientRect().top;
    const label = document.querySelector("#chat label");
    const below = label ? label.getBoundingClientRect().bottom - top : 0;
    const gap = last.getBoundingClientRect().top - top;
    box.scrollTop += gap - Math.max(below, 0) - 8;
  });
  return [];
}
"""

# Focus moves to the opened source's title, so a keyboard or screen-reader user lands on it,
# and the panel is scrolled into view where it is out of sight (below the chat on a phone).
FOCUS_SOURCE_JS = r"""
() => {
  requestAnimationFrame(() => {
    const title = document.querySelector("#source-view .guide-source-title");
    if (!title) return;
    title.focus({ preventScroll: true });
    const where = title.getBoundingClientRect();  // stacked below the chat on a phone
    const hidden = where.top < 0 || where.bottom > window.innerHeight;
    if (hidden) title.scrollIntoView({ block: "start" });
  });
  return [];
}
"""

PANEL_CSS = """
#source-panel { position: sticky; top: 0; align-self: flex-start; max-height: 100vh;
  overflow: auto; }
#source-view .guide-pdf-page { position: relative; margin: .5rem 0; border: 1px solid #d0d7de; }
#source-view .guide-pdf-page canvas { display: block; }
#source-view .textLayer { line-height: 1; }
#source-view .textLayer :is(span, br) { color: transparent !important; margin: 0; }
#source-wanted, #open-source { display: none !important; }
#source-view .textLayer .guide-hit { background: rgb(255 200 0 / 0.45); border-radius: 2px; }
#source-view .guide-page p { margin: 0 0 .6rem; }
#source-view mark { background: #ffe58a; color: inherit; }
"""


def viewer_js() -> str:
    """The page-load script, with the panel's styles."""
    import json

    return VIEWER_JS.replace("__PANEL_CSS__", json.dumps(PANEL_CSS))
