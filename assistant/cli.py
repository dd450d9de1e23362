"""`guide`: the one command-line entry point (ingest | ask | serve | eval | docs).

Heavy imports (torch, sentence-transformers, chromadb, gradio) happen inside the commands, so
`guide --help` is instant. Library errors are `GuideError`s; this module turns them into a
one-line message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from assistant.config import Settings, configure_offline
from assistant.errors import GuideError

F = TypeVar("F", bound=Callable[..., Any])


def data_dir_option(func: F) -> F:
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Library folder (default: $GUIDE_DATA_DIR, else .data/).",
    )(func)


def make_settings(data_dir: Path | None, **overrides: Any) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    return Settings(**values)


def human_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GuideError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mutuals-guide")
def main() -> None:
    """Mutuals Guide: cited answers on delivering local services through mutuals and co-ops."""
    configure_offline()


# -- ingest -----------------------------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@human_errors
def ingest(paths: tuple[Path, ...], data_dir: Path | None, as_json: bool) -> None:
    """Add PDFs (files or folders) to the library; unchanged files are skipped."""
    from tqdm import tqdm

    from ingest.pipeline import IngestPipeline

    settings = make_settings(data_dir)
    pipeline = IngestPipeline(settings)
    bars: list[Any] = []

    def progress(name: str, total: int) -> Callable[[int], Any]:
        bar = tqdm(
            total=total, desc=name[:40], unit="chunk", file=sys.stderr, leave=False, disable=as_json
        )
        bars.append(bar)
        return bar.update

    results = pipeline.run(list(paths), progress=progress)
    for bar in bars:
        bar.close()
    if as_json:
        click.echo(json.dumps({"files": [r.to_dict() for r in results]}, indent=2))
    else:
        for r in results:
            detail = (
                r.reason
                if r.status in {"refused", "unchanged"}
                else (f"{r.pages} pages, {r.chunks} chunks")
            )
            click.echo(f"{r.status:>9}  {r.path}  ({detail})")
        counts = {
            s: sum(r.status == s for r in results)
            for s in ("added", "replaced", "unchanged", "refused")
        }
        lib = pipeline.library.summary()
        click.echo(
            f"\n{counts['added']} added, {counts['replaced']} replaced, "
            f"{counts['unchanged']} unchanged, {counts['refused']} refused. "
            f"Library: {lib['documents']} documents, {lib['pages']} pages, {lib['chunks']} chunks."
        )
    if any(r.status == "refused" for r in results):
        sys.exit(1)


# -- ask --------------------------------------------------------------------------------------
@main.command()
@click.argument("question")
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option(
    "--follows",
    "history",
    multiple=True,
    help="An earlier question in the same conversation (repeatable, oldest first).",
)
@click.option(
    "--doc",
    "documents",
    multiple=True,
    help="Search only this document (source file name; repeatable).",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    help="Search only documents of this kind, e.g. 'case study' (repeatable).",
)
@human_errors
def ask(
    question: str,
    data_dir: Path | None,
    as_json: bool,
    history: tuple[str, ...],
    documents: tuple[str, ...],
    kinds: tuple[str, ...],
) -> None:
    """Answer QUESTION from the library, with a citation for every sentence."""
    from assistant.guide import Guide
    from assistant.retrieval import SearchFilters

    guide = Guide(make_settings(data_dir))
    answer = guide.ask(question, history=history, filters=SearchFilters(documents, kinds))
    if as_json:
        click.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    from assistant.ui.render import answer_as_text

    click.echo(answer_as_text(answer))


# -- serve ------------------------------------------------------------------------------------
@main.command()
@data_dir_option
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 7860).")
@human_errors
def serve(data_dir: Path | None, host: str | None, port: int | None) -> None:
    """Start the web app."""
    from assistant.ui.app import launch

    launch(make_settings(data_dir, host=host, port=port))


# -- eval -------------------------------------------------------------------------------------
@main.group(name="eval")
def eval_group() -> None:
    """Run the Q&A test set and report its metrics."""


@eval_group.command(name="run")
@click.option(
    "--testset",
    "testsets",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSONL test set (repeatable).",
)
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the metrics and items as JSON.")
@human_errors
def eval_run(testsets: tuple[Path, ...], data_dir: Path | None, as_json: bool) -> None:
    """Score retrieval, citations and abstention on a test set."""
    from tqdm import tqdm

    from assistant.guide import Guide
    from eval.report import format_summary
    from eval.runner import run_testset
    from eval.testset import load_testsets

    items = load_testsets(testsets)
    guide = Guide(make_settings(data_dir))
    with tqdm(total=len(items), desc="questions", file=sys.stderr, disable=as_json) as bar:
        result = run_testset(guide, items, progress=lambda: bar.update(1))
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_summary(result))


# -- docs -------------------------------------------------------------------------------------
@main.group()
def docs() -> None:
    """List, inspect and remove the library's documents."""


@docs.command(name="list")
@data_dir_option
@click.option("--json", "as_json", is_flag=True)
@human_errors
def docs_list(data_dir: Path | None, as_json: bool) -> None:
    """List the documents in the library."""
    from assistant.library import Library

    library = Library(make_settings(data_dir))
    records = library.documents()
    if as_json:
        from dataclasses import asdict

        click.echo(json.dumps({"documents": [asdict(r) for r in records]}, indent=2))
        return
    if not records:
        click.echo("The library is empty. Add documents with `guide ingest PATH`.")
        return
    for r in records:
        click.echo(
            f"{r.source_file}  |  {r.title}  |  {r.kind or '-'}  |  "
            f"{r.pages} pages, {r.chunks} chunks  |  added {r.added_at}"
        )
    s = library.summary()
    click.echo(f"\n{s['documents']} documents, {s['pages']} pages, {s['chunks']} chunks.")


@docs.command(name="show")
@click.argument("source_file")
@data_dir_option
@human_errors
def docs_show(source_file: str, data_dir: Path | None) -> None:
    """Show one document's details and its pages' printed labels."""
    from dataclasses import asdict

    from assistant.library import Library

    library = Library(make_settings(data_dir))
    record = library.find(source_file)
    if record is None:
        raise GuideError(f"No document called {source_file!r}; `guide docs list` shows them.")
    info = asdict(record)
    info["page_labels"] = [p.page_label for p in library.pages(record.version)]
    click.echo(json.dumps(info, indent=2))


@docs.command(name="remove")
@click.argument("source_file")
@data_dir_option
@human_errors
def docs_remove(source_file: str, data_dir: Path | None) -> None:
    """Remove a document and its passages from the library."""
    from assistant.library import Library

    record = Library(make_settings(data_dir)).remove(source_file)
    click.echo(f"Removed {record.source_file} ({record.title}).")


if __name__ == "__main__":
    main()
