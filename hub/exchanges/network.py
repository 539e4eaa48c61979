"""The adapter from the database to the matching routine (`hub.matching`): the network of cities
and what each can show, the requests as plain data, and the routine's answers.

The network is read in a fixed number of set-based queries, whatever the number of cities, cases
and exchanges, once per generation (`hub.generation`): every page view after the first in a
generation reads only the generation number and what the page itself shows.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from hub import generation, matching
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
# The app's cache of snapshots by generation: the current one, and the one before for requests
# that began before the last write committed.
CACHE = "hub.exchanges.network"
CACHED_GENERATIONS = 2
_LOCK = threading.Lock()


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
    """Each published case's themes, for its lead city and each partner city: one piece per
    case, city and theme, counted in the database."""
    published = CaseStudy.state == "published"
    lead = (
        sa.select(CaseStudy.lead_city_id, Theme.slug, CaseStudy.evidence_level, sa.func.count())
        .join(case_themes, case_themes.c.case_id == CaseStudy.id)
        .join(Theme, Theme.id == case_themes.c.theme_id)
        .where(published, CaseStudy.lead_city_id.is_not(None))
        .group_by(CaseStudy.lead_city_id, Theme.slug, CaseStudy.evidence_level)
    )
    partner = (
        sa.select(
            case_partner_cities.c.city_id, Theme.slug, CaseStudy.evidence_level, sa.func.count()
        )
        .join(CaseStudy, CaseStudy.id == case_partner_cities.c.case_id)
        .join(case_themes, case_themes.c.case_id == CaseStudy.id)
        .join(Theme, Theme.id == case_themes.c.theme_id)
        .where(published)
        .where(
            sa.or_(
                CaseStudy.lead_city_id.is_(None),
                CaseStudy.lead_city_id != case_partner_cities.c.city_id,
            )
        )
        .group_by(case_partner_cities.c.city_id, Theme.slug, CaseStudy.evidence_level)
    )
    evidence = []
    for stmt in (lead, partner):
        for city_id, slug, level, count in db.session.execute(stmt):
            level = level if level in EVIDENCE_LEVELS else "none"
            evidence += [matching.Evidence(city_id, slug, "case", level)] * count
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


@dataclass(frozen=True)
class Snapshot:
    """What the routine reads from the database, built together: the network, and every city's
    earlier partners."""

    network: matching.Network
    relations: dict[int, frozenset[int]]


def build_network() -> matching.Network:
    """Cities with their free capacity, and what each shows per theme, read now."""
    return matching.Network(*network_data())


def current() -> Snapshot:
    """The network and relations of the current generation, read once per generation.

    A transaction that has written reads its own uncommitted state and caches nothing; steps that
    decide on capacity under a lock (`lifecycle`) read with `build_network` instead.
    """
    if _has_written():
        return Snapshot(build_network(), relations(None))
    cache = current_app.extensions.setdefault(CACHE, {})
    key = generation.current()
    found = cache.get(key)
    if found is None:
        found = Snapshot(build_network(), relations(None))
        with _LOCK:
            cache[key] = found
            for older in sorted(cache)[:-CACHED_GENERATIONS]:
                cache.pop(older, None)
    return found


def forget() -> None:
    """Nothing cached: the next snapshot is read from the database."""
    current_app.extensions.pop(CACHE, None)


def _has_written() -> bool:
    session = db.session()
    return bool(
        session.info.get(generation.COUNTED) or session.new or session.dirty or session.deleted
    )


def _cities() -> list[matching.City]:
    used = active_exchanges()
    columns = (
        City.id, City.slug, City.population, City.region, City.country, City.languages,
        City.mentor_capacity, City.latitude, City.longitude,
    )  # fmt: skip
    return [
        matching.City(
            id=city_id,
            slug=slug,
            population=population,
            region=region,
            country=country,
            languages=tuple(languages),
            capacity_free=capacity - used.get(city_id, 0),
            capacity_total=capacity,
            lat=lat,
            lon=lon,
        )
        for city_id, slug, population, region, country, languages, capacity, lat, lon in (
            db.session.execute(sa.select(*columns).order_by(City.id))
        )
    ]


def network_data() -> tuple[list[matching.City], list[matching.Evidence]]:
    """The plain cities and evidence the network is built from, in a few set-based queries."""
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
    return _cities(), evidence


def relations(city_ids: Iterable[int] | None) -> dict[int, frozenset[int]]:
    """Per city (every city for None): the cities that took part in an exchange with it, and
    the mentors its accepted proposals named (two queries for all)."""
    wanted = None if city_ids is None else set(city_ids)
    related: dict[int, set[int]] = defaultdict(set)
    mine, other = sa.orm.aliased(ExchangeParticipant), sa.orm.aliased(ExchangeParticipant)
    together = (
        sa.select(mine.city_id, other.city_id)
        .join(other, other.exchange_id == mine.exchange_id)
        .where(mine.city_id.is_not(None), other.city_id.is_not(None))
    )
    accepted = (
        sa.select(ExchangeRequest.city_id, MatchProposal.mentor_city_id)
        .join(ExchangeRequest, MatchProposal.request_id == ExchangeRequest.id)
        .where(MatchProposal.status == ProposalStatus.accepted)
    )
    if wanted is not None:
        together = together.where(mine.city_id.in_(wanted))
        accepted = accepted.where(ExchangeRequest.city_id.in_(wanted))
    for stmt in (together, accepted):
        for city_id, partner_id in db.session.execute(stmt):
            related[city_id].add(partner_id)
    cities = related.keys() if wanted is None else wanted
    return {city_id: frozenset(related[city_id] - {city_id}) for city_id in cities}


def plain_requests(
    requests: Iterable[ExchangeRequest], known: dict[int, frozenset[int]] | None = None
) -> list[matching.Request]:
    """The requests as the routine reads them; their themes should be loaded already.
    `known`: every city's relations, when the caller has them (`Snapshot.relations`)."""
    requests = list(requests)
    if known is None:
        known = relations(r.city_id for r in requests)
    return [
        matching.Request(
            id=r.id,
            city_id=r.city_id,
            themes=tuple(t.slug for t in r.themes),
            languages=tuple(r.languages),
            format=r.format,
            relations=known.get(r.city_id, frozenset()),
        )
        for r in requests
    ]


