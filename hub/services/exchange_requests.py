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

from hub import matching
from hub.errors import HubError, NotFound
from hub.extensions import db
from hub.i18n import current_language
from hub.matching.model import EVIDENCE_LEVELS
from hub.models import (
    CaseStudy,
    City,
    Exchange,
    ExchangeRequest,
    ExchangeRequestChange,
    MatchProposal,
    Theme,
    User,
)
from hub.models.outbox import utcnow
from hub.services import audit
from hub.vocab import EXCHANGE_FORMATS

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
SIDES = ("requester", "mentor", "staff")
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
        raise NotFound(f"exchange request {request_id}")
    return found


def city_by_slug(slug: Any) -> City | None:
    if not isinstance(slug, str):
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
                errors[name] = _l("Give a list of one or more theme slugs.")
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
            if value not in EXCHANGE_FORMATS:
                errors[name] = _l("Choose virtual, study-visit or mentoring.")
            clean[name] = value
        else:
            limit = MAX_CHALLENGE if name == "challenge" else MAX_TIMEFRAME
            if not isinstance(value, str):
                errors[name] = _l("This must be text.")
            elif len(value) > limit:
                errors[name] = _l("At most %(limit)d characters.", limit=limit)
            elif name == "challenge" and not value.strip():
                errors[name] = _l("Describe the challenge.")
            clean[name] = value.strip() if isinstance(value, str) else value
    if errors:
        raise ExchangeRequestError(errors)
    return clean


def _move(request: ExchangeRequest, status: str, actor: User | None, note: str = "") -> None:
    if status not in TRANSITIONS.get(request.status, set()):
        raise ExchangeRequestError(
            {
                "status": _l(
                    "A %(old)s request cannot become %(new)s.", old=request.status, new=status
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


def accept(proposal: MatchProposal, side: str, actor: User | None) -> None:
    """One side accepts; once both cities have, the request is accepted."""
    _decide(proposal, side, "accepted", actor)
    if proposal.requester_decision == proposal.mentor_decision == "accepted":
        proposal.status, proposal.decided_at = "accepted", utcnow()
        _move(proposal.request, "accepted", actor)


def decline(proposal: MatchProposal, side: str, actor: User | None) -> None:
    """The requesting city declining ends the request; a mentor declining frees it for a round."""
    _decide(proposal, side, "declined", actor)
    proposal.status, proposal.decided_at = "declined", utcnow()
    _move(proposal.request, "declined" if side == "requester" else "submitted", actor)


def _decide(proposal: MatchProposal, side: str, decision: str, actor: User | None) -> None:
    if side not in SIDES:
        raise ExchangeRequestError({"side": _l("Choose requester, mentor or staff.")})
    if proposal.status != "proposed":
        raise ExchangeRequestError({"status": _l("This proposal has already been decided.")})
    setattr(proposal, f"{side}_decision", decision)
    audit.record(
        f"match_{decision}"[:40],
        target=f"match_proposal:{proposal.id}",
        after={"side": side, "request": proposal.request_id},
        actor=actor,
    )


def offer(request: ExchangeRequest, mentor: City, actor: User | None) -> MatchProposal:
    """A mentor city offers itself for a submitted request; it must be an eligible mentor."""
    if request.status != "submitted":
        raise ExchangeRequestError({"status": _l("Only a submitted request takes offers.")})
    found = [p for p in suggestions(request, limit=None) if p.mentor_id == mentor.id]
    if not found:
        raise ExchangeRequestError(
            {
                "city": _l(
                    "This city cannot mentor this request now (themes, experience or capacity)."
                )
            }
        )
    proposal = _store(request, found[0], actor)
    proposal.mentor_decision = "accepted"
    return proposal


def _store(
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
    _move(request, "proposed", actor)
    return stored


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
    for mentor_id, themes in completed_exchanges():
        evidence += [matching.Evidence(mentor_id, theme, "exchange") for theme in themes]
    return matching.Network(plain, evidence)


def completed_exchanges() -> list[tuple[int, list[str]]]:
    """(mentor city, themes) of every completed exchange: recorded ones and the hub's own."""
    found = []
    for exchange in db.session.scalars(sa.select(Exchange).where(Exchange.ended.is_not(None))):
        themes = [t.slug for t in exchange.themes]
        found += [(p.city_id, themes) for p in exchange.side("mentor") if p.city_id]
    done = sa.select(ExchangeRequest).where(ExchangeRequest.status == "completed")
    for request in db.session.scalars(done):
        chosen = accepted_proposal(request)
        if chosen is not None:
            found.append((chosen.mentor_city_id, [t.slug for t in request.themes]))
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
