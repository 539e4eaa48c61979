"""Optimistic concurrency: every editable record carries a version, so a write made from what
someone loaded earlier cannot silently overwrite a change they did not see.

- `Versioned` gives a model a `version` column that SQLAlchemy checks on every UPDATE and DELETE
  (`... WHERE version = <the version loaded>`; no row matched raises StaleDataError).
- Before each flush the hub bumps the version of every record whose own columns or
  relationships changed (themes, cities, texts...), and of the record that owns a changed part
  (`version_owner`): a change of relationships is as safe as a change of columns, and two
  writers of the same record are serialized by the UPDATE of its row.
- The API sends a strong ETag `"<kind>-<id>-<version>"` and requires `If-Match` on a PATCH or
  DELETE (`check_if_match`: 428 without it, 412 when stale); forms carry the version in a
  hidden field (`hub.forms.VersionedForm`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from flask import request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from hub.errors import ChangedMeanwhile, InvalidInput, PreconditionFailed, PreconditionRequired
from hub.i18n import lazy_gettext as _l

# Hex digits of a field's fingerprint in a form: enough to tell a change, short to carry.
FINGERPRINT_LENGTH = 12
CHANGED_MEANWHILE = _l(
    "Someone else changed this record while this request was reading it. Nothing was saved: "
    "GET it again and retry, and send its ETag in If-Match."
)
CHANGED_WHILE_SAVING = _l(
    "Someone else changed this record at the same moment. Nothing was saved: load the page "
    "again and retry."
)
STALE_IF_MATCH = _l("The record has changed since this ETag: GET it again and retry.")
MISSING_IF_MATCH = _l(
    "Send If-Match with the ETag a GET of this record answered (or * to replace whatever it "
    "holds now): without it, this change could overwrite one you have not seen."
)
BAD_IF_MATCH = _l("If-Match must be * or the ETag a GET of this record answered.")


class Versioned:
    """A record with a version, checked on every UPDATE and DELETE and bumped by the hub.

    `VERSIONED_ATTRIBUTES` names the attributes whose change makes a new version (None: all of
    them, columns and relationships)."""

    VERSIONED_ATTRIBUTES: tuple[str, ...] | None = None

    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # The hub sets the next version itself (see `_bump_versions`), so that a change of a
        # relationship alone also makes a new version.
        return {"version_id_col": cls.version, "version_id_generator": False}

    def version_owner(self) -> Versioned | None:
        """The record whose version a change of this one also changes, if any."""
        return None


def etag(kind: str, record: Versioned, *more: object) -> str:
    """The record's strong entity tag, quotes included: `"<kind>-<id>-<version>"`, then any
    other state the tag covers (`more`)."""
    parts = (kind, record.id, record.version, *more)  # type: ignore[attr-defined]
    return '"' + "-".join(str(part) for part in parts) + '"'


def _if_match() -> list[str] | None:
    """The entity tags of the request's If-Match, "*" alone, or None without the header."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    tags = [tag.strip() for tag in raw.split(",") if tag.strip()]
    if tags == ["*"]:
        return tags
    if not tags or any(not _is_entity_tag(tag) for tag in tags):
        raise InvalidInput({"If-Match": BAD_IF_MATCH})
    return tags


def _is_entity_tag(tag: str) -> bool:
    opaque = tag[2:] if tag.startswith("W/") else tag
    return len(opaque) >= 2 and opaque[0] == opaque[-1] == '"' and '"' not in opaque[1:-1]


def sent_if_match() -> bool:
    return request.headers.get("If-Match") is not None


def check_if_match(current: str) -> None:
    """PreconditionRequired without If-Match; PreconditionFailed unless it is `*` or names the
    `current` ETag of the record (compared strongly, as RFC 9110 asks: a weak tag never matches)."""
    tags = _if_match()
    if tags is None:
        raise PreconditionRequired({"If-Match": MISSING_IF_MATCH})
    if tags == ["*"]:
        return
    if current not in tags:
        raise PreconditionFailed({"_": STALE_IF_MATCH})


def same_version(version: int, sent: Any) -> bool:
    """Whether a form's hidden version is `version` (a garbled one is not)."""
    try:
        return int(sent) == version
    except (TypeError, ValueError):
        return False


def stale_error() -> PreconditionFailed | ChangedMeanwhile:
    """What a write that lost to a concurrent one answers: 412 when the client named the version
    it saw in If-Match (its precondition no longer holds), 409 when it did not (or sent `*`)."""
    if sent_if_match() and request.headers["If-Match"].strip() != "*":
        return PreconditionFailed({"_": STALE_IF_MATCH})
    if request.path.startswith("/api/"):
        return ChangedMeanwhile({"_": CHANGED_MEANWHILE})
    return ChangedMeanwhile({"_": CHANGED_WHILE_SAVING})


# --- Forms ---------------------------------------------------------------------------------------


def _fingerprint(value: Any) -> str:
    text = json.dumps(value, default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:FINGERPRINT_LENGTH]


def fingerprints(values: dict[str, Any], names: Iterable[str]) -> str:
    """What a form carries of the values it started from: a short hash per field, as JSON."""
    return json.dumps({name: _fingerprint(values.get(name)) for name in names})


def changed_since(started: str | None, current: dict[str, Any], names: Iterable[str]) -> list:
    """The fields among `names` whose current value is not the one the form started from
    (all of them when the form's fingerprints are missing or garbled)."""
    try:
        before = json.loads(started or "")
    except ValueError:
        before = None
    if not isinstance(before, dict):
        before = {}
    return [name for name in names if before.get(name) != _fingerprint(current.get(name))]


# --- Bumping ------------------------------------------------------------------------------------


def _changed(session: Session, record: Versioned) -> bool:
    names = record.VERSIONED_ATTRIBUTES
    if names is None:
        return session.is_modified(record)
    state = inspect(record)
    return any(state.attrs[name].history.has_changes() for name in names)


def _bump(record: Versioned) -> None:
    state = inspect(record)
    if state.persistent and not state.attrs.version.history.has_changes():
        record.version = (record.version or 0) + 1


@event.listens_for(Session, "before_flush")
def _bump_versions(session: Session, _context, _instances) -> None:
    """Give every changed record, and the owner of every changed part, its next version."""
    owners = []
    for obj in (*session.dirty, *session.new, *session.deleted):
        is_record = isinstance(obj, Versioned)
        if obj in session.dirty:
            if not (_changed(session, obj) if is_record else session.is_modified(obj)):
                continue
            if is_record:
                _bump(obj)
        owner_of = getattr(obj, "version_owner", None)
        owner = owner_of() if owner_of is not None else None
        if owner is not None and owner not in session.deleted:
            owners.append(owner)
    for owner in owners:
        _bump(owner)
