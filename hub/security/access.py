"""Who may use each view, declared on the view itself.

Every view carries one policy (`@allow(PUBLIC)`, `@allow(STAFF)`, ...). `tests/test_access.py`
walks `app.url_map` and fails for a view without one, and checks each answer for each role.
Refusals are written to the audit log. A record a reader may not see is a 404 (see
`not_found_for`), so that its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from hub import audit
from hub.accounts.models import Role
from hub.audit import AuditAction
from hub.web import is_api_request

PUBLIC = "public"  # anyone
SIGNED_IN = "signed_in"  # any signed-in person
FOCAL_POINT = "focal_point"  # focal points (their own city only, checked per record), staff
STAFF = "staff"  # network staff and admins
ADMIN = "admin"  # admins
POLICIES = (PUBLIC, SIGNED_IN, FOCAL_POINT, STAFF, ADMIN)

ALLOWED_ROLES = {
    SIGNED_IN: set(Role),
    FOCAL_POINT: {Role.focal_point, Role.staff, Role.admin},
    STAFF: {Role.staff, Role.admin},
    ADMIN: {Role.admin},
}
ATTRIBUTE = "hub_policy"
# Endpoints Flask registers itself.
BUILT_IN = {"static": PUBLIC}


def policy_of(view: Callable) -> str | None:
    return getattr(view, ATTRIBUTE, None)


def permitted(policy: str, user) -> bool:
    if policy == PUBLIC:
        return True
    return bool(user and user.is_authenticated and user.role in ALLOWED_ROLES[policy])


def allow(policy: str) -> Callable:
    """Declare and enforce who may use a view."""
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not permitted(policy, current_user):
                return refuse(policy)
            return view(*args, **kwargs)

        setattr(guarded, ATTRIBUTE, policy)
        return guarded

    return decorate


def refuse(policy: str):
    """Anonymous readers are asked to sign in (a page) or get a 401 (the API, whose envelope and
    `WWW-Authenticate` header `hub.web` adds); others are refused, and it is written down."""
    if not current_user.is_authenticated:
        if is_api_request():
            abort(401)
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    audit.record(AuditAction.permission_denied, target=request.path, after={"policy": policy})
    abort(403)


def not_found_for(target: str):
    """Refuse a record the user may not see as if it did not exist, and write it down."""
    if current_user.is_authenticated:
        audit.record(AuditAction.permission_denied, target=target, after={"path": request.path})
    abort(404)


def can_manage_city(user, city_id: int | None) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_staff or (user.role == Role.focal_point and user.city_id == city_id)


def unguarded_endpoints() -> list[str]:
    """Endpoints without a declared policy: the access test fails on any."""
    return sorted(
        endpoint
        for endpoint, view in current_app.view_functions.items()
        if endpoint not in BUILT_IN and policy_of(view) is None
    )
