"""Signing in and out, changing a password, and resetting a forgotten one by e-mail."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from hub import audit, mail
from hub.accounts import operations as accounts
from hub.extensions import db, limiter
from hub.security.access import PUBLIC, SIGNED_IN, allow

bp = Blueprint("accounts", __name__, url_prefix="/<lang:lang>", template_folder="templates")

# Sign-in attempts that fail, per address and per account (shared/notes/security.md: Indico,
# Zulip and Warehouse allow 5 to 10 failures per 5 to 30 minutes).
LOGIN_LIMIT_PER_IP = "10 per 5 minutes"
LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
MAX_FIELD = 1024


def _failed(response) -> bool:
    return response.status_code != 302


def _account_key() -> str:
    return "account:" + accounts.normalize_email(request.form.get("email", ""))[:254]


def safe_next(target: str | None) -> str | None:
    """`next` only ever leads to a path on this hub."""
    if not target or len(target) > 2000 or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(LOGIN_LIMIT_PER_IP, methods=["POST"], deduct_when=_failed)
@limiter.limit(
    LOGIN_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=_account_key, deduct_when=_failed
)
def login():
    next_url = safe_next(request.values.get("next"))
    error = None
    if request.method == "POST":
        email = request.form.get("email", "")[:MAX_FIELD]
        password = request.form.get("password", "")[:MAX_FIELD]
        user = accounts.authenticate(email, password)
        if user is None:
            error = _("The e-mail address or the password is not right.")
        else:
            session.clear()  # a new session at sign-in: nothing from before carries over
            login_user(user)
            now = time.time()
            session["signed_in_at"] = session["seen_at"] = now
            db.session.commit()  # an upgraded password hash
            return redirect(next_url or url_for("home.index", lang=user.preferred_language))
    status = 401 if error else 200
    return render_template("accounts/login.html", error=error, next_url=next_url), status


@bp.post("/logout")
@allow(PUBLIC)
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("home.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(SIGNED_IN)
def change_password():
    errors = {}
    if request.method == "POST":
        current = request.form.get("current_password", "")[:MAX_FIELD]
        new = request.form.get("new_password", "")[: accounts.MAX_PASSWORD_INPUT]
        if accounts.authenticate(current_user.email, current) is None:
            errors["current_password"] = _("Your current password is not right.")
        elif new != request.form.get("confirm_password", ""):
            errors["confirm_password"] = _("The two new passwords differ.")
        else:
            try:
                accounts.set_password(current_user, new)
            except accounts.AccountError as error:
                errors[error.field] = error.message
        if not errors:
            audit.record("password_changed", f"user:{current_user.id}")
            db.session.commit()
            login_user(current_user)  # this session goes on with the new key; others end
            session["signed_in_at"] = session["seen_at"] = time.time()
            flash(_("Your password has been changed. Your other sessions have ended."), "notice")
            return redirect(url_for("home.index"))
    status = 400 if errors else 200
    return render_template("accounts/password.html", errors=errors), status


@bp.route("/password-reset", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(LOGIN_LIMIT_PER_IP, methods=["POST"])
def request_reset():
    if request.method == "POST":
        user = accounts.find_user(request.form.get("email", "")[:MAX_FIELD])
        if user is not None and user.active:
            link = url_for(
                "accounts.reset",
                token=accounts.reset_token(user),
                _external=True,
                lang=user.preferred_language,
            )
            mail.send(
                user.email,
                _("Reset your password"),
                _("Open this link within an hour to choose a new password:\n\n%(link)s", link=link),
            )
            db.session.commit()
        # The same answer either way: the page does not tell who has an account.
        flash(
            _("If an account uses this address, a link to reset its password is on its way."),
            "notice",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/request_reset.html")


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def reset(token: str):
    user = accounts.user_for_reset(token[:500])
    if user is None:
        return render_template("accounts/reset.html", invalid=True, errors={}), 400
    errors = {}
    if request.method == "POST":
        new = request.form.get("new_password", "")[: accounts.MAX_PASSWORD_INPUT]
        if new != request.form.get("confirm_password", ""):
            errors["confirm_password"] = _("The two new passwords differ.")
        else:
            try:
                accounts.set_password(user, new)
            except accounts.AccountError as error:
                errors[error.field] = error.message
        if not errors:
            audit.record("password_reset", f"user:{user.id}", actor=user)
            db.session.commit()
            flash(_("Your password has been changed. You can sign in now."), "notice")
            return redirect(url_for("accounts.login"))
    return render_template(
        "accounts/reset.html", invalid=False, errors=errors
    ), 400 if errors else 200
