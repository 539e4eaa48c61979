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
from hub.i18n import lazy_gettext as _l
from hub.types import LabelledEnum, enum_column


class AuditAction(LabelledEnum):
    """Everything the audit log records; the admin's filter lists these."""

    create = "create", _l("Created")
    edit = "edit", _l("Edited")
    delete = "delete", _l("Deleted")
    publish = "publish", _l("Published")
    unpublish = "unpublish", _l("Unpublished")
    archive = "archive", _l("Archived")
    add_translation = "add_translation", _l("Translation added")
    resolve_report = "resolve_report", _l("Translation report resolved")
    invited = "invited", _l("Invited")
    role_change = "role_change", _l("Role changed")
    account_disabled = "account_disabled", _l("Account disabled")
    password_changed = "password_changed", _l("Password changed")
    password_reset = "password_reset", _l("Password reset")
    token_issued = "token_issued", _l("API token issued")
    token_revoked = "token_revoked", _l("API token revoked")
    permission_denied = "permission_denied", _l("Permission denied")
    match_offered = "match_offered", _l("Offer to mentor")
    match_approved = "match_approved", _l("Proposal approved")
    match_changed = "match_changed", _l("Proposed mentor changed")
    match_discarded = "match_discarded", _l("Proposal discarded")
    match_accepted = "match_accepted", _l("Proposal accepted")
    match_declined = "match_declined", _l("Proposal declined")
    matching_round = "matching_round", _l("Matching round")
    content_overwritten = "content_overwritten", _l("Content file loaded over a hub change")
    access_requested = "access_requested", _l("Access requested")
    access_approved = "access_approved", _l("Access request approved")
    access_declined = "access_declined", _l("Access request declined")
    city_contacted = "city_contacted", _l("Message to a city's focal point")


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[AuditAction] = mapped_column(
        enum_column(AuditAction, name="audit_action", length=40), index=True
    )
    target: Mapped[str] = mapped_column(sa.String(200), default="")  # "case:12", "user:3", a path
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default="")

    actor: Mapped[User | None] = relationship()


def record(
    action: AuditAction | str,
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
        action=AuditAction(action),
        target=target,
        before=before,
        after=after,
        actor_id=actor.id if actor is not None else None,
        remote_addr=(request.remote_addr or "")[:64] if has_request_context() else "",
    )
    if event.action == AuditAction.permission_denied:
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
