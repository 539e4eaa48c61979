"""Signing in and out, asking for access, changing a password, and resetting a forgotten one."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.accounts import joining, queries
from hub.accounts import operations as accounts
from hub.accounts.forms import (
    JoinForm,
    PasswordChangeForm,
    ResetForm,
    ResetRequestForm,
    SignInForm,
    SignOutForm,
)
from hub.errors import InvalidInput
from hub.extensions import limiter
from hub.i18n import current_language
from hub.i18n import gettext as _
from hub.security import begin_session, end_session
from hub.security.access import PUBLIC, SIGNED_IN, allow

bp = Blueprint("accounts", __name__, url_prefix="/<lang:lang>", template_folder="templates")

# Sign-in attempts that fail, per address and per account (shared/notes/security.md: Indico,
# Zulip and Warehouse allow 5 to 10 failures per 5 to 30 minutes). The counts live in the
# limiter's storage, not in the database, so a refused attempt counts though its answer rolls
# the request's transaction back.
LOGIN_LIMIT_PER_IP = "10 per 5 minutes"
LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
# Requests for access sent from one address: a person sends one; an office behind one address
# a few.
JOIN_LIMIT = "10 per hour"


@bp.app_context_processor
def _sign_out_form() -> dict:
    # The sign-out button in every page's header (base.html) posts this form.
    return {"sign_out_form": lambda: SignOutForm(formdata=None)}


def _failed(response: Response) -> bool:
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
    form = SignInForm(next=request.args.get("next"))
    next_url = safe_next(form.next.data)
    form.next.data = next_url or ""
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 400 if form.errors else 200
    user = accounts.authenticate(form.email.data, form.password.data)
    if user is None:
        form.form_errors.append(_("The e-mail address or the password is not right."))
        return render_template("accounts/login.html", form=form), 401
    begin_session(user)
    flash(_("You are signed in."), "success")
    return redirect(next_url or url_for("home.index", lang=user.preferred_language))


@bp.post("/logout")
@allow(PUBLIC)
def logout():
    if current_user.is_authenticated:
        accounts.sign_out(current_user._get_current_object())
    end_session()  # SignOutForm has no field but its CSRF token, checked for every POST
    flash(_("You are signed out."), "success")
    return redirect(url_for("home.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(SIGNED_IN)
def change_password():
    form = PasswordChangeForm(account_email=current_user.email)
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except InvalidInput as error:
            form.refuse(error)
        else:
            begin_session(current_user)  # this session goes on with the new key; others end
            flash(_("Your password has been changed. Your other sessions have ended."), "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


@bp.route("/password-reset", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(LOGIN_LIMIT_PER_IP, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if not form.validate_on_submit():
        page = render_template("accounts/request_reset.html", form=form)
        return page, 400 if form.errors else 200
    accounts.request_reset(form.email.data)
    # The same answer either way: the page does not tell who has an account.
    flash(
        _("If an account uses this address, a link to reset its password is on its way."),
        "notice",
    )
    return redirect(url_for("accounts.login"))


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def reset(token: str):
    user = accounts.user_for_reset(token[:500])
    if user is None:
        return render_template("accounts/reset.html", form=None), 400
    form = ResetForm(account_email=user.email)
    if form.validate_on_submit():
        try:
            accounts.reset_password(user, form.new_password.data)
        except InvalidInput as error:
            form.refuse(error)
        else:
            flash(_("Your password has been changed. You can sign in now."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200


@bp.route("/join", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(JOIN_LIMIT, methods=["POST"])
def join():
    form = JoinForm()
    if request.method == "POST" and (
        form.website.data or not joining.stamp_is_plausible(form.stamp.data)
    ):
        form.form_errors.append(str(joining.REFUSED))
        return _join_page(form, 400)
    if not form.validate_on_submit():
        return _join_page(form, 400 if form.errors else 200)
    try:
        joining.ask_for_access(
            joining.Application(
                name=form.name.data,
                email=form.email.data,
                city=form.city.data,
                position=form.position.data,
                reason=form.reason.data,
                language=current_language(),
            )
        )
    except InvalidInput as error:
        form.refuse(error)
        return _join_page(form, 400)
    flash(
        _(
            "Thank you: your request is with the network's staff. You will hear from them by "
            "e-mail, usually within a few working days."
        ),
        "success",
    )
    return redirect(url_for("home.index"), 303)


def _join_page(form: JoinForm, status: int):
    form.stamp.data = joining.form_stamp()  # the time to fill it in counts from now
    lang = current_language()
    names = sorted(city.display_name(lang) for city in queries.cities())
    return render_template("accounts/join.html", form=form, city_names=names), status
