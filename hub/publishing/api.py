"""The publishing API: case studies and webinar records as JSON, with the content files' fields.

Only `Authorization: Bearer <token>` authenticates here (a session cookie does not), so CSRF does
not apply. Writes are for staff; reading a draft or an archived record is too.
"""

from __future__ import annotations

from datetime import date, time

from flask import Blueprint, abort, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hub.errors import ContentError, NotFound
from hub.extensions import csrf, db
from hub.publishing import operations as publishing
from hub.publishing.operations import PublishingError
from hub.security.access import PUBLIC, STAFF, allow, not_found_for

bp = Blueprint("api_publishing", __name__)
csrf.exempt(bp)

COLLECTION = "/api/v1/<any(cases, webinars):collection>"
KIND_OF = {"cases": "case", "webinars": "webinar"}
# Fields the answers carry that are not the record's to set.
READ_ONLY = ("id", "kind", "languages")
NEW_STATES = ("draft", "published")


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def record_json(record) -> dict:
    front, body = publishing.export(record)
    data = {"id": record.id, **{name: _jsonable(value) for name, value in front.items()}}
    if not current_user.is_authenticated:
        data.pop("contact", None)  # shown to signed-in members only, as on the pages
    return {**data, "state": record.state, "languages": record.languages, "body": body}


def _errors(errors: dict, status: int = 400):
    return jsonify(errors={name: str(message) for name, message in errors.items()}), status


def _payload() -> dict:
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise PublishingError("request", _l("The body must be a JSON object."))
    for name in READ_ONLY:
        data.pop(name, None)
    return data


def _record(collection: str, record_id: int):
    try:
        return publishing.record_by_id(KIND_OF[collection], record_id)
    except NotFound:
        return None


@bp.get(f"{COLLECTION}/<int:record_id>")
@allow(PUBLIC)
def get_record(collection: str, record_id: int):
    record = _record(collection, record_id)
    if record is None:
        abort(404)
    is_staff = current_user.is_authenticated and current_user.is_staff
    if record.state != publishing.PUBLISHED and not is_staff:
        not_found_for(f"{KIND_OF[collection]}:{record_id}")
    return jsonify(record_json(record))


@bp.post(COLLECTION)
@allow(STAFF)
def create_record(collection: str):
    actor = current_user._get_current_object()
    try:
        fields = _payload()
        body = fields.pop("body", "")
        state = fields.pop("state", "draft")
        if state not in NEW_STATES:
            raise PublishingError("state", _l("must be draft or published"))
        record = publishing.create_record(KIND_OF[collection], fields, body, actor)
        publishing.set_state(record, state, actor)
    except (ContentError, PublishingError) as error:
        db.session.rollback()
        return _errors(publishing.errors_of(error))
    db.session.commit()
    return jsonify(record_json(record)), 201


@bp.patch(f"{COLLECTION}/<int:record_id>")
@allow(STAFF)
def update_record(collection: str, record_id: int):
    record = _record(collection, record_id)
    if record is None:
        return _errors({"id": _l("No such record.")}, 404)
    actor = current_user._get_current_object()
    try:
        fields = _payload()
        body = fields.pop("body", None)
        state = fields.pop("state", None)
        if fields or body is not None:
            publishing.update_record(record, fields, body, actor)
        if state is not None:
            publishing.set_state(record, state, actor)
    except (ContentError, PublishingError) as error:
        db.session.rollback()
        return _errors(publishing.errors_of(error))
    db.session.commit()
    return jsonify(record_json(record))


@bp.delete(f"{COLLECTION}/<int:record_id>")
@allow(STAFF)
def delete_record(collection: str, record_id: int):
    record = _record(collection, record_id)
    if record is None:
        return _errors({"id": _l("No such record.")}, 404)
    publishing.delete_record(record, current_user._get_current_object())
    db.session.commit()
    return "", 204