def read(city_ids: Iterable[int]) -> Snapshot:
    """The network and the relations of `city_ids` as the database holds them now, for a step
    that decides on capacity under its locks."""
    return Snapshot(build_network(), relations(city_ids))


def _plain(request: ExchangeRequest, snapshot: Snapshot) -> matching.Request:
    (plain,) = plain_requests([request], snapshot.relations)
    return plain


def suggestions(
    request: ExchangeRequest,
    snapshot: Snapshot | None = None,
    limit: int | None = SUGGESTIONS_LIMIT,
) -> list[matching.Proposal]:
    """The best mentors for one request now, best first."""
    snapshot = snapshot or current()
    plain = _plain(request, snapshot)
    return matching.suggest(plain, snapshot.network, limit=limit or len(snapshot.network.cities))


def mentor_proposal(
    request: ExchangeRequest, mentor_id: int, snapshot: Snapshot | None = None
) -> matching.Proposal | None:
    """The routine's proposal of one mentor for `request` (as in its suggestions), if the hard
    rules let it mentor now."""
    snapshot = snapshot or current()
    found = matching.proposals_of([_plain(request, snapshot)], snapshot.network, mentor_id)
    return found.get(request.id)


def alternatives(
    request: ExchangeRequest, chosen: matching.Proposal, snapshot: Snapshot | None = None
) -> list[matching.Alternative]:
    """Cities that came close to `chosen` for this request, each with why it was not chosen."""
    snapshot = snapshot or current()
    return matching.alternatives(_plain(request, snapshot), snapshot.network, chosen)


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
    snapshot = current()
    plain = plain_requests(candidates, snapshot.relations)
    return matching.proposals_of(plain, snapshot.network, city.id)


def round_result(waiting: list[ExchangeRequest], fresh: bool = True) -> matching.RoundResult:
    """What the routine proposes for the `waiting` requests within capacity; `fresh` reads the
    network now (a round that stores its proposals), else from the generation's cache."""
    snapshot = read(r.city_id for r in waiting) if fresh else current()
    return matching.run_round(plain_requests(waiting, snapshot.relations), snapshot.network)


def cities_by_id(ids: Iterable[int]) -> dict[int, City]:
    """The cities a page names, by id, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {c.id: c for c in db.session.scalars(sa.select(City).where(City.id.in_(wanted)))}
