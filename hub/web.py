"""The request lifecycle: one transaction per request, and the hub's errors as HTTP answers.

A view parses its input, calls one operation and renders; it never commits or rolls back. When
the answer is below 400 the request's transaction commits here, with the mail it queued (the mail
follower sends it); any other answer, or an exception, rolls it back. Errors become a page in the
reader's language, or under `/api/v1` the one envelope `{"errors": {field_or_"_": message}}`, in
one place each.
"""

from __future__ import annotations

from typing import Any, TypeVar, get_args, get_origin

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    SecurityError,
    UnsupportedMediaType,
)
from werkzeug.routing import IntegerConverter

from hub import versions
from hub.errors import GENERAL, HubError, InvalidInput, Unavailable
from hub.extensions import db
from hub.i18n import lazy_gettext as _l
from hub.types import MAX_ID, validate

M = TypeVar("M")

MESSAGES = {
    400: (_l("Bad request"), _l("The address asks for something the hub cannot understand.")),
    401: (_l("Sign-in required"), _l("Sign in, or send a valid API token, to use this.")),
    403: (_l("Not allowed"), _l("Your account cannot use this page.")),
    404: (_l("Page not found"), _l("There is no page at this address. It may have moved.")),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    409: (_l("Not possible now"), _l("This step does not fit the record's current state.")),
    412: (
        _l("Changed meanwhile"),
        _l("Someone else changed this record since you loaded it. Load it again."),
    ),
    413: (_l("Too large"), _l("What was sent is larger than the hub accepts.")),
    415: (_l("Unsupported format"), _l("Send the body as JSON (application/json).")),
    422: (_l("Cannot be processed"), _l("What was sent cannot be used.")),
    429: (
        _l("Too many attempts"),
        _l("There were too many attempts in a short time. Wait a few minutes and try again."),
    ),
    500: (_l("Something went wrong"), _l("The hub could not answer. Please try again later.")),
    503: (
        _l("Back in a moment"),
        _l("The hub cannot reach its database just now. Please try again in a minute."),
    ),
}
# Seconds a client is asked to wait before trying again while the database is away.
RETRY_AFTER = 5


