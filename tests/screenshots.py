"""Screenshots the browser tests take of each tab, at desktop (1280x800) and phone (390x844)
width, for people to look at (and for docs/screenshots/). They go to the folder named by
MUTUALS_SCREENSHOTS, by default tests/e2e/screenshots/ (git-ignored), as small palette PNGs.

    shoot(page, "ask-answer-desktop")  # -> tests/e2e/screenshots/ask-answer-desktop.png
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.helpers import ROOT

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
DEFAULT_FOLDER = ROOT / "tests" / "e2e" / "screenshots"


def folder() -> Path:
    where = Path(os.environ.get("MUTUALS_SCREENSHOTS") or DEFAULT_FOLDER)
    where.mkdir(parents=True, exist_ok=True)
    return where


def shoot(page: Any, name: str, full_page: bool = True) -> Path:
    """Save `page` as NAME.png in the screenshot folder, reduced to 256 colours (a UI has few,
    and it keeps a 1280-wide page to some tens of KB); the path."""
    from PIL import Image

    path = folder() / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    return path
