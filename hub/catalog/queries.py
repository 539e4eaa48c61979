"""What the public pages show: published records, filtered, paginated and related.

Each page has one function here that loads everything the page shows, eagerly, in a fixed
number of set-based statements however much the network holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from hub import vocab
from hub.caching import per_generation
from hub.catalog.schemas import CaseFilters, CityFilters
from hub.cities.models import City, Theme
from hub.errors import InvalidInput, NotFound
from hub.exchanges.models import Exchange, ExchangeParticipant
from hub.extensions import db
from hub.i18n import lazy_gettext as _l
from hub.publishing.models import (
    CaseStudy,
    CaseText,
    Speaker,
    Webinar,
    WebinarText,
    case_themes,
)
from hub.publishing.states import PublicationState
from hub.types import check_slug

PUBLISHED = PublicationState.published
RELATED_CASES = 3
LATEST_CASES = 5
HOME_WEBINARS = 3
# What a card (or a feed entry) shows of each language version; bodies stay in the database.
CASE_CARD_TEXT = (
    CaseText.language,
    CaseText.machine_translated,
    CaseText.title,
    CaseText.summary,
    CaseText.updated_on,
)
WEBINAR_CARD_TEXT = (
    WebinarText.language,
    WebinarText.machine_translated,
    WebinarText.series,
    WebinarText.title,
    WebinarText.summary,
    WebinarText.place,
)


# --- Building blocks -----------------------------------------------------------------------


def involves_city(condition) -> sa.ColumnElement[bool]:
    return sa.or_(CaseStudy.lead_city.has(condition), CaseStudy.partner_cities.any(condition))


def in_size_band(band: vocab.SizeBand) -> sa.ColumnElement[bool]:
    condition = City.population >= band.minimum
    if band.maximum is not None:
        condition = sa.and_(condition, City.population < band.maximum)
    return condition


def case_cards() -> sa.Select:
    """Published cases, newest first, with what a case card shows."""
    return (
        sa.select(CaseStudy)
        .where(CaseStudy.state == PUBLISHED)
        .options(
            joinedload(CaseStudy.lead_city),
            selectinload(CaseStudy.texts).load_only(*CASE_CARD_TEXT),
            selectinload(CaseStudy.themes),
        )
        .order_by(CaseStudy.published_on.desc(), CaseStudy.id.desc())
    )


def webinar_cards() -> sa.Select:
    """Published webinars with what a webinar card shows."""
    return (
        sa.select(Webinar)
        .where(Webinar.state == PUBLISHED)
        .options(selectinload(Webinar.texts).load_only(*WEBINAR_CARD_TEXT))
    )


def _exchange_cards() -> sa.Select:
    return (
        sa.select(Exchange)
        .options(selectinload(Exchange.participants).joinedload(ExchangeParticipant.city))
        .order_by(Exchange.started.desc(), Exchange.slug)
    )


def _all(stmt: sa.Select) -> list:
    return list(db.session.scalars(stmt))


@dataclass
class Page:
    """One page of a list, with what a pager shows."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def paginate(
    stmt: sa.Select, page: int, per_page: int, count: sa.Select | None = None, key: tuple = ()
) -> Page:
    """One page of results; a page past the last is a NotFound (page 1 may be empty).

    `count` counts the same rows without the page's joins and ordering; with a `key` naming
    the list and its filters, it runs once per generation.
    """
    if count is None:
        count = sa.select(sa.func.count()).select_from(
            stmt.options(lazyload("*")).order_by(None).subquery()
        )
    if key:
        total = per_generation(("count", *key), lambda: db.session.scalar(count) or 0)
    else:
        total = db.session.scalar(count) or 0
    found = Page([], page, per_page, total)
    if page > 1 and page > found.pages:
        raise NotFound()
    offset = (page - 1) * per_page
    found.items = list(db.session.scalars(stmt.limit(per_page).offset(offset)).unique())
    return found


def all_themes() -> list[Theme]:
    return _all(sa.select(Theme).order_by(Theme.position))


def theme_by_slug(slug: str) -> Theme | None:
    # Only well-formed slugs reach the database (PostgreSQL refuses NUL bytes, for one).
    try:
        check_slug(slug)
    except ValueError:
        return None
    return db.session.scalar(sa.select(Theme).where(Theme.slug == slug))


# --- Case studies ----------------------------------------------------------------------------


@dataclass
class CaseListing:
    filters: CaseFilters
    themes: list[Theme]  # for the filter form
    years: list[int]  # years in which cases were published, newest first
    pagination: Page


