"""`flask --app hub users create|token`: accounts and API tokens."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from hub.accounts import operations as accounts
from hub.accounts.models import Role
from hub.errors import HubError
from hub.extensions import db

users_cli = AppGroup("users", help="Accounts and API tokens.")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
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
    except HubError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
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
