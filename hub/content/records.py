"""How each kind of content file maps onto the database: themes, cities and exchanges.

Each mapping finds the record a document describes, resolves its references (raising
ContentError before anything changes), creates and applies, and exports a record back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hub.cities.models import City, Theme
from hub.content.documents import Document
from hub.errors import ContentError
from hub.exchanges.models import Exchange, ExchangeParticipant
from hub.extensions import db
from hub.i18n import lazy_gettext as _l


def error(document: Document, field_name: str, reason: Any) -> ContentError:
    return ContentError(document.path, {field_name: reason})


def by_slug(model, slugs: Iterable[str], document: Document, field_name: str) -> list:
    wanted = list(slugs)
    if not wanted:
        return []
    found = {
        row.slug: row for row in db.session.scalars(db.select(model).filter(model.slug.in_(wanted)))
    }
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        slugs = ", ".join(map(repr, missing))
        if model is Theme:
            raise error(document, field_name, _l("There is no theme %(slugs)s.", slugs=slugs))
        raise error(document, field_name, _l("There is no city %(slugs)s.", slugs=slugs))
    return [found[slug] for slug in wanted]


def one_by_slug(model, slug: str | None, document: Document, field_name: str):
    if slug is None:
        return None
    return by_slug(model, [slug], document, field_name)[0]


def without_none(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value not in (None, "", [], {})}


class SluggedRecord:
    """A kind of record a document names by its `slug`."""

    model: type

    @classmethod
    def find(cls, doc: Document):
        return db.session.scalar(db.select(cls.model).filter_by(slug=doc.data.slug))

    @classmethod
    def create(cls, doc: Document):
        record = cls.model(slug=doc.data.slug)
        db.session.add(record)
        return record


class ThemeRecord(SluggedRecord):
    model = Theme

    @staticmethod
    def resolve(doc: Document) -> dict:
        return {}

    @classmethod
    def create(cls, doc: Document) -> Theme:
        theme = super().create(doc)
        theme.position = db.session.scalar(db.select(db.func.count(Theme.id)))
        return theme

    @staticmethod
    def apply(theme: Theme, doc: Document, _refs: dict) -> None:
        theme.names = doc.data.names
        theme.descriptions = doc.data.descriptions

    @staticmethod
    def export(theme: Theme) -> tuple[dict, str]:
        return {
            "kind": "theme",
            "slug": theme.slug,
            "names": theme.names,
            "descriptions": theme.descriptions,
        }, ""


class CityRecord(SluggedRecord):
    model = City

    @staticmethod
    def resolve(doc: Document) -> dict:
        return {"expertise": by_slug(Theme, doc.data.expertise, doc, "expertise")}

    @staticmethod
    def apply(city: City, doc: Document, refs: dict) -> None:
        f = doc.data
        city.name, city.names, city.country, city.region = f.name, f.names, f.country, f.region
        city.population, city.population_source = f.population, f.population_source
        city.latitude, city.longitude, city.timezone = f.latitude, f.longitude, f.timezone
        city.languages, city.member_since = f.languages, f.member_since
        city.mentor_capacity, city.summaries = f.mentor_capacity, f.summaries
        city.expertise = refs["expertise"]

    @staticmethod
    def export(city: City) -> tuple[dict, str]:
        return without_none(
            {
                "kind": "city",
                "slug": city.slug,
                "name": city.name,
                "names": city.names,
                "country": city.country,
                "region": city.region,
                "population": city.population,
                "population_source": city.population_source,
                "latitude": city.latitude,
                "longitude": city.longitude,
                "timezone": city.timezone,
                "languages": city.languages,
                "member_since": city.member_since,
                "mentor_capacity": city.mentor_capacity,
                "expertise": [theme.slug for theme in city.expertise],
                "summaries": city.summaries,
            }
        ), ""


class ExchangeRecord(SluggedRecord):
    model = Exchange

    @staticmethod
    def resolve(doc: Document) -> dict:
        return {
            "themes": by_slug(Theme, doc.data.themes, doc, "themes"),
            "cities": [
                one_by_slug(City, p.city, doc, "participants") for p in doc.data.participants
            ],
        }

    @staticmethod
    def apply(exchange: Exchange, doc: Document, refs: dict) -> None:
        f = doc.data
        exchange.titles, exchange.format = f.titles, f.format
        exchange.started, exchange.ended = f.started, f.ended
        exchange.themes = refs["themes"]
        exchange.supported_by = f.supported_by
        exchange.summaries, exchange.outcomes = f.summaries, f.outcomes
        exchange.source = f.source
        exchange.participants = [
            ExchangeParticipant(
                position=n, side=p.side, city=city, country=p.country, labels=p.label
            )
            for n, (p, city) in enumerate(zip(f.participants, refs["cities"], strict=True))
        ]

    @staticmethod
    def export(exchange: Exchange) -> tuple[dict, str]:
        return without_none(
            {
                "kind": "exchange",
                "slug": exchange.slug,
                "titles": exchange.titles,
                "format": exchange.format,
                "started": exchange.started,
                "ended": exchange.ended,
                "themes": [theme.slug for theme in exchange.themes],
                "supported_by": exchange.supported_by,
                "participants": [
                    without_none(
                        {
                            "city": p.city.slug if p.city else None,
                            "label": p.labels,
                            "country": p.country,
                            "side": p.side,
                        }
                    )
                    for p in exchange.participants
                ],
                "summaries": exchange.summaries,
                "outcomes": exchange.outcomes,
                "source": exchange.source,
            }
        ), ""
