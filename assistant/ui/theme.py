"""How the app looks and what it tells assistive technology: the Gradio theme, the page's CSS
and a small script, passed to `gr.mount_gradio_app` (Gradio 6 takes them there, not on Blocks).

Measured with axe-core (tests/e2e/test_accessibility.py), WCAG 2.2 AA. Gradio's default theme
fails it in a few places this module fixes:

- contrast: white on the orange primary button (2.8:1) and on the red stop button (3.8:1), and
  the subdued grey text ("- or -" in file drops, the footer's "Use via API", 1.9:1). The theme
  below uses a dark blue accent (white on it 8.6:1), a dark red and a darker subdued grey;
- names: an icon button with an empty `aria-label` is named by its title; file drop zones
  are named "Click to upload or drop files" while they show "Drop File Here - or - Click to
  Upload" (a speech-input user says what they see); empty file/plot placeholders put
  `aria-label` on a bare `div`. The script gives each a name matching what is shown, or a
  role. (The chat's "share" button, which had no name at all, is turned off in chat.py: it
  would post the conversation to Hugging Face);
- announcing answers: the chat log re-renders as a draft streams in, so a screen reader would
  read fragments. A visually hidden `aria-live="polite"` region (`#answer-live`) receives the
  text of the newest answer once it is final (no longer a "Writing" draft and unchanged for a
  moment), and is read once; the chat log itself is set to `aria-live="off"`;
- keyboard: Gradio's tabs are buttons (Tab, then Enter); the script adds the arrow keys, Home
  and End of a WAI-ARIA tab list, and the CSS a visible focus ring on every control;
- phone width: the conversation is shorter below 640 px, so the question box sits within the
  first screen of a 390x844 phone.
"""

from typing import Any

ANSWER_LIVE_ID = "answer-live"
DRAFT_MARK = "every quote is checked next"  # chat.py marks a language model's unchecked draft

# The accent: dark enough for white text on it and for it as text on white (both over 7:1).
ACCENT = "#1d4f91"
ACCENT_HOVER = "#163d70"
DANGER = "#a4262c"
DANGER_HOVER = "#7f1d22"
SUBDUED = "#57606a"  # 6.2:1 on white

CSS = f"""
.sr-only {{ position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }}
/* A focus ring that shows on every control reached by keyboard. */
gradio-app button:focus-visible, gradio-app a:focus-visible, gradio-app [role="tab"]:focus-visible,
gradio-app input:focus-visible, gradio-app textarea:focus-visible,
gradio-app [tabindex]:focus-visible {{
  outline: 3px solid {ACCENT} !important; outline-offset: 2px; }}
#app-title h1, #app-title h2 {{ margin-bottom: 0.25rem; }}
@media (max-width: 640px) {{
  .gradio-container {{ padding-left: 8px !important; padding-right: 8px !important; }}
  #app-title h2 {{ font-size: 1.3rem; margin: 0; }}
  #app-title p {{ font-size: 0.85rem; line-height: 1.35; margin: 0.25rem 0 0; }}
  #whoami p {{ font-size: 0.85rem; margin: 0; }}
  #sign-out {{ min-width: 6rem !important; white-space: nowrap; }}
  /* the conversation scrolls inside a box that leaves the question box on the first screen */
  #chat {{ height: 34vh !important; min-height: 220px; max-height: 34vh; }}
  #question textarea {{ font-size: 16px; }}  /* 16 px: phones do not zoom into the field */
}}
"""

