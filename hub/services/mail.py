"""Sending mail: through SMTP when HUB_MAIL_SERVER is set; always kept in the mail outbox that
admins can read, and written to the log."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

from hub.extensions import db
from hub.models import MailMessage


def send(recipient: str, subject: str, body: str) -> MailMessage:
    message = MailMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if server:
        email = EmailMessage()
        email["From"] = config.get("MAIL_DEFAULT_SENDER", "hub@localhost")
        email["To"] = recipient
        email["Subject"] = subject
        email.set_content(body)
        try:
            with smtplib.SMTP(server, int(config.get("MAIL_PORT", 587)), timeout=10) as smtp:
                if config.get("MAIL_USE_TLS", True):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
                smtp.send_message(email)
            message.sent = True
        except (OSError, smtplib.SMTPException):
            current_app.logger.exception("mail to %s could not be sent", recipient)
    current_app.logger.info("mail to %s: %s\n%s", recipient, subject, body)
    return message
