"""What the exchange boards show: open requests without their private text, and staff figures.

The public board lists submitted requests by theme, size band, region and format only; the
challenge, the timeframe and even the city's name stay with the city and staff.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hub import matching, vocab
from hub.catalog import queries as catalog
from hub.catalog.schemas import CityFilters, PageArgs
from hub.cities.models import City, Theme
from hub.errors import InvalidInput
from hub.exchanges import lifecycle as requests
from hub.exchanges.models import ExchangeRequest, MatchProposal
from hub.extensions import db
from hub.types import validate

OPEN = ("submitted",)
BOARD_PER_PAGE = 20


@dataclass
class BoardFilters:
    theme: str | None = None
    region: str | None = None
    size: str | None = None
    format: str | None = None
    page: int = 1
    errors: dict[str, object] = field(default_factory=dict)

    def active(self) -> dict[str, object]:
        names = ("theme", "region", "size", "format")
        return {name: getattr(self, name) for name in names if getattr(self, name)}


def parse_filters(args: Mapping[str, str]) -> BoardFilters:
    """The board's filters from a query string; each unknown value is named, not ignored."""
    filters = BoardFilters()
    try:  # region and size, checked as on the city list
        places = validate(CityFilters, {name: args.get(name) for name in ("region", "size")})
        filters.region, filters.size = places.region, places.size
    except InvalidInput as error:
        filters.errors.update(error.errors)
    theme = args.get("theme") or None
    if theme is not None and catalog.theme_by_slug(theme) is None:
        filters.errors["theme"] = _l("Unknown theme.")
    else:
        filters.theme = theme
    format_ = args.get("format") or None
    if format_ is not None and format_ not in vocab.EXCHANGE_FORMATS:
        filters.errors["format"] = _l("Unknown format.")
    else:
        filters.format = format_
    try:
        filters.page = validate(PageArgs, {"page": args.get("page")}).page
    except InvalidInput as error:
        filters.errors.update(error.errors)
    return filters


def open_requests(filters: BoardFilters):
    """Submitted requests, newest first, as a page."""
    stmt = (
        sa.select(ExchangeRequest)
        .join(City, ExchangeRequest.city_id == City.id)
        .where(ExchangeRequest.status.in_(OPEN))
        .order_by(ExchangeRequest.created_at.desc(), ExchangeRequest.id.desc())
    )
    if filters.theme:
        stmt = stmt.where(ExchangeRequest.themes.any(Theme.slug == filters.theme))
    if filters.region:
        stmt = stmt.where(City.region == filters.region)
    if filters.size:
        stmt = stmt.where(catalog.in_size_band(vocab.SIZE_BANDS_BY_SLUG[filters.size]))
    if filters.format:
        stmt = stmt.where(ExchangeRequest.format == filters.format)
    return catalog.paginate(stmt, filters.page, BOARD_PER_PAGE)


def offerable(city: City | None, shown: list[ExchangeRequest]) -> dict[int, matching.Proposal]:
    """Of the requests shown, those `city` could mentor now, with its proposal for each."""
    if city is None or not shown:
        return {}
    network = requests.build_network()
    found = {}
    for request in shown:
        if request.city_id == city.id or any(
            p.mentor_city_id == city.id and p.status == "proposed" for p in request.proposals
        ):
            continue
        for proposal in matching.suggest(
            requests.plain_request(request), network, limit=len(network.cities)
        ):
            if proposal.mentor_id == city.id:
                found[request.id] = proposal
                break
    return found


# --- The staff board --------------------------------------------------------------------------


@dataclass(frozen=True)
class MentorLoad:
    city: City
    capacity: int
    active: int  # proposals pending and exchanges accepted or in progress
    completed: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.active, 0)


@dataclass(frozen=True)
class UncoveredTheme:
    theme: Theme
    open_requests: int  # submitted or proposed requests that ask for it


