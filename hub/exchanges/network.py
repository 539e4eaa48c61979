"""The adapter from the database to the matching routine (`hub.matching`): the network of cities
and what each can show, the requests as plain data, and the routine's answers.

The network is read in a fixed number of set-based queries, whatever the number of cities, cases
and exchanges; a page builds it once and passes it on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa

from hub import matching
from hub.cities.models import City, Theme, city_expertise
from hub.exchanges.models import (
    Exchange,
    ExchangeParticipant,
    ExchangeReport,
    ExchangeRequest,
    MatchProposal,
    exchange_themes,
)
from hub.exchanges.states import (
    HOLDING_A_PLACE,
    RATINGS,
    ParticipantSide,
    ProposalStatus,
    Side,
)
from hub.extensions import db
from hub.matching.model import EVIDENCE_LEVELS
from hub.publishing.models import CaseStudy, case_partner_cities, case_themes

SUGGESTIONS_LIMIT = 10


def active_exchanges() -> dict[int, int]:
    """Per mentor city: exchanges that hold one of its places."""
    rows = db.session.execute(
        sa.select(MatchProposal.mentor_city_id, sa.func.count())
        .join(ExchangeRequest, MatchProposal.request_id == ExchangeRequest.id)
        .where(MatchProposal.status.in_((ProposalStatus.proposed, ProposalStatus.accepted)))
        .where(ExchangeRequest.status.in_(HOLDING_A_PLACE))
        .group_by(MatchProposal.mentor_city_id)
    )
    return {city_id: count for city_id, count in rows}


def _themes_by(link: sa.Table, key: str) -> dict[int, list[str]]:
    """Theme slugs per record of a link table, in the themes' order."""
    rows = db.session.execute(
        sa.select(link.c[key], Theme.slug)
        .join(Theme, Theme.id == link.c.theme_id)
        .order_by(link.c[key], Theme.position)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for record_id, slug in rows:
        found[record_id].append(slug)
    return found


def _case_evidence() -> list[matching.Evidence]:
    """Each published case's themes, for its lead city and each partner city."""
    cases = db.session.execute(
        sa.select(CaseStudy.id, CaseStudy.evidence_level, CaseStudy.lead_city_id)
        .where(CaseStudy.state == "published")
        .order_by(CaseStudy.id)
    ).all()
    partners: dict[int, list[int]] = defaultdict(list)
    for case_id, city_id in db.session.execute(
        sa.select(case_partner_cities.c.case_id, case_partner_cities.c.city_id)
        .join(City, City.id == case_partner_cities.c.city_id)
        .order_by(case_partner_cities.c.case_id, City.name)
    ):
        partners[case_id].append(city_id)
    themes = _themes_by(case_themes, "case_id")
    evidence = []
    for case_id, level, lead_id in cases:
        level = level if level in EVIDENCE_LEVELS else "none"
        cities = [lead_id] if lead_id else []
        cities += [city_id for city_id in partners[case_id] if city_id != lead_id]
        for city_id in cities:
            evidence += [matching.Evidence(city_id, t, "case", level) for t in themes[case_id]]
    return evidence


def completed_exchanges() -> list[tuple[int, list[str], float | None]]:
    """(mentor city, themes, feedback) of every completed exchange, from the content files or
    completed in the hub: one `Exchange` record each.

    Feedback is the requesting city's rating of an exchange completed in the hub, from 0 (poor)
    to 1 (excellent); exchanges recorded in the content files carry none.
    """
    rated = sa.and_(
        ExchangeReport.request_id == Exchange.request_id, ExchangeReport.side == Side.requester
    )
    ended = db.session.execute(
        sa.select(Exchange.id, ExchangeReport.rating)
        .outerjoin(ExchangeReport, rated)
        .where(Exchange.ended.is_not(None))
        .order_by(Exchange.id)
    ).all()
    if not ended:
        return []
    ratings = dict(ended)
    themes = _themes_by(exchange_themes, "exchange_id")
    mentors = db.session.execute(
        sa.select(ExchangeParticipant.exchange_id, ExchangeParticipant.city_id)
        .where(
            ExchangeParticipant.exchange_id.in_(list(ratings)),
            ExchangeParticipant.side == ParticipantSide.mentor,
            ExchangeParticipant.city_id.is_not(None),
        )
        .order_by(ExchangeParticipant.exchange_id, ExchangeParticipant.position)
    )
    return [
        (city_id, themes[exchange_id], _feedback(ratings[exchange_id]))
        for exchange_id, city_id in mentors
    ]


def _feedback(rating: int | None) -> float | None:
    return (rating - 1) / (len(RATINGS) - 1) if rating is not None else None


def build_network() -> matching.Network:
    """Cities with their free capacity, and what each shows per theme."""
    return matching.Network(*network_data())


def forget() -> None:
    """Nothing cached: the next network is read from the database."""


def network_data() -> tuple[list[matching.City], list[matching.Evidence]]:
    """The plain cities and evidence the network is built from."""
    used = active_exchanges()
    cities = db.session.scalars(sa.select(City).order_by(City.id)).all()
    plain = [
        matching.City(
            id=c.id,
            slug=c.slug,
            population=c.population,
            region=c.region,
            country=c.country,
            languages=tuple(c.languages),
            capacity_free=c.mentor_capacity - used.get(c.id, 0),
            capacity_total=c.mentor_capacity,
            lat=c.latitude,
            lon=c.longitude,
        )
        for c in cities
    ]
    evidence = [
        matching.Evidence(city_id, slug, "expertise")
        for city_id, slug in db.session.execute(
            sa.select(city_expertise.c.city_id, Theme.slug)
            .join(Theme, Theme.id == city_expertise.c.theme_id)
            .order_by(city_expertise.c.city_id, Theme.position)
        )
    ]
    evidence += _case_evidence()
    for mentor_id, themes, feedback in completed_exchanges():
        evidence += [
            matching.Evidence(mentor_id, theme, "exchange", feedback=feedback) for theme in themes
        ]
    return plain, evidence


def relations(city_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """Per city: the cities that took part in an exchange with it (two queries for all)."""
    wanted = set(city_ids)
    related: dict[int, set[int]] = {city_id: set() for city_id in wanted}
    by_exchange: dict[int, set[int]] = defaultdict(set)
    for exchange_id, city_id in db.session.execute(
        sa.select(ExchangeParticipant.exchange_id, ExchangeParticipant.city_id).where(
            ExchangeParticipant.city_id.is_not(None)
        )
    ):
        by_exchange[exchange_id].add(city_id)
    for ids in by_exchange.values():
        for city_id in ids & wanted:
            related[city_id] |= ids
    together = db.session.execute(
        sa.select(ExchangeRequest.city_id, MatchProposal.mentor_city_id)
        .join(ExchangeRequest, MatchProposal.request_id == ExchangeRequest.id)
        .where(ExchangeRequest.city_id.in_(wanted), MatchProposal.status == ProposalStatus.accepted)
    )
    for city_id, mentor_id in together:
        related[city_id].add(mentor_id)
    return {city_id: frozenset(ids - {city_id}) for city_id, ids in related.items()}


def plain_requests(requests: Iterable[ExchangeRequest]) -> list[matching.Request]:
    """The requests as the routine reads them; their themes should be loaded already."""
    requests = list(requests)
    known = relations(r.city_id for r in requests)
    return [
        matching.Request(
            id=r.id,
            city_id=r.city_id,
            themes=tuple(t.slug for t in r.themes),
            languages=tuple(r.languages),
            format=r.format,
            relations=known[r.city_id],
        )
        for r in requests
    ]


def suggestions(
    request: ExchangeRequest,
    network: matching.Network | None = None,
    limit: int | None = SUGGESTIONS_LIMIT,
) -> list[matching.Proposal]:
    """The best mentors for one request now, best first."""
    network = network or build_network()
    (plain,) = plain_requests([request])
    return matching.suggest(plain, network, limit=limit or len(network.cities))


def alternatives(
    request: ExchangeRequest, chosen: matching.Proposal, network: matching.Network | None = None
) -> list[matching.Alternative]:
    """Cities that came close to `chosen` for this request, each with why it was not chosen."""
    (plain,) = plain_requests([request])
    return matching.alternatives(plain, network or build_network(), chosen)


def as_plain(proposal: MatchProposal) -> matching.Proposal:
    """A stored proposal as the matching routine returned it."""
    return matching.Proposal(
        request_id=proposal.request_id,
        mentor_id=proposal.mentor_city_id,
        score=proposal.score,
        rank=proposal.rank,
        breakdown=proposal.breakdown,
        facts=proposal.facts,
        interpretation_needed=bool(proposal.facts.get("interpretation_needed")),
    )


def offerable(city: City | None, shown: list[ExchangeRequest]) -> dict[int, matching.Proposal]:
    """Of the requests shown, those `city` could mentor now, with its proposal for each."""
    if city is None or not shown:
        return {}
    candidates = [
        r
        for r in shown
        if r.city_id != city.id
        and not any(
            p.mentor_city_id == city.id and p.status == ProposalStatus.proposed for p in r.proposals
        )
    ]
    if not candidates:
        return {}
    network = build_network()
    found = {}
    for plain in plain_requests(candidates):
        for proposal in matching.suggest(plain, network, limit=len(network.cities)):
            if proposal.mentor_id == city.id:
                found[plain.id] = proposal
                break
    return found


def round_result(waiting: list[ExchangeRequest]) -> matching.RoundResult:
    """What the routine proposes for the `waiting` requests within capacity."""
    return matching.run_round(plain_requests(waiting), build_network())


def cities_by_id() -> dict[int, City]:
    return {c.id: c for c in db.session.scalars(sa.select(City))}
