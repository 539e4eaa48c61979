"""Passwords: argon2id hashes (argon2-cffi's defaults pass OWASP ASVS 5.0), upgraded from older
schemes at the next sign-in, and a policy that refuses short and common passwords."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from werkzeug.security import check_password_hash

from hub.i18n import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 1024  # long passphrases are welcome; the limit only bounds the hashing work
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")

# argon2-cffi's defaults in production. The test suite sets PASSWORD_HASHING = "fast": the
# minimum work argon2 allows, so hundreds of sign-ins cost milliseconds, not minutes.
HASHERS = {
    "default": PasswordHasher(),
    "fast": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}


def _hasher() -> PasswordHasher:
    profile = current_app.config.get("PASSWORD_HASHING", "default") if has_app_context() else None
    return HASHERS.get(profile or "default", HASHERS["default"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> tuple[bool, str | None]:
    """Whether `password` matches `stored`, and a new hash to store if the old one is outdated
    (an older scheme such as Werkzeug's scrypt/pbkdf2, or weaker argon2 parameters)."""
    if not stored:
        return False, None
    if stored.startswith("$argon2"):
        try:
            hasher = _hasher()
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False, None
        return True, hash_password(password) if hasher.check_needs_rehash(stored) else None
    if stored.startswith(("scrypt:", "pbkdf2:")) and check_password_hash(stored, password):
        return True, hash_password(password)
    return False, None


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str, email: str = "") -> object | None:
    """Why this password cannot be used, or None."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(count)s characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(count)s characters.", count=MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        return _l("This password is too common. Choose one that is hard to guess.")
    if email and lowered == email.lower():
        return _l("Do not use your e-mail address as your password.")
    return None
