"""The generation: a number that grows with every committed change a reader may see.

Every write transaction that changes a record a page shows inserts one row into `changes`;
the generation is the largest id there. It is the key of whatever is cached from the database
(the matching network, counts, HTTP validators for anonymous readers), so a cache is never
older than the data it was built from, on any node that shares the database. Insert-only, so
concurrent writers never wait on each other for it.
"""

from __future__ import annotations

from datetime import datetime
from itertools import chain

import sqlalchemy as sa
from flask import g, has_request_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from hub.database import utcnow
from hub.extensions import db

COUNTED = "hub.generation.counted"
# Tables whose rows no page for readers shows: a change to them alone is not a new generation.
UNSEEN = frozenset(
    {"changes", "audit_events", "mail_messages", "search_outbox", "api_tokens", "content_stamps"}
)


class Change(db.Model):
    """One committed write transaction that changed something readers see."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def current() -> int:
    """The generation now (memoized for the rest of the request)."""
    if has_request_context() and "hub_generation" in g:
        return g.hub_generation
    value = db.session.execute(sa.select(sa.func.max(Change.id))).scalar() or 0
    if has_request_context():
        g.hub_generation = value
    return value


def install() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_commit", _forget)
        event.listen(Session, "after_rollback", _forget)


def _before_flush(session: Session, _context, _instances) -> None:
    if session.info.get(COUNTED):
        return
    for obj in chain(session.new, session.dirty, session.deleted):
        if getattr(obj, "__tablename__", None) not in UNSEEN:
            session.add(Change())
            session.info[COUNTED] = True
            return


def _forget(session: Session) -> None:
    session.info.pop(COUNTED, None)
