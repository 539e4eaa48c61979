"""`flask --app hub ...` commands: thin wrappers over the domain."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from hub import search
from hub.accounts import operations as accounts
from hub.accounts.models import ROLES
from hub.content import files as content_files
from hub.errors import NotFound
from hub.exchanges import lifecycle as exchange_requests
from hub.extensions import db
from hub.search import documents as search_documents
from hub.search import indexer
from hub.search.store import applied_sequence

content_cli = AppGroup("content", help="Load and export the content files.")
search_cli = AppGroup("search", help="Build and maintain the search index.")
users_cli = AppGroup("users", help="Accounts and API tokens.")
match_cli = AppGroup("match", help="Suggest mentor cities and run matching rounds.")
# A progress bar is worth drawing only when a load takes more than a moment.
PROGRESS_MIN_FILES = 50


def init_app(app: Flask) -> None:
    app.cli.add_command(content_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(match_cli)


@content_cli.command("load")
@click.argument("path", type=click.Path(exists=True, file_okay=True, path_type=Path))
def load_command(path: Path) -> None:
    """Load content files from PATH (a folder or one file). Bad files are reported and skipped."""
    total = len(content_files.content_files(path))
    if total >= PROGRESS_MIN_FILES:
        with click.progressbar(length=total, label="Loading", file=sys.stderr) as bar:
            report = content_files.load_directory(path, advance=bar.update)
    else:
        report = content_files.load_directory(path)
    db.session.commit()
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.errors)} with errors"
    )
    for name in report.updated:
        click.echo(f"updated: {name}")
    if report.errors:
        sys.exit(1)


@content_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(directory: Path) -> None:
    """Write every record to DIRECTORY in the content file format."""
    written = content_files.export_directory(directory)
    click.echo(f"{len(written)} files written to {directory}")


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


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--city", "city_slug", help="The city of a focal point (its slug).")
@click.option("--name", default="")
def create_user_command(email: str, role: str, city_slug: str | None, name: str) -> None:
    """Create an account. The password is read from a prompt, or from stdin when piped."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        user = accounts.create_user(email, role, password, city_slug, name)
    except accounts.AccountError as error:
        raise click.ClickException(f"{error.field}: {error.message}") from None
    db.session.commit()
    click.echo(f"created {user.email} ({user.role})")


@users_cli.command("token")
@click.argument("email")
@click.option("--revoke", is_flag=True, help="Revoke every token of this account instead.")
def token_command(email: str, revoke: bool) -> None:
    """Issue a personal API token (shown once, stored hashed), or revoke them."""
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"no account {email}")
    if revoke:
        count = accounts.revoke_tokens(user)
        db.session.commit()
        click.echo(f"{count} token(s) revoked for {user.email}")
        return
    token = accounts.issue_token(user)
    db.session.commit()
    click.echo(token)
    click.echo("Keep it safe: it is shown only this once.", err=True)


def _print_proposal(item: dict) -> None:
    click.echo(f"{item['rank']}. {item['city']}  score {item['score']:.2f}")
    for name, factor in item["factors"].items():
        click.echo(
            f"     {name:<13} value {factor['value']:.2f} x weight {factor['weight']:+.1f}"
            f" = {factor['contribution']:+.2f}"
        )
    click.echo(f"     {item['reason']}")


@match_cli.command("suggest")
@click.argument("request_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
def suggest_command(request_id: int, as_json: bool) -> None:
    """Print the best mentor cities for exchange request REQUEST_ID, with their scores."""
    try:
        request = exchange_requests.get_request(request_id)
    except NotFound:
        raise click.ClickException(f"no exchange request {request_id}") from None
    answer = exchange_requests.suggestions_json(request, exchange_requests.suggestions(request))
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    click.echo(f"Request {request.id} from {request.city.slug} ({request.status})")
    if not answer["suggestions"]:
        click.echo("No eligible mentor city.")
    for item in answer["suggestions"]:
        _print_proposal(item)


@match_cli.command("round")
@click.option("--dry-run", is_flag=True, help="Show the proposals without storing them.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
def round_command(dry_run: bool, as_json: bool) -> None:
    """Propose mentors for every submitted request, within each mentor city's free capacity."""
    done = exchange_requests.run_round(None, dry_run=dry_run)
    answer = exchange_requests.round_json(done, dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    for item in answer["proposals"]:
        click.echo(f"request {item['request']}:")
        _print_proposal(item)
    for item in answer["unmatched"]:
        click.echo(f"request {item['request']}: unmatched ({item['reason']})")
    stored = "nothing stored (dry run)" if dry_run else "proposals stored"
    click.echo(
        f"{len(answer['proposals'])} proposed, {len(answer['unmatched'])} unmatched, "
        f"total score {answer['total_score']:.2f}; {stored}"
    )
