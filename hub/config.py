"""Defaults; every one can be overridden by a `HUB_<NAME>` environment variable."""

PER_PAGE = 10
# Uploads are not a feature yet; nothing a form sends needs more than this.
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
BABEL_DEFAULT_LOCALE = "en"
BABEL_DEFAULT_TIMEZONE = "UTC"
# A connection is tested before use, so one left stale by a database restart is replaced
# instead of failing the first request that draws it.
SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Login throttling counts: memory suits one process; set HUB_RATELIMIT_STORAGE_URI to
# redis://127.0.0.1:6379 when several workers or nodes must share them.
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
# While Redis is away, each process counts in its own memory (sign-in stays throttled, never a
# 500) and says so in the log; it goes back to Redis when Redis answers again.
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
RATELIMIT_SWALLOW_ERRORS = True
# A Redis that does not answer (a host down, not a refused port) costs a request half a second
# at most, not the operating system's TCP timeout: redis-py waits for ever by default.
RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}  # seconds
# Flask-Limiter keeps the last app's setting when a config does not say (one extension object).
RATELIMIT_ENABLED = True
# argon2 work per password hash: "default" (argon2-cffi's, OWASP-grade); tests use "fast".
PASSWORD_HASHING = "default"
