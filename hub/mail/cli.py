"""`flask --app hub mail follow|send-pending|status|retry`: send the mail outbox."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from hub import processes
from hub.database import utcnow
from hub.extensions import db
from hub.mail import sender
from hub.mail.models import MailMessage, MailStatus

mail_cli = AppGroup("mail", help="Send the mail outbox over SMTP.")

NO_SERVER = "HUB_MAIL_SERVER is not set: messages wait in the outbox (admins read them there)."


def init_app(app: Flask) -> None:
    app.cli.add_command(mail_cli)


@mail_cli.command("send-pending")
def send_pending_command() -> None:
    """Try every pending message that is due, once, and say what happened."""
    if not sender.configured():
        click.echo(NO_SERVER, err=True)
        sys.exit(1)
    report = sender.Report()
    while True:
        done = sender.send_pending()
        report.sent += done.sent
        report.retrying += done.retrying
        report.failed += done.failed
        if done.attempted < sender.BATCH_SIZE:  # else a full batch: there may be more
            break
    click.echo(f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed")


@mail_cli.command("follow")
def follow_command() -> None:
    """Keep sending the outbox as it grows, with retries, until stopped (production runs it)."""
    stopping = processes.StopRequest().install()
    if not sender.configured():
        # Stay up, so a process supervisor (honcho, systemd) does not stop or restart the rest.
        click.echo(NO_SERVER, err=True)
        while not stopping():
            processes.sleep(1.0, stopping)
        return
    click.echo("Sending the mail outbox as it grows; stop with Ctrl-C.")
    sender.follow(should_stop=stopping)


@mail_cli.command("status")
def status_command() -> None:
    """Count the messages in each state, and show the errors of those that failed."""
    counts = dict(
        db.session.execute(
            sa.select(MailMessage.status, sa.func.count()).group_by(MailMessage.status)
        ).all()
    )
    for status in MailStatus:
        click.echo(f"{status.value}: {counts.get(status, 0)}")
    failed = db.session.scalars(
        sa.select(MailMessage)
        .where(MailMessage.status == MailStatus.failed)
        .order_by(MailMessage.id.desc())
        .limit(20)
    )
    for message in failed:
        click.echo(f"  failed {message.id} to {message.recipient}: {message.last_error}")


@mail_cli.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--failed", "all_failed", is_flag=True, help="Every message that failed.")
def retry_command(ids: tuple[int, ...], all_failed: bool) -> None:
    """Put failed messages back in the queue, with a fresh count of attempts."""
    if not ids and not all_failed:
        raise click.UsageError("name the messages to retry, or pass --failed")
    query = sa.update(MailMessage).where(MailMessage.status == MailStatus.failed)
    if not all_failed:
        query = query.where(MailMessage.id.in_(ids))
    done = db.session.execute(
        query.values(status=MailStatus.pending, attempts=0, next_attempt_at=utcnow())
    )
    db.session.commit()
    click.echo(f"{done.rowcount} messages queued again")
