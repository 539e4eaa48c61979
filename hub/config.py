"""Defaults; every one can be overridden by a `HUB_<NAME>` environment variable."""

PER_PAGE = 10
# Uploads are not a feature yet; nothing a form sends needs more than this.
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
BABEL_DEFAULT_LOCALE = "en"
BABEL_DEFAULT_TIMEZONE = "UTC"
SQLALCHEMY_ENGINE_OPTIONS: dict = {}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
