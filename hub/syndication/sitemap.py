"""`/sitemap.xml`: every public page in each language, with its hreflang alternates; and
`/robots.txt`, which points to it and keeps crawlers out of what is not public reading."""

from __future__ import annotations

import re
from datetime import date
from itertools import product

from flask import Blueprint, Response, current_app, redirect, url_for
from lxml import etree
from werkzeug.routing import Rule

from hub.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hub.pages.views import PAGES
from hub.security.access import PUBLIC, allow, policy_of
from hub.syndication import queries
from hub.web import external_url

bp = Blueprint("sitemap", __name__)

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
# Public pages without a record of their own.
LISTINGS = (
    "home.index",
    "home.themes",
    "cases.index",
    "webinars.index",
    "cities.index",
    "atlas.network",
    "exchanges.board",
)
_PART = re.compile(r"<(?:([a-zA-Z_][\w]*)(?:\((.*?)\))?:)?(\w+)>")


@bp.get("/sitemap.xml")
@allow(PUBLIC)
def sitemap():
    records = queries.public_records()
    root = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP, "xhtml": XHTML})
    for endpoint in LISTINGS:
        _add(root, endpoint, {})
    for page in PAGES:
        _add(root, "pages.page", {"page": page})
    for slug, changed in records.cases:
        _add(root, "cases.detail", {"slug": slug}, changed)
    for slug, changed in records.webinars:
        _add(root, "webinars.detail", {"slug": slug}, changed)
    for slug in records.cities:
        _add(root, "cities.detail", {"slug": slug})
    for slug in records.themes:
        _add(root, "home.theme", {"slug": slug})
    body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return Response(body, mimetype="application/xml")


def _add(root, endpoint: str, values: dict, changed: date | None = None) -> None:
    """One <url> per language, each listing every language's address (itself included)."""
    addresses = {lang: external_url(endpoint, lang=lang, **values) for lang in LANGUAGES}
    for lang in LANGUAGES:
        url = etree.SubElement(root, f"{{{SITEMAP}}}url")
        etree.SubElement(url, f"{{{SITEMAP}}}loc").text = addresses[lang]
        if changed is not None:
            etree.SubElement(url, f"{{{SITEMAP}}}lastmod").text = changed.isoformat()
        for other, address in [*addresses.items(), ("x-default", addresses[DEFAULT_LANGUAGE])]:
            etree.SubElement(url, f"{{{XHTML}}}link", rel="alternate", hreflang=other, href=address)


@bp.get("/robots.txt")
@allow(PUBLIC)
def robots():
    lines = ["User-agent: *"]
    lines += [f"Disallow: {pattern}" for pattern in closed_paths()]
    lines += ["", f"Sitemap: {external_url('sitemap.sitemap')}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/favicon.ico")
@allow(PUBLIC)
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), 301)


def closed_paths() -> list[str]:
    """A robots.txt pattern for every route that is not public reading: sign-in and accounts,
    what needs a role (publishing, admin, exchanges, the API's protected reads), and every
    route that only writes. Patterns end with `$`, so no public page shares one."""
    found: list[str] = []
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = current_app.view_functions[rule.endpoint]
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        if policy_of(view) == PUBLIC and "GET" in methods and not _is_accounts(rule):
            continue
        for pattern in _patterns(rule):
            if pattern not in found:
                found.append(pattern)
    return sorted(found)


def _is_accounts(rule: Rule) -> bool:
    return rule.endpoint.startswith("accounts.")


def _patterns(rule: Rule) -> list[str]:
    """The rule as robots.txt patterns: languages and `any(...)` choices spelled out, other
    parts as `*`."""
    pieces: list[list[str]] = []
    position = 0
    for match in _PART.finditer(rule.rule):
        pieces.append([rule.rule[position : match.start()]])
        converter, arguments, _name = match.groups()
        if converter == "lang":
            pieces.append(list(LANGUAGES))
        elif converter == "any":
            pieces.append([choice.strip() for choice in arguments.split(",")])
        else:
            pieces.append(["*"])
        position = match.end()
    pieces.append([rule.rule[position:]])
    return ["".join(parts) + "$" for parts in product(*pieces)]