def case_listing(filters: CaseFilters, per_page: int) -> CaseListing:
    """The case list page: one page of the cases the filters select, and the filters' choices."""
    themes = all_themes()
    if filters.theme is not None and filters.theme not in {theme.slug for theme in themes}:
        raise InvalidInput({"theme": _l("Unknown theme.")})
    return CaseListing(filters, themes, case_years(), _filtered_cases(filters, per_page))


def _filtered_cases(filters: CaseFilters, per_page: int) -> Page:
    conditions = []
    if filters.theme:
        conditions.append(CaseStudy.themes.any(Theme.slug == filters.theme))
    if filters.region:
        conditions.append(involves_city(City.region == filters.region))
    if filters.size:
        conditions.append(involves_city(in_size_band(vocab.SIZE_BANDS_BY_SLUG[filters.size])))
    if filters.language:
        conditions.append(CaseStudy.texts.any(CaseText.language == filters.language))
    if filters.year:
        conditions.append(
            CaseStudy.published_on.between(date(filters.year, 1, 1), date(filters.year, 12, 31))
        )
    if filters.evidence:
        conditions.append(CaseStudy.evidence_level == filters.evidence)
    count = sa.select(sa.func.count(CaseStudy.id)).where(CaseStudy.state == PUBLISHED, *conditions)
    key = ("cases", *sorted(filters.active.items()))
    return paginate(case_cards().where(*conditions), filters.page, per_page, count, key)


def case_years() -> list[int]:
    """Years in which cases were published, newest first (once per generation)."""
    year = sa.extract("year", CaseStudy.published_on)
    stmt = sa.select(year).where(CaseStudy.state == PUBLISHED).distinct().order_by(year.desc())
    return per_generation(
        ("case years",), lambda: [int(found) for found in db.session.scalars(stmt)]
    )


@dataclass
class CasePage:
    case: CaseStudy
    related: list[CaseStudy]


def case_page(slug: str) -> CasePage:
    stmt = (
        sa.select(CaseStudy)
        .where(CaseStudy.state == PUBLISHED, CaseStudy.slug == slug)
        .options(
            joinedload(CaseStudy.lead_city),
            selectinload(CaseStudy.texts),
            selectinload(CaseStudy.themes),
            selectinload(CaseStudy.partner_cities),
            selectinload(CaseStudy.adapted_by),
        )
    )
    case = db.session.scalar(stmt)
    if case is None:
        raise NotFound()
    return CasePage(case, related_cases(case))


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
        case_cards()
        .join(ranked, ranked.c.case_id == CaseStudy.id)
        .order_by(None)
        .order_by(ranked.c.shared.desc(), CaseStudy.published_on.desc(), CaseStudy.id)
        .limit(limit)
    )
    return _all(stmt)


# --- Webinars --------------------------------------------------------------------------------


def webinar_listing(page: int, per_page: int) -> Page:
    stmt = webinar_cards().order_by(Webinar.starts_on.desc(), Webinar.id.desc())
    count = sa.select(sa.func.count(Webinar.id)).where(Webinar.state == PUBLISHED)
    return paginate(stmt, page, per_page, count, ("webinars",))


def webinar_page(slug: str) -> Webinar:
    stmt = (
        sa.select(Webinar)
        .where(Webinar.state == PUBLISHED, Webinar.slug == slug)
        .options(
            selectinload(Webinar.texts),
            selectinload(Webinar.themes),
            selectinload(Webinar.speakers).joinedload(Speaker.city),
        )
    )
    webinar = db.session.scalar(stmt)
    if webinar is None:
        raise NotFound()
    return webinar


# --- Cities ----------------------------------------------------------------------------------


def city_listing(filters: CityFilters) -> list[City]:
    stmt = sa.select(City).order_by(City.name)
    if filters.region:
        stmt = stmt.where(City.region == filters.region)
    if filters.size:
        stmt = stmt.where(in_size_band(vocab.SIZE_BANDS_BY_SLUG[filters.size]))
    return _all(stmt)


def city_by_slug(slug: str) -> City:
    """A city with its expertise (its profile's themes)."""
    stmt = sa.select(City).where(City.slug == slug).options(selectinload(City.expertise))
    city = db.session.scalar(stmt)
    if city is None:
        raise NotFound()
    return city


def cities_by_slug(slugs: set[str]) -> dict[str, City]:
    wanted = [slug for slug in slugs if slug]
    if not wanted:
        return {}
    return {city.slug: city for city in _all(sa.select(City).where(City.slug.in_(wanted)))}


