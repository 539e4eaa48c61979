"""A city's profile as its focal point keeps it: summaries, working languages, mentoring."""

from __future__ import annotations

from hub import audit
from hub.audit import AuditAction
from hub.cities.models import City, Theme
from hub.extensions import db


def update_profile(
    city: City,
    *,
    summaries: dict[str, str],
    languages: list[str],
    mentor_capacity: int,
    expertise: list[Theme],
    actor=None,
) -> None:
    """Change the city's profile and record the change in the audit log. Raises StaleDataError
    when someone else changed the city since it was loaded."""
    before = {"languages": city.languages, "mentor_capacity": city.mentor_capacity}
    city.summaries = summaries
    city.languages = languages
    city.mentor_capacity = mentor_capacity
    city.expertise = expertise
    after = {"languages": languages, "mentor_capacity": mentor_capacity}
    db.session.flush()
    audit.record(AuditAction.edit, f"city:{city.id}", before, after, actor=actor)
