"""Exchange requests: their lifecycle, the proposals of mentor cities, and matching rounds.

Functions flush but never commit; the caller commits once. Every status change writes a history
row. The matching routine (`hub.matching`) reads a `Network` built here from the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from babel import Locale
from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from hub import audit, matching
from hub.accounts.models import User
from hub.cities.models import City, Theme
from hub.database import utcnow
from hub.errors import HubError, NotFound
from hub.exchanges.models import (
    Exchange,
    ExchangeReport,
    ExchangeRequest,
    ExchangeRequestChange,
    MatchProposal,
)
from hub.extensions import db
from hub.i18n import current_language
from hub.matching.model import EVIDENCE_LEVELS
from hub.publishing.models import CaseStudy
from hub.vocab import EXCHANGE_FORMATS, EXCHANGE_RATINGS, REQUEST_STATUSES

STATUSES = (
    "draft",
    "submitted",
    "proposed",
    "accepted",
    "in_progress",
    "completed",
    "withdrawn",
    "declined",
)
# Which status may follow which; a mentor declining sends a proposed request back to the pool.
TRANSITIONS = {
    "draft": {"submitted", "withdrawn"},
    "submitted": {"proposed", "withdrawn"},
    "proposed": {"accepted", "declined", "submitted", "withdrawn"},
    "accepted": {"in_progress", "withdrawn"},
    "in_progress": {"completed"},
}
EDITABLE = ("draft", "submitted")
NEW_STATUSES = ("draft", "submitted")
# Requests whose mentor slot is taken: a pending proposal holds the slot until it is decided.
ACTIVE = ("proposed", "accepted", "in_progress")
MAX_CHALLENGE = 5000  # about two pages: enough to state a problem, short enough to read
MAX_TIMEFRAME = 200
FIELDS = ("themes", "challenge", "languages", "format", "timeframe")
CITY_SIDES = ("requester", "mentor")
SUGGESTIONS_LIMIT = 10


class ExchangeRequestError(HubError):
    """Input or a step the lifecycle refuses; `errors` maps each field at fault to a message."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 codes: the two-letter languages the CLDR knows."""
    return frozenset(code for code in Locale("en").languages if len(code) == 2 and code.isalpha())


def get_request(request_id: int) -> ExchangeRequest:
    found = db.session.get(ExchangeRequest, request_id)
    if found is None:
        raise NotFound()
    return found


