"""Operations on exchange requests: their lifecycle, the proposals of mentor cities, matching
rounds and the reports that close an exchange.

Each operation flushes but never commits; the request (or the command line) commits once. Bad
input is InvalidInput, a step the state does not allow StepRefused; every status change writes a
history row, and every decision on a proposal an audit event.

Each step first locks its request's row and reads the request afresh (`_lock`), so two steps
taken at the same moment run one after the other: the second sees what the first did, and is
refused or completes it. Steps that fill a mentor's place also lock the mentor city's row. On
SQLite, which has no row locks, the step takes the database's one write lock instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hub import audit, matching
from hub.accounts.models import User
from hub.audit import AuditAction
from hub.cities.models import City, Theme
from hub.database import utcnow
from hub.errors import InvalidInput, StepRefused
from hub.exchanges import completion, mail, network
from hub.exchanges.models import (
    ExchangeReport,
    ExchangeRequest,
    ExchangeRequestChange,
    MatchProposal,
)
from hub.exchanges.schemas import (
    NewRequest,
    ReportFields,
    RequestChanges,
    RequestFields,
)
from hub.exchanges.states import (
    EDITABLE,
    NEW,
    Decision,
    ProposalStatus,
    RequestStatus,
    Side,
    StaffDecision,
    can_move,
)
from hub.extensions import db
from hub.i18n import lazy_gettext as _l
from hub.types import validate

S = RequestStatus


def _read(model: type, data: Any) -> Any:
    """`data` as `model`: a parsed model as it is, anything else checked field by field."""
    return data if isinstance(data, model) else validate(model, data)


def _themes(slugs: list[str]) -> list[Theme]:
    themes = db.session.scalars(sa.select(Theme).where(Theme.slug.in_(slugs))).all()
    missing = sorted(set(slugs) - {t.slug for t in themes})
    if missing:
        raise InvalidInput({"themes": _l("Unknown themes: %(names)s", names=", ".join(missing))})
    return sorted(themes, key=lambda t: t.position)


def city_by_slug(slug: str | None) -> City | None:
    if slug is None:
        return None
    return db.session.scalar(sa.select(City).filter_by(slug=slug))


# Row locks that leave the rows' keys alone, so rows that refer to them can still be added.
FOR_UPDATE = {"key_share": True}


def _lock(request: ExchangeRequest) -> ExchangeRequest:
    """Wait for any other step on `request` to end, then read it again with its proposals,
    reports and history."""
    _sqlite_write_lock()
    return db.session.execute(
        sa.select(ExchangeRequest)
        .where(ExchangeRequest.id == request.id)
        .with_for_update(**FOR_UPDATE)
        .options(
            selectinload(ExchangeRequest.proposals),
            selectinload(ExchangeRequest.reports),
            selectinload(ExchangeRequest.history),
        )
        .execution_options(populate_existing=True)
    ).scalar_one()


def _sqlite_write_lock() -> None:
    """SQLite ignores row locks, but lets one transaction write at a time: a write that changes
    nothing, before anything is read, makes a second step wait for the first to commit."""
    if db.session.get_bind().dialect.name == "sqlite":
        table = ExchangeRequest.__table__
        db.session.execute(sa.update(table).where(sa.false()).values(updated_at=table.c.updated_at))


def _lock_city(city: City) -> None:
    """Wait for any other step filling one of `city`'s mentor places to end."""
    db.session.execute(sa.select(City.id).where(City.id == city.id).with_for_update(**FOR_UPDATE))


def _move(request: ExchangeRequest, status: RequestStatus, actor: User | None, note: str = ""):
    if not can_move(request.status, status):
        raise StepRefused(
            {
                "status": _l(
                    "This step is not possible while the request is “%(status)s”.",
                    status=RequestStatus(request.status).label,
                )
            }
        )
    request.history.append(
        ExchangeRequestChange(
            from_status=request.status, to_status=status, actor_id=_id(actor), note=note
        )
    )
    request.status = status
    db.session.flush()


def _id(actor: User | None) -> int | None:
    return actor.id if actor is not None else None


# --- The request itself ------------------------------------------------------------------------


def create_request(
    city: City, fields: RequestFields | Any, actor: User | None, status: RequestStatus = S.draft
) -> ExchangeRequest:
    """A new request of `city`, as a draft or submitted at once."""
    if status not in NEW:
        raise InvalidInput({"status": _l("Choose draft or submitted.")})
    data = _read(RequestFields, fields)
    values = data.model_dump(include=set(RequestFields.model_fields))
    values["themes"] = _themes(data.themes)
    request = ExchangeRequest(city=city, requested_by_id=_id(actor), status=S.draft, **values)
    request.history.append(
        ExchangeRequestChange(from_status=None, to_status=S.draft, actor_id=_id(actor))
    )
    db.session.add(request)
    db.session.flush()
    if status == S.submitted:
        submit(request, actor)
    return request


