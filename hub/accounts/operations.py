"""Accounts: creating people, passwords and their reset links, roles, API tokens.

Functions flush, never commit; the view or command commits once.
"""

from __future__ import annotations

import secrets
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hub import audit
from hub.accounts.models import ROLES, ApiToken, User, new_session_key
from hub.cities.models import City
from hub.database import utcnow
from hub.errors import HubError
from hub.extensions import db
from hub.security import token_digest
from hub.security.passwords import hash_password, password_problem, verify_password

RESET_LINK_MAX_AGE = 60 * 60  # seconds a password-reset link stays valid
# Longer input than this is refused by the password policy without being hashed.
MAX_PASSWORD_INPUT = 2048


class AccountError(HubError):
    """An account change that cannot be made; `field` names the input at fault."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(db.select(User).filter_by(email=normalize_email(email)))


def create_user(
    email: str, role: str, password: str | None = None, city_slug: str | None = None, name: str = ""
) -> User:
    from email_validator import EmailNotValidError, validate_email
    from flask_babel import lazy_gettext as _l

    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AccountError("email", _l("Enter a valid e-mail address.")) from None
    if find_user(email) is not None:
        raise AccountError("email", _l("An account with this e-mail address exists already."))
    user = User(email=email, name=name.strip()[:200])
    db.session.add(user)
    set_role(user, role, city_slug, actor=None)
    if password is not None:
        set_password(user, password)
    db.session.flush()
    return user


def set_role(user: User, role: str, city_slug: str | None, actor: User | None) -> None:
    from flask_babel import lazy_gettext as _l

    if role not in ROLES:
        raise AccountError("role", _l("Unknown role."))
    city = None
    if role == "focal_point":
        city = db.session.scalar(db.select(City).filter_by(slug=city_slug or ""))
        if city is None:
            raise AccountError("city", _l("A focal point belongs to a city: choose one."))
    before = {"role": user.role, "city": user.city.slug if user.city else None}
    user.role, user.city = role, city
    after = {"role": role, "city": city.slug if city else None}
    if user.id is not None and before != after:
        audit.record("role_change", f"user:{user.id}", before, after, actor=actor)


def set_password(user: User, password: str) -> None:
    problem = password_problem(password, user.email)
    if problem is not None:
        raise AccountError("password", problem)
    user.password_hash = hash_password(password)
    user.session_key = new_session_key()  # every other session of this user ends


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, upgrading an outdated hash on the way."""
    user = find_user(email)
    if user is None or not user.active:
        # Spend the same time as a real check, so the answer does not tell who has an account.
        verify_password(_dummy_hash(), password)
        return None
    matches, upgraded = verify_password(user.password_hash, password)
    if not matches:
        return None
    if upgraded:
        user.password_hash = upgraded
    return user


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def disable(user: User, actor: User | None) -> None:
    user.active = False
    user.session_key = new_session_key()
    audit.record("account_disabled", f"user:{user.id}", {"active": True}, {"active": False}, actor)


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


def issue_token(user: User, actor: User | None = None) -> str:
    """A new personal API token; only its digest is stored, so it is shown this once."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, digest=token_digest(token)))
    audit.record("token_issued", f"user:{user.id}", actor=actor or user)
    return token


def revoke_tokens(user: User, actor: User | None = None) -> int:
    tokens = db.session.scalars(db.select(ApiToken).filter_by(user_id=user.id, revoked_at=None))
    count = 0
    for token in tokens:
        token.revoked_at = utcnow()
        count += 1
    audit.record("token_revoked", f"user:{user.id}", after={"revoked": count}, actor=actor or user)
    return count
