"""The mail outbox: every message the hub sends, from the transaction that queued it to SMTP."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.database import utcnow
from hub.extensions import db
from hub.i18n import lazy_gettext as _l
from hub.types import LabelledEnum, enum_column


class MailStatus(LabelledEnum):
    """Where a message is: waiting for the mail follower, accepted by SMTP, or given up on."""

    pending = "pending", _l("Waiting to be sent")
    sent = "sent", _l("Sent")
    failed = "failed", _l("Could not be sent")


class MailMessage(db.Model):
    """One message; without SMTP this is where admins read it."""

    __tablename__ = "mail_messages"
    # What the mail follower asks for on every pass: the pending messages that are due.
    __table_args__ = (sa.Index("ix_mail_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    # Where replies go: the member who wrote a message the hub relays (their address is theirs
    # to share; the recipient's stays hidden from them).
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    status: Mapped[MailStatus] = mapped_column(
        enum_column(MailStatus, name="mail_status", length=10),
        default=MailStatus.pending,
        server_default=MailStatus.pending.value,
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the follower may next try; while one tries, a lease that keeps the others off it.
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def retry_at(self) -> datetime | None:
        """When the follower tries again after a failed attempt; None when nothing is planned."""
        if self.status == MailStatus.pending and self.attempts:
            return self.next_attempt_at
        return None

    @property
    def problem(self) -> str | None:
        """Why the last attempt failed, while that still matters (the message is not sent)."""
        return None if self.status == MailStatus.sent else self.last_error
