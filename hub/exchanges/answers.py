"""The JSON the exchange API and the command line answer, built as the output schemas say."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hub import matching
from hub.cities.models import City
from hub.exchanges import access, network
from hub.exchanges.lifecycle import Round
from hub.exchanges.models import ExchangeRequest, MatchProposal
from hub.exchanges.reasons import addressee, reason
from hub.exchanges.schemas import (
    HistoryOut,
    OfferOut,
    ProposalOut,
    ReportOut,
    RequestOut,
    RoundOut,
    RoundProposalOut,
    SuggestionOut,
    Suggestions,
    UnmatchedOut,
)


def proposal_out(proposal: MatchProposal) -> ProposalOut:
    return ProposalOut(
        id=proposal.id,
        city=proposal.mentor_city.slug,
        score=proposal.score,
        status=proposal.status,
        state=proposal.state,
        staff_decision=proposal.staff_decision,
        requester_decision=proposal.requester_decision,
        mentor_decision=proposal.mentor_decision,
    )


def _shown_proposals(found: ExchangeRequest, user: Any) -> list[MatchProposal]:
    """Staff and the requesting city see every proposal; a mentor city only its own."""
    if getattr(user, "is_staff", False) or getattr(user, "city_id", None) == found.city_id:
        return list(found.proposals)
    return [p for p in found.proposals if p.mentor_city_id == getattr(user, "city_id", None)]


def request_out(found: ExchangeRequest, user: Any = None) -> RequestOut:
    """The request as `user` may see it: proposals with their state, and the reports."""
    return RequestOut(
        id=found.id,
        city=found.city.slug,
        status=found.status,
        themes=[t.slug for t in found.themes],
        challenge=found.challenge,
        languages=list(found.languages),
        format=found.format,
        timeframe=found.timeframe,
        created_at=found.created_at,
        history=[
            HistoryOut.model_validate(
                {"from": c.from_status, "to": c.to_status, "at": c.created_at}
            )
            for c in found.history
        ],
        proposals=[proposal_out(p) for p in _shown_proposals(found, user)],
        side=access.side_of(user, found) if user is not None else None,
        reports=[
            ReportOut(
                side=r.side,
                city=r.city.slug,
                outcomes=r.outcomes,
                feedback=r.feedback,
                rating=r.rating,
                created_at=r.created_at,
            )
            for r in found.reports
        ],
    )


def offer_out(found: ExchangeRequest, proposal: MatchProposal, user: Any) -> RequestOut | OfferOut:
    """What a city that offered sees: the request once staff put it to the city, until then
    what the public board shows, and its own proposal."""
    if access.visible_to(user, found):
        return request_out(found, user)
    return OfferOut(
        id=found.id,
        status=found.status,
        themes=[t.slug for t in found.themes],
        format=found.format,
        proposals=[proposal_out(proposal)],
    )


def suggestion_out(
    proposal: matching.Proposal, cities: dict[int, City], requester: City | None = None
) -> SuggestionOut:
    """`requester`: the requesting city, named in the reason; None says "your"."""
    mentor = cities[proposal.mentor_id]
    return SuggestionOut(
        city=mentor.slug,
        score=proposal.score,
        rank=proposal.rank,
        factors=proposal.breakdown,
        facts=proposal.facts,
        reason=reason(mentor, proposal.facts, requester),
    )


def suggestions_out(
    found: ExchangeRequest, proposals: Iterable[matching.Proposal], user: Any = None
) -> Suggestions:
    """The suggestions as `user` reads them; None (the command line) reads as staff."""
    proposals = list(proposals)
    cities = network.cities_by_id(p.mentor_id for p in proposals)
    named = addressee(found, user)
    return Suggestions(
        request=found.id, suggestions=[suggestion_out(p, cities, named) for p in proposals]
    )


def round_out(done: Round, dry_run: bool) -> RoundOut:
    cities = network.cities_by_id(p.mentor_id for p in done.result.assignments)
    proposals = []
    for proposal in done.result.assignments:
        stored = done.stored.get(proposal.request_id)
        requester = done.requests[proposal.request_id].city  # staff read a round: name it
        proposals.append(
            RoundProposalOut(
                request=proposal.request_id,
                id=stored.id if stored is not None else None,
                **suggestion_out(proposal, cities, requester).model_dump(),
            )
        )
    return RoundOut(
        dry_run=dry_run,
        total_score=done.result.total_score,
        proposals=proposals,
        unmatched=[
            UnmatchedOut(request=u.request_id, reason=u.reason) for u in done.result.unmatched
        ],
    )


def dump(answer: Any) -> dict[str, Any]:
    """An output model as JSON data, aliases used, nothing left out."""
    return answer.model_dump(mode="json", by_alias=True, exclude_none=False)
