"""What the administration pages show, each loaded in a fixed number of statements."""

from __future__ import annotations

from sqlalchemy.orm import joinedload, selectinload

from hub.accounts.models import AccessRequest, AccessStatus, User
from hub.accounts.schemas import AuditQuery
from hub.audit import AuditEvent
from hub.cities.models import City
from hub.extensions import db
from hub.mail.models import MailMessage, MailStatus

AUDIT_PAGE = 50  # the newest events the audit log shows
MAIL_PAGE = 100  # the newest messages the mail page shows
DECIDED_PAGE = 50  # the latest decided requests for access shown under the waiting ones


def people() -> list[User]:
    """Every account, with its city."""
    query = db.select(User).options(selectinload(User.city)).order_by(User.email)
    return list(db.session.scalars(query))


def cities() -> list[City]:
    return list(db.session.scalars(db.select(City).order_by(City.name)))


def audit_events(filters: AuditQuery) -> list[AuditEvent]:
    """The newest events that match the filters, with who did them."""
    query = (
        db.select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .limit(AUDIT_PAGE)
    )
    if filters.action is not None:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor is not None:
        query = query.where(AuditEvent.actor.has(User.email == filters.actor))
    return list(db.session.scalars(query))


def recent_mail() -> list[MailMessage]:
    query = db.select(MailMessage).order_by(MailMessage.id.desc()).limit(MAIL_PAGE)
    return list(db.session.scalars(query))


def mail_counts() -> dict[str, int]:
    """How many messages are in each state, by the state's value."""
    query = db.select(MailMessage.status, db.func.count()).group_by(MailMessage.status)
    return {MailStatus(status).value: count for status, count in db.session.execute(query)}


def access_requests() -> tuple[list[AccessRequest], list[AccessRequest]]:
    """The requests for access waiting for a decision, oldest first, and the latest decided."""
    query = db.select(AccessRequest).options(
        selectinload(AccessRequest.city), selectinload(AccessRequest.decided_by)
    )
    waiting = db.session.scalars(
        query.filter_by(status=AccessStatus.pending).order_by(AccessRequest.id)
    )
    decided = db.session.scalars(
        query.where(AccessRequest.status != AccessStatus.pending)
        .order_by(AccessRequest.decided_at.desc(), AccessRequest.id.desc())
        .limit(DECIDED_PAGE)
    )
    return list(waiting), list(decided)
