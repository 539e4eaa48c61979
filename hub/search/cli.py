"""`flask --app hub search reindex|status|sync`: build and maintain the search index."""

from __future__ import annotations

import signal
import sys
import threading

import click
from flask import Flask
from flask.cli import AppGroup

from hub import search
from hub.search import documents as search_documents
from hub.search import indexer
from hub.search.store import applied_sequence

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


@search_cli.command("status")
def status_command() -> None:
    """Print the number of documents, the pending outbox rows and the last applied row."""
    store = search.store()
    if not store.exists():
        click.echo("No search index yet: run `flask --app hub search reindex`.")
        sys.exit(1)
    with store.open().searcher() as searcher:
        documents = searcher.doc_count() - 1  # the state document
        mark = applied_sequence(searcher)
    click.echo(f"index: {store.current_path()}")
    click.echo(f"documents: {documents}")
    click.echo(f"pending outbox rows: {indexer.pending_count(store)}")
    click.echo(f"last applied outbox row: {mark}")


@search_cli.command("sync")
@click.option("--follow", is_flag=True, help="Keep applying new rows until interrupted.")
def sync_command(follow: bool) -> None:
    """Apply the pending outbox rows to the index (production runs this with --follow)."""
    store = search.store()
    if not store.exists():
        indexer.rebuild(store)
    if not follow:
        progress = indexer.sync(store)
        click.echo(f"{progress.applied} outbox rows applied; last applied row {progress.mark}")
        return
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    click.echo("Applying the search outbox as it grows; stop with Ctrl-C.")
    indexer.follow(store, should_stop=stopping.is_set)
