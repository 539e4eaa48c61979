"""The exchange API: requests for a peer exchange, their mentors, matching rounds and reports.

Bearer tokens only, as in the publishing API. A request is visible to its city's focal point, to
staff, and to a mentor city once staff have put a proposal to it (`requests.visible_to`); to
anyone else it does not exist (404, written to the audit log). Only the requesting city and staff
change the request itself or read its suggestions; only the two cities decide on a proposal and
report on the exchange; only staff review proposals and run rounds.

Answers: 200 (or 201 when a record is made) with the request as JSON; bad input is a 400 and a
step out of order a 409, both with `{"errors": {field: message}}`, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hub import audit
from hub.errors import NotFound
from hub.exchanges import lifecycle as requests
from hub.exchanges import mail as exchange_mail
from hub.exchanges.lifecycle import ExchangeRequestError
from hub.exchanges.models import ExchangeRequest, MatchProposal
from hub.extensions import csrf, db
from hub.security.access import FOCAL_POINT, STAFF, allow, not_found_for

bp = Blueprint("api_exchanges", __name__)
csrf.exempt(bp)

BASE = "/api/v1/exchange-requests"
PROPOSAL = f"{BASE}/<int:request_id>/proposals/<int:proposal_id>"


def _actor():
    return current_user._get_current_object()


def _errors(errors: dict, status: int = 400):
    return jsonify(errors={name: str(message) for name, message in errors.items()}), status


def _refusal(error: ExchangeRequestError, status: int | None = None):
    """Roll back and explain: a step out of order (`status`) is a 409, anything else a 400."""
    db.session.rollback()
    if status is None:
        status = 409 if "status" in error.errors else 400
    return _errors(error.errors, status)


def _attempt(found: ExchangeRequest, action, refused: int | None = None, status: int = 200):
    """Take one step: commit and answer with the request, or roll back and explain why not."""
    try:
        action()
    except ExchangeRequestError as error:
        return _refusal(error, refused)
    db.session.commit()
    return jsonify(request_json(found)), status


def _forbidden(target: str, errors: dict):
    """A 403 for a record the user may see but not act on, written to the audit log."""
    audit.record("permission_denied", target=target, after={"path": request.path})
    return _errors(errors, 403)


def _unsavable(value: Any) -> bool:
    """Text no database keeps: NUL characters (PostgreSQL refuses them) or lone surrogates."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not requests.storable(item):
                return True
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
    return False


def _payload() -> dict:
    """The JSON object of the body, every text in it one the database can keep."""
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise ExchangeRequestError({"request": _l("The body must be a JSON object.")})
    errors = {}
    for name, value in data.items():
        if _unsavable(name) or _unsavable(value):
            key = name if isinstance(name, str) and not _unsavable(name) else "request"
            errors[key] = _l("This text contains characters that cannot be saved.")
    if errors:
        raise ExchangeRequestError(errors)
    return data


def _find(request_id: int) -> ExchangeRequest:
    try:
        return requests.get_request(request_id)
    except NotFound:
        abort(404)


def _visible(request_id: int) -> ExchangeRequest:
    """The request, if the current user may see it; a 404 otherwise."""
    found = _find(request_id)
    if not requests.visible_to(current_user, found):
        not_found_for(f"exchange_request:{request_id}")
    return found


def _planning(request_id: int) -> ExchangeRequest:
    """A request its own city (or staff) plans: a mentor city does not see this part of it."""
    found = _visible(request_id)
    if not (current_user.is_staff or requests.side_of(current_user, found) == "requester"):
        not_found_for(f"exchange_request:{request_id}")
    return found


def _proposal(found: ExchangeRequest, proposal_id: int) -> MatchProposal:
    try:
        return requests.get_proposal(found, proposal_id)
    except NotFound:
        abort(404)


# --- Answers -----------------------------------------------------------------------------------


def _proposal_json(proposal: MatchProposal) -> dict[str, Any]:
    return {
        "id": proposal.id,
        "city": proposal.mentor_city.slug,
        "score": proposal.score,
        "status": proposal.status,
        "state": requests.proposal_state(proposal),
        "staff_decision": proposal.staff_decision,
        "requester_decision": proposal.requester_decision,
        "mentor_decision": proposal.mentor_decision,
    }


def _shown_proposals(found: ExchangeRequest) -> list[MatchProposal]:
    """Staff and the requesting city see every proposal; a mentor city only its own."""
    if current_user.is_staff or current_user.city_id == found.city_id:
        return list(found.proposals)
    return [p for p in found.proposals if p.mentor_city_id == current_user.city_id]


