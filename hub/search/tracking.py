"""Every change to a searchable record writes a search outbox row in the same transaction.

The rows are inserted in `after_flush`, when new records have their ids and the session still
knows what the flush changed; a rolled-back transaction takes its rows with it. After a commit
that wrote rows, the app's `on_outbox_commit` callbacks run (the in-process indexer listens).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from hub.cities.models import City, Theme, city_expertise
from hub.database import utcnow
from hub.publishing.models import (
    CaseStudy,
    CaseText,
    Speaker,
    Webinar,
    WebinarText,
    case_partner_cities,
    case_themes,
    webinar_themes,
)
from hub.search.outbox import SearchOutbox

WROTE_OUTBOX = "hub.search.wrote_outbox"
Key = tuple[str, int]


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _after_flush(session: Session, _context) -> None:
    touched = [obj for obj in session.new] + [obj for obj in session.deleted]
    touched += [obj for obj in session.dirty if session.is_modified(obj)]
    keys = sorted(set(_search_keys(session, touched)))
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


def _search_keys(session: Session, objects: Iterable[object]) -> Iterable[Key]:
    """The searchable records (kind, id) whose documents the changed objects feed."""
    for obj in objects:
        if isinstance(obj, CaseStudy):
            yield "case", obj.id
        elif isinstance(obj, CaseText):
            yield "case", obj.case_id if obj.case_id is not None else obj.case.id
        elif isinstance(obj, Webinar):
            yield "webinar", obj.id
        elif isinstance(obj, WebinarText | Speaker):
            webinar_id = obj.webinar_id if obj.webinar_id is not None else obj.webinar.id
            yield "webinar", webinar_id
        elif isinstance(obj, City):
            yield "city", obj.id
            # A city's name, region and size show in the documents of its cases and webinars.
            yield from _records_of_city(session, obj.id)
        elif isinstance(obj, Theme) and obj.id is not None:
            # A theme's names are indexed with every record tagged with it, in every language.
            yield from _records_of_theme(session, obj.id)


def _records_of_theme(session: Session, theme_id: int) -> Iterable[Key]:
    connection = session.connection()
    for kind, table, column in (
        ("case", case_themes, case_themes.c.case_id),
        ("webinar", webinar_themes, webinar_themes.c.webinar_id),
        ("city", city_expertise, city_expertise.c.city_id),
    ):
        found = connection.execute(sa.select(column).where(table.c.theme_id == theme_id))
        yield from ((kind, record_id) for record_id in found.scalars())


def _records_of_city(session: Session, city_id: int) -> Iterable[Key]:
    connection = session.connection()
    cases = connection.execute(
        sa.select(CaseStudy.id).where(
            sa.or_(
                CaseStudy.lead_city_id == city_id,
                CaseStudy.id.in_(
                    sa.select(case_partner_cities.c.case_id).where(
                        case_partner_cities.c.city_id == city_id
                    )
                ),
            )
        )
    )
    yield from (("case", case_id) for case_id in cases.scalars())
    webinars = connection.execute(
        sa.select(Speaker.webinar_id).where(Speaker.city_id == city_id).distinct()
    )
    yield from (("webinar", webinar_id) for webinar_id in webinars.scalars())


def _after_commit(session: Session) -> None:
    if session.info.pop(WROTE_OUTBOX, False) and has_app_context():
        for callback in current_app.extensions.get("hub.search.on_outbox_commit", []):
            callback()


def _after_rollback(session: Session) -> None:
    session.info.pop(WROTE_OUTBOX, None)
