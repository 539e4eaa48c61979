"""`flask --app hub users create|invite|token`: accounts and API tokens; `flask --app hub
accounts prune`: personal data past its retention period."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click
from flask import Flask
from flask.cli import AppGroup

from hub import web
from hub.accounts import operations as accounts
from hub.accounts import retention
from hub.accounts.models import Role
from hub.errors import HubError
from hub.extensions import db

users_cli = AppGroup("users", help="Accounts and API tokens.")
accounts_cli = AppGroup("accounts", help="Personal data the hub keeps, and for how long.")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(accounts_cli)


def account_options(command: Callable) -> Callable:
    """The address, role, city and name of a new account."""
    for option in reversed(
        (
            click.argument("email"),
            click.option("--role", type=click.Choice([role.value for role in Role]), required=True),
            click.option("--city", "city_slug", help="The city of a focal point (its slug)."),
            click.option("--name", default=""),
        )
    ):
        command = option(command)
    return command


@users_cli.command("create")
@account_options
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


@users_cli.command("invite")
@account_options
def invite_command(email: str, role: str, city_slug: str | None, name: str) -> None:
    """Create an account without a password and print a link (valid for an hour) to choose one;
    the same link is mailed."""
    try:
        user = accounts.invite(email, role, city_slug, name, actor=None)
    except HubError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    link = web.external_url("accounts.reset", token=accounts.reset_token(user), lang="en")
    db.session.commit()
    click.echo(f"invited {user.email} ({user.role})")
    click.echo(f"Open this link within an hour to choose the password: {link}")


@accounts_cli.command("prune")
def prune_command() -> None:
    """Delete sent mail, decided access requests and audit IP addresses past their periods."""
    pruned = retention.prune()
    db.session.commit()
    click.echo(
        f"deleted {pruned.mail} message(s) older than {retention.MAIL_DAYS} days, "
        f"{pruned.access_requests} request(s) for access; "
        f"erased {pruned.audit_addresses} audit IP address(es) older than "
        f"{retention.AUDIT_ADDRESS_DAYS} days"
    )