def storable(text: str) -> bool:
    """Text a database can keep: no NUL (PostgreSQL refuses it) and no lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_problem(value: Any, limit: int):
    """Why `value` is not acceptable text of at most `limit` characters; None if it is."""
    if not isinstance(value, str):
        return _l("This must be text.")
    if len(value) > limit:
        return _l("At most %(limit)d characters.", limit=limit)
    if not storable(value):
        return _l("This text contains characters that cannot be saved.")
    return None


def city_by_slug(slug: Any) -> City | None:
    if not isinstance(slug, str) or not storable(slug) or len(slug) > 200:
        return None
    return db.session.scalar(sa.select(City).filter_by(slug=slug))


def _clean(fields: Any, partial: bool) -> dict[str, Any]:
    """Checked values for the given fields; every problem at once, nothing half applied."""
    if not isinstance(fields, dict):
        raise ExchangeRequestError({"request": _l("The body must be a JSON object.")})
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {}
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        errors["request"] = _l("Unknown fields: %(names)s", names=", ".join(unknown))
    for name in FIELDS:
        if name not in fields:
            if not partial and name in ("themes", "challenge", "format"):
                errors[name] = _l("This field is required.")
            continue
        value = fields[name]
        if name == "themes":
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) for v in value)
            ):
                errors[name] = _l("Choose one or more themes.")
                continue
            bad = sorted(v for v in value if not storable(v) or len(v) > 200)
            if bad:
                errors[name] = _l("Unknown themes: %(names)s", names=", ".join(map(ascii, bad)))
                continue
            themes = db.session.scalars(sa.select(Theme).where(Theme.slug.in_(value))).all()
            missing = sorted(set(value) - {t.slug for t in themes})
            if missing:
                errors[name] = _l("Unknown themes: %(names)s", names=", ".join(missing))
            clean[name] = sorted(themes, key=lambda t: t.position)
        elif name == "languages":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[name] = _l("Give a list of ISO 639-1 language codes.")
                continue
            wrong = sorted({v for v in value if v not in language_codes()})
            if wrong:
                errors[name] = _l("Unknown languages: %(codes)s", codes=", ".join(wrong))
            clean[name] = list(dict.fromkeys(value))
        elif name == "format":
            if not isinstance(value, str) or value not in EXCHANGE_FORMATS:
                errors[name] = _l("Choose a format: virtual, study-visit or mentoring.")
            clean[name] = value
        else:
            problem = text_problem(value, MAX_CHALLENGE if name == "challenge" else MAX_TIMEFRAME)
            if problem is None and name == "challenge" and not value.strip():
                problem = _l("Describe the challenge.")
            if problem is not None:
                errors[name] = problem
            clean[name] = value.strip() if isinstance(value, str) else value
    if errors:
        raise ExchangeRequestError(errors)
    return clean


def status_label(status: str) -> str:
    return str(REQUEST_STATUSES.get(status, status))


def _move(request: ExchangeRequest, status: str, actor: User | None, note: str = "") -> None:
    if status not in TRANSITIONS.get(request.status, set()):
        raise ExchangeRequestError(
            {
                "status": _l(
                    "This step is not possible while the request is “%(status)s”.",
                    status=status_label(request.status),
                )
            }
        )
    request.history.append(
        ExchangeRequestChange(
            from_status=request.status,
            to_status=status,
            actor_id=actor.id if actor else None,
            note=note,
        )
    )
    request.status = status
    db.session.flush()


def create_request(
    city: City, fields: Any, actor: User | None, status: str = "draft"
) -> ExchangeRequest:
    """A new request of `city`, as a draft or submitted at once."""
    if status not in NEW_STATUSES:
        raise ExchangeRequestError({"status": _l("Choose draft or submitted.")})
    clean = _clean(fields, partial=False)
    request = ExchangeRequest(
        city=city, requested_by_id=actor.id if actor else None, status="draft", **clean
    )
    request.history.append(
        ExchangeRequestChange(from_status=None, to_status="draft", actor_id=request.requested_by_id)
    )
    db.session.add(request)
    db.session.flush()
    if status == "submitted":
        submit(request, actor)
    return request


def edit_request(request: ExchangeRequest, fields: Any, actor: User | None) -> ExchangeRequest:
    if request.status not in EDITABLE:
        raise ExchangeRequestError({"status": _l("Only a draft or submitted request can change.")})
    for name, value in _clean(fields, partial=True).items():
        setattr(request, name, value)
    db.session.flush()
    return request


def submit(request: ExchangeRequest, actor: User | None) -> None:
    _move(request, "submitted", actor)


def withdraw(request: ExchangeRequest, actor: User | None) -> None:
    _move(request, "withdrawn", actor)
    for proposal in request.proposals:
        if proposal.status == "proposed":
            proposal.status, proposal.decided_at = "withdrawn", utcnow()


def start(request: ExchangeRequest, actor: User | None) -> None:
    _move(request, "in_progress", actor)


def complete(request: ExchangeRequest, actor: User | None) -> None:
    _move(request, "completed", actor)


def pending_proposal(request: ExchangeRequest) -> MatchProposal | None:
    return next((p for p in request.proposals if p.status == "proposed"), None)


def accepted_proposal(request: ExchangeRequest) -> MatchProposal | None:
    return next((p for p in request.proposals if p.status == "accepted"), None)


def live_proposal(request: ExchangeRequest) -> MatchProposal | None:
    """The proposal the request is about now: pending, or accepted by both cities."""
    return pending_proposal(request) or accepted_proposal(request)


def proposal_state(proposal: MatchProposal) -> str:
    """review, cities (approved, waiting for the cities), accepted, declined or withdrawn."""
    if proposal.status != "proposed":
        return proposal.status
    return "cities" if proposal.staff_decision == "approved" else "review"


def get_proposal(request: ExchangeRequest, proposal_id: int) -> MatchProposal:
    found = next((p for p in request.proposals if p.id == proposal_id), None)
    if found is None:
        raise NotFound()
    return found


# --- Who sees a request, and on which side they stand ---------------------------------------


def put_to_mentor(proposal: MatchProposal) -> bool:
    """Staff have put this proposal to its mentor city (or both cities accepted it)."""
    return proposal.staff_decision == "approved" or proposal.status == "accepted"


def mentor_sees(request: ExchangeRequest, city_id: int | None) -> bool:
    """A mentor city sees a request once staff have put it to the city, and after."""
    return city_id is not None and any(
        p.mentor_city_id == city_id and put_to_mentor(p) for p in request.proposals
    )


def visible_to(user: Any, request: ExchangeRequest) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    if user.role != "focal_point" or user.city_id is None:
        return False
    return user.city_id == request.city_id or mentor_sees(request, user.city_id)


def side_of(user: Any, request: ExchangeRequest) -> str | None:
    """requester or mentor for a focal point of either city; None for anyone else."""
    if getattr(user, "role", None) != "focal_point" or user.city_id is None:
        return None
    if user.city_id == request.city_id:
        return "requester"
    proposal = live_proposal(request)
    if proposal is not None and proposal.mentor_city_id == user.city_id and put_to_mentor(proposal):
        return "mentor"
    return None


# --- Proposals: staff review them, then both cities decide ----------------------------------


def _pending(proposal: MatchProposal) -> None:
    if proposal.status != "proposed":
        raise ExchangeRequestError({"status": _l("This proposal has already been decided.")})


def approve(proposal: MatchProposal, actor: User | None) -> MatchProposal:
    """Staff put a proposal to both cities; returns it, as change_mentor returns its new one."""
    _pending(proposal)
    if proposal.staff_decision == "approved":
        raise ExchangeRequestError({"status": _l("This proposal is already approved.")})
    proposal.staff_decision = "approved"
    audit.record(
        "match_approved",
        target=f"match_proposal:{proposal.id}",
        after={"request": proposal.request_id, "mentor": proposal.mentor_city_id},
        actor=actor,
    )
    db.session.flush()
    return proposal


def change_mentor(
    proposal: MatchProposal, mentor: City | None, actor: User | None
) -> MatchProposal:
    """Staff replace the proposed mentor with another eligible city, and approve the change."""
    _pending(proposal)
    request = proposal.request
    if mentor is None:
        raise ExchangeRequestError({"city": _l("Choose a city.")})
    if mentor.id == proposal.mentor_city_id:
        raise ExchangeRequestError({"city": _l("This city is already the proposed mentor.")})
    found = _as_mentor(request, mentor)
    proposal.status, proposal.staff_decision, proposal.decided_at = (
        "withdrawn",
        "replaced",
        utcnow(),
    )
    chosen = _proposal_row(request, found, actor)
    chosen.staff_decision = "approved"
    db.session.flush()
    audit.record(
        "match_changed",
        target=f"match_proposal:{chosen.id}",
        before={"mentor": proposal.mentor_city_id},
        after={"request": request.id, "mentor": mentor.id},
        actor=actor,
    )
    return chosen


def discard(proposal: MatchProposal, actor: User | None) -> None:
    """Staff drop a proposal; the request goes back to wait for the next round."""
    _pending(proposal)
    _move(proposal.request, "submitted", actor, note="proposal discarded by staff")
    proposal.status, proposal.staff_decision, proposal.decided_at = (
        "withdrawn",
        "discarded",
        utcnow(),
    )
    audit.record(
        "match_discarded",
        target=f"match_proposal:{proposal.id}",
        after={"request": proposal.request_id},
        actor=actor,
    )


def accept(proposal: MatchProposal, side: str, actor: User | None) -> None:
    """One city accepts; once both have, the exchange is accepted and under way."""
    _decide(proposal, side, "accepted", actor)
    if proposal.requester_decision == proposal.mentor_decision == "accepted":
        proposal.status, proposal.decided_at = "accepted", utcnow()
        _move(proposal.request, "accepted", actor)
        _move(proposal.request, "in_progress", actor)


def decline(proposal: MatchProposal, side: str, actor: User | None) -> None:
    """The requesting city declining ends the request; a mentor declining frees it for a round."""
    _decide(proposal, side, "declined", actor)
    proposal.status, proposal.decided_at = "declined", utcnow()
    _move(proposal.request, "declined" if side == "requester" else "submitted", actor)


def _decide(proposal: MatchProposal, side: str, decision: str, actor: User | None) -> None:
    if side not in CITY_SIDES:
        raise ExchangeRequestError({"side": _l("Choose requester or mentor.")})
    _pending(proposal)
    if proposal.staff_decision != "approved":
        raise ExchangeRequestError({"status": _l("Staff have not approved this proposal yet.")})
    if getattr(proposal, f"{side}_decision") is not None:
        raise ExchangeRequestError({"status": _l("This city has already decided.")})
    setattr(proposal, f"{side}_decision", decision)
    audit.record(
        f"match_{decision}",
        target=f"match_proposal:{proposal.id}",
        after={"side": side, "request": proposal.request_id},
        actor=actor,
    )


def _as_mentor(request: ExchangeRequest, mentor: City) -> matching.Proposal:
    """The routine's proposal of `mentor` for `request`, if the hard rules let it mentor now."""
    for proposal in suggestions(request, limit=None):
        if proposal.mentor_id == mentor.id:
            return proposal
    raise ExchangeRequestError(
        {"city": _l("This city cannot mentor this request now (themes, experience or capacity).")}
    )


