"""The outbox rows follow from what each document builder declares it reads
(`hub/search/documents.py`, `READS`): every declared column and relationship, changed on a real
record, writes a row for the documents that show it; and the builders read nothing undeclared."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from hub import search
from hub.cities.models import City, Theme
from hub.extensions import db
from hub.publishing.models import CaseStudy, CaseText, Speaker, Webinar, WebinarText
from hub.search import documents, indexer
from hub.search.outbox import SearchOutbox
from hub.search.reads import watched
from hub.search.store import STATE_DOC
from tests.conftest import app_with_content


def sample(kind: str):
    """A published record of `kind` with every relationship its document reads filled."""
    if kind == "case":
        cases = db.session.scalars(sa.select(CaseStudy).filter_by(state="published")).all()
        return next(c for c in cases if c.lead_city and c.partner_cities and c.themes)
    if kind == "webinar":
        webinars = db.session.scalars(sa.select(Webinar).filter_by(state="published")).all()
        return next(w for w in webinars if w.themes and any(s.city for s in w.speakers))
    cities = db.session.scalars(sa.select(City)).all()
    return next(c for c in cities if c.expertise and c.summaries)


# For each model a builder reads, the instance of it that feeds the sample record's document.
FEEDS: dict[tuple[str, type], Callable[[Any], Any]] = {
    ("case", CaseStudy): lambda case: case,
    ("case", CaseText): lambda case: case.texts[0],
    ("case", City): lambda case: case.lead_city,
    ("case", Theme): lambda case: case.themes[0],
    ("webinar", Webinar): lambda webinar: webinar,
    ("webinar", WebinarText): lambda webinar: webinar.texts[0],
    ("webinar", Speaker): lambda webinar: webinar.speakers[0],
    ("webinar", City): lambda webinar: next(s.city for s in webinar.speakers if s.city),
    ("webinar", Theme): lambda webinar: webinar.themes[0],
    ("city", City): lambda city: city,
    ("city", Theme): lambda city: city.expertise[0],
}
# New members of collections that are not shared records.
NEW_MEMBERS: dict[type, Callable[[str], Any]] = {
    CaseText: lambda lang: CaseText(language=lang, title="Added", summary="Added text."),
    WebinarText: lambda lang: WebinarText(language=lang, title="Added", summary="Added text."),
    Speaker: lambda _lang: Speaker(position=99, names={"en": "A. Speaker"}, roles={"en": "Mayor"}),
}


# A first value for a column that holds none.
NOTHING_YET = {
    str: "",
    int: 0,
    float: 0.0,
    bool: False,
    date: date(2020, 1, 1),
    datetime: datetime(2020, 1, 1),
    time: time(9, 0),
    dict: {},
    list: [],
}


def different(value: Any, column: sa.Column) -> Any:
    """A valid value of `column` other than `value`."""
    if isinstance(column.type, sa.Enum):
        return next(member for member in column.type.enum_class if member != value)
    if value is None:
        value = NOTHING_YET[column.type.python_type]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.5
    if isinstance(value, date):
        return value + timedelta(days=1)
    if isinstance(value, time):
        return value.replace(hour=(value.hour + 1) % 24)
    if isinstance(value, dict):
        key = next(iter(value), "en")
        return {**value, key: f"{value.get(key, '')} changed"}
    if isinstance(value, list):
        return [*value, value[0] if value else "added"]
    if isinstance(value, str):
        length = getattr(column.type, "length", None)
        if length and len(value) + 8 > length:  # a language code, a precision
            return value[::-1] if value[::-1] != value else "z" * len(value)
        return f"{value} changed"
    raise AssertionError(f"no different value for {column} = {value!r}")


def unused_language(record) -> str:
    return next(lang for lang in ("de", "it", "pt", "sw") if lang not in record.languages)


def other_member(relationship, current: list) -> Any:
    """An existing record of the relationship's class that is not among `current`."""
    model = relationship.mapper.class_
    ids = [member.id for member in current if member is not None]
    return db.session.scalar(sa.select(model).where(model.id.not_in(ids)).limit(1))


def changes(kind: str, instance: Any, source) -> list[tuple[str, Callable[[], None]]]:
    """One change per declared column, and an addition and a removal per declared collection."""
    mapper = sa.inspect(type(instance))
    found: list[tuple[str, Callable[[], None]]] = []
    for name in source.attributes:
        label = f"{kind}: {type(instance).__name__}.{name}"
        relationship = mapper.relationships.get(name)
        if relationship is None:
            column = mapper.columns[name]
            found.append(
                (
                    label,
                    lambda n=name, c=column: setattr(
                        instance, n, different(getattr(instance, n), c)
                    ),
                )
            )
        elif not relationship.uselist:
            found.append(
                (
                    label,
                    lambda n=name, r=relationship: setattr(
                        instance, n, other_member(r, [getattr(instance, n)])
                    ),
                )
            )
        else:

            def add(n=name, r=relationship):
                members = getattr(instance, n)
                if r.mapper.class_ in NEW_MEMBERS:
                    members.append(NEW_MEMBERS[r.mapper.class_](unused_language(instance)))
                else:
                    members.append(other_member(r, members))

            found.append((f"{label} (added)", add))
            found.append((f"{label} (removed)", lambda n=name: getattr(instance, n).pop(0)))
    return found  # fmt: skip


