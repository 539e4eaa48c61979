"""The exchange API: requests for a peer exchange, their suggested mentors, matching rounds.

Bearer tokens only, as in the publishing API. A request is visible to its city's focal point
and to staff; to anyone else it does not exist (404, written to the audit log).
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hub.errors import NotFound
from hub.extensions import csrf, db
from hub.security.access import FOCAL_POINT, STAFF, allow, can_manage_city, not_found_for
from hub.services import exchange_requests as requests
from hub.services.exchange_requests import ExchangeRequestError

bp = Blueprint("api_exchanges", __name__)
csrf.exempt(bp)

BASE = "/api/v1/exchange-requests"


def _errors(errors: dict, status: int = 400):
    return jsonify(errors={name: str(message) for name, message in errors.items()}), status


def _payload() -> dict:
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise ExchangeRequestError({"request": _l("The body must be a JSON object.")})
    return data


def _visible(request_id: int):
    """The request, if the current user may see it; a 404 otherwise."""
    try:
        found = requests.get_request(request_id)
    except NotFound:
        abort(404)
    if not can_manage_city(current_user, found.city_id):
        not_found_for(f"exchange_request:{request_id}")
    return found


@bp.post(BASE)
@allow(FOCAL_POINT)
def create_request():
    actor = current_user._get_current_object()
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
        db.session.rollback()
        return _errors(error.errors)
    db.session.commit()
    return jsonify(requests.request_json(found)), 201


@bp.get(f"{BASE}/<int:request_id>")
@allow(FOCAL_POINT)
def get_request(request_id: int):
    return jsonify(requests.request_json(_visible(request_id)))


@bp.post(f"{BASE}/<int:request_id>/submit")
@allow(FOCAL_POINT)
def submit_request(request_id: int):
    return _step(request_id, requests.submit)


@bp.post(f"{BASE}/<int:request_id>/withdraw")
@allow(FOCAL_POINT)
def withdraw_request(request_id: int):
    return _step(request_id, requests.withdraw)


def _step(request_id: int, step):
    """Move a visible request one step of its lifecycle; a step out of order is a 409."""
    found = _visible(request_id)
    try:
        step(found, current_user._get_current_object())
    except ExchangeRequestError as error:
        db.session.rollback()
        return _errors(error.errors, 409)
    db.session.commit()
    return jsonify(requests.request_json(found))


@bp.get(f"{BASE}/<int:request_id>/suggestions")
@allow(FOCAL_POINT)
def suggestions(request_id: int):
    found = _visible(request_id)
    return jsonify(requests.suggestions_json(found, requests.suggestions(found)))


@bp.post("/api/v1/matching-rounds")
@allow(STAFF)
def run_round():
    data = request.get_json(force=True, silent=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return _errors({"request": _l("The body must be a JSON object.")})
    dry_run = data.get("dry_run", False)
    if not isinstance(dry_run, bool):
        return _errors({"dry_run": _l("Give true or false.")})
    done = requests.run_round(current_user._get_current_object(), dry_run=dry_run)
    answer = requests.round_json(done, dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return jsonify(answer), 200 if dry_run else 201
