"""Sign-in sessions, API tokens, security headers and throttling."""

from __future__ import annotations

import hashlib
import logging
import time

from flask import Flask, current_app, flash, request, session
from flask.logging import default_handler
from flask_login import current_user, login_user, logout_user

from hub.accounts.models import ApiToken, User
from hub.extensions import db, limiter, login_manager
from hub.i18n import lazy_gettext as _l
from hub.security.access import can_manage_city

# A session ends after this long without a request, and this long after signing in.
IDLE_TIMEOUT = 30 * 60  # seconds
ABSOLUTE_TIMEOUT = 12 * 60 * 60  # seconds
LIMITER_LOGGER = "flask-limiter"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_IDLE_TIMEOUT", IDLE_TIMEOUT)
    app.config.setdefault("SESSION_ABSOLUTE_TIMEOUT", ABSOLUTE_TIMEOUT)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.user_loader(_load_session_user)
    login_manager.request_loader(_load_token_user)
    limiter.init_app(app)
    _log_limiter_problems()
    app.before_request(_expire_sessions)
    app.after_request(_security_headers)
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    app.jinja_env.globals["can_manage_city"] = can_manage_city


def _log_limiter_problems() -> None:
    """Flask-Limiter says that its storage (Redis) is away, and that it counts in memory meanwhile,
    to a logger with no handler: send that to the hub's log, beside its own errors."""
    log = logging.getLogger(LIMITER_LOGGER)
    if default_handler not in log.handlers:
        log.addHandler(default_handler)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def begin_session(user: User) -> None:
    """A new session for `user`: nothing from before carries over (no session fixation), and the
    idle and absolute timeouts start again."""
    session.clear()
    login_user(user)
    session["signed_in_at"] = session["seen_at"] = time.time()


def end_session() -> None:
    logout_user()
    session.clear()


def _load_session_user(user_id: str) -> User | None:
    if request.path.startswith("/api/"):
        return None  # the API takes tokens only, so a browser's cookie cannot act for it (CSRF)
    number, _, key = user_id.partition(":")
    if not number.isdigit():
        return None
    user = db.session.get(User, int(number))
    # A password change or a disabled account changes or refuses the key: other sessions end.
    if user is None or not user.active or user.session_key != key:
        return None
    return user


def _load_token_user(req) -> User | None:
    if not req.path.startswith("/api/"):
        return None
    scheme, _, token = (req.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    row = db.session.scalar(
        db.select(ApiToken).filter_by(digest=token_digest(token.strip()), revoked_at=None)
    )
    if row is None or not row.user.active:
        return None
    return row.user


def _expire_sessions() -> None:
    if not current_user.is_authenticated or request.path.startswith("/api/"):
        return
    now = time.time()
    signed_in_at = session.get("signed_in_at", 0)
    seen_at = session.get("seen_at", 0)
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"]
    if now - seen_at > idle or now - signed_in_at > absolute:
        end_session()
        flash(_l("Your session has ended. Please sign in again."), "notice")
        return
    session["seen_at"] = now


def _security_headers(response):
    if "_user_id" in session:
        # A signed-in page is for this person only: no shared or back-button cache keeps it.
        # (The session says so; loading the user here, after the answer, would reach into a
        # transaction that has ended.)
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
