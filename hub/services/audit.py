"""The audit log: who did what, when, with a summary of before and after."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from hub.extensions import db
from hub.models import AuditEvent


def record(
    action: str,
    target: str = "",
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit stores it with the change.

    Refusals commit on their own, since no change follows them.
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
    db.session.add(event)
    if action == "permission_denied":
        db.session.commit()
    return event