def request_json(found: ExchangeRequest) -> dict[str, Any]:
    """The request as its reader may see it: proposals with their state, and the reports."""
    data = requests.request_json(found)
    data["side"] = requests.side_of(current_user, found)
    data["proposals"] = [_proposal_json(p) for p in _shown_proposals(found)]
    data["reports"] = [
        {
            "side": r.side,
            "city": r.city.slug,
            "outcomes": r.outcomes,
            "feedback": r.feedback,
            "rating": r.rating,
            "created_at": r.created_at.isoformat(),
        }
        for r in found.reports
    ]
    return data


def offer_json(found: ExchangeRequest, proposal: MatchProposal) -> dict[str, Any]:
    """What a city that offered sees until staff put it to the request: what the public board
    shows (no challenge, no timeframe, no city), and its own proposal."""
    if requests.visible_to(current_user, found):
        return request_json(found)
    return {
        "id": found.id,
        "status": found.status,
        "themes": [t.slug for t in found.themes],
        "format": found.format,
        "proposals": [_proposal_json(proposal)],
    }


# --- Requests ----------------------------------------------------------------------------------


@bp.get(BASE)
@allow(FOCAL_POINT)
def list_requests():
    """The requests the user may see: staff all; a focal point its city's own and those its
    city was put to as a mentor. `?status=` narrows to one status."""
    status = request.args.get("status") or None
    if status is not None and status not in requests.STATUSES:
        return _errors({"status": _l("Unknown status.")})
    stmt = sa.select(ExchangeRequest).order_by(ExchangeRequest.id)
    if not current_user.is_staff:
        city_id = current_user.city_id
        if city_id is None:
            return jsonify(requests=[])
        mentoring = sa.select(MatchProposal.request_id).where(
            MatchProposal.mentor_city_id == city_id,
            sa.or_(MatchProposal.staff_decision == "approved", MatchProposal.status == "accepted"),
        )
        stmt = stmt.where(
            sa.or_(ExchangeRequest.city_id == city_id, ExchangeRequest.id.in_(mentoring))
        )
    if status is not None:
        stmt = stmt.where(ExchangeRequest.status == status)
    found = [r for r in db.session.scalars(stmt) if requests.visible_to(current_user, r)]
    return jsonify(requests=[request_json(r) for r in found])


@bp.post(BASE)
@allow(FOCAL_POINT)
def create_request():
    actor = _actor()
    try:
        fields = _payload()
        status = fields.pop("status", "draft")
        city_slug = fields.pop("city", None)
        city = actor.city
        if actor.is_staff:
            city = requests.city_by_slug(city_slug)
        elif city_slug not in (None, getattr(city, "slug", None)):
            raise ExchangeRequestError({"city": _l("You can only ask for your own city.")})
        if city is None:
            raise ExchangeRequestError({"city": _l("Give the slug of the requesting city.")})
        found = requests.create_request(city, fields, actor, status=status)
    except ExchangeRequestError as error:
        return _refusal(error, 400)
    db.session.commit()
    return jsonify(request_json(found)), 201


@bp.get(f"{BASE}/<int:request_id>")
@allow(FOCAL_POINT)
def get_request(request_id: int):
    return jsonify(request_json(_visible(request_id)))


@bp.patch(f"{BASE}/<int:request_id>")
@allow(FOCAL_POINT)
def edit_request(request_id: int):
    found = _planning(request_id)
    return _attempt(found, lambda: requests.edit_request(found, _payload(), _actor()))


@bp.post(f"{BASE}/<int:request_id>/submit")
@allow(FOCAL_POINT)
def submit_request(request_id: int):
    return _step(request_id, requests.submit)


@bp.post(f"{BASE}/<int:request_id>/withdraw")
@allow(FOCAL_POINT)
def withdraw_request(request_id: int):
    return _step(request_id, requests.withdraw)


def _step(request_id: int, step):
    """Move a request its city plans one step of its lifecycle; a step out of order is a 409."""
    found = _planning(request_id)
    return _attempt(found, lambda: step(found, _actor()), refused=409)


@bp.get(f"{BASE}/<int:request_id>/suggestions")
@allow(FOCAL_POINT)
def suggestions(request_id: int):
    """The best mentors now; they name other candidates, so only the requesting city and staff."""
    found = _planning(request_id)
    return jsonify(requests.suggestions_json(found, requests.suggestions(found)))


# --- Proposals ---------------------------------------------------------------------------------


