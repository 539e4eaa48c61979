"""The exchange API: requests for a peer exchange, their mentors, matching rounds and reports.

Bearer tokens only, as in the publishing API. Who sees and does what is `hub.exchanges.access`
(a request a reader may not see does not exist: 404, written to the audit log). Answers are the
output schemas of `hub.exchanges.schemas`: 200, or 201 with a Location when a record is made.
Errors are `hub.errors` raised by the guards and the lifecycle, answered by `hub.web` as
`{"errors": {field: message}}`: bad input 400, a step out of order 409, nothing stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user

from hub import versions, web
from hub.exchanges import access, answers, lifecycle, network
from hub.exchanges.models import ExchangeRequest
from hub.exchanges.schemas import (
    MentorChange,
    NewRequest,
    ReportFields,
    RequestChanges,
    RequestList,
    RequestQuery,
    RoundChoice,
)
from hub.extensions import csrf, db
from hub.security.access import FOCAL_POINT, STAFF, allow
from hub.types import Paging

bp = Blueprint("api_exchanges", __name__)
csrf.exempt(bp)

BASE = "/api/v1/exchange-requests"
PROPOSAL = f"{BASE}/<id:request_id>/proposals/<id:proposal_id>"


def _actor():
    return current_user._get_current_object()


def _etag(found: ExchangeRequest) -> str:
    """The tag of what a PATCH edits (the request's fields, `version`) and of its status."""
    return versions.etag("exchange-request", found, found.status.value)


def _answer(found: ExchangeRequest, status: int = 200):
    """The request as the reader sees it, with its ETag; a 201 says where the request lives."""
    db.session.flush()
    response = jsonify(answers.dump(answers.request_out(found, current_user)))
    response.headers["ETag"] = _etag(found)
    if status == 201:
        response.headers["Location"] = url_for("api_exchanges.get_request", request_id=found.id)
    return response, status


# --- Requests ------------------------------------------------------------------------------------


@bp.get(BASE)
@allow(FOCAL_POINT)
def list_requests():
    """The requests the user may see: staff all; a focal point its city's own and those its
    city was put to as a mentor. `?status=` narrows to one status."""
    query = web.parse_args(RequestQuery)
    paging = web.parse_args(Paging)
    stmt = (
        sa.select(ExchangeRequest)
        .where(access.visible_filter(current_user))
        .order_by(ExchangeRequest.id)
        .options(*access.with_everything())
    )
    if query.status is not None:
        stmt = stmt.where(ExchangeRequest.status == query.status)
    pages = db.paginate(stmt, page=paging.page, per_page=paging.per_page, error_out=False)
    found = [answers.request_out(r, current_user) for r in pages.items]
    answer = RequestList(requests=found, total=pages.total, **paging.model_dump())
    response = jsonify(answers.dump(answer))
    response.headers["Link"] = web.link_header(
        "api_exchanges.list_requests", total=pages.total, status=query.status, **paging.model_dump()
    )
    return response


@bp.post(BASE)
@allow(FOCAL_POINT)
def create_request():
    found = lifecycle.create_for(_actor(), web.parse_body(NewRequest))
    return _answer(found, 201)


@bp.get(f"{BASE}/<id:request_id>")
@allow(FOCAL_POINT)
def get_request(request_id: int):
    return _answer(access.visible(request_id))


@bp.patch(f"{BASE}/<id:request_id>")
@allow(FOCAL_POINT)
def edit_request(request_id: int):
    found = access.planned(request_id)
    changes = web.parse_body(RequestChanges)
    versions.check_if_match(_etag(found))
    lifecycle.edit_request(found, changes, _actor())
    return _answer(found)


@bp.post(f"{BASE}/<id:request_id>/submit")
@allow(FOCAL_POINT)
def submit_request(request_id: int):
    found = access.planned(request_id)
    lifecycle.submit(found, _actor())
    return _answer(found)


@bp.post(f"{BASE}/<id:request_id>/withdraw")
@allow(FOCAL_POINT)
def withdraw_request(request_id: int):
    found = access.planned(request_id)
    lifecycle.withdraw(found, _actor())
    return _answer(found)


@bp.get(f"{BASE}/<id:request_id>/suggestions")
@allow(FOCAL_POINT)
def suggestions(request_id: int):
    """The best mentors now; they name other candidates, so only the requesting city and staff."""
    found = access.planned(request_id)
    answer = answers.suggestions_out(found, network.suggestions(found), _actor())
    return jsonify(answers.dump(answer))


# --- Proposals -----------------------------------------------------------------------------------


@bp.post(f"{BASE}/<id:request_id>/offers")
@allow(FOCAL_POINT)
def offer(request_id: int):
    """The user's own city offers to mentor a submitted request (seen on the public board)."""
    found = access.find(request_id)
    proposal = lifecycle.offer(found, access.own_city(), _actor())
    response = jsonify(answers.dump(answers.offer_out(found, proposal, current_user)))
    response.headers["Location"] = url_for("api_exchanges.get_request", request_id=found.id)
    return response, 201


@bp.post(f"{PROPOSAL}/approve")
@allow(STAFF)
def approve(request_id: int, proposal_id: int):
    """Staff put a proposal to both cities."""
    found = access.visible(request_id)
    lifecycle.approve(access.proposal_of(found, proposal_id), _actor())
    return _answer(found)


@bp.post(f"{PROPOSAL}/discard")
@allow(STAFF)
def discard(request_id: int, proposal_id: int):
    """Staff drop a proposal; the request waits for the next round."""
    found = access.visible(request_id)
    lifecycle.discard(access.proposal_of(found, proposal_id), _actor())
    return _answer(found)


@bp.post(f"{PROPOSAL}/change")
@allow(STAFF)
def change(request_id: int, proposal_id: int):
    """Staff put another eligible city in the proposal's place: `{"city": slug}`."""
    found = access.visible(request_id)
    proposal = access.proposal_of(found, proposal_id)
    choice = web.parse_body(MentorChange)
    lifecycle.change_mentor(proposal, lifecycle.city_by_slug(choice.city), _actor())
    return _answer(found, 201)


@bp.post(f"{PROPOSAL}/accept")
@allow(FOCAL_POINT)
def accept(request_id: int, proposal_id: int):
    """The user's city accepts; when both have, the exchange is under way."""
    found = access.visible(request_id)
    proposal = access.proposal_of(found, proposal_id)
    lifecycle.accept(proposal, access.deciding_side(found, proposal), _actor())
    return _answer(found)


@bp.post(f"{PROPOSAL}/decline")
@allow(FOCAL_POINT)
def decline(request_id: int, proposal_id: int):
    """The requesting city declining ends the request; a mentor declining frees it."""
    found = access.visible(request_id)
    proposal = access.proposal_of(found, proposal_id)
    lifecycle.decline(proposal, access.deciding_side(found, proposal), _actor())
    return _answer(found)


# --- Completion ----------------------------------------------------------------------------------


@bp.post(f"{BASE}/<id:request_id>/report")
@allow(FOCAL_POINT)
def report(request_id: int):
    """The user's city reports `{"outcomes", "feedback", "rating"}`; the second report completes
    the exchange."""
    found = access.visible(request_id)
    side = access.reporting_side(found)
    lifecycle.report(found, side, web.parse_body(ReportFields), _actor())
    return _answer(found, 201)


# --- Matching rounds -----------------------------------------------------------------------------


@bp.post("/api/v1/matching-rounds")
@allow(STAFF)
def run_round():
    """A matching round; `{"dry_run": true}` stores nothing. No body at all is a real round, a
    body that is not a JSON object runs nothing."""
    choice = web.parse_body(RoundChoice) if request.get_data().strip() else RoundChoice()
    done = lifecycle.run_round(_actor(), dry_run=choice.dry_run)
    answer = jsonify(answers.dump(answers.round_out(done, choice.dry_run)))
    if choice.dry_run:
        return answer, 200
    answer.headers["Location"] = url_for("exchanges.staff_board", lang="en")
    return answer, 201