def last_outbox_id() -> int:
    return db.session.scalar(sa.select(sa.func.max(SearchOutbox.id))) or 0


def rows_since(mark: int) -> set[tuple[str, int]]:
    found = db.session.execute(
        sa.select(SearchOutbox.kind, SearchOutbox.record_id).where(SearchOutbox.id > mark)
    )
    return {tuple(row) for row in found}


@pytest.mark.parametrize("kind", documents.KINDS)
def test_changing_anything_a_builder_reads_writes_an_outbox_row_for_its_document(database, kind):
    app = app_with_content(database)
    missing, tried = [], 0
    with app.app_context():
        record_id = sample(kind).id
        model = type(sample(kind))
        for source in documents.READS[kind].sources:
            instance = FEEDS[kind, source.model](db.session.get(model, record_id))
            for label, change in changes(kind, instance, source):
                mark = last_outbox_id()
                change()
                db.session.commit()
                tried += 1
                if (kind, record_id) not in rows_since(mark):
                    missing.append(label)
                record = db.session.get(model, record_id)
                instance = FEEDS[kind, source.model](record)
    assert not missing, f"no outbox row for {kind}:{record_id} after changing {missing}"
    assert tried >= 8  # every declared attribute, not a few


@pytest.mark.parametrize("kind", documents.KINDS)
def test_the_builders_read_nothing_they_do_not_declare(database, kind):
    """Changing any other column of a model a builder reads leaves its document as it was: so
    the declarations, and the outbox rows they give, miss nothing the document shows."""
    app = app_with_content(database)
    unread = []
    with app.app_context(), db.session.no_autoflush:
        record = sample(kind)
        for source in documents.READS[kind].sources:
            instance = FEEDS[kind, source.model](record)
            mapper = sa.inspect(source.model)
            for attribute in mapper.column_attrs:
                column = attribute.columns[0]
                if column.primary_key or attribute.key in watched(source):
                    continue
                before = documents._build(kind, record)
                setattr(
                    instance, attribute.key, different(getattr(instance, attribute.key), column)
                )
                if documents._build(kind, record) != before:
                    unread.append(f"{source.model.__name__}.{attribute.key}")
        db.session.rollback()
    assert not unread, f"the {kind} document reads undeclared columns: {unread}"


def test_a_change_no_document_shows_reindexes_nothing(database):
    app = app_with_content(database)
    with app.app_context():
        mark = last_outbox_id()
        case = sample("case")
        case.contact = "someone.else@example.org"  # members only: never indexed
        case.lead_city.country = "ZZ"
        db.session.commit()
        assert rows_since(mark) == set()


def test_deleting_a_theme_reindexes_the_records_that_were_tagged_with_it(database):
    app = app_with_content(database)
    with app.app_context():
        theme = db.session.scalar(sa.select(Theme).filter_by(slug="youth"))
        tagged = {("case", case.id) for case in db.session.scalars(
            sa.select(CaseStudy).where(CaseStudy.themes.contains(theme)))}  # fmt: skip
        assert tagged
        mark = last_outbox_id()
        db.session.delete(theme)
        db.session.commit()
        assert tagged <= rows_since(mark)
        indexer.sync(search.store())
        with search.store().open().searcher() as searcher:
            themes = [d.get("theme", "") for d in searcher.documents() if d["doc_id"] != STATE_DOC]
        assert not any("youth" in value.split(",") for value in themes)


def test_renaming_a_city_reindexes_the_webinars_its_speakers_spoke_at(database):
    app = app_with_content(database)
    with app.app_context():
        webinar = sample("webinar")
        city = next(s.city for s in webinar.speakers if s.city)
        key = f"webinar:{webinar.id}"
        city.names = {**city.names, "en": "Zebracornville"}
        db.session.commit()
        indexer.sync(search.store())
        with search.store().open().searcher() as searcher:
            assert searcher.document(doc_id=key) is not None
        found = app.test_client().get("/api/v1/search?q=Zebracornville").get_json()
        assert f"webinar:{webinar.id}" in {f"{r['kind']}:{r['id']}" for r in found["results"]}