@bp.post(f"{BASE}/<int:request_id>/offers")
@allow(FOCAL_POINT)
def offer(request_id: int):
    """The user's own city offers to mentor a submitted request (seen on the public board)."""
    found = _find(request_id)
    city = current_user.city
    if city is None:
        return _forbidden(
            f"exchange_request:{request_id}", {"city": _l("Your account is not linked to a city.")}
        )
    try:
        proposal = requests.offer(found, city, _actor())
    except ExchangeRequestError as error:
        return _refusal(error, 409)
    db.session.commit()
    return jsonify(offer_json(found, proposal)), 201


def _staff_step(request_id: int, proposal_id: int, step, created: bool = False):
    found = _visible(request_id)
    proposal = _proposal(found, proposal_id)

    def action():
        put = step(proposal)  # the proposal now before both cities, if any
        if put is not None:
            exchange_mail.tell_cities(put)

    return _attempt(found, action, refused=409, status=201 if created else 200)


@bp.post(f"{PROPOSAL}/approve")
@allow(STAFF)
def approve(request_id: int, proposal_id: int):
    """Staff put a proposal to both cities."""
    return _staff_step(request_id, proposal_id, lambda p: requests.approve(p, _actor()))


@bp.post(f"{PROPOSAL}/discard")
@allow(STAFF)
def discard(request_id: int, proposal_id: int):
    """Staff drop a proposal; the request waits for the next round."""
    return _staff_step(request_id, proposal_id, lambda p: requests.discard(p, _actor()))


@bp.post(f"{PROPOSAL}/change")
@allow(STAFF)
def change(request_id: int, proposal_id: int):
    """Staff put another eligible city in the proposal's place: `{"city": slug}`."""
    found = _visible(request_id)
    _proposal(found, proposal_id)
    try:
        data = _payload()
        unknown = sorted(set(data) - {"city"})
        if unknown:
            raise ExchangeRequestError(
                {"request": _l("Unknown fields: %(names)s", names=", ".join(unknown))}
            )
        city = requests.city_by_slug(data.get("city"))
        if city is None:
            raise ExchangeRequestError({"city": _l("Choose a city.")})
    except ExchangeRequestError as error:
        return _refusal(error, 400)
    return _staff_step(
        request_id,
        proposal_id,
        lambda p: requests.change_mentor(p, city, _actor()),
        created=True,
    )


def _decision(request_id: int, proposal_id: int, decide):
    found = _visible(request_id)
    proposal = _proposal(found, proposal_id)
    side = requests.side_of(current_user, found)
    if side is None:
        return _forbidden(
            f"match_proposal:{proposal.id}",
            {"side": _l("Only the two cities decide on a proposal.")},
        )
    return _attempt(found, lambda: decide(proposal, side, _actor()), refused=409)


@bp.post(f"{PROPOSAL}/accept")
@allow(FOCAL_POINT)
def accept(request_id: int, proposal_id: int):
    """The user's city accepts; when both have, the exchange is under way."""
    return _decision(request_id, proposal_id, requests.accept)


@bp.post(f"{PROPOSAL}/decline")
@allow(FOCAL_POINT)
def decline(request_id: int, proposal_id: int):
    """The requesting city declining ends the request; a mentor declining frees it."""
    return _decision(request_id, proposal_id, requests.decline)


# --- Completion --------------------------------------------------------------------------------


@bp.post(f"{BASE}/<int:request_id>/report")
@allow(FOCAL_POINT)
def report(request_id: int):
    """The user's city reports `{"outcomes", "feedback", "rating"}`; the second report completes
    the exchange."""
    found = _visible(request_id)
    side = requests.side_of(current_user, found)
    if side is None:
        return _forbidden(
            f"exchange_request:{request_id}",
            {"side": _l("Only the two cities report on an exchange.")},
        )
    return _attempt(found, lambda: requests.report(found, side, _payload(), _actor()), status=201)


# --- Matching rounds ---------------------------------------------------------------------------


@bp.post("/api/v1/matching-rounds")
@allow(STAFF)
def run_round():
    """A matching round; `{"dry_run": true}` stores nothing. No body at all is a real round, a
    body that is not a JSON object runs nothing."""
    data = {}
    if request.get_data().strip():
        data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        return _errors({"request": _l("The body must be a JSON object.")})
    unknown = sorted(set(data) - {"dry_run"})
    if unknown:
        return _errors({"request": _l("Unknown fields: %(names)s", names=", ".join(unknown))})
    dry_run = data.get("dry_run", False)
    if not isinstance(dry_run, bool):
        return _errors({"dry_run": _l("Give true or false.")})
    done = requests.run_round(_actor(), dry_run=dry_run)
    answer = requests.round_json(done, dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return jsonify(answer), 200 if dry_run else 201