def create_for(actor: User, new: NewRequest) -> ExchangeRequest:
    """A request asked through the API: staff name the city, a focal point asks for its own."""
    city = actor.city
    if actor.is_staff:
        city = city_by_slug(new.city)
    elif new.city not in (None, getattr(city, "slug", None)):
        raise InvalidInput({"city": _l("You can only ask for your own city.")})
    if city is None:
        raise InvalidInput({"city": _l("Give the slug of the requesting city.")})
    return create_request(city, new, actor, status=new.status)


def edit_request(
    request: ExchangeRequest, fields: RequestChanges | Any, actor: User | None
) -> ExchangeRequest:
    if request.status not in EDITABLE:
        raise StepRefused({"status": _l("Only a draft or submitted request can change.")})
    data = _read(RequestChanges, fields)
    for name in data.model_fields_set:
        value = getattr(data, name)
        if value is None:
            raise InvalidInput({name: _l("This field is required.")})
        setattr(request, name, _themes(value) if name == "themes" else value)
    db.session.flush()
    return request


def submit(request: ExchangeRequest, actor: User | None) -> None:
    _move(_lock(request), S.submitted, actor)


def withdraw(request: ExchangeRequest, actor: User | None) -> None:
    _move(_lock(request), S.withdrawn, actor)
    for proposal in request.proposals:
        if proposal.status == ProposalStatus.proposed:
            proposal.status, proposal.decided_at = ProposalStatus.withdrawn, utcnow()


def complete(request: ExchangeRequest, actor: User | None) -> None:
    """The exchange is over: its mentor's place is free, and its public record is made."""
    _move(_lock(request), S.completed, actor)
    completion.record(request)


# --- Proposals: staff review them, then both cities decide ---------------------------------------


def _pending(proposal: MatchProposal) -> None:
    if proposal.status != ProposalStatus.proposed:
        raise StepRefused({"status": _l("This proposal has already been decided.")})


def _audit(action: AuditAction, proposal: MatchProposal, actor: User | None, **after: Any):
    audit.record(
        action,
        target=f"match_proposal:{proposal.id}",
        after={"request": proposal.request_id, **after},
        actor=actor,
    )


def approve(proposal: MatchProposal, actor: User | None) -> MatchProposal:
    """Staff put a proposal to both cities, who are told by mail."""
    _lock(proposal.request)
    _pending(proposal)
    if proposal.staff_decision == StaffDecision.approved:
        raise StepRefused({"status": _l("This proposal is already approved.")})
    proposal.staff_decision = StaffDecision.approved
    db.session.flush()
    _audit(AuditAction.match_approved, proposal, actor, mentor=proposal.mentor_city_id)
    mail.tell_cities(proposal)
    return proposal


def change_mentor(
    proposal: MatchProposal, mentor: City | None, actor: User | None
) -> MatchProposal:
    """Staff replace the proposed mentor with another eligible city, and approve the change."""
    request = _lock(proposal.request)
    _pending(proposal)
    if mentor is None:
        raise InvalidInput({"city": _l("Choose a city.")})
    if mentor.id == proposal.mentor_city_id:
        raise StepRefused({"city": _l("This city is already the proposed mentor.")})
    found = _as_mentor(request, mentor)
    proposal.status, proposal.decided_at = ProposalStatus.withdrawn, utcnow()
    proposal.staff_decision = StaffDecision.replaced
    chosen = _proposal_row(request, found, actor)
    chosen.staff_decision = StaffDecision.approved
    db.session.flush()
    audit.record(
        AuditAction.match_changed,
        target=f"match_proposal:{chosen.id}",
        before={"mentor": proposal.mentor_city_id},
        after={"request": request.id, "mentor": mentor.id},
        actor=actor,
    )
    mail.tell_cities(chosen)
    return chosen


def discard(proposal: MatchProposal, actor: User | None) -> None:
    """Staff drop a proposal; the request goes back to wait for the next round."""
    _lock(proposal.request)
    _pending(proposal)
    _move(proposal.request, S.submitted, actor, note="proposal discarded by staff")
    proposal.status, proposal.decided_at = ProposalStatus.withdrawn, utcnow()
    proposal.staff_decision = StaffDecision.discarded
    _audit(AuditAction.match_discarded, proposal, actor)


def accept(proposal: MatchProposal, side: Side | str, actor: User | None) -> None:
    """One city accepts; once both have, the exchange is accepted and under way."""
    _decide(proposal, side, Decision.accepted, actor)
    if proposal.requester_decision == proposal.mentor_decision == Decision.accepted:
        proposal.status, proposal.decided_at = ProposalStatus.accepted, utcnow()
        _move(proposal.request, S.accepted, actor)
        _move(proposal.request, S.in_progress, actor)


def decline(proposal: MatchProposal, side: Side | str, actor: User | None) -> None:
    """The requesting city declining ends the request; a mentor declining frees it for a round."""
    _decide(proposal, side, Decision.declined, actor)
    proposal.status, proposal.decided_at = ProposalStatus.declined, utcnow()
    _move(proposal.request, S.declined if side == Side.requester else S.submitted, actor)


def _side(side: Side | str) -> Side:
    try:
        return Side(side)
    except ValueError:
        raise InvalidInput({"side": _l("Choose requester or mentor.")}) from None