def offer(request: ExchangeRequest, mentor: City, actor: User | None) -> MatchProposal:
    """A mentor city offers itself for a submitted request; staff review it like any proposal."""
    if request.status != "submitted":
        raise ExchangeRequestError({"status": _l("Only a submitted request takes offers.")})
    if mentor.id == request.city_id:
        raise ExchangeRequestError({"city": _l("A city cannot mentor its own request.")})
    found = _as_mentor(request, mentor)
    proposal = _store(request, found, actor)
    proposal.mentor_decision = "accepted"
    audit.record(
        "match_offered",
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
        proposed_by_id=actor.id if actor else None,
    )
    db.session.add(stored)
    return stored


def _store(
    request: ExchangeRequest, proposal: matching.Proposal, actor: User | None
) -> MatchProposal:
    stored = _proposal_row(request, proposal, actor)
    _move(request, "proposed", actor)
    return stored


# --- Completion: each city reports outcomes and feedback --------------------------------------


def report(request: ExchangeRequest, side: str, fields: Any, actor: User | None) -> ExchangeReport:
    """One side's outcomes, feedback and rating; the second report completes the exchange."""
    if side not in CITY_SIDES:
        raise ExchangeRequestError({"side": _l("Choose requester or mentor.")})
    if request.status != "in_progress":
        raise ExchangeRequestError(
            {"status": _l("Only an exchange in progress can be reported on.")}
        )
    if any(r.side == side for r in request.reports):
        raise ExchangeRequestError(
            {"status": _l("This city has already reported on the exchange.")}
        )
    if not isinstance(fields, dict):
        raise ExchangeRequestError({"request": _l("The body must be a JSON object.")})
    errors: dict[str, Any] = {}
    unknown = sorted(set(fields) - {"outcomes", "feedback", "rating"})
    if unknown:
        errors["request"] = _l("Unknown fields: %(names)s", names=", ".join(unknown))
    texts = {}
    for name in ("outcomes", "feedback"):
        value = fields.get(name, "")
        problem = text_problem(value, MAX_CHALLENGE)
        if problem is None:
            texts[name] = value.strip()
        else:
            errors[name] = problem
    if "outcomes" in texts and not texts["outcomes"]:
        errors["outcomes"] = _l("Say what came out of the exchange.")
    rating = fields.get("rating")
    if isinstance(rating, str) and rating.strip().isascii() and rating.strip().isdecimal():
        rating = int(rating)  # from a form
    elif isinstance(rating, float) and rating.is_integer():
        rating = int(rating)  # JSON has one kind of number: 3.0 is 3
    if type(rating) is not int or rating not in EXCHANGE_RATINGS:
        errors["rating"] = _l("Choose a rating from 1 to 5.")
    if errors:
        raise ExchangeRequestError(errors)
    chosen = accepted_proposal(request)
    city_id = request.city_id if side == "requester" else chosen.mentor_city_id
    written = ExchangeReport(
        side=side,
        city_id=city_id,
        author_id=actor.id if actor else None,
        outcomes=texts["outcomes"],
        feedback=texts["feedback"],
        rating=rating,
    )
    request.reports.append(written)
    db.session.flush()
    if {r.side for r in request.reports} == set(CITY_SIDES):
        complete(request, actor)
    return written


