"""HTTP caching of the public reading pages for anonymous readers.

A reader page's validator is a weak ETag built from what the page depends on: the generation
(every committed change a reader may see), the address (language, path and query) and the build
(a deploy may change any page). A reader who sends it back in `If-None-Match` gets a 304 before
the page's own queries run, so revalidating costs one small query. HTML is `no-cache`: kept, but
asked about each time, so a change is seen at once.

Signed-in people never get a validator or a shared-cacheable answer (`hub.security` marks their
pages `no-store`), and neither does a page that shows flashed messages. A page holding a form
(its CSRF token belongs to the reader's session) is `private`, and its validator also names the
session's token and a time window, so that a 304 never hands back a token that another session
owns or that has expired.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TypeVar

from flask import current_app, g, request, session

from hub import generation
from hub.extensions import db

# Files whose change makes a new build: code, templates, styles and the compiled catalogs.
BUILD_SUFFIXES = (".py", ".html", ".css", ".svg", ".js", ".mo")
CSRF_FIELD = "csrf_token"
# What the caches may do with a page every anonymous reader gets alike, and with one that
# carries this reader's form token.
SHARED = "public, no-cache"
PRIVATE = "private, no-cache"
# A flashed message is shown once: that page is not kept at all.
UNCACHED = "no-store"

T = TypeVar("T")

_builds: dict[str, str] = {}


def build_id() -> str:
    """What identifies this deploy: HUB_BUILD_ID when set, else a digest of the hub's code,
    templates, static files and catalogs (computed once per process)."""
    configured = current_app.config.get("BUILD_ID")
    if configured:
        return str(configured)
    root = Path(current_app.root_path)
    key = str(root)
    if key not in _builds:
        digest = hashlib.sha256()
        for folder in (root, root.parent / "translations"):
            for path in sorted(folder.rglob("*")):
                if path.suffix in BUILD_SUFFIXES and path.is_file():
                    digest.update(str(path.relative_to(folder)).encode())
                    digest.update(path.read_bytes())
        _builds[key] = digest.hexdigest()[:16]
    return _builds[key]


def _signed_in() -> bool:
    return "_user_id" in session


def _has_flashes() -> bool:
    return bool(session.get("_flashes"))


def _csrf_window() -> int:
    """The half of the token's lifetime we are in: a 304 inside it hands back a token at most
    half its lifetime old."""
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600) or 0
    return int(time.time() // max(1, limit // 2)) if limit else 0


def _tag(*, with_form: bool) -> str:
    parts = [build_id(), str(generation.current()), request.full_path]
    if with_form:
        parts += [session.get(CSRF_FIELD, ""), str(_csrf_window())]
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:24]


def reader_page(view: Callable) -> Callable:
    """Answer an anonymous reader who has the current page with a 304, before the view runs;
    give the page the validator and cache headers it should carry."""

    @wraps(view)
    def answer(*args, **kwargs):
        if _signed_in() or _has_flashes():
            response = current_app.make_response(view(*args, **kwargs))
            if not _signed_in():
                response.headers["Cache-Control"] = UNCACHED
                response.vary.add("Cookie")
            return response
        sent = request.if_none_match
        if sent:
            forms = (False, True) if CSRF_FIELD in session else (False,)
            for with_form in forms:
                tag = _tag(with_form=with_form)
                if sent.contains_weak(tag):
                    return _headed(current_app.response_class(status=304), tag, with_form)
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code != 200 or _signed_in():
            return response
        with_form = CSRF_FIELD in g  # the page asked for a form token
        return _headed(response, _tag(with_form=with_form), with_form)

    return answer


def _headed(response, tag: str, with_form: bool):
    response.set_etag(tag, weak=True)
    response.headers["Cache-Control"] = PRIVATE if with_form else SHARED
    response.vary.add("Cookie")
    return response


# --- Values computed once per generation ---------------------------------------------------------

MEMO = "hub.caching.memo"
# Past this many values (filter combinations of a count, say) the oldest half is dropped.
MEMO_ENTRIES = 2048


def per_generation(key: tuple, compute: Callable[[], T]) -> T:
    """`compute()` for `key`, computed once per generation in this process: a value derived
    from the database (a count, the years that have cases) is the same until a change commits.
    Each app keeps its own, so that two databases in one process never share one. A
    transaction that has written computes afresh: what it sees is not committed yet."""
    if db.session.info.get(generation.COUNTED):
        return compute()
    now = generation.current()
    memo = current_app.extensions.get(MEMO)
    if memo is None or memo[0] != now:
        memo = (now, {})
        current_app.extensions[MEMO] = memo
    values = memo[1]
    if key not in values:
        if len(values) >= MEMO_ENTRIES:
            for old in list(values)[: MEMO_ENTRIES // 2]:
                del values[old]
        values[key] = compute()
    return values[key]
