"""Who owns a record: its content file, until someone changes it in the hub.

Each load stamps the records it writes with a digest of what they then hold. A later load reads
the record back as its file would say it: still as stamped, the file may update it; different
(edited, published, archived or deleted in the hub, or made there), the hub's copy wins and the
load reports it. `--force` overwrites all the same, and the audit log records each one.

A record loaded before stamps existed counts as changed in the hub when the audit log holds an
event about it.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub import audit
from hub.audit import AuditAction, AuditEvent
from hub.cities.models import City, Theme
from hub.content.documents import Document, parse_document
from hub.content.models import ContentStamp
from hub.database import utcnow
from hub.errors import ContentError
from hub.exchanges.models import Exchange, ExchangeRequest
from hub.extensions import db
from hub.i18n import lazy_gettext as _l
from hub.publishing.models import CaseStudy, CaseText, Webinar, WebinarText

# The kind of record in an audit event's target ("case:12"), as the hub's features write it.
TARGET_KINDS = {
    CaseStudy: "case",
    Webinar: "webinar",
    City: "city",
    Theme: "theme",
    Exchange: "exchange",
}
# Shapes a stored value can have that reading it back trips over (a text where a mapping was
# expected, a list missing an item...): reported with the record, never a crash.
UNREADABLE = (AttributeError, KeyError, LookupError, TypeError, ValueError)
# How a load reports a record changed in the hub: (deleted, overwritten) -> message.
MESSAGES = {
    (False, False): _l("changed in the hub since %(date)s, not overwritten"),
    (True, False): _l("deleted in the hub since %(date)s, not loaded again"),
    (False, True): _l("changed in the hub since %(date)s, overwritten (see the audit log)"),
    (True, True): _l("deleted in the hub since %(date)s, loaded again (see the audit log)"),
}


@dataclass
class Stored:
    """A record as the hub holds it, read back as its content file would say it."""

    document: Document | None  # None when a stored value no longer passes the file's rules
    digest: str
    problems: list[str]  # each naming the record: "city mombasa: summaries: ..."


@dataclass
class HubChange:
    """A file whose record changed in the hub since the last load (or was made there)."""

    document: Document
    since: datetime
    deleted: bool = False

    def line(self, overwritten: bool = False) -> str:
        """`path: changed in the hub since <date>, not overwritten`, and the like."""
        message = MESSAGES[self.deleted, overwritten] % {"date": when(self.since)}
        return f"{self.document.path}: {message}"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def digest(document: Document) -> str:
    """What a file says, as a digest that ignores the field order and values left at default."""
    fields = document.data.model_dump(mode="json", exclude_defaults=True)
    return _hash([fields, document.body])


def _hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def read_stored(loader: Any, record: Any, document: Document) -> Stored:
    """`record` as its file would say it; a stored value that no longer passes is reported."""
    try:
        front, body = loader.export(record)
    except UNREADABLE as error:
        return Stored(None, _hash(repr(error)), [unreadable(document.record, error)])
    try:
        stored = parse_document(front, body, document.record)
    except ContentError as error:
        return Stored(None, _hash([front, body]), error.lines())
    except UNREADABLE as error:
        return Stored(None, _hash([front, body]), [unreadable(document.record, error)])
    return Stored(stored, digest(stored), [])


def problems(front: dict, body: str, record: str) -> list[str]:
    """What in an exported record would not load again, each naming the record."""
    try:
        parse_document(front, body, record)
    except ContentError as error:
        return error.lines()
    except UNREADABLE as error:
        return [unreadable(record, error)]
    return []


def unreadable(record: str, error: Exception) -> str:
    reason = _l("It cannot be read back (%(error)s).", error=type(error).__name__)
    return f"{record}: {reason}"


def stamps() -> dict[str, ContentStamp]:
    """Every file's stamp, by the file's name in a content folder."""
    return {stamp.document: stamp for stamp in db.session.scalars(db.select(ContentStamp))}


def stamp(known: dict[str, ContentStamp], document: Document, value: str) -> None:
    """Remember that the record of `document` holds what `value` digests, as of now."""
    found = known.get(document.name)
    if found is None:
        found = known[document.name] = ContentStamp(document=document.name)
        db.session.add(found)
    if found.digest != value:
        found.digest, found.loaded_at = value, utcnow()


def target(record: Any) -> str:
    """The record as the audit log names it: a language version by its record."""
    if isinstance(record, CaseText):
        record = record.case
    elif isinstance(record, WebinarText):
        record = record.webinar
    return f"{TARGET_KINDS[type(record)]}:{record.id}"


def hub_change(
    document: Document, record: Any, stored: Stored, found: ContentStamp | None
) -> HubChange | None:
    """Whether `record` changed in the hub since its file was last loaded, and since when."""
    if found is not None:
        if found.digest == stored.digest:
            return None
        return HubChange(document, found.loaded_at)
    if isinstance(record, Exchange) and record.request_id is not None:
        # Completed in the hub: the hub made this record, so a file of the same name is not its own.
        made = db.session.get(ExchangeRequest, record.request_id)
        return HubChange(document, made.updated_at if made else utcnow())
    first = db.session.scalar(
        db.select(db.func.min(AuditEvent.created_at)).filter(AuditEvent.target == target(record))
    )
    return None if first is None else HubChange(document, first)


def deleted_in_hub(document: Document, found: ContentStamp | None) -> HubChange | None:
    """A file loaded before whose record is gone: someone deleted it in the hub."""
    return None if found is None else HubChange(document, found.loaded_at, deleted=True)


def record_overwrite(record: Any, change: HubChange) -> None:
    """The audit log's account of a forced load: which record, from which file, by whom."""
    audit.record(
        AuditAction.content_overwritten,
        target(record),
        before={
            "record": change.document.record,
            "deleted" if change.deleted else "changed": f"in the hub since {when(change.since)}",
        },
        after={"file": change.document.path, "by": f"content load --force ({_system_user()})"},
    )


def _system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown user"
