"""What the network page shows, read in four set-based statements however large the network,
and kept per generation: a page after no change reads only the generation."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from hub import generation
from hub.catalog import queries as catalog
from hub.cities.models import City
from hub.exchanges.models import Exchange
from hub.extensions import db
from hub.publishing.models import (
    CaseStudy,
    CaseText,
    Webinar,
    WebinarText,
)
from hub.publishing.states import PublicationState

PUBLISHED = PublicationState.published
CACHE = "hub.atlas.figures"  # in app.extensions: (generation, NetworkFigures)


@dataclass(frozen=True)
class CityPoint:
    slug: str
    name: str
    names: dict
    country: str
    region: str
    population: int
    latitude: float
    longitude: float

    def display_name(self, lang: str) -> str:
        return self.names.get(lang) or self.name


@dataclass(frozen=True)
class ThemeCount:
    slug: str
    names: dict
    cases: int  # published cases on the theme


@dataclass(frozen=True)
class LanguageCount:
    language: str
    cases: int  # language versions of published cases
    webinars: int  # language versions of published webinar records


@dataclass(frozen=True)
class NetworkFigures:
    cities: list[CityPoint]  # by name
    themes: list[ThemeCount]  # in the controlled list's order, themes without cases included
    exchanges_by_year: dict[int, int]  # year an exchange ended: exchanges; no gaps between years
    languages: list[LanguageCount]  # most content first


def network_figures() -> NetworkFigures:
    """The figures as of the current generation, read again only after a change."""
    now = generation.current()
    cached = current_app.extensions.get(CACHE)
    if cached is not None and cached[0] == now:
        return cached[1]
    figures = NetworkFigures(
        cities=member_cities(),
        themes=cases_by_theme(),
        exchanges_by_year=exchanges_by_year(),
        languages=content_languages(),
    )
    # Read after the generation, so the figures are never older than the key they are kept by.
    current_app.extensions[CACHE] = (now, figures)
    return figures


def member_cities() -> list[CityPoint]:
    columns = (
        City.slug,
        City.name,
        City.names,
        City.country,
        City.region,
        City.population,
        City.latitude,
        City.longitude,
    )
    rows = db.session.execute(sa.select(*columns).order_by(City.name, City.slug))
    return [CityPoint(*row) for row in rows]


def cases_by_theme() -> list[ThemeCount]:
    return [
        ThemeCount(entry.theme.slug, entry.theme.names or {}, int(entry.cases))
        for entry in catalog.theme_index()
    ]


def exchanges_by_year() -> dict[int, int]:
    """Exchanges completed in each year from the first to the last, years without any included."""
    stmt = (
        sa.select(Exchange.ended, sa.func.count())
        .where(Exchange.ended.is_not(None))
        .group_by(Exchange.ended)
    )
    counted = {int(year): int(count) for year, count in db.session.execute(stmt)}
    if not counted:
        return {}
    return {year: counted.get(year, 0) for year in range(min(counted), max(counted) + 1)}


def content_languages() -> list[LanguageCount]:
    texts = sa.union_all(
        sa.select(CaseText.language, sa.literal("case").label("kind"))
        .join(CaseStudy, CaseStudy.id == CaseText.case_id)
        .where(CaseStudy.state == PUBLISHED),
        sa.select(WebinarText.language, sa.literal("webinar").label("kind"))
        .join(Webinar, Webinar.id == WebinarText.webinar_id)
        .where(Webinar.state == PUBLISHED),
    ).subquery()
    stmt = sa.select(texts.c.language, texts.c.kind, sa.func.count()).group_by(
        texts.c.language, texts.c.kind
    )
    counts: dict[str, dict[str, int]] = {}
    for language, of_kind, count in db.session.execute(stmt):
        counts.setdefault(language, {})[of_kind] = int(count)
    rows = [
        LanguageCount(language, kinds.get("case", 0), kinds.get("webinar", 0))
        for language, kinds in counts.items()
    ]
    return sorted(rows, key=lambda row: (-(row.cases + row.webinars), row.language))
