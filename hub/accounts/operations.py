"""Accounts: creating people, passwords and their reset links, roles, invitations, API tokens.

Functions flush at most, never commit, and raise the hub's errors: a request's lifecycle commits
when its answer is below 400, and the command line commits itself.
"""

from __future__ import annotations

import secrets
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hub import audit, mail, web
from hub.accounts.models import ApiToken, Role, User, new_session_key
from hub.accounts.schemas import check_email
from hub.audit import AuditAction
from hub.cities.models import City
from hub.database import utcnow
from hub.errors import InvalidInput, NotAllowed
from hub.extensions import db
from hub.i18n import gettext as _
from hub.i18n import lazy_gettext as _l
from hub.security import token_digest
from hub.security.passwords import hash_password, password_problem, verify_password

RESET_LINK_MAX_AGE = 60 * 60  # seconds a password-reset link stays valid
# Longer input than this is refused by the password policy without being hashed.
MAX_PASSWORD_INPUT = 2048


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(db.select(User).filter_by(email=normalize_email(email)))


def create_user(
    email: str,
    role: Role | str,
    password: str | None = None,
    city_slug: str | None = None,
    name: str = "",
) -> User:
    """A new account; every problem with the input is reported at once, by field."""
    problems = {}
    try:
        email = check_email(email)
    except ValueError as error:
        problems["email"] = error.args[0]
    else:
        if find_user(email) is not None:
            problems["email"] = _l("An account with this e-mail address exists already.")
    try:
        role, city = _role_and_city(role, city_slug)
    except InvalidInput as error:
        problems.update(error.errors)
    if password is not None and (problem := password_problem(password, email)) is not None:
        problems["password"] = problem
    if problems:
        raise InvalidInput(problems)
    user = User(email=email, name=name.strip()[:200], role=role, city=city)
    if password is not None:
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _role_and_city(role: Role | str, city_slug: str | None) -> tuple[Role, City | None]:
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput({"role": _l("Unknown role.")}) from None
    if role != Role.focal_point:
        return role, None
    city = db.session.scalar(db.select(City).filter_by(slug=city_slug or ""))
    if city is None:
        raise InvalidInput({"city": _l("A focal point belongs to a city: choose one.")})
    return role, city


def set_role(user: User, role: Role | str, city_slug: str | None, actor: User | None) -> None:
    role, city = _role_and_city(role, city_slug)
    before = {"role": str(user.role), "city": user.city.slug if user.city else None}
    user.role, user.city = role, city
    after = {"role": str(role), "city": city.slug if city else None}
    if before != after:
        audit.record(AuditAction.role_change, f"user:{user.id}", before, after, actor=actor)


def invite(
    email: str, role: Role | str, city_slug: str | None, name: str, actor: User | None
) -> User:
    """A new account without a password, and a mail with a link to choose one."""
    user = create_user(email, role, city_slug=city_slug, name=name)
    link = web.external_url("accounts.reset", token=reset_token(user))
    mail.send(
        user.email,
        _("You are invited to the cities knowledge hub"),
        _("Open this link within an hour to choose your password:\n\n%(link)s", link=link),
    )
    audit.record(
        AuditAction.invited,
        f"user:{user.id}",
        after={"role": str(user.role), "email": user.email},
        actor=actor,
    )
    return user


def set_password(user: User, password: str) -> None:
    problem = password_problem(password, user.email)
    if problem is not None:
        raise InvalidInput({"password": problem})
    user.password_hash = hash_password(password)
    user.session_key = new_session_key()  # every other session of this user ends


def change_password(user: User, current: str, new: str) -> None:
    """A signed-in person's new password, if they know the current one."""
    matches, _upgraded = verify_password(user.password_hash, current)
    if not matches:
        raise InvalidInput({"current_password": _l("Your current password is not right.")})
    set_password(user, new)
    audit.record(AuditAction.password_changed, f"user:{user.id}", actor=user)
    revoke_tokens(user)  # a token made with the old password may be in the wrong hands too


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, upgrading an outdated hash on the way."""
    user = find_user(email)
    if user is None or not user.active:
        # Spend the same time as a real check, so the answer does not tell who has an account.
        verify_password(_dummy_hash(current_app.config.get("PASSWORD_HASHING")), password)
        return None
    matches, upgraded = verify_password(user.password_hash, password)
    if not matches:
        return None
    if upgraded:
        user.password_hash = upgraded
    return user


@cache
def _dummy_hash(profile: str | None) -> str:
    """A hash of nothing, made with the profile in use (`profile` keys the cache)."""
    return hash_password(secrets.token_urlsafe(16))


def disable(user: User, actor: User | None) -> None:
    if actor is not None and user.id == actor.id:
        raise NotAllowed(_l("You cannot disable your own account."))
    user.active = False
    user.session_key = new_session_key()
    audit.record(
        AuditAction.account_disabled, f"user:{user.id}", {"active": True}, {"active": False}, actor
    )


# --- Password reset links -----------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def reset_token(user: User) -> str:
    """A link token that works once: it carries the session key, which the reset changes."""
    return _serializer().dumps({"user": user.id, "key": user.session_key})


def user_for_reset(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=RESET_LINK_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or user.session_key != data.get("key"):
        return None
    return user


def request_reset(email: str) -> None:
    """Mail a reset link to the account with this address, if there is an active one.

    The caller answers the same either way, so the answer does not tell who has an account.
    """
    user = find_user(email)
    if user is None or not user.active:
        return
    link = web.external_url("accounts.reset", token=reset_token(user), lang=user.preferred_language)
    mail.send(
        user.email,
        _("Reset your password"),
        _("Open this link within an hour to choose a new password:\n\n%(link)s", link=link),
    )


def reset_password(user: User, new: str) -> None:
    set_password(user, new)
    audit.record(AuditAction.password_reset, f"user:{user.id}", actor=user)
    revoke_tokens(user)


def sign_out(user: User) -> None:
    """End every session of `user` on the server: a copied cookie no longer signs anyone in."""
    user.session_key = new_session_key()


# --- API tokens ----------------------------------------------------------------------------------


def issue_token(user: User, actor: User | None = None) -> str:
    """A new personal API token; only its digest is stored, so it is shown this once."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, digest=token_digest(token)))
    audit.record(AuditAction.token_issued, f"user:{user.id}", actor=actor or user)
    return token


def revoke_tokens(user: User, actor: User | None = None) -> int:
    tokens = db.session.scalars(db.select(ApiToken).filter_by(user_id=user.id, revoked_at=None))
    count = 0
    for token in tokens:
        token.revoked_at = utcnow()
        count += 1
    audit.record(
        AuditAction.token_revoked, f"user:{user.id}", after={"revoked": count}, actor=actor or user
    )
    return count
