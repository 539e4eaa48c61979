"""What the exchange boards show: open requests without their private text, a city's own
requests, and the staff figures. Each loads what its page shows in a fixed number of queries.

The public board lists submitted requests by theme, size band, region and format only; the
challenge, the timeframe and even the city's name stay with the city and staff.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hub import vocab
from hub.catalog import queries as catalog
from hub.cities.models import City, Theme
from hub.errors import InvalidInput
from hub.exchanges import network
from hub.exchanges.models import ExchangeRequest, MatchProposal
from hub.exchanges.schemas import BoardQuery
from hub.exchanges.states import (
    WAITING,
    Decision,
    ProposalState,
    ProposalStatus,
    RequestStatus,
    StaffDecision,
)
from hub.extensions import db
from hub.i18n import lazy_gettext as _l

BOARD_PER_PAGE = 20


def _summary() -> list:
    """What a request's line on a board shows: its city, themes and proposals."""
    return [
        selectinload(ExchangeRequest.city),
        selectinload(ExchangeRequest.themes),
        selectinload(ExchangeRequest.proposals).selectinload(MatchProposal.mentor_city),
    ]


def _proposal_lines() -> list:
    """A proposal's line on a board: its request (city, themes) and its mentor."""
    return [
        selectinload(MatchProposal.mentor_city),
        selectinload(MatchProposal.request).selectinload(ExchangeRequest.city),
        selectinload(MatchProposal.request).selectinload(ExchangeRequest.themes),
    ]


def open_requests(filters: BoardQuery):
    """Submitted requests, newest first, as a page."""
    if filters.theme and catalog.theme_by_slug(filters.theme) is None:
        raise InvalidInput({"theme": _l("Unknown theme.")})
    stmt = (
        sa.select(ExchangeRequest)
        .join(City, ExchangeRequest.city_id == City.id)
        .where(ExchangeRequest.status == RequestStatus.submitted)
        .order_by(ExchangeRequest.created_at.desc(), ExchangeRequest.id.desc())
        .options(*_summary())
    )
    if filters.theme:
        stmt = stmt.where(ExchangeRequest.themes.any(Theme.slug == filters.theme))
    if filters.region:
        stmt = stmt.where(City.region == filters.region)
    if filters.size:
        stmt = stmt.where(catalog.in_size_band(vocab.SIZE_BANDS_BY_SLUG[filters.size]))
    if filters.format:
        stmt = stmt.where(ExchangeRequest.format == filters.format)
    # The same for every reader: counted once per generation.
    key = ("open requests", filters.theme, filters.region, filters.size, filters.format)
    return catalog.paginate(stmt, filters.page, BOARD_PER_PAGE, key=key)


# --- The staff board ---------------------------------------------------------------------------


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


def requests_by_status() -> dict[RequestStatus, list[ExchangeRequest]]:
    found: dict[RequestStatus, list[ExchangeRequest]] = {status: [] for status in RequestStatus}
    stmt = (
        sa.select(ExchangeRequest)
        .order_by(ExchangeRequest.updated_at.desc(), ExchangeRequest.id.desc())
        .options(selectinload(ExchangeRequest.city), selectinload(ExchangeRequest.themes))
    )
    for request in db.session.scalars(stmt):
        found[RequestStatus(request.status)].append(request)
    return found


def uncovered_themes(requests: dict[RequestStatus, list[ExchangeRequest]]) -> list[UncoveredTheme]:
    """Themes no city can mentor now: none shows them, or none that does has a free place."""
    built = network.current().network
    free = built.capacity_free > 0
    can = {
        theme for theme, j in built.theme_index.items() if bool((built.offers[:, j] & free).any())
    }
    asked: Counter[str] = Counter()
    for status in WAITING:
        for request in requests[status]:
            asked.update(t.slug for t in request.themes)
    themes = [t for t in catalog.all_themes() if t.slug not in can]
    themes.sort(key=lambda t: (-asked[t.slug], t.position))
    return [UncoveredTheme(t, asked[t.slug]) for t in themes]


def mentor_load() -> list[MentorLoad]:
    """Every city that mentors or may: its places, what holds them, and what it has done."""
    active = network.active_exchanges()
    completed: Counter[int] = Counter(
        mentor for mentor, _themes, _feedback in network.completed_exchanges()
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
        MatchProposal.staff_decision == StaffDecision.approved,
        MatchProposal.status.in_((ProposalStatus.accepted, ProposalStatus.declined)),
    )
    counts = dict(db.session.execute(put_to_cities.group_by(MatchProposal.status)).all())
    accepted = counts.get(ProposalStatus.accepted, 0)
    return Acceptance(accepted, accepted + counts.get(ProposalStatus.declined, 0))


def awaiting_review() -> list[MatchProposal]:
    stmt = (
        sa.select(MatchProposal)
        .where(MatchProposal.status == ProposalStatus.proposed)
        .where(MatchProposal.staff_decision.is_(None))
        .order_by(MatchProposal.id)
        .options(*_proposal_lines())
    )
    return list(db.session.scalars(stmt))


# --- A city's own page ---------------------------------------------------------------------------


def requests_of(city: City) -> list[ExchangeRequest]:
    stmt = (
        sa.select(ExchangeRequest)
        .where(ExchangeRequest.city_id == city.id)
        .order_by(ExchangeRequest.created_at.desc(), ExchangeRequest.id.desc())
        .options(*_summary())
    )
    return list(db.session.scalars(stmt))


def mentoring_of(city: City) -> tuple[list[MatchProposal], list[MatchProposal]]:
    """Proposals put to `city` as a mentor (approved or settled), and its offers under review."""
    stmt = (
        sa.select(MatchProposal)
        .where(MatchProposal.mentor_city_id == city.id)
        .order_by(MatchProposal.created_at.desc(), MatchProposal.id.desc())
        .options(*_proposal_lines())
    )
    put, waiting = [], []
    for proposal in db.session.scalars(stmt):
        if proposal.state == ProposalState.review and proposal.mentor_decision == Decision.accepted:
            waiting.append(proposal)
        elif proposal.put_to_mentor:
            put.append(proposal)
    return put, waiting
