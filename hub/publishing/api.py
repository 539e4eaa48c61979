"""The publishing API: case studies and webinar records as JSON, with the content files' fields.

Only `Authorization: Bearer <token>` authenticates here (a session cookie does not), so CSRF does
not apply. Writes are for staff; reading a draft or an archived record is too.

Each answer about one record carries its ETag (`hub.versions`); a PATCH or DELETE with an
If-Match that is not the current ETag gets a 412 and changes nothing.
"""

from __future__ import annotations

from datetime import date, time

from flask import Blueprint, url_for
from flask_login import current_user

from hub import versions, web
from hub.extensions import csrf, db
from hub.publishing import operations as publishing
from hub.publishing.operations import Record
from hub.publishing.schemas import CREATE, OUTPUT, PATCH
from hub.security.access import PUBLIC, STAFF, allow, not_found_for

bp = Blueprint("api_publishing", __name__)
csrf.exempt(bp)

COLLECTION = "/api/v1/<any(cases, webinars):collection>"
KIND_OF = {"cases": "case", "webinars": "webinar"}


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def record_json(record: Record) -> dict:
    """The record's original version with its fields, state, languages and body."""
    front, body = publishing.export(record)
    data = {name: _jsonable(value) for name, value in front.items()}
    if not current_user.is_authenticated:
        data.pop("contact", None)  # shown to signed-in members only, as on the pages
    data.update(id=record.id, state=record.state, languages=record.languages, body=body)
    output = OUTPUT[publishing.kind_of(record)].model_validate(data)
    return output.model_dump(mode="json", exclude_unset=True)


def _answer(record: Record, status: int = 200, headers: dict | None = None):
    """The record as JSON, with its ETag (of the version just written, after a write)."""
    db.session.flush()
    tag = versions.etag(publishing.kind_of(record), record)
    return record_json(record), status, {**(headers or {}), "ETag": tag}


def _actor():
    return current_user._get_current_object()


@bp.get(f"{COLLECTION}/<id:record_id>")
@allow(PUBLIC)
def get_record(collection: str, record_id: int):
    record = publishing.record_by_id(KIND_OF[collection], record_id)
    is_staff = current_user.is_authenticated and current_user.is_staff
    if not record.is_published and not is_staff:
        not_found_for(f"{KIND_OF[collection]}:{record_id}")
    return _answer(record)


@bp.post(COLLECTION)
@allow(STAFF)
def create_record(collection: str):
    kind = KIND_OF[collection]
    sent = web.parse_body(CREATE[kind])
    record = publishing.create_record(kind, sent.fields(), sent.body or "", _actor())
    publishing.set_state(record, sent.state, _actor())
    location = url_for(".get_record", collection=collection, record_id=record.id)
    return _answer(record, 201, {"Location": location})


@bp.patch(f"{COLLECTION}/<id:record_id>")
@allow(STAFF)
def update_record(collection: str, record_id: int):
    kind = KIND_OF[collection]
    record = publishing.record_by_id(kind, record_id)
    sent = web.parse_body(PATCH[kind])
    versions.check_if_match(versions.etag(kind, record))
    fields = sent.fields()
    if fields or "body" in sent.model_fields_set:
        publishing.update_record(record, fields, sent.body, _actor())
    if sent.state is not None:
        publishing.set_state(record, sent.state, _actor())
    return _answer(record)


@bp.delete(f"{COLLECTION}/<id:record_id>")
@allow(STAFF)
def delete_record(collection: str, record_id: int):
    kind = KIND_OF[collection]
    record = publishing.record_by_id(kind, record_id)
    versions.check_if_match(versions.etag(kind, record))
    publishing.delete_record(record, _actor())
    return "", 204
