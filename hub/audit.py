"""The audit log: who did what, when, with a summary of before and after (publishing, roles,
tokens, match decisions and refused requests)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.accounts.models import User
from hub.database import utcnow
from hub.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    target: Mapped[str] = mapped_column(sa.String(200), default="")  # "case:12", "user:3", a path
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default="")

    actor: Mapped[User | None] = relationship()


def record(
    action: str,
    target: str = "",
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
) -> AuditEvent:
    """Add an audit event to the session; the request's commit stores it with the change.

    A refusal is written at once on a connection of its own: the request that was refused rolls
    back, and the record of the refusal must stay.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        action=action,
        target=target,
        before=before,
        after=after,
        actor_id=actor.id if actor is not None else None,
        remote_addr=(request.remote_addr or "")[:64] if has_request_context() else "",
    )
    if action == "permission_denied":
        _write_alone(event)
    else:
        db.session.add(event)
    return event


def _write_alone(event: AuditEvent) -> None:
    values = {
        column.key: getattr(event, column.key)
        for column in AuditEvent.__table__.columns
        if getattr(event, column.key) is not None
    }
    if "created_at" not in values:
        values["created_at"] = utcnow()
    with db.engine.begin() as connection:
        connection.execute(sa.insert(AuditEvent).values(**values))
