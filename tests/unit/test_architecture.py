"""Imports run one way, and the fast paths never load torch."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
EDGE = {"cli.py", "ui"}  # the edge may reach ingest/eval; the core may not


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_ingest_or_eval():
    offenders = []
    for path in (ROOT / "assistant").rglob("*.py"):
        relative = path.relative_to(ROOT / "assistant")
        if relative.parts[0] in EDGE:
            continue
        if imported_modules(path) & {"ingest", "eval"}:
            offenders.append(str(relative))
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
