"""`flask --app hub match suggest|round`: mentor suggestions and matching rounds."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from hub.errors import NotFound
from hub.exchanges import access, answers, lifecycle, network
from hub.extensions import db
from hub.types import MAX_ID

match_cli = AppGroup("match", help="Suggest mentor cities and run matching rounds.")


def init_app(app: Flask) -> None:
    app.cli.add_command(match_cli)


def _print_proposal(item: dict) -> None:
    click.echo(f"{item['rank']}. {item['city']}  score {item['score']:.2f}")
    for name, factor in item["factors"].items():
        click.echo(
            f"     {name:<13} value {factor['value']:.2f} x weight {factor['weight']:+.1f}"
            f" = {factor['contribution']:+.2f}"
        )
    click.echo(f"     {item['reason']}")


@match_cli.command("suggest")
@click.argument("request_id", type=click.IntRange(1, MAX_ID))
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
def suggest_command(request_id: int, as_json: bool) -> None:
    """Print the best mentor cities for exchange request REQUEST_ID, with their scores."""
    try:
        request = access.find(request_id)
    except NotFound:
        raise click.ClickException(f"no exchange request {request_id}") from None
    answer = answers.dump(answers.suggestions_out(request, network.suggestions(request)))
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
    done = lifecycle.run_round(None, dry_run=dry_run)
    answer = answers.dump(answers.round_out(done, dry_run))
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
