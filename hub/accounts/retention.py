"""How long the hub keeps what it knows about people, and the pruning that enforces it
(`flask --app hub accounts prune`, run daily; the privacy page states these periods)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from hub.accounts.models import AccessRequest, AccessStatus
from hub.audit import AuditEvent
from hub.database import utcnow
from hub.extensions import db
from hub.mail.models import MailMessage, MailStatus

# Sent or failed mail (invitations, resets, relayed messages) is kept this long for admins to
# check delivery; what is still waiting is kept until it goes.
MAIL_DAYS = 90
# A decided request for access, kept so staff can see who asked again.
DECIDED_ACCESS_DAYS = 90
# A request nobody decided on: after this long the person has surely asked another way.
UNDECIDED_ACCESS_DAYS = 180
# The IP address of an audit event, kept to trace abuse; the event itself stays, for
# accountability of who changed what.
AUDIT_ADDRESS_DAYS = 90


@dataclass
class Pruned:
    mail: int = 0
    access_requests: int = 0
    audit_addresses: int = 0


def prune(now: datetime | None = None) -> Pruned:
    """Delete or blank what is past its period; flushes, the caller commits."""
    now = now or utcnow()

    def before(days: int) -> datetime:
        return now - timedelta(days=days)

    mail = db.session.execute(
        sa.delete(MailMessage).where(
            MailMessage.status.in_([MailStatus.sent, MailStatus.failed]),
            MailMessage.created_at < before(MAIL_DAYS),
        )
    )
    decided = db.session.execute(
        sa.delete(AccessRequest).where(
            sa.or_(
                sa.and_(
                    AccessRequest.status != AccessStatus.pending,
                    AccessRequest.decided_at < before(DECIDED_ACCESS_DAYS),
                ),
                sa.and_(
                    AccessRequest.status == AccessStatus.pending,
                    AccessRequest.created_at < before(UNDECIDED_ACCESS_DAYS),
                ),
            )
        )
    )
    addresses = db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.remote_addr != "", AuditEvent.created_at < before(AUDIT_ADDRESS_DAYS))
        .values(remote_addr="")
    )
    return Pruned(mail.rowcount, decided.rowcount, addresses.rowcount)
