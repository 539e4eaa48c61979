"""Every change to a searchable record writes a search outbox row in the same transaction.

Which rows follows from what the document builders declare they read (`documents.READS`): a new
or deleted instance of a model a builder reads, or a change to one of the attributes it reads,
re-indexes the documents that instance feeds. The rows are inserted in `after_flush`, when new
records have their ids and the session still knows what the flush changed; the documents fed by
deleted instances are looked up in `before_flush`, while the rows that link them still exist. A
rolled-back transaction takes its rows with it. After a commit that wrote rows, the app's
`on_outbox_commit` callbacks run (the in-process indexer listens).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from hub.database import utcnow
from hub.search.documents import READS
from hub.search.outbox import SearchOutbox
from hub.search.reads import Source, watched

WROTE_OUTBOX = "hub.search.wrote_outbox"
DELETED_KEYS = "hub.search.deleted_keys"
Key = tuple[str, int]


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _before_flush(session: Session, _context, _instances) -> None:
    if session.deleted:
        keys = session.info.setdefault(DELETED_KEYS, set())
        keys.update(_search_keys(session, session.deleted))


def _after_flush(session: Session, _context) -> None:
    touched = [*session.new, *session.deleted, *session.dirty]
    found = set(_search_keys(session, touched, changed_only=True))
    keys = sorted(found | session.info.pop(DELETED_KEYS, set()))
    if not keys:
        return
    session.connection().execute(
        sa.insert(SearchOutbox.__table__),
        [
            {"kind": kind, "record_id": record_id, "created_at": utcnow()}
            for kind, record_id in keys
        ],
    )
    session.info[WROTE_OUTBOX] = True


@cache
def _sources(model: type) -> tuple[tuple[str, Source], ...]:
    """The (kind, source) declarations that read instances of `model`."""
    return tuple(
        (reads.kind, source)
        for reads in READS.values()
        for source in reads.sources
        if issubclass(model, source.model)
    )


def _search_keys(
    session: Session, objects: Iterable[object], changed_only: bool = False
) -> Iterable[Key]:
    """The searchable records (kind, id) whose documents the objects feed; with
    `changed_only`, a persistent object only if an attribute its readers read has changed."""
    for obj in objects:
        for kind, source in _sources(type(obj)):
            if changed_only and not _changed(session, obj, source):
                continue
            for locate in source.found_by:
                yield from ((kind, record_id) for record_id in locate(session.connection(), obj))


def _changed(session: Session, obj: object, source: Source) -> bool:
    if obj in session.new or obj in session.deleted:
        return True
    attrs = sa.inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in watched(source))


def _after_commit(session: Session) -> None:
    if session.info.pop(WROTE_OUTBOX, False) and has_app_context():
        for callback in current_app.extensions.get("hub.search.on_outbox_commit", []):
            callback()


def _after_rollback(session: Session) -> None:
    session.info.pop(WROTE_OUTBOX, None)
    session.info.pop(DELETED_KEYS, None)
