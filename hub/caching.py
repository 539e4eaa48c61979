"""HTTP caching of the public reading pages for anonymous readers.

A reader page's validator is a weak ETag built from what the page depends on: the generation
(every committed change a reader may see), the address (language, path and query) and the build
(a deploy may change any page). A reader who sends it back in `If-None-Match` gets a 304 before
the page's own queries run, so revalidating costs one small query. HTML is `no-cache`: kept, but
asked about each time, so a change is seen at once. Each process also keeps the pages it
rendered for anonymous readers in the current generation, so the next reader of the same page
costs that one query too.

Signed-in people never get a validator or a shared-cacheable answer (`hub.security` marks their
pages `no-store`), and neither does a page that shows flashed messages. A page holding a form
(its CSRF token belongs to the reader's session) is `private`, and its validator also names the
session's token and a time window, so that a 304 never hands back a token that another session
owns or that has expired. A kept page holds a stand-in where the token goes, and each reader
gets their own token in its place.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import TypeVar

from flask import current_app, g, request, session
from flask_wtf.csrf import generate_csrf

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

PAGES = "hub.caching.pages"
# Rendered pages each process keeps for anonymous readers (HUB_READER_PAGE_CACHE; 0: none):
# a few megabytes. A change empties it.
PAGE_CACHE_ENTRIES = 500
# What a kept page holds where a form's token goes; each reader gets their own in its place.
TOKEN_STAND_IN = "hub-form-token-stand-in"
TOKEN_STAND_IN_BYTES = TOKEN_STAND_IN.encode()


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


def _tag(*, with_form: bool, state: str = "") -> str:
    # The day: a page may say what is upcoming.
    parts = [build_id(), date.today().isoformat(), str(generation.current()), request.full_path]
    parts.append(state)
    if with_form:
        parts += [session.get(CSRF_FIELD, ""), str(_csrf_window())]
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:24]


def _kept_pages() -> OrderedDict[str, bytes] | None:
    """This process's rendered pages of the current generation, least recently used first;
    None when READER_PAGE_CACHE is 0."""
    if not current_app.config.get("READER_PAGE_CACHE", PAGE_CACHE_ENTRIES):
        return None
    now = generation.current()
    kept = current_app.extensions.get(PAGES)
    if kept is None or kept[0] != now:
        kept = (now, OrderedDict())
        current_app.extensions[PAGES] = kept
    return kept[1]


def _keep(pages: OrderedDict[str, bytes], tag: str, body: bytes) -> None:
    pages[tag] = body
    if len(pages) > current_app.config.get("READER_PAGE_CACHE", PAGE_CACHE_ENTRIES):
        pages.popitem(last=False)


def reader_page(
    view: Callable | None = None, *, depends_on: Callable[[], str | None] | None = None
):
    """Answer an anonymous reader who has the current page with a 304, before the view runs,
    and one who has not with the page as rendered for the first reader of this generation (its
    form token made for this reader); give the page its validator and cache headers.

    `depends_on` names what else the page shows besides the database, such as the search
    index read: a string that changes when it does, or None when it cannot be read now (the
    page is then rendered afresh and not kept). `@reader_page` and
    `@reader_page(depends_on=...)` both work."""
    if view is None:
        return lambda view: _reader_page(view, depends_on)
    return _reader_page(view, depends_on)


def _reader_page(view: Callable, depends_on: Callable[[], str | None] | None) -> Callable:
    @wraps(view)
    def answer(*args, **kwargs):
        state = depends_on() if depends_on else ""
        if _signed_in() or _has_flashes() or state is None:
            response = current_app.make_response(view(*args, **kwargs))
            if not _signed_in():
                response.headers["Cache-Control"] = UNCACHED
                response.vary.add("Cookie")
            return response
        sent = request.if_none_match
        if sent:
            forms = (False, True) if CSRF_FIELD in session else (False,)
            for with_form in forms:
                tag = _tag(with_form=with_form, state=state)
                if sent.contains_weak(tag):
                    return _headed(current_app.response_class(status=304), tag, with_form)
        page = _tag(with_form=False, state=state)
        pages = _kept_pages()
        body = pages.get(page) if pages is not None else None
        if body is None:
            # A form on the page gets a stand-in token, replaced below by this reader's.
            setattr(g, CSRF_FIELD, TOKEN_STAND_IN)
            try:
                response = current_app.make_response(view(*args, **kwargs))
            finally:
                g.pop(CSRF_FIELD, None)
            if response.status_code != 200 or response.mimetype != "text/html":
                return response
            body = response.get_data()
            if pages is not None:
                _keep(pages, page, body)
        else:
            pages.move_to_end(page)
        with_form = TOKEN_STAND_IN_BYTES in body
        if with_form:
            body = body.replace(TOKEN_STAND_IN_BYTES, generate_csrf().encode())
        response = current_app.response_class(body, mimetype="text/html")
        return _headed(response, _tag(with_form=with_form, state=state), with_form)

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
