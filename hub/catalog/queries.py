"""What the public pages show: published records, filtered, paginated and related."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hub import vocab
from hub.cities.models import City, Theme
from hub.errors import InvalidInput, NotFound
from hub.exchanges.models import Exchange, ExchangeParticipant
from hub.extensions import db
from hub.i18n import LANGUAGES
from hub.publishing.models import CaseStudy, CaseText, Speaker, Webinar, case_themes
from hub.types import SLUG_PATTERN as SLUG

PUBLISHED = "published"
MAX_PAGE = 100_000
RELATED_CASES = 3
LATEST_CASES = 5
HOME_WEBINARS = 3


class InvalidQuery(InvalidInput):
    """A query string the page cannot honour; `errors` maps each parameter to why."""


def parse_page(args: Mapping[str, str]) -> int:
    raw = args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidQuery({"page": _l("The page number must be a whole number from 1.")})
    return int(raw)


@dataclass
class CaseFilters:
    theme: str | None = None
    region: str | None = None
    size: str | None = None
    language: str | None = None
    year: int | None = None
    evidence: str | None = None
    page: int = 1
    errors: dict[str, object] = field(default_factory=dict)

    @property
    def active(self) -> dict[str, object]:
        names = ("theme", "region", "size", "language", "year", "evidence")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


def parse_case_filters(args: Mapping[str, str]) -> CaseFilters:
    """Read the case filters from a query string; every bad value is named in `errors`."""
    filters = CaseFilters()
    choices = {
        "region": (vocab.REGIONS, _l("Unknown region.")),
        "size": (vocab.SIZE_BANDS_BY_SLUG, _l("Unknown city size.")),
        "language": (LANGUAGES, _l("Unknown language.")),
        "evidence": (vocab.EVIDENCE_LEVELS, _l("Unknown evidence level.")),
    }
    for name, (allowed, message) in choices.items():
        value = args.get(name) or None
        if value is not None and value not in allowed:
            filters.errors[name] = message
        elif value is not None:
            setattr(filters, name, value)
    theme = args.get("theme") or None
    if theme is not None:
        if theme_by_slug(theme) is None:
            filters.errors["theme"] = _l("Unknown theme.")
        else:
            filters.theme = theme
    year = args.get("year") or None
    if year is not None:
        if year.isdigit() and 1900 <= int(year) <= 2100:
            filters.year = int(year)
        else:
            filters.errors["year"] = _l("The year must be a number such as 2022.")
    try:
        filters.page = parse_page(args)
    except InvalidQuery as error:
        filters.errors.update(error.errors)
    return filters


def _involves_city(condition) -> sa.ColumnElement[bool]:
    return sa.or_(CaseStudy.lead_city.has(condition), CaseStudy.partner_cities.any(condition))


def in_size_band(band: vocab.SizeBand) -> sa.ColumnElement[bool]:
    condition = City.population >= band.minimum
    if band.maximum is not None:
        condition = sa.and_(condition, City.population < band.maximum)
    return condition


def _published_cases() -> sa.Select:
    return (
        sa.select(CaseStudy)
        .where(CaseStudy.state == PUBLISHED)
        .options(
            selectinload(CaseStudy.texts),
            selectinload(CaseStudy.lead_city),
            selectinload(CaseStudy.partner_cities),
            selectinload(CaseStudy.themes),
        )
        .order_by(CaseStudy.published_on.desc(), CaseStudy.id.desc())
    )


def search_cases(filters: CaseFilters, per_page: int):
    stmt = _published_cases()
    if filters.theme:
        stmt = stmt.where(CaseStudy.themes.any(Theme.slug == filters.theme))
    if filters.region:
        stmt = stmt.where(_involves_city(City.region == filters.region))
    if filters.size:
        stmt = stmt.where(_involves_city(in_size_band(vocab.SIZE_BANDS_BY_SLUG[filters.size])))
    if filters.language:
        stmt = stmt.where(CaseStudy.texts.any(CaseText.language == filters.language))
    if filters.year:
        stmt = stmt.where(
            CaseStudy.published_on.between(date(filters.year, 1, 1), date(filters.year, 12, 31))
        )
    if filters.evidence:
        stmt = stmt.where(CaseStudy.evidence_level == filters.evidence)
    return paginate(stmt, filters.page, per_page)


def paginate(stmt: sa.Select, page: int, per_page: int):
    """One page of results; a page past the last is a NotFound (page 1 may be empty)."""
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
    if page > 1 and page > pagination.pages:
        raise NotFound()
    return pagination


def case_years() -> list[int]:
    published = db.session.scalars(
        sa.select(CaseStudy.published_on).where(CaseStudy.state == PUBLISHED)
    )
    return sorted({day.year for day in published}, reverse=True)


def case_by_slug(slug: str) -> CaseStudy:
    case = db.session.scalar(_published_cases().where(CaseStudy.slug == slug))
    if case is None:
        raise NotFound()
    return case


def related_cases(case: CaseStudy, limit: int = RELATED_CASES) -> list[CaseStudy]:
    """Published cases sharing the most themes with `case`, newest first among equals."""
    theme_ids = [theme.id for theme in case.themes]
    if not theme_ids:
        return []
    shared = sa.func.count(case_themes.c.theme_id)
    ranked = (
        sa.select(case_themes.c.case_id, shared.label("shared"))
        .where(case_themes.c.theme_id.in_(theme_ids), case_themes.c.case_id != case.id)
        .group_by(case_themes.c.case_id)
        .subquery()
    )
    stmt = (
        _published_cases()
        .join(ranked, ranked.c.case_id == CaseStudy.id)
        .order_by(None)
        .order_by(ranked.c.shared.desc(), CaseStudy.published_on.desc(), CaseStudy.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def latest_cases(limit: int = LATEST_CASES) -> list[CaseStudy]:
    return list(db.session.scalars(_published_cases().limit(limit)))


def _published_webinars() -> sa.Select:
    return (
        sa.select(Webinar)
        .where(Webinar.state == PUBLISHED)
        .options(
            selectinload(Webinar.texts),
            selectinload(Webinar.themes),
            selectinload(Webinar.speakers).selectinload(Speaker.city),
        )
    )


def webinars_page(page: int, per_page: int):
    stmt = _published_webinars().order_by(Webinar.starts_on.desc(), Webinar.id.desc())
    return paginate(stmt, page, per_page)


def recent_webinars(today: date, limit: int = HOME_WEBINARS) -> list[Webinar]:
    stmt = (
        _published_webinars()
        .where(Webinar.starts_on < today)
        .order_by(Webinar.starts_on.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def upcoming_webinars(today: date, limit: int = HOME_WEBINARS) -> list[Webinar]:
    stmt = (
        _published_webinars()
        .where(Webinar.starts_on >= today)
        .order_by(Webinar.starts_on)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def webinar_by_slug(slug: str) -> Webinar:
    webinar = db.session.scalar(_published_webinars().where(Webinar.slug == slug))
    if webinar is None:
        raise NotFound()
    return webinar


@dataclass
class CityFilters:
    region: str | None = None
    size: str | None = None
    errors: dict[str, object] = field(default_factory=dict)


def parse_city_filters(args: Mapping[str, str]) -> CityFilters:
    filters = CityFilters()
    region = args.get("region") or None
    if region is not None and region not in vocab.REGIONS:
        filters.errors["region"] = _l("Unknown region.")
    else:
        filters.region = region
    size = args.get("size") or None
    if size is not None and size not in vocab.SIZE_BANDS_BY_SLUG:
        filters.errors["size"] = _l("Unknown city size.")
    else:
        filters.size = size
    return filters


def search_cities(filters: CityFilters) -> list[City]:
    stmt = sa.select(City).order_by(City.name)
    if filters.region:
        stmt = stmt.where(City.region == filters.region)
    if filters.size:
        stmt = stmt.where(in_size_band(vocab.SIZE_BANDS_BY_SLUG[filters.size]))
    return list(db.session.scalars(stmt))


def cities_by_slug(slugs: set[str]) -> dict[str, City]:
    wanted = [slug for slug in slugs if slug]
    if not wanted:
        return {}
    return {
        city.slug: city for city in db.session.scalars(sa.select(City).where(City.slug.in_(wanted)))
    }


def city_by_slug(slug: str) -> City:
    city = db.session.scalar(sa.select(City).where(City.slug == slug))
    if city is None:
        raise NotFound()
    return city


def cases_of_city(city: City) -> list[CaseStudy]:
    return list(db.session.scalars(_published_cases().where(_involves_city(City.id == city.id))))


def webinars_with_speakers_from(city: City) -> list[Webinar]:
    stmt = (
        _published_webinars()
        .where(Webinar.speakers.any(city_id=city.id))
        .order_by(Webinar.starts_on.desc())
    )
    return list(db.session.scalars(stmt))


def _exchanges() -> sa.Select:
    return (
        sa.select(Exchange)
        .options(selectinload(Exchange.participants).selectinload(ExchangeParticipant.city))
        .order_by(Exchange.started.desc(), Exchange.slug)
    )


def exchanges_of_city(city: City) -> list[Exchange]:
    stmt = _exchanges().where(Exchange.participants.any(ExchangeParticipant.city_id == city.id))
    return list(db.session.scalars(stmt))


def all_themes() -> list[Theme]:
    return list(db.session.scalars(sa.select(Theme).order_by(Theme.position)))


def theme_by_slug(slug: str) -> Theme | None:
    # Only well-formed slugs reach the database (PostgreSQL refuses NUL bytes, for one).
    if not SLUG.match(slug):
        return None
    return db.session.scalar(sa.select(Theme).where(Theme.slug == slug))


@dataclass
class ThemeOverview:
    theme: Theme
    cases: list[CaseStudy]
    webinars: list[Webinar]
    exchanges: list[Exchange]
    cities: list[City]


def theme_overview(slug: str) -> ThemeOverview:
    theme = theme_by_slug(slug)
    if theme is None:
        raise NotFound()
    has_theme = Theme.id == theme.id
    return ThemeOverview(
        theme=theme,
        cases=list(db.session.scalars(_published_cases().where(CaseStudy.themes.any(has_theme)))),
        webinars=list(
            db.session.scalars(
                _published_webinars()
                .where(Webinar.themes.any(has_theme))
                .order_by(Webinar.starts_on.desc())
            )
        ),
        exchanges=list(db.session.scalars(_exchanges().where(Exchange.themes.any(has_theme)))),
        cities=list(
            db.session.scalars(
                sa.select(City).where(City.expertise.any(has_theme)).order_by(City.name)
            )
        ),
    )


@dataclass
class NetworkCounts:
    cities: int
    cases: int
    exchanges: int


def network_counts() -> NetworkCounts:
    def count(stmt: sa.Select) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0

    return NetworkCounts(
        cities=count(sa.select(City.id)),
        cases=count(sa.select(CaseStudy.id).where(CaseStudy.state == PUBLISHED)),
        exchanges=count(sa.select(Exchange.id)),
    )