@dataclass
class CityPage:
    city: City
    cases: list[CaseStudy]
    webinars: list[Webinar]  # where the city's people spoke
    exchanges: list[Exchange]


def city_page(slug: str) -> CityPage:
    city = city_by_slug(slug)
    return CityPage(
        city=city,
        cases=_all(case_cards().where(involves_city(City.id == city.id))),
        webinars=_all(
            webinar_cards()
            .where(Webinar.speakers.any(city_id=city.id))
            .order_by(Webinar.starts_on.desc())
        ),
        exchanges=_all(
            _exchange_cards().where(
                Exchange.participants.any(ExchangeParticipant.city_id == city.id)
            )
        ),
    )


# --- Themes and the home page ------------------------------------------------------------------


# A theme page shows the newest of each kind; the case list, filtered by the theme, has them all.
THEME_PAGE_ITEMS = 12


@dataclass
class ThemeOverview:
    theme: Theme
    case_count: int
    cases: list[CaseStudy]
    webinars: list[Webinar]
    exchanges: list[Exchange]
    cities: list[City]  # with expertise on the theme


def theme_overview(slug: str) -> ThemeOverview:
    theme = theme_by_slug(slug)
    if theme is None:
        raise NotFound()
    has_theme = Theme.id == theme.id
    on_theme = CaseStudy.themes.any(has_theme)
    return ThemeOverview(
        theme=theme,
        case_count=per_generation(
            ("theme cases", theme.id),
            lambda: db.session.scalar(
                sa.select(sa.func.count(CaseStudy.id)).where(on_theme, CaseStudy.state == PUBLISHED)
            ),
        ),
        cases=_all(case_cards().where(on_theme).limit(THEME_PAGE_ITEMS)),
        webinars=_all(
            webinar_cards()
            .where(Webinar.themes.any(has_theme))
            .order_by(Webinar.starts_on.desc())
            .limit(THEME_PAGE_ITEMS)
        ),
        exchanges=_all(
            _exchange_cards().where(Exchange.themes.any(has_theme)).limit(THEME_PAGE_ITEMS)
        ),
        cities=_all(sa.select(City).where(City.expertise.any(has_theme)).order_by(City.name)),
    )


@dataclass
class ThemeEntry:
    theme: Theme
    cases: int  # published case studies on the theme


def theme_index() -> list[ThemeEntry]:
    """Every theme in the list's order with its published case studies counted: one statement."""
    published = (
        sa.select(case_themes.c.theme_id, sa.func.count().label("cases"))
        .join(CaseStudy, CaseStudy.id == case_themes.c.case_id)
        .where(CaseStudy.state == PUBLISHED)
        .group_by(case_themes.c.theme_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Theme, sa.func.coalesce(published.c.cases, 0))
        .outerjoin(published, published.c.theme_id == Theme.id)
        .order_by(Theme.position, Theme.id)
    )
    return [ThemeEntry(theme, cases) for theme, cases in rows]


@dataclass
class NetworkCounts:
    cities: int
    cases: int
    exchanges: int


def network_counts() -> NetworkCounts:
    """The network's figures, in one statement once per generation."""

    def count(column, *conditions) -> sa.ScalarSelect:
        return sa.select(sa.func.count(column)).where(*conditions).scalar_subquery()

    def compute() -> NetworkCounts:
        row = db.session.execute(
            sa.select(
                count(City.id),
                count(CaseStudy.id, CaseStudy.state == PUBLISHED),
                count(Exchange.id),
            )
        ).one()
        return NetworkCounts(*(number or 0 for number in row))

    return per_generation(("network counts",), compute)


@dataclass
class HomePage:
    cases: list[CaseStudy]  # the latest
    recent: list[Webinar]
    upcoming: list[Webinar]
    counts: NetworkCounts
    themes: list[Theme]


def home_page(today: date) -> HomePage:
    return HomePage(
        cases=_all(case_cards().limit(LATEST_CASES)),
        recent=_all(
            webinar_cards()
            .where(Webinar.starts_on < today)
            .order_by(Webinar.starts_on.desc())
            .limit(HOME_WEBINARS)
        ),
        upcoming=_all(
            webinar_cards()
            .where(Webinar.starts_on >= today)
            .order_by(Webinar.starts_on)
            .limit(HOME_WEBINARS)
        ),
        counts=network_counts(),
        themes=all_themes(),
    )
