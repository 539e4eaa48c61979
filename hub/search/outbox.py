"""The search outbox: every change to a searchable record, in commit order."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.database import utcnow
from hub.extensions import db


class SearchOutbox(db.Model):
    """A record whose search document must be brought in line with the database.

    Rows say which record changed, not how: the indexer reads the record's current state, so
    applying a row twice, or rows out of order, gives the same index.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    record_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
