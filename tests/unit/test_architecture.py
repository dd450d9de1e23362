"""Imports run one way, and the fast paths never load torch."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
EDGE = {"cli", "ui"}  # assistant/cli/ and assistant/ui/: they may reach ingest and eval
EDGE_MODULES = {f"assistant.{part}" for part in EDGE}


def imported_names(path: Path) -> set[str]:
    """Every module `path` imports, in full (`from a.b import c` gives a.b and a.b.c)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imported_modules(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_names(path)}


def core_modules() -> list[Path]:
    return [
        path
        for path in (ROOT / "assistant").rglob("*.py")
        if path.relative_to(ROOT / "assistant").parts[0] not in EDGE
    ]


def test_the_edge_is_the_cli_and_ui_packages():
    for part in EDGE:
        assert (ROOT / "assistant" / part / "__init__.py").is_file(), part
    stray = [p.name for p in (ROOT / "assistant").glob("*.py") if p.stem.startswith(("cli", "ui"))]
    assert stray == []


def test_core_never_imports_ingest_or_eval():
    offenders = [
        str(path.relative_to(ROOT))
        for path in core_modules()
        if imported_modules(path) & {"ingest", "eval"}
    ]
    assert offenders == []


def test_core_never_imports_the_edge():
    offenders = [
        str(path.relative_to(ROOT))
        for path in core_modules()
        if any(
            name == edge or name.startswith(f"{edge}.")
            for name in imported_names(path)
            for edge in EDGE_MODULES
        )
    ]
    assert offenders == []


def test_ingest_and_eval_never_import_the_edge():
    """ingest and eval serve both edges; neither leans on one of them."""
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("ingest", "eval")
        for path in (ROOT / package).rglob("*.py")
        if any(
            name == edge or name.startswith(f"{edge}.")
            for name in imported_names(path)
            for edge in EDGE_MODULES
        )
    ]
    assert offenders == []


def test_cli_help_and_core_imports_do_not_load_torch():
    code = (
        "import sys, assistant.cli, assistant.chain, assistant.library, ingest.pipeline, "
        "eval.runner; from click.testing import CliRunner; "
        "r = CliRunner().invoke(assistant.cli.main, ['--help']); assert r.exit_code == 0; "
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'chromadb', 'gradio') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_gradio_handlers_have_real_type_hints():
    """Gradio finds `request: gr.Request` by evaluating type hints; with postponed annotations
    (and gradio imported inside a function) it silently passes None, and role checks fail."""
    offenders = [
        path.name
        for path in (ROOT / "assistant" / "ui").glob("*.py")
        if "request: gr.Request" in (text := path.read_text(encoding="utf-8"))
        and "\nfrom __future__ import annotations\n" in text
    ]
    assert offenders == []


def test_tests_share_helpers_not_conftest():
    """pytest loads conftest.py itself; a test that imports it gets a second copy of it."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if any(name.startswith("tests.conftest") for name in imported_names(path))
    ]
    assert offenders == []
