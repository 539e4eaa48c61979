"""Mail: queued in the transaction that causes it, sent after commit by the mail follower.

`send` adds a message to the `mail_messages` outbox in the current session, so it is stored, or
dropped, with the change it tells about: a rolled-back step mails nobody. No request talks to
SMTP. `flask --app hub mail follow` (`hub.mail.sender`) sends what is committed, retrying with
backoff, when HUB_MAIL_SERVER is set; every message is also kept in the outbox admins read, and
written to the log.
"""

from __future__ import annotations

from flask import current_app

from hub.extensions import db
from hub.mail.models import MailMessage


def send(recipient: str, subject: str, body: str, reply_to: str | None = None) -> MailMessage:
    """Queue a message; it goes out only if the current transaction commits."""
    message = MailMessage(recipient=recipient, subject=subject, body=body, reply_to=reply_to)
    db.session.add(message)
    current_app.logger.info("mail to %s: %s\n%s", recipient, subject, body)
    return message
