"""The mail follower: sends the committed messages of the outbox over SMTP, with retries.

A pass takes the pending messages that are due, oldest first. Each one is claimed by a
conditional update that counts the attempt and moves its next attempt a lease ahead, and that
claim is committed before SMTP is spoken to: two followers never send the same message, and no
transaction stays open while a mail server answers. Then SMTP's answer is recorded. Accepted:
sent. A permanent refusal (a 5xx for the recipient, the sender or the data): failed at once.
Anything else (the server away, a 4xx, a timeout): tried again later, twice as long after each
attempt, and failed after MAX_ATTEMPTS. Admins see each state, attempt and error at
`/<lang>/admin/mail`.

A follower that stops between SMTP's acceptance and the record of it leaves the message to be
tried again when the lease ends: it may go out twice (with the same Message-ID, so mail readers
show it once), never not at all.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from hub import processes
from hub.database import utcnow
from hub.extensions import db
from hub.mail.models import MailMessage, MailStatus

# Each can be set as HUB_MAIL_<NAME> (for example HUB_MAIL_MAX_ATTEMPTS=5).
DEFAULTS = {
    "RETRY_FIRST": 60.0,  # seconds before the second attempt; each later wait doubles
    "RETRY_LONGEST": 3600.0,  # the longest wait between two attempts
    # 1, 2, 4, 8, 16, 32 and 60 minutes apart: a mail server away for two hours loses nothing.
    "MAX_ATTEMPTS": 8,
    # A claimed message is kept from other followers this long: far longer than SMTP_TIMEOUT.
    "LEASE": 600.0,
    "SMTP_TIMEOUT": 30.0,
}
BATCH_SIZE = 100  # messages claimed per pass at most
POLL_INTERVAL = 1.0  # seconds between looks at the outbox: a message waits about this long
# While the database is away the follower waits this long, doubling up to the longest.
DATABASE_RETRY_FIRST = 0.5  # seconds
DATABASE_RETRY_LONGEST = 30.0  # seconds
ERROR_LENGTH = 1000  # characters of an SMTP error kept for admins


@dataclass
class Report:
    """What a pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


@dataclass
class Problem:
    """Why SMTP did not take a message, and whether trying again can help."""

    error: str
    permanent: bool


def setting(name: str) -> float:
    return current_app.config.get(f"MAIL_{name}", DEFAULTS[name])


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    seconds = float(setting("RETRY_FIRST")) * 2 ** min(max(attempts - 1, 0), 32)
    return timedelta(seconds=min(seconds, float(setting("RETRY_LONGEST"))))


def send_pending(now: datetime | None = None, limit: int = BATCH_SIZE) -> Report:
    """One pass: try each pending message that is due at `now` (default: the present)."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            sa.select(MailMessage.id)
            .where(MailMessage.status == MailStatus.pending, MailMessage.next_attempt_at <= now)
            .order_by(MailMessage.next_attempt_at, MailMessage.id)
            .limit(limit)
        )
    )
    db.session.rollback()  # no transaction stays open between passes
    report = Report()
    for message_id in due:
        envelope = _claim(message_id, now)
        if envelope is not None:  # else another follower has it
            _record(envelope, _deliver(envelope), now, report)
    return report


@dataclass
class Envelope:
    """A claimed message, read out of the database so that no transaction waits on SMTP."""

    id: int
    recipient: str
    subject: str
    body: str
    attempts: int  # this one included
    reply_to: str | None = None


def _claim(message_id: int, now: datetime) -> Envelope | None:
    """Count an attempt on the message and keep others off it for a lease; committed at once."""
    lease = timedelta(seconds=float(setting("LEASE")))
    claimed = db.session.execute(
        sa.update(MailMessage)
        .where(
            MailMessage.id == message_id,
            MailMessage.status == MailStatus.pending,
            MailMessage.next_attempt_at <= now,
        )
        .values(attempts=MailMessage.attempts + 1, next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    columns = (
        MailMessage.recipient,
        MailMessage.subject,
        MailMessage.body,
        MailMessage.attempts,
        MailMessage.reply_to,
    )
    row = db.session.execute(sa.select(*columns).where(MailMessage.id == message_id)).one()
    db.session.rollback()
    return Envelope(message_id, *row)


def _record(envelope: Envelope, problem: Problem | None, now: datetime, report: Report) -> None:
    log, attempts = current_app.logger, envelope.attempts
    if problem is None:
        values = {"status": MailStatus.sent, "sent_at": utcnow(), "next_attempt_at": None}
        report.sent += 1
    elif problem.permanent or attempts >= int(setting("MAX_ATTEMPTS")):
        values = {"status": MailStatus.failed, "next_attempt_at": None}
        report.failed += 1
        log.error("mail %s failed after %s attempts: %s", envelope.id, attempts, problem.error)
    else:
        values = {"next_attempt_at": now + retry_delay(attempts)}
        report.retrying += 1
        log.warning(
            "mail %s: attempt %s failed, to retry: %s", envelope.id, attempts, problem.error
        )
    if problem is not None:
        values["last_error"] = problem.error[:ERROR_LENGTH]
    db.session.execute(
        sa.update(MailMessage)
        .where(MailMessage.id == envelope.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _deliver(envelope: Envelope) -> Problem | None:
    """Hand one message to SMTP; None when it was accepted, else the Problem."""
    config = current_app.config
    try:
        email = EmailMessage()
        email["From"] = config.get("MAIL_DEFAULT_SENDER", "hub@localhost")
        email["To"] = envelope.recipient
        email["Subject"] = envelope.subject
        if envelope.reply_to:
            email["Reply-To"] = envelope.reply_to
        email["Date"] = formatdate()
        domain = (config.get("SERVER_NAME") or "hub.localhost").split(":")[0]
        email["Message-ID"] = f"<mail-{envelope.id}@{domain}>"
        email.set_content(envelope.body)
    except (ValueError, TypeError) as error:  # a header that cannot be written: never will be
        return Problem(_describe(error), permanent=True)
    try:
        with smtplib.SMTP(
            config["MAIL_SERVER"],
            int(config.get("MAIL_PORT", 587)),
            timeout=float(setting("SMTP_TIMEOUT")),
        ) as smtp:
            if config.get("MAIL_USE_TLS", True):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        return Problem(_describe(error), permanent=all(code >= 500 for code in codes))
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
        return Problem(_describe(error), permanent=error.smtp_code >= 500)
    except (OSError, smtplib.SMTPException) as error:  # away, timed out, 4xx, TLS, login
        return Problem(_describe(error), permanent=False)
    return None


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [f"{code} {_text(text)}" for code, text in error.recipients.values()]
        return "recipient refused: " + "; ".join(answers)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def follow(should_stop: Callable[[], bool]) -> None:
    """Send the outbox as it grows until `should_stop()`; for `mail follow`.

    While the database is away it waits and tries again, longer each time, instead of exiting.
    """
    wait = DATABASE_RETRY_FIRST
    while not should_stop():
        try:
            report = send_pending()
        except OperationalError as error:
            current_app.logger.warning(
                "mail follow: database unavailable, retrying in %ss: %s", wait, error
            )
            _forget_connections()
            processes.sleep(wait, should_stop)
            wait = min(wait * 2, DATABASE_RETRY_LONGEST)
            continue
        wait = DATABASE_RETRY_FIRST
        if report.attempted < BATCH_SIZE:
            processes.sleep(POLL_INTERVAL, should_stop)


def _forget_connections() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.invalidate()
    db.engine.dispose()  # its connections may all be stale