def _decide(proposal: MatchProposal, side: Side | str, decision: Decision, actor: User | None):
    side = _side(side)
    _lock(proposal.request)
    _pending(proposal)
    if proposal.staff_decision != StaffDecision.approved:
        raise StepRefused({"status": _l("Staff have not approved this proposal yet.")})
    if proposal.decision_of(side) != Decision.pending:
        raise StepRefused({"status": _l("This city has already decided.")})
    proposal.decide(side, decision)
    action = (
        AuditAction.match_accepted if decision == Decision.accepted else AuditAction.match_declined
    )
    _audit(action, proposal, actor, side=side.value)


def _as_mentor(request: ExchangeRequest, mentor: City) -> matching.Proposal:
    """The routine's proposal of `mentor` for `request`, if the hard rules let it mentor now."""
    _lock_city(mentor)
    found = network.mentor_proposal(request, mentor.id, network.read([request.city_id]))
    if found is not None:
        return found
    raise StepRefused(
        {"city": _l("This city cannot mentor this request now (themes, experience or capacity).")}
    )


def offer(request: ExchangeRequest, mentor: City, actor: User | None) -> MatchProposal:
    """A mentor city offers itself for a submitted request; staff review it like any proposal."""
    _lock(request)
    if request.status != S.submitted:
        raise StepRefused({"status": _l("Only a submitted request takes offers.")})
    if mentor.id == request.city_id:
        raise StepRefused({"city": _l("A city cannot mentor its own request.")})
    found = _as_mentor(request, mentor)
    proposal = _store(request, found, actor)
    proposal.mentor_decision = Decision.accepted
    audit.record(
        AuditAction.match_offered,
        target=f"exchange_request:{request.id}",
        after={"mentor": mentor.id},
        actor=actor,
    )
    return proposal


def _proposal_row(
    request: ExchangeRequest, proposal: matching.Proposal, actor: User | None
) -> MatchProposal:
    stored = MatchProposal(
        request=request,
        mentor_city_id=proposal.mentor_id,
        score=proposal.score,
        rank=proposal.rank,
        breakdown=proposal.breakdown,
        facts=proposal.facts,
        proposed_by_id=_id(actor),
    )
    db.session.add(stored)
    return stored


def _store(
    request: ExchangeRequest, proposal: matching.Proposal, actor: User | None
) -> MatchProposal:
    stored = _proposal_row(request, proposal, actor)
    _move(request, S.proposed, actor)
    return stored


# --- Completion: each city reports outcomes and feedback ---------------------------------------


def report(
    request: ExchangeRequest, side: Side | str, fields: ReportFields | Any, actor: User | None
) -> ExchangeReport:
    """One side's outcomes, feedback and rating; the second report completes the exchange."""
    side = _side(side)
    _lock(request)
    if request.status != S.in_progress:
        raise StepRefused({"status": _l("Only an exchange in progress can be reported on.")})
    if request.report_of(side) is not None:
        raise StepRefused({"status": _l("This city has already reported on the exchange.")})
    data = _read(ReportFields, fields)
    chosen = request.accepted_proposal
    written = ExchangeReport(
        side=side,
        city_id=request.city_id if side == Side.requester else chosen.mentor_city_id,
        author_id=_id(actor),
        outcomes=data.outcomes,
        feedback=data.feedback,
        rating=data.rating,
    )
    request.reports.append(written)
    db.session.flush()
    if all(request.report_of(each) is not None for each in Side):
        complete(request, actor)
    return written


# --- Matching rounds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    result: matching.RoundResult
    stored: dict[int, MatchProposal]  # by request id; empty on a dry run
    requests: dict[int, ExchangeRequest]  # the requests the round looked at, by id


def run_round(actor: User | None, dry_run: bool = False) -> Round:
    """Propose mentors for the submitted requests within capacity; a dry run stores nothing."""
    waiting = (
        sa.select(ExchangeRequest)
        .where(ExchangeRequest.status == S.submitted)
        .order_by(ExchangeRequest.id)
        .options(selectinload(ExchangeRequest.city), selectinload(ExchangeRequest.themes))
        .execution_options(populate_existing=True)
    )
    if not dry_run:  # a round waits for steps on its requests, then offers wait for it
        _sqlite_write_lock()
        # What storing a proposal changes: the request's history and proposals.
        waiting = waiting.with_for_update(**FOR_UPDATE).options(
            selectinload(ExchangeRequest.history), selectinload(ExchangeRequest.proposals)
        )
    waiting = db.session.scalars(waiting).all()
    if not dry_run:
        mentors = sa.select(City.id).where(City.mentor_capacity > 0).order_by(City.id)
        db.session.execute(mentors.with_for_update(**FOR_UPDATE))
    result = network.round_result(list(waiting), fresh=not dry_run)
    by_id = {r.id: r for r in waiting}
    stored: dict[int, MatchProposal] = {}
    if not dry_run:
        for proposal in result.assignments:
            stored[proposal.request_id] = _store(by_id[proposal.request_id], proposal, actor)
        audit.record(
            AuditAction.matching_round,
            after={"proposed": len(stored), "unmatched": len(result.unmatched)},
            actor=actor,
        )
    return Round(result, stored, by_id)
