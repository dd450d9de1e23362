"""`guide`: the one command-line entry point (ingest | ask | serve | eval | docs).

Heavy imports (torch, sentence-transformers, chromadb, gradio) happen inside the commands, so
`guide --help` is instant. Library errors are `GuideError`s; this module turns them into a
one-line message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assistant.cli.support import F, cli_user, data_dir_option, human_errors, make_settings
from assistant.config import configure_offline, private_files
from assistant.errors import GuideError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mutuals-guide")
def main() -> None:
    """Mutuals Guide: cited answers on delivering local services through mutuals and co-ops."""
    configure_offline()
    private_files()


# -- ingest -----------------------------------------------------------------------------------
def upload_options(func: F) -> F:
    from assistant.library import KINDS

    func = click.option(
        "--date", default="", help="The date the document is accurate to (YYYY-MM-DD, YYYY-MM)."
    )(func)
    func = click.option(
        "--kind", default="", type=click.Choice(["", *KINDS]), help="The kind of document."
    )(func)
    return click.option("--title", default="", help="The document's title (one file only).")(func)


def print_results(results: list[Any], library: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"files": [r.to_dict() for r in results]}, indent=2))
        return
    for r in results:
        if r.status == "refused":
            detail = r.reason
        else:
            detail = f"{r.pages} pages, {r.chunks} chunks" + (f"; {r.reason}" if r.reason else "")
        if r.flags:
            detail += f"; {r.flags} passages flagged for review (`guide docs show`)"
        click.echo(f"{r.status:>9}  {r.path}  ({detail})")
    counts = {
        s: sum(r.status == s for r in results)
        for s in ("added", "replaced", "unchanged", "refused")
    }
    lib = library.summary()
    click.echo(
        f"\n{counts['added']} added, {counts['replaced']} replaced, "
        f"{counts['unchanged']} unchanged, {counts['refused']} refused. "
        f"Library: {lib['documents']} documents, {lib['pages']} pages, {lib['chunks']} chunks."
    )


def progress_bars(as_json: bool) -> tuple[Callable[[str, int], Callable[[int], Any]], list[Any]]:
    from tqdm import tqdm

    bars: list[Any] = []

    def progress(name: str, total: int) -> Callable[[int], Any]:
        bar = tqdm(
            total=total, desc=name[:40], unit="chunk", file=sys.stderr, leave=False, disable=as_json
        )
        bars.append(bar)
        return bar.update

    return progress, bars


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@data_dir_option
@upload_options
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@human_errors
def ingest(
    paths: tuple[Path, ...],
    data_dir: Path | None,
    title: str,
    kind: str,
    date: str,
    as_json: bool,
) -> None:
    """Add PDFs, Word documents (.docx) and saved web pages (.html), as files or folders, to the
    library. Unchanged files are skipped; a file named like
    a document already in the library becomes its new version (the old one is kept, superseded)."""
    from ingest.desk import LibraryDesk
    from ingest.pipeline import UploadInfo

    desk = LibraryDesk(make_settings(data_dir))
    progress, bars = progress_bars(as_json)
    results = desk.upload(
        list(paths),
        UploadInfo(title=title, kind=kind, date=date),
        who=cli_user(),
        progress=progress,
    )
    for bar in bars:
        bar.close()
    print_results(results, desk.library, as_json)
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
    from assistant.render import answer_as_text

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
@click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Build a fresh temporary library from this folder of PDFs and evaluate that instead.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the HTML report (index.html) and its JSON (report.json) to this folder.",
)
@click.option(
    "--compare",
    "previous",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="An earlier run's report folder or JSON: say what got better or worse.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole run as JSON.")
@human_errors
def eval_run(
    testsets: tuple[Path, ...],
    data_dir: Path | None,
    corpus: Path | None,
    report_dir: Path | None,
    previous: Path | None,
    as_json: bool,
) -> None:
    """Score retrieval, citations, answers, abstention and latency on test sets; the run is kept
    in the library's run store (see the Evaluate tab) and can be written as an HTML report."""
    from tqdm import tqdm

    from assistant.accounts import Role
    from eval.desk import EvalDesk
    from eval.runner import dump

    desk = EvalDesk(make_settings(data_dir))
    earlier = desk.load_path(previous) if previous else None  # a bad --compare fails first
    ingest_progress, bars = progress_bars(as_json)
    questions: list[Any] = []

    def tick(_: int, total: int) -> None:
        if not questions:
            questions.append(tqdm(total=total, desc="questions", file=sys.stderr, disable=as_json))
        questions[0].update(1)

    # whoever runs `guide` can read and write the data folder: an admin, as for `guide users`
    done = desk.run(
        list(testsets),
        who=cli_user(),
        role=Role.ADMIN.value,
        previous=earlier,
        corpus=corpus,
        progress=tick,
        ingest_progress=ingest_progress,
    )
    for bar in [*bars, *questions]:
        bar.close()
    for r in done.refused:
        click.echo(f"refused  {r.path}  ({r.reason})", err=True)
    if report_dir is not None:  # the kept run's report, not rendered a second time
        shutil.copytree(done.folder, report_dir, dirs_exist_ok=True)
    if as_json:
        comparison = {"comparison": done.comparison.to_dict()} if done.comparison else {}
        click.echo(dump({**done.run.to_dict(), **comparison}))
        return
    from eval.report import format_run

    click.echo(format_run(done.run, done.comparison))
    click.echo(f"\nRun {done.folder.name} kept in {done.folder.parent}.")
    if report_dir is not None:
        click.echo(f"Report: {report_dir / 'index.html'}")


