"""Error pages in the reader's language; nothing about the server leaks into them."""

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from hub.errors import NotFound
from hub.services.catalog import InvalidQuery

MESSAGES = {
    400: (_l("Bad request"), _l("The address asks for something the hub cannot understand.")),
    403: (_l("Not allowed"), _l("Your account cannot use this page.")),
    404: (_l("Page not found"), _l("There is no page at this address. It may have moved.")),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("What was sent is larger than the hub accepts.")),
    429: (
        _l("Too many attempts"),
        _l("There were too many attempts in a short time. Wait a few minutes and try again."),
    ),
    500: (_l("Something went wrong"), _l("The hub could not answer. Please try again later.")),
}


def render_error(code: int, details: dict | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    if request.path.startswith("/api/"):
        errors = {name: str(text) for name, text in (details or {}).items()}
        return jsonify(error=str(title), message=str(message), errors=errors), code
    page = render_template(
        "errors/error.html", code=code, title=title, message=message, details=details or {}
    )
    return page, code


def init_app(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def not_found(_error):
        return render_error(404)

    @app.errorhandler(InvalidQuery)
    def invalid_query(error: InvalidQuery):
        return render_error(400, error.errors)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is not None and error.code < 400:
            return error  # routing redirects, such as /en to /en/
        return render_error(error.code or 500)

    @app.errorhandler(InternalServerError)
    def server_error(_error):
        return render_error(500)
