"""Administration: accounts and roles, invitations, the audit log and the mail outbox."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub import audit, mail
from hub.accounts import operations as accounts
from hub.accounts.models import ROLES, MailMessage, User
from hub.audit import AuditEvent
from hub.cities.models import City
from hub.extensions import db
from hub.security.access import ADMIN, allow

bp = Blueprint("admin", __name__, url_prefix="/<lang:lang>/admin", template_folder="templates")

AUDIT_PAGE = 50
AUDIT_ACTIONS = (
    "publish",
    "edit",
    "unpublish",
    "archive",
    "delete",
    "role_change",
    "token_issued",
    "token_revoked",
    "permission_denied",
    "password_changed",
    "password_reset",
    "account_disabled",
    "invited",
)


def _cities() -> list[City]:
    return list(db.session.scalars(db.select(City).order_by(City.name)))


@bp.get("/users")
@allow(ADMIN)
def users():
    people = db.session.scalars(db.select(User).order_by(User.email))
    return render_template("admin/users.html", people=people, roles=ROLES, cities=_cities())


@bp.post("/users")
@allow(ADMIN)
def invite():
    form = request.form
    try:
        user = accounts.create_user(
            form.get("email", "")[:254],
            form.get("role", ""),
            city_slug=form.get("city") or None,
            name=form.get("name", "")[:200],
        )
    except accounts.AccountError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("admin.users")), 303
    link = url_for("accounts.reset", token=accounts.reset_token(user), _external=True)
    mail.send(
        user.email,
        _("You are invited to the cities knowledge hub"),
        _("Open this link within an hour to choose your password:\n\n%(link)s", link=link),
    )
    audit.record("invited", f"user:{user.id}", after={"role": user.role, "email": user.email})
    db.session.commit()
    flash(
        _("%(email)s is invited: a link to choose a password was sent.", email=user.email), "notice"
    )
    return redirect(url_for("admin.users")), 303


@bp.post("/users/<int:user_id>/role")
@allow(ADMIN)
def change_role(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    try:
        accounts.set_role(
            user, request.form.get("role", ""), request.form.get("city") or None, current_user
        )
    except accounts.AccountError as error:
        flash(str(error.message), "error")
        return redirect(url_for("admin.users")), 303
    db.session.commit()
    flash(_("The role of %(email)s is now saved.", email=user.email), "notice")
    return redirect(url_for("admin.users")), 303


@bp.post("/users/<int:user_id>/disable")
@allow(ADMIN)
def disable(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash(_("You cannot disable your own account."), "error")
    else:
        accounts.disable(user, current_user)
        db.session.commit()
        flash(_("%(email)s can no longer sign in.", email=user.email), "notice")
    return redirect(url_for("admin.users")), 303


@bp.get("/audit")
@allow(ADMIN)
def audit_log():
    action = request.args.get("action") or None
    actor = (request.args.get("actor") or "")[:254].strip().lower() or None
    query = db.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)
    if action in AUDIT_ACTIONS:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.join(User, AuditEvent.actor_id == User.id).where(User.email == actor)
    events = db.session.scalars(query)
    return render_template(
        "admin/audit.html", events=events, actions=AUDIT_ACTIONS, action=action, actor=actor or ""
    )


@bp.get("/mail")
@allow(ADMIN)
def mail_outbox():
    messages = db.session.scalars(db.select(MailMessage).order_by(MailMessage.id.desc()).limit(100))
    return render_template("admin/mail.html", messages=messages)
