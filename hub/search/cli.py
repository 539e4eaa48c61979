"""`flask --app hub search reindex|status|sync`: build and maintain the search index."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from hub import processes, search
from hub.search import documents as search_documents
from hub.search import follower, indexer
from hub.search.store import IndexDiverged, IndexMissing, IndexProblem

search_cli = AppGroup("search", help="Build and maintain the search index.")


def init_app(app: Flask) -> None:
    app.cli.add_command(search_cli)


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the whole index from the database into a new directory, then swap it in."""
    store = search.store()
    total = search_documents.count_documents()
    with click.progressbar(length=total, label="Indexing", file=sys.stderr) as bar:
        written = indexer.rebuild(store, advance=bar.update)
    indexer.sync(store)  # what changed while the new index was being built
    click.echo(f"{written} documents indexed into {store.current_path()}")


REINDEX = "flask --app hub search reindex"


@search_cli.command("status")
def status_command() -> None:
    """Print the number of documents, the pending outbox rows and the last applied row, or what
    is wrong with the index; the exit status is 1 when the index cannot be used as it is."""
    store = search.store()
    rebuilding = store.is_rebuilding()
    try:
        state = indexer.verify(store)
    except IndexProblem as problem:
        click.echo(f"search index: {_advice(problem, rebuilding)}")
        sys.exit(1)
    with store.open().searcher() as searcher:
        documents = searcher.doc_count() - 1  # the state document
    click.echo(f"index: {store.current_path()}")
    click.echo(f"documents: {documents}")
    click.echo(f"pending outbox rows: {indexer.pending_count(store)}")
    click.echo(f"last applied outbox row: {state.mark}")
    if rebuilding:
        click.echo("rebuilding: searches use this index until the new one is swapped in")


def _advice(problem: IndexProblem, rebuilding: bool) -> str:
    if rebuilding:
        return f"{problem}. Rebuilding now: search answers 503 until it is done."
    if isinstance(problem, IndexMissing) and not search.store().root.exists():
        root = search.store().root
        return f"no search index in {root} (never built, or deleted): run `{REINDEX}`."
    if isinstance(problem, IndexDiverged):
        return (
            f"{problem}. Restored a backup? Run `{REINDEX}`; "
            "a running `search sync --follow` rebuilds it by itself."
        )
    return f"{problem}. Run `{REINDEX}`; a running `search sync --follow` rebuilds it by itself."


@search_cli.command("sync")
@click.option(
    "--follow", "keep_following", is_flag=True, help="Keep applying new rows until interrupted."
)
def sync_command(keep_following: bool) -> None:
    """Apply the pending outbox rows to the index, rebuilding it first if it cannot be used
    (production runs this with --follow)."""
    store = search.store()
    if not keep_following:
        progress = follower.step(store)
        click.echo(f"{progress.applied} outbox rows applied; last applied row {progress.mark}")
        return
    stopping = processes.StopRequest().install()
    click.echo("Applying the search outbox as it grows; stop with Ctrl-C.")
    follower.follow(store, should_stop=stopping)