# --- The matching network, built from the database -------------------------------------------


def active_exchanges() -> dict[int, int]:
    """Per mentor city: exchanges that hold one of its slots."""
    rows = db.session.execute(
        sa.select(MatchProposal.mentor_city_id, sa.func.count())
        .join(ExchangeRequest, MatchProposal.request_id == ExchangeRequest.id)
        .where(MatchProposal.status.in_(("proposed", "accepted")))
        .where(ExchangeRequest.status.in_(ACTIVE))
        .group_by(MatchProposal.mentor_city_id)
    )
    return {city_id: count for city_id, count in rows}


def build_network() -> matching.Network:
    """Cities with their free capacity, and what each shows per theme."""
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
    evidence: list[matching.Evidence] = []
    for city in cities:
        evidence += [matching.Evidence(city.id, t.slug, "expertise") for t in city.expertise]
    cases = db.session.scalars(sa.select(CaseStudy).where(CaseStudy.state == "published")).all()
    for case in cases:
        level = case.evidence_level if case.evidence_level in EVIDENCE_LEVELS else "none"
        for city in case.cities:
            evidence += [matching.Evidence(city.id, t.slug, "case", level) for t in case.themes]
    for mentor_id, themes, feedback in completed_exchanges():
        evidence += [
            matching.Evidence(mentor_id, theme, "exchange", feedback=feedback) for theme in themes
        ]
    return matching.Network(plain, evidence)


