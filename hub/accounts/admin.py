"""Administration: accounts and roles, invitations, requests for access, the audit log and the
mail outbox."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from hub import web
from hub.accounts import joining, queries
from hub.accounts import operations as accounts
from hub.accounts.forms import ApproveForm, DeclineForm, DisableForm, InviteForm, RoleForm
from hub.accounts.models import AccessStatus, Role, User
from hub.accounts.schemas import AuditQuery
from hub.audit import AuditAction
from hub.cities.models import City
from hub.errors import HubError, InvalidInput, NotFound
from hub.extensions import db
from hub.forms import options
from hub.i18n import current_language
from hub.i18n import gettext as _
from hub.mail.models import MailStatus
from hub.security.access import ADMIN, STAFF, allow

bp = Blueprint("admin", __name__, url_prefix="/<lang:lang>/admin", template_folder="templates")


def _city_choices(cities: list[City]) -> list[SelectChoice]:
    lang = current_language()
    return options([("", "—")] + [(city.slug, city.display_name(lang)) for city in cities])


def _users_page(invite_form: InviteForm, status: int = 200):
    people = queries.people()
    choices = _city_choices(queries.cities())
    invite_form.city.choices = choices
    role_forms = {}
    for person in people:
        form = RoleForm(
            formdata=None, role=person.role.value, city=person.city.slug if person.city else ""
        )
        form.city.choices = choices
        role_forms[person.id] = form
    page = render_template(
        "admin/users.html",
        people=people,
        invite_form=invite_form,
        role_forms=role_forms,
        disable_form=DisableForm(formdata=None),
    )
    return page, status


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("There is no such account."))
    return user


@bp.get("/users")
@allow(ADMIN)
def users():
    return _users_page(InviteForm(formdata=None))


@bp.post("/users")
@allow(ADMIN)
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = accounts.invite(
                form.email.data,
                form.role.data,
                city_slug=form.city.data or None,
                name=form.name.data or "",
                actor=current_user,
            )
        except InvalidInput as error:
            form.refuse(error)
        else:
            flash(
                _("%(email)s is invited: a link to choose a password was sent.", email=user.email),
                "success",
            )
            return redirect(url_for("admin.users"), 303)
    return _users_page(form, 400)


@bp.post("/users/<id:user_id>/role")
@allow(ADMIN)
def change_role(user_id: int):
    user = _user(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return web.refused(InvalidInput(form.problems()), url_for("admin.users"))
    try:
        accounts.set_role(user, form.role.data, form.city.data or None, current_user)
    except HubError as error:
        return web.refused(error, url_for("admin.users"))
    flash(_("The role of %(email)s is now saved.", email=user.email), "success")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<id:user_id>/disable")
@allow(ADMIN)
def disable(user_id: int):
    user = _user(user_id)  # DisableForm has no field but its CSRF token, checked for every POST
    try:
        accounts.disable(user, current_user)
    except HubError as error:
        return web.refused(error, url_for("admin.users"))
    flash(_("%(email)s can no longer sign in.", email=user.email), "success")
    return redirect(url_for("admin.users"), 303)


@bp.get("/audit")
@allow(ADMIN)
def audit_log():
    try:
        filters = web.parse_args(AuditQuery)
    except InvalidInput as error:
        filters, problems = AuditQuery(), error.errors
    else:
        problems = {}
    events = [] if problems else queries.audit_events(filters)
    page = render_template(
        "admin/audit.html",
        events=events,
        actions=list(AuditAction),
        filters=filters,
        problems=problems,
    )
    return page, 400 if problems else 200


@bp.get("/mail")
@allow(ADMIN)
def mail_outbox():
    return render_template(
        "admin/mail.html",
        messages=queries.recent_mail(),
        counts=queries.mail_counts(),
        statuses=list(MailStatus),
        smtp_configured=bool(current_app.config.get("MAIL_SERVER")),
    )


# --- Requests for access ------------------------------------------------------------------------


@bp.get("/access-requests")
@allow(STAFF)
def access_requests():
    waiting, decided = queries.access_requests()
    choices = _city_choices(queries.cities())
    approve_forms = {}
    for access in waiting:
        role = Role.focal_point if access.city else Role.practitioner
        form = ApproveForm(
            formdata=None, role=role.value, city=access.city.slug if access.city else ""
        )
        form.role.choices = options((r.value, r.label) for r in joining.GRANTABLE)
        form.city.choices = choices
        approve_forms[access.id] = form
    return render_template(
        "admin/access_requests.html",
        waiting=waiting,
        decided=decided,
        approve_forms=approve_forms,
        decline_form=DeclineForm(formdata=None),
        pending=AccessStatus.pending,
    )


@bp.post("/access-requests/<id:request_id>/approve")
@allow(STAFF)
def approve_access(request_id: int):
    access = joining.access_request(request_id)
    form = ApproveForm()
    back = url_for("admin.access_requests")
    try:
        user = joining.approve(access, form.role.data, form.city.data or None, current_user)
    except HubError as error:
        return web.refused(error, back)
    flash(
        _("%(email)s is invited: a link to choose a password was sent.", email=user.email),
        "success",
    )
    return redirect(back, 303)


@bp.post("/access-requests/<id:request_id>/decline")
@allow(STAFF)
def decline_access(request_id: int):
    access = joining.access_request(request_id)
    form = DeclineForm()
    back = url_for("admin.access_requests")
    if not form.validate_on_submit():
        return web.refused(InvalidInput(form.problems()), back)
    try:
        joining.decline(access, current_user, form.notify.data, form.note.data or "")
    except HubError as error:
        return web.refused(error, back)
    flash(_("The request of %(email)s is declined.", email=access.email), "success")
    return redirect(back, 303)
