"""What was done, by whom, when: publishing, roles, tokens and refused requests."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from hub.models.outbox import utcnow
from hub.models.users import User


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