@dataclass(frozen=True)
class Acceptance:
    accepted: int
    decided: int  # proposals put to the cities that both accepted or one declined

    @property
    def rate(self) -> float | None:
        return self.accepted / self.decided if self.decided else None


def requests_by_status() -> dict[str, list[ExchangeRequest]]:
    found: dict[str, list[ExchangeRequest]] = {status: [] for status in vocab.REQUEST_STATUSES}
    stmt = sa.select(ExchangeRequest).order_by(
        ExchangeRequest.updated_at.desc(), ExchangeRequest.id.desc()
    )
    for request in db.session.scalars(stmt):
        found.setdefault(request.status, []).append(request)
    return found


def uncovered_themes() -> list[UncoveredTheme]:
    """Themes no city can mentor now: none shows them, or none that does has a free place."""
    network = requests.build_network()
    free = network.capacity_free > 0
    can = {
        theme
        for theme, j in network.theme_index.items()
        if bool((network.offers[:, j] & free).any())
    }
    asked: Counter[str] = Counter()
    waiting = sa.select(ExchangeRequest).where(
        ExchangeRequest.status.in_(("submitted", "proposed"))
    )
    for request in db.session.scalars(waiting):
        asked.update(t.slug for t in request.themes)
    themes = [t for t in catalog.all_themes() if t.slug not in can]
    themes.sort(key=lambda t: (-asked[t.slug], t.position))
    return [UncoveredTheme(t, asked[t.slug]) for t in themes]


def mentor_load() -> list[MentorLoad]:
    """Every city that mentors or may: its places, what holds them, and what it has done."""
    active = requests.active_exchanges()
    completed: Counter[int] = Counter(
        mentor for mentor, _themes, _feedback in requests.completed_exchanges()
    )
    cities = db.session.scalars(sa.select(City).order_by(City.name)).all()
    rows = [
        MentorLoad(c, c.mentor_capacity, active.get(c.id, 0), completed[c.id])
        for c in cities
        if c.mentor_capacity or active.get(c.id) or completed[c.id]
    ]
    rows.sort(key=lambda row: (-row.active, -row.completed, row.city.name))
    return rows


def acceptance() -> Acceptance:
    put_to_cities = sa.select(MatchProposal.status, sa.func.count()).where(
        MatchProposal.staff_decision == "approved",
        MatchProposal.status.in_(("accepted", "declined")),
    )
    counts = dict(db.session.execute(put_to_cities.group_by(MatchProposal.status)).all())
    accepted = counts.get("accepted", 0)
    return Acceptance(accepted, accepted + counts.get("declined", 0))


def awaiting_review() -> list[MatchProposal]:
    stmt = (
        sa.select(MatchProposal)
        .where(MatchProposal.status == "proposed", MatchProposal.staff_decision.is_(None))
        .order_by(MatchProposal.id)
    )
    return list(db.session.scalars(stmt))


# --- A city's own page -------------------------------------------------------------------------


def requests_of(city: City) -> list[ExchangeRequest]:
    stmt = (
        sa.select(ExchangeRequest)
        .where(ExchangeRequest.city_id == city.id)
        .order_by(ExchangeRequest.created_at.desc(), ExchangeRequest.id.desc())
    )
    return list(db.session.scalars(stmt))


def mentoring_of(city: City) -> tuple[list[MatchProposal], list[MatchProposal]]:
    """Proposals put to `city` as a mentor (approved or settled), and its offers under review."""
    stmt = (
        sa.select(MatchProposal)
        .where(MatchProposal.mentor_city_id == city.id)
        .order_by(MatchProposal.created_at.desc(), MatchProposal.id.desc())
    )
    put, waiting = [], []
    for proposal in db.session.scalars(stmt):
        state = requests.proposal_state(proposal)
        if state == "review" and proposal.mentor_decision == "accepted":
            waiting.append(proposal)
        elif requests.put_to_mentor(proposal):
            put.append(proposal)
    return put, waiting


def cities_by_id() -> dict[int, City]:
    return {c.id: c for c in db.session.scalars(sa.select(City))}