def completed_exchanges() -> list[tuple[int, list[str], float | None]]:
    """(mentor city, themes, feedback) of every completed exchange: recorded ones and the hub's.

    Feedback is the requesting city's rating of the exchange, from 0 (poor) to 1 (excellent);
    exchanges recorded in the content files carry none.
    """
    found: list[tuple[int, list[str], float | None]] = []
    for exchange in db.session.scalars(sa.select(Exchange).where(Exchange.ended.is_not(None))):
        themes = [t.slug for t in exchange.themes]
        found += [(p.city_id, themes, None) for p in exchange.side("mentor") if p.city_id]
    done = sa.select(ExchangeRequest).where(ExchangeRequest.status == "completed")
    for request in db.session.scalars(done):
        chosen = accepted_proposal(request)
        if chosen is not None:
            ratings = [r.rating for r in request.reports if r.side == "requester"]
            feedback = (ratings[0] - 1) / (len(EXCHANGE_RATINGS) - 1) if ratings else None
            found.append((chosen.mentor_city_id, [t.slug for t in request.themes], feedback))
    return found


def relations(city_id: int) -> frozenset[int]:
    """Cities that took part in an exchange with `city_id`."""
    related: set[int] = set()
    for exchange in db.session.scalars(sa.select(Exchange)):
        ids = {p.city_id for p in exchange.participants if p.city_id}
        if city_id in ids:
            related |= ids
    together = (
        sa.select(MatchProposal.mentor_city_id)
        .join(ExchangeRequest, MatchProposal.request_id == ExchangeRequest.id)
        .where(ExchangeRequest.city_id == city_id, MatchProposal.status == "accepted")
    )
    related |= set(db.session.scalars(together))
    return frozenset(related - {city_id})


def plain_request(request: ExchangeRequest) -> matching.Request:
    return matching.Request(
        id=request.id,
        city_id=request.city_id,
        themes=tuple(t.slug for t in request.themes),
        languages=tuple(request.languages),
        format=request.format,
        relations=relations(request.city_id),
    )


def suggestions(
    request: ExchangeRequest, limit: int | None = SUGGESTIONS_LIMIT
) -> list[matching.Proposal]:
    """The best mentors for one request now, best first."""
    network = build_network()
    return matching.suggest(plain_request(request), network, limit=limit or len(network.cities))


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


def alternatives(request: ExchangeRequest, chosen: matching.Proposal) -> list[matching.Alternative]:
    """Cities that came close to `chosen` for this request, each with why it was not chosen."""
    network = build_network()
    return matching.alternatives(plain_request(request), network, chosen)


@dataclass(frozen=True)
class Round:
    result: matching.RoundResult
    stored: dict[int, MatchProposal]  # by request id; empty on a dry run


def run_round(actor: User | None, dry_run: bool = False) -> Round:
    """Propose mentors for the submitted requests within capacity; a dry run stores nothing."""
    waiting = db.session.scalars(
        sa.select(ExchangeRequest)
        .where(ExchangeRequest.status == "submitted")
        .order_by(ExchangeRequest.id)
    ).all()
    result = matching.run_round([plain_request(r) for r in waiting], build_network())
    stored: dict[int, MatchProposal] = {}
    if not dry_run:
        by_id = {r.id: r for r in waiting}
        for proposal in result.assignments:
            stored[proposal.request_id] = _store(by_id[proposal.request_id], proposal, actor)
        audit.record(
            "matching_round",
            after={"proposed": len(stored), "unmatched": len(result.unmatched)},
            actor=actor,
        )
    return Round(result, stored)


