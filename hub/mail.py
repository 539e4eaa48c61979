"""Mail: queued in the request's transaction, sent after it commits.

`send` adds the message to the session, so it is stored, or dropped, with the change it tells
about; `hub.web` calls `deliver_queued` once the request has committed (the command line calls
it after its own commit). SMTP is used when HUB_MAIL_SERVER is set; every message is also kept
in the outbox admins read, and written to the log.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app, g

from hub.accounts.models import MailMessage
from hub.extensions import db


def send(recipient: str, subject: str, body: str) -> MailMessage:
    """Queue a message; it goes out only if the current transaction commits."""
    message = MailMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    g.setdefault("hub_mail", []).append(message)
    current_app.logger.info("mail to %s: %s\n%s", recipient, subject, body)
    return message


def deliver_queued() -> None:
    """Send what this context queued and has committed; mark what SMTP accepted."""
    queued = g.pop("hub_mail", [])
    server = current_app.config.get("MAIL_SERVER")
    if not queued or not server:
        return
    for message in queued:
        message.sent = _deliver(message.recipient, message.subject, message.body)
    db.session.commit()


def _deliver(recipient: str, subject: str, body: str) -> bool:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config.get("MAIL_DEFAULT_SENDER", "hub@localhost")
    email["To"] = recipient
    email["Subject"] = subject
    email.set_content(body)
    try:
        with smtplib.SMTP(
            config["MAIL_SERVER"], int(config.get("MAIL_PORT", 587)), timeout=10
        ) as smtp:
            if config.get("MAIL_USE_TLS", True):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("mail to %s could not be sent", recipient)
        return False
    return True