# Runs in the page's <head>, before Gradio renders; everything it touches is found again after
# each re-render (a debounced MutationObserver), since Svelte may recreate those elements.
SCRIPT = f"""
<script>
(() => {{
  const LIVE = "{ANSWER_LIVE_ID}", DRAFT = "{DRAFT_MARK}";
  let announced = "", settle = null, queued = false;
  function liveRegion() {{
    let el = document.getElementById(LIVE);
    if (!el) {{
      el = document.createElement("div");
      el.id = LIVE;
      el.className = "sr-only";
      el.setAttribute("aria-live", "polite");
      el.setAttribute("aria-atomic", "true");
      el.setAttribute("role", "status");
      document.body.appendChild(el);
    }}
    return el;
  }}
  function latestAnswer() {{
    const bots = document.querySelectorAll("#chat .message.bot, #chat [data-testid='bot']");
    if (!bots.length) return "";
    return (bots[bots.length - 1].innerText || "").trim();
  }}
  function announce() {{
    const text = latestAnswer();
    const live = liveRegion();
    if (!text) {{ if (!document.querySelector("#chat .message")) {{ announced = ""; }} return; }}
    if (text === announced || text.includes(DRAFT)) return;
    announced = text;
    const cut = text.indexOf("Sources\\n");
    live.textContent = "Answer: " + (cut > 0 ? text.slice(0, cut) : text).trim();
  }}
  function nameControls() {{
    document.querySelectorAll("button[aria-label='']").forEach((b) => {{
      const name = (b.getAttribute("title") || "").trim();
      if (name) b.setAttribute("aria-label", name);
    }});
    document.querySelectorAll("button.upload-container[aria-label]").forEach((b) => {{
      const shown = (b.innerText || "").replace(/\\s+/g, " ").trim();
      if (shown) b.setAttribute("aria-label", shown);
    }});
    // the chat log would read each streamed fragment; the answer region reads the answer once
    document.querySelectorAll("#chat [role='log'][aria-live='polite']").forEach((log) => {{
      log.setAttribute("aria-live", "off");
    }});
    document.querySelectorAll("div.empty[aria-label]:not([role])").forEach((d) => {{
      d.setAttribute("role", "img");
    }});
  }}
  function tidy() {{
    queued = false;
    liveRegion();
    nameControls();
    clearTimeout(settle);
    settle = setTimeout(announce, 600);  // the answer has stopped changing
  }}
  // Arrow keys move between tabs, as in a WAI-ARIA tab list (Tab and Enter work as well).
  document.addEventListener("keydown", (e) => {{
    const tab = e.target.closest && e.target.closest("[role='tablist'] [role='tab']");
    if (!tab || !["ArrowRight", "ArrowLeft", "Home", "End"].includes(e.key)) return;
    const tabs = [...tab.closest("[role='tablist']").querySelectorAll("[role='tab']")]
      .filter((t) => t.offsetParent !== null && !t.disabled);
    const at = tabs.indexOf(tab), last = tabs.length - 1;
    const to = {{ ArrowRight: at === last ? 0 : at + 1, ArrowLeft: at === 0 ? last : at - 1,
                 Home: 0, End: last }}[e.key];
    e.preventDefault();
    tabs[to].focus();
    tabs[to].click();
  }});
  new MutationObserver(() => {{
    if (!queued) {{ queued = true; requestAnimationFrame(tidy); }}
  }}).observe(document.documentElement, {{ childList: true, subtree: true, characterData: true }});
}})();
</script>
"""


def theme() -> Any:
    """Gradio's default theme with the accent, danger and subdued colours above."""
    import gradio as gr

    return gr.themes.Default(primary_hue="blue").set(
        color_accent=ACCENT,
        color_accent_soft="#e8eef7",
        border_color_accent=ACCENT,
        link_text_color=ACCENT,
        link_text_color_hover=ACCENT_HOVER,
        link_text_color_visited="#5a3a8c",
        button_primary_background_fill=ACCENT,
        button_primary_background_fill_hover=ACCENT_HOVER,
        button_primary_border_color=ACCENT,
        button_primary_text_color="#ffffff",
        button_cancel_background_fill=DANGER,
        button_cancel_background_fill_hover=DANGER_HOVER,
        button_cancel_border_color=DANGER,
        button_cancel_text_color="#ffffff",
        body_text_color_subdued=SUBDUED,
        input_placeholder_color="#6e7781",
        checkbox_background_color_selected=ACCENT,
        slider_color=ACCENT,
        loader_color=ACCENT,
    )


def styling() -> dict[str, Any]:
    """The keyword arguments `gr.mount_gradio_app` takes for the look: theme, css and head."""
    return {"theme": theme(), "css": CSS, "head": SCRIPT}
