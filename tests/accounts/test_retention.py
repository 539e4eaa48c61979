"""`flask --app hub accounts prune` keeps personal data no longer than the privacy page says."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from hub.accounts.models import AccessRequest, AccessStatus
from hub.audit import AuditAction, AuditEvent
from hub.database import utcnow
from hub.extensions import db
from hub.mail.models import MailMessage, MailStatus


def days_ago(days: int):
    return utcnow() - timedelta(days=days)


def access(email: str, status: AccessStatus, created: int, decided: int | None = None):
    return AccessRequest(
        email=email,
        name="A. Person",
        position="Officer",
        reason="To learn.",
        status=status,
        created_at=days_ago(created),
        decided_at=days_ago(decided) if decided is not None else None,
    )


def test_prune_deletes_and_blanks_what_is_past_its_period(form_app):
    app = form_app
    with app.app_context():
        db.session.add_all(
            [
                MailMessage(recipient="old@example.org", subject="s", body="b",
                            status=MailStatus.sent, created_at=days_ago(91)),
                MailMessage(recipient="new@example.org", subject="s", body="b",
                            status=MailStatus.sent, created_at=days_ago(89)),
                MailMessage(recipient="waiting@example.org", subject="s", body="b",
                            status=MailStatus.pending, created_at=days_ago(200)),
                access("decided-long-ago@example.org", AccessStatus.declined, 100, 91),
                access("decided-lately@example.org", AccessStatus.approved, 100, 10),
                access("forgotten@example.org", AccessStatus.pending, 181),
                access("waiting@example.org", AccessStatus.pending, 170),
                AuditEvent(action=AuditAction.edit, remote_addr="192.0.2.1",
                           created_at=days_ago(91)),
                AuditEvent(action=AuditAction.edit, remote_addr="192.0.2.2",
                           created_at=days_ago(1)),
            ]
        )  # fmt: skip
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["accounts", "prune"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 message(s)" in result.output
    with app.app_context():
        assert set(db.session.scalars(sa.select(MailMessage.recipient))) == {
            "new@example.org",
            "waiting@example.org",
        }
        assert set(db.session.scalars(sa.select(AccessRequest.email))) == {
            "decided-lately@example.org",
            "waiting@example.org",
        }
        addresses = db.session.scalars(sa.select(AuditEvent.remote_addr).order_by(AuditEvent.id))
        assert list(addresses) == ["", "192.0.2.2"]  # the events stay, the old address goes