# -- docs -------------------------------------------------------------------------------------
@main.group()
def docs() -> None:
    """List, inspect, replace and remove the library's documents."""


@docs.command(name="list")
@data_dir_option
@click.option("--all", "everything", is_flag=True, help="Include superseded versions.")
@click.option("--json", "as_json", is_flag=True)
@human_errors
def docs_list(data_dir: Path | None, everything: bool, as_json: bool) -> None:
    """List the documents in the library."""
    from dataclasses import asdict

    from assistant.library import Library

    library = Library(make_settings(data_dir))
    library.tidy()  # a removal killed part-way leaves the document's files until a tidy
    records = library.records() if everything else library.documents()
    if as_json:
        click.echo(json.dumps({"documents": [asdict(r) for r in records]}, indent=2))
        return
    if not records:
        click.echo("The library is empty. Add documents with `guide ingest PATH`.")
        return
    for r in records:
        status = r.status + (f", {len(r.flags)} flagged" if r.flags else "")
        click.echo(
            f"{r.source_file}  |  {r.title}  |  {r.kind or '-'}  |  {r.date or 'undated'}  |  "
            f"{r.pages} pages, {r.chunks} chunks  |  {status}  |  "
            f"added {r.added_at}{' by ' + r.uploaded_by if r.uploaded_by else ''}"
        )
    s = library.summary()
    click.echo(
        f"\n{s['documents']} documents, {s['pages']} pages, {s['chunks']} chunks; "
        f"{s['superseded_versions']} superseded versions; {s['flagged']} flagged for review."
    )


@docs.command(name="show")
@click.argument("source_file")
@data_dir_option
@human_errors
def docs_show(source_file: str, data_dir: Path | None) -> None:
    """Show a document: its versions, page labels and any passages flagged for review."""
    from dataclasses import asdict

    from assistant.library import Library

    library = Library(make_settings(data_dir))
    library.tidy()
    history = library.history(source_file)
    if not history:
        raise GuideError(f"No document called {source_file!r}; `guide docs list` shows them.")
    current = history[0]
    info = asdict(current)
    info["page_labels"] = [p.page_label for p in library.pages(current.version)]
    info["versions"] = [
        {
            k: getattr(r, k)
            for k in ("version", "status", "added_at", "uploaded_by", "superseded_at")
        }
        for r in history
    ]
    click.echo(json.dumps(info, indent=2, ensure_ascii=False))


@docs.command(name="remove")
@click.argument("source_file")
@click.option("--version", "version", default=None, help="Remove only this superseded version.")
@data_dir_option
@human_errors
def docs_remove(source_file: str, version: str | None, data_dir: Path | None) -> None:
    """Remove a document (all its versions) and its passages from the library."""
    from ingest.desk import LibraryDesk

    gone = LibraryDesk(make_settings(data_dir)).remove(source_file, version, who=cli_user())
    what = ", ".join(f"{r.version} ({r.status})" for r in gone)
    click.echo(f"Removed {source_file}: {what}.")


@docs.command(name="replace")
@click.argument("source_file")
@click.argument("new_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_dir_option
@upload_options
@click.option("--json", "as_json", is_flag=True)
@human_errors
def docs_replace(
    source_file: str,
    new_file: Path,
    data_dir: Path | None,
    title: str,
    kind: str,
    date: str,
    as_json: bool,
) -> None:
    """Make NEW_FILE the current version of SOURCE_FILE; the old version is kept, superseded."""
    from ingest.desk import LibraryDesk
    from ingest.pipeline import UploadInfo

    desk = LibraryDesk(make_settings(data_dir))
    progress, bars = progress_bars(as_json)
    result = desk.replace(
        source_file,
        new_file,
        UploadInfo(title=title, kind=kind, date=date),
        who=cli_user(),
        progress=progress,
    )
    for bar in bars:
        bar.close()
    print_results([result], desk.library, as_json)
    if result.status == "refused":
        sys.exit(1)


def _register_admin_commands() -> None:
    from assistant.cli.admin import audit, users

    main.add_command(users)
    main.add_command(audit)


_register_admin_commands()

if __name__ == "__main__":
    main()