class IdConverter(IntegerConverter):
    """`<id:name>`: a record id that fits the database's INTEGER; anything else is a 404.

    The range is in the pattern itself: a value the converter refused after matching would make
    Werkzeug answer 405 for a path that another method's rule matches.
    """

    regex = (
        r"(?:[1-9]\d{0,8}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}"
        r"|21474[0-7]\d{4}|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
    )

    def __init__(self, url_map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.before_request(_refuse_oversized_bodies)
    app.after_request(_end_transaction)
    app.register_error_handler(HubError, _hub_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(RecursionError, lambda _error: error_response(400))
    app.register_error_handler(OperationalError, _database_away)
    app.register_error_handler(StaleDataError, _changed_meanwhile)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _refuse_oversized_bodies() -> None:
    """A 413 for a body over MAX_CONTENT_LENGTH, whether or not the view would read it."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


def _end_transaction(response: Response) -> Response:
    if response.status_code < 400 and not g.get("hub_refused"):
        try:
            db.session.commit()  # with the mail the request queued: the mail follower sends it
        except StaleDataError as error:
            answer, code = _changed_meanwhile(error)
            return current_app.make_response((answer, code))
    else:
        db.session.rollback()
    return response


# --- Errors ------------------------------------------------------------------------------------


def _hub_error(error: HubError):
    if isinstance(error, Unavailable):
        # Its message replaces the page's, which speaks of the database.
        response, code = error_response(error.status, message=error.errors.get(GENERAL))
        response.headers["Retry-After"] = str(error.retry_after)
        return response, code
    return error_response(error.status, error.errors)


def _http_error(error: HTTPException):
    if error.code is not None and error.code < 400:
        return error  # routing redirects, such as /en to /en/
    if isinstance(error, SecurityError):
        # A Host outside TRUSTED_HOSTS: no address can be built for it, so no page either.
        return Response(str(MESSAGES[400][1]), 400, mimetype="text/plain")
    response = error_response(error.code or 500)
    for name, value in error.get_headers():
        if name.lower() in ("allow", "retry-after", "www-authenticate"):
            response[0].headers[name] = value
    return response


def _changed_meanwhile(error: StaleDataError):
    """A write that lost to a concurrent one (its record's version moved on): nothing kept."""
    db.session.rollback()
    refusal = versions.stale_error()
    return error_response(refusal.status, refusal.errors)


def _database_away(error: OperationalError):
    """A 503 while the database cannot be reached, in the reader's language; nothing on the
    page asks the database again."""
    current_app.logger.error("database unavailable: %s", error)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.invalidate()
    if is_api_request():
        response, code = error_response(503)
    else:
        title, message = MESSAGES[503]
        page = render_template("errors/unavailable.html", title=title, message=message)
        response, code = Response(page, mimetype="text/html"), 503
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response, code


def error_response(
    code: int, errors: dict | None = None, message: Any = None
) -> tuple[Response | str, int]:
    """The answer for an error: the API envelope under /api/, a page in the reader's language
    elsewhere; `message` replaces the status's usual one."""
    title, usual = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    message = message or usual
    if is_api_request():
        body = {name: str(text) for name, text in (errors or {}).items()} or {GENERAL: str(message)}
        response = jsonify(errors=body)
        if code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="hub"'
        return response, code
    # Messages become plain text here: a lazy message passes as safe HTML in Jinja, and some
    # carry what the user typed.
    details = {name: str(text) for name, text in (errors or {}).items()}
    page = render_template(
        "errors/error.html", code=code, title=title, message=message, details=details
    )
    return Response(page, mimetype="text/html"), code


def refused(error: HubError, to: str):
    """A step a page refuses: nothing it did is kept, the reasons are flashed, and the reader
    goes back to `to`."""
    g.hub_refused = True
    for text in error.errors.values():
        flash(str(text), "error")
    return redirect(to, 303)


def start_over() -> None:
    """Drop a write that lost to a concurrent one, so that the page can read the record as it
    now is and offer to merge; the request answers 409 and commits nothing."""
    db.session.rollback()
    g.hub_refused = True


# --- Addresses -----------------------------------------------------------------------------------

# Where `make run` serves the hub; production sets HUB_SERVER_NAME to its public host.
DEFAULT_SERVER_NAME = "127.0.0.1:5000"


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute address for mail, built from SERVER_NAME and PREFERRED_URL_SCHEME: never from
    the Host a request claims, which anyone can set."""
    config = current_app.config
    adapter = current_app.url_map.bind(
        config.get("SERVER_NAME") or DEFAULT_SERVER_NAME,
        script_name=config.get("APPLICATION_ROOT") or "/",
        url_scheme=config.get("PREFERRED_URL_SCHEME") or "http",
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def link_header(endpoint: str, page: int, per_page: int, total: int, **args: Any) -> str:
    """An RFC 8288 `Link` header for one page of a list: first, last, and prev and next where
    they exist; the other query arguments kept."""
    from flask import url_for

    last = max(1, -(-total // per_page))
    kept = {name: value for name, value in args.items() if value is not None}

    def link(number: int, rel: str) -> str:
        return f'<{url_for(endpoint, **kept, page=number, per_page=per_page)}>; rel="{rel}"'

    links = [link(1, "first")]
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
    links.append(link(last, "last"))
    return ", ".join(links)


# --- Input -------------------------------------------------------------------------------------


def json_body() -> Any:
    """The request's JSON body; a 415 for another format, a 400 for JSON that does not parse."""
    if request.mimetype and not request.is_json and request.content_length:
        raise UnsupportedMediaType()
    try:
        return request.get_json(force=True, silent=False, cache=True)
    except (BadRequest, RecursionError, ValueError):
        raise InvalidInput(_l("The body is not valid JSON.")) from None


def parse_body(model: type[M], **context: Any) -> M:
    """The JSON body read as `model`, or InvalidInput naming every field at fault."""
    return validate(model, json_body(), **context)


def parse_args(model: type[M], **context: Any) -> M:
    """The query string read as `model`: list fields take every value of their parameter,
    others the first; parameters the model does not name are left out."""
    fields = model.model_fields  # type: ignore[attr-defined]
    data: dict[str, Any] = {}
    for name, field in fields.items():
        key = field.alias or name
        if key not in request.args:
            continue
        if _is_list(field.annotation):
            data[name] = request.args.getlist(key)
        else:
            data[name] = request.args.get(key)
    return validate(model, data, **context)


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) in (list, set, frozenset, tuple):
        return True
    return any(_is_list(inner) for inner in get_args(annotation))
