"""`flask --app hub content load|export`: content files in and out."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from hub.content import files as content_files
from hub.extensions import db

content_cli = AppGroup("content", help="Load and export the content files.")
# A progress bar is worth drawing only when a load takes more than a moment.
PROGRESS_MIN_FILES = 50


def init_app(app: Flask) -> None:
    app.cli.add_command(content_cli)


@content_cli.command("load")
@click.argument("path", type=click.Path(exists=True, file_okay=True, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Also overwrite records changed in the hub since they were loaded (audited).",
)
def load_command(path: Path, force: bool) -> None:
    """Load content files from PATH (a folder or one file). Bad files are reported and skipped;
    records changed in the hub since their last load are kept and reported, unless --force."""
    total = len(content_files.content_files(path))
    if total >= PROGRESS_MIN_FILES:
        with click.progressbar(length=total, label="Loading", file=sys.stderr) as bar:
            report = content_files.load_directory(path, advance=bar.update, force=force)
    else:
        report = content_files.load_directory(path, force=force)
    db.session.commit()
    for error in report.errors:
        for line in error.lines():
            click.echo(f"error: {line}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.errors)} with errors"
    )
    for name in report.updated:
        click.echo(f"updated: {name}")
    for change in report.kept:
        click.echo(change.line())
    if report.kept:
        click.echo(
            f"{len(report.kept)} kept as the hub holds them: `content export` brings them into "
            "content files, --force overwrites them"
        )
    for change in report.overwritten:
        click.echo(change.line(overwritten=True))
    # A bad file stops the load's caller (`make run`, a deployment); the hub's own data never does.
    if report.errors:
        sys.exit(1)


@content_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(directory: Path) -> None:
    """Write every record, drafts and archived ones included, to DIRECTORY as content files."""
    report = content_files.export_directory(directory)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in report.errors:
        click.echo(f"error: {error}, not written", err=True)
    click.echo(f"{len(report.written)} files written to {directory}")
    if report.errors:
        sys.exit(1)
