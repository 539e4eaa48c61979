"""The sitemap, robots.txt and every page's canonical and hreflang links, parsed as XML."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from lxml import etree

from hub.cities.models import City, Theme
from hub.extensions import db
from hub.i18n import LANGUAGES
from tests.syndication.conftest import page

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
HREFLANGS = {*LANGUAGES, "x-default"}


def public_pages(app, cases, webinars) -> list[str]:
    with app.app_context():
        cities = list(db.session.scalars(sa.select(City.slug)))
        themes = list(db.session.scalars(sa.select(Theme.slug)))
    pages = ["/", "/themes", "/cases", "/webinars", "/cities", "/network", "/exchanges"]
    pages += ["/about", "/contact", "/privacy"]
    pages += [f"/cases/{case.slug}" for case in cases]
    pages += [f"/webinars/{webinar.slug}" for webinar in webinars]
    pages += [f"/cities/{slug}" for slug in cities] + [f"/themes/{slug}" for slug in themes]
    return pages


def test_the_sitemap_lists_every_public_page_in_each_language(content_app, client, cases, webinars):
    answer = client.get("/sitemap.xml")
    assert answer.status_code == 200
    assert answer.mimetype == "application/xml"
    root = etree.fromstring(answer.data)
    entries = root.findall("s:url", NS)
    listed = [urlsplit(entry.findtext("s:loc", namespaces=NS)).path for entry in entries]
    expected = [
        f"/{lang}{path}"
        for path in public_pages(content_app, cases, webinars)
        for lang in LANGUAGES
    ]
    assert sorted(listed) == sorted(expected)
    for entry, path in zip(entries, listed, strict=True):
        alternates = {
            link.get("hreflang"): urlsplit(link.get("href")).path
            for link in entry.findall("x:link", NS)
        }
        assert set(alternates) == HREFLANGS
        lang, rest = path[1:3], path[3:]
        assert alternates[lang] == path  # each lists itself among its alternates
        assert alternates["x-default"] == f"/en{rest}"
        assert all(alternates[other] == f"/{other}{rest}" for other in LANGUAGES)
    for case in cases:
        entry = next(
            e
            for e in entries
            if e.findtext("s:loc", namespaces=NS).endswith(f"/en/cases/{case.slug}")
        )
        assert entry.findtext("s:lastmod", namespaces=NS) >= case.published_on.isoformat()
    for path in listed[:: len(LANGUAGES) * 3]:  # a sample answers
        assert client.get(path).status_code == 200, path


def robots_rules(text: str) -> tuple[list[re.Pattern], list[str]]:
    """The Disallow patterns as regular expressions (RFC 9309: `*` any run, `$` the end)."""
    patterns, sitemaps = [], []
    for line in text.splitlines():
        field, _, value = line.partition(":")
        value = value.strip()
        if field.lower() == "disallow" and value:
            regex = re.escape(value).replace(r"\*", ".*")
            regex = regex[:-2] + "$" if regex.endswith(r"\$") else regex
            patterns.append(re.compile(regex))
        elif field.lower() == "sitemap":
            sitemaps.append(value)
    return patterns, sitemaps


def test_robots_keeps_crawlers_out_of_sign_in_publishing_admin_and_api_writes(client, cases):
    answer = client.get("/robots.txt")
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain"
    patterns, sitemaps = robots_rules(answer.get_data(as_text=True))
    assert [urlsplit(address).path for address in sitemaps] == ["/sitemap.xml"]

    def blocked(path: str) -> bool:
        return any(pattern.match(path) for pattern in patterns)

    for lang in LANGUAGES:
        for path in [
            "/login",
            "/password-reset",
            "/account/password",
            "/publishing/",
            "/publishing/cases/new",
            "/publishing/cases/3",
            "/admin/users",
            "/exchanges/mine",
            "/exchanges/staff",
            "/exchanges/12",
            "/cities/mombasa/edit",
        ]:
            assert blocked(f"/{lang}{path}"), path
        for path in [
            "/",
            "/cases",
            f"/cases/{cases[0].slug}",
            "/cities/mombasa",
            "/exchanges",
            "/themes/youth",
            "/cases.atom",
            "/webinars.ics",
            "/search",
        ]:
            assert not blocked(f"/{lang}{path}"), path
    for path in [
        "/api/v1/cases",
        "/api/v1/webinars/4",
        "/api/v1/exchange-requests",
        "/api/v1/exchange-requests/3/submit",
        "/api/v1/matching-rounds",
    ]:
        assert blocked(path), path
    assert not blocked("/api/v1/search")
    assert not blocked("/sitemap.xml")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_public_page_names_its_canonical_address_and_its_languages(
    content_app, client, cases, webinars, lang
):
    for path in public_pages(content_app, cases, webinars):
        tree = page(client, f"/{lang}{path}")
        (canonical,) = tree.xpath('//head/link[@rel="canonical"]/@href')
        assert urlsplit(canonical).path == f"/{lang}{path}"
        assert urlsplit(canonical).scheme in ("http", "https")
        alternates = {
            link.get("hreflang"): urlsplit(link.get("href")).path
            for link in tree.xpath('//head/link[@rel="alternate"][@hreflang]')
        }
        assert alternates == {
            **{other: f"/{other}{path}" for other in LANGUAGES},
            "x-default": f"/en{path}",
        }


def test_the_canonical_address_keeps_the_page_but_not_the_filters(client):
    tree = page(client, "/fr/cases?theme=youth&evidence=monitored")
    (canonical,) = tree.xpath('//head/link[@rel="canonical"]/@href')
    assert urlsplit(canonical).path == "/fr/cases"
    assert urlsplit(canonical).query == ""


def test_an_error_page_names_no_canonical_address(client):
    answer = client.get("/en/cases/no-such-case")
    assert answer.status_code == 404
    assert 'rel="canonical"' not in answer.get_data(as_text=True)
