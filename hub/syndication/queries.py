"""What feeds, calendars and the sitemap hold: published records, loaded in a fixed number of
set-based statements however much the network holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload, subqueryload

from hub.catalog import queries as catalog
from hub.cities.models import City, Theme
from hub.errors import NotFound
from hub.extensions import db
from hub.publishing.models import CaseStudy, CaseText, Webinar

# A feed carries the newest entries; readers keep what they have already fetched.
FEED_ENTRIES = 50


def _all(stmt: sa.Select) -> list:
    return list(db.session.scalars(stmt))


def _cases() -> sa.Select:
    return catalog.case_cards().options(selectinload(CaseStudy.partner_cities))


def _webinars() -> sa.Select:
    return catalog.webinar_cards().options(selectinload(Webinar.themes))


@dataclass
class Feed:
    cases: list[CaseStudy]
    webinars: list[Webinar]


def latest_cases() -> Feed:
    return Feed(_all(_cases().limit(FEED_ENTRIES)), [])


def latest_webinars() -> Feed:
    stmt = _webinars().order_by(Webinar.published_on.desc(), Webinar.starts_on.desc())
    return Feed([], _all(stmt.limit(FEED_ENTRIES)))


def theme_feed(slug: str) -> tuple[Theme, Feed]:
    theme = catalog.theme_by_slug(slug)
    if theme is None:
        raise NotFound()
    on_theme = Theme.id == theme.id
    cases = _all(_cases().where(CaseStudy.themes.any(on_theme)).limit(FEED_ENTRIES))
    webinars = _all(
        _webinars()
        .where(Webinar.themes.any(on_theme))
        .order_by(Webinar.starts_on.desc())
        .limit(FEED_ENTRIES)
    )
    return theme, Feed(cases, webinars)


def city_feed(slug: str) -> tuple[City, Feed]:
    city = catalog.city_by_slug(slug)
    cases = _all(_cases().where(catalog.involves_city(City.id == city.id)).limit(FEED_ENTRIES))
    webinars = _all(
        _webinars()
        .where(Webinar.speakers.any(city_id=city.id))
        .order_by(Webinar.starts_on.desc())
        .limit(FEED_ENTRIES)
    )
    return city, Feed(cases, webinars)


def all_cases() -> list[CaseStudy]:
    """Every published case with what open data shows, newest first. Each collection comes in
    one statement however many cases there are (selectinload would add one per 500)."""
    stmt = (
        sa.select(CaseStudy)
        .where(CaseStudy.state == catalog.PUBLISHED)
        .options(
            joinedload(CaseStudy.lead_city),
            subqueryload(CaseStudy.texts),
            subqueryload(CaseStudy.themes),
            subqueryload(CaseStudy.partner_cities),
        )
        .order_by(CaseStudy.published_on.desc(), CaseStudy.id.desc())
    )
    return _all(stmt)


def all_webinars() -> list[Webinar]:
    """Every published webinar, for the subscribable calendar, newest first."""
    stmt = (
        sa.select(Webinar)
        .where(Webinar.state == catalog.PUBLISHED)
        .options(subqueryload(Webinar.texts), subqueryload(Webinar.themes))
        .order_by(Webinar.starts_on.desc(), Webinar.id.desc())
    )
    return _all(stmt)


@dataclass
class PublicRecords:
    """Slugs of every public record, for the sitemap, with the last change of each case and
    webinar."""

    cases: list[tuple[str, date]]
    webinars: list[tuple[str, date]]
    cities: list[str]
    themes: list[str]


def public_records() -> PublicRecords:
    last_text = sa.func.max(CaseText.updated_on)
    cases = db.session.execute(
        sa.select(CaseStudy.slug, CaseStudy.published_on, last_text)
        .outerjoin(CaseText)
        .where(CaseStudy.state == catalog.PUBLISHED)
        .group_by(CaseStudy.id)
        .order_by(CaseStudy.slug)
    )
    webinars = db.session.execute(
        sa.select(Webinar.slug, Webinar.published_on)
        .where(Webinar.state == catalog.PUBLISHED)
        .order_by(Webinar.slug)
    )
    return PublicRecords(
        cases=[
            (slug, max(filter(None, [published, updated]))) for slug, published, updated in cases
        ],
        webinars=[(slug, published) for slug, published in webinars],
        cities=list(db.session.scalars(sa.select(City.slug).order_by(City.slug))),
        themes=list(db.session.scalars(sa.select(Theme.slug).order_by(Theme.position))),
    )