# --- Answers: the JSON the API and the command line print -------------------------------------


def request_json(request: ExchangeRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "city": request.city.slug,
        "status": request.status,
        "themes": [t.slug for t in request.themes],
        "challenge": request.challenge,
        "languages": list(request.languages),
        "format": request.format,
        "timeframe": request.timeframe,
        "created_at": request.created_at.isoformat(),
        "history": [
            {"from": c.from_status, "to": c.to_status, "at": c.created_at.isoformat()}
            for c in request.history
        ],
        "proposals": [
            {"id": p.id, "city": p.mentor_city.slug, "score": p.score, "status": p.status}
            for p in request.proposals
        ],
    }


def proposal_json(proposal: matching.Proposal, cities: dict[int, City]) -> dict[str, Any]:
    mentor = cities[proposal.mentor_id]
    return {
        "city": mentor.slug,
        "score": proposal.score,
        "rank": proposal.rank,
        "factors": proposal.breakdown,
        "reason": reason(mentor, proposal.facts),
    }


def suggestions_json(request: ExchangeRequest, proposals: Iterable[matching.Proposal]) -> dict:
    cities = _cities()
    return {"request": request.id, "suggestions": [proposal_json(p, cities) for p in proposals]}


def round_json(done: Round, dry_run: bool) -> dict[str, Any]:
    cities = _cities()
    proposals = []
    for proposal in done.result.assignments:
        item = {"request": proposal.request_id, **proposal_json(proposal, cities)}
        if proposal.request_id in done.stored:
            item["id"] = done.stored[proposal.request_id].id
        proposals.append(item)
    return {
        "dry_run": dry_run,
        "total_score": done.result.total_score,
        "proposals": proposals,
        "unmatched": [{"request": u.request_id, "reason": u.reason} for u in done.result.unmatched],
    }


def _cities() -> dict[int, City]:
    return {c.id: c for c in db.session.scalars(sa.select(City))}


def reason(mentor: City, facts: dict[str, Any]) -> str:
    """One sentence in the reader's language saying why this city is proposed."""
    lang = current_language()
    themes = {t.slug: t for t in db.session.scalars(sa.select(Theme))}

    def theme_names(slugs: Iterable[str]) -> str:
        names = [themes[s].names.get(lang) or themes[s].names.get("en") or s for s in slugs]
        return format_list(names, locale=lang)

    # Literal strings, so that the catalog extraction finds them.
    counts = (
        (
            "evaluated_cases_on_themes",
            lambda n: ngettext("%(num)d evaluated case", "%(num)d evaluated cases", n),
        ),
        (
            "monitored_cases_on_themes",
            lambda n: ngettext("%(num)d monitored case", "%(num)d monitored cases", n),
        ),
        ("other_cases_on_themes", lambda n: ngettext("%(num)d case", "%(num)d cases", n)),
        (
            "exchanges_on_themes",
            lambda n: ngettext("%(num)d exchange as a mentor", "%(num)d exchanges as a mentor", n),
        ),
    )
    evidence = [word(facts[key]) for key, word in counts if facts[key]]
    parts = []
    if evidence:
        parts.append(
            _(
                "has %(evidence)s on %(themes)s",
                evidence=format_list(evidence, locale=lang),
                themes=theme_names(facts["themes_covered"]),
            )
        )
    elif facts["declared_expertise_on_themes"]:
        parts.append(
            _(
                "declares expertise in %(themes)s",
                themes=theme_names(facts["declared_expertise_on_themes"]),
            )
        )
    if facts["shared_languages"]:
        names = Locale.parse(lang).languages
        spoken = [names.get(code, code) for code in facts["shared_languages"]]
        parts.append(_("works in %(languages)s", languages=format_list(spoken, locale=lang)))
    else:
        parts.append(_("would need interpretation"))
    if facts["same_country"]:
        parts.append(_("is in your country"))
    elif facts["same_region"]:
        parts.append(_("is in your region"))
    if facts["earlier_relation"]:
        parts.append(_("has worked with you before"))
    return _(
        "%(city)s %(facts)s.", city=mentor.display_name(lang), facts=format_list(parts, locale=lang)
    )
