"""Atom feeds in every language, read by feedparser as a feed reader would."""

from __future__ import annotations

from urllib.parse import urlsplit

import feedparser
import pytest
import sqlalchemy as sa

from hub.cities.models import City, Theme
from hub.extensions import db
from hub.i18n import LANGUAGES
from tests.syndication.conftest import page


def read_feed(client, url: str):
    answer = client.get(url)
    assert answer.status_code == 200, url
    assert answer.mimetype == "application/atom+xml"
    feed = feedparser.parse(answer.data)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    assert feed.version == "atom10"
    return feed


def version_shown(record, lang: str) -> str:
    languages = {text.language for text in record.texts}
    return lang if lang in languages else record.original_language


def title_in(record, language: str) -> str:
    return next(text.title for text in record.texts if text.language == language)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_case_feed_has_every_case_in_the_readers_language_where_it_exists(client, cases, lang):
    feed = read_feed(client, f"/{lang}/cases.atom")
    assert feed.feed.language == lang
    assert urlsplit(feed.feed.link).path == f"/{lang}/cases"
    by_slug = {urlsplit(entry.link).path.rsplit("/", 1)[1]: entry for entry in feed.entries}
    assert sorted(by_slug) == sorted(case.slug for case in cases)
    for case in cases:
        entry = by_slug[case.slug]
        shown = version_shown(case, lang)
        assert entry.title == title_in(case, shown)
        assert entry.summary_detail.language == shown
        assert [link.hreflang for link in entry.links if link.rel == "alternate"] == [shown]
        assert urlsplit(entry.link).path == f"/{lang}/cases/{case.slug}"
        # Its provenance: the original, a translation, or a fallback to the original.
        assert entry.content[0].value.count("<em>") == 1
        assert {tag.term for tag in entry.tags} == {theme.slug for theme in case.themes}
        other = {link.hreflang for link in entry.links if link.rel == "related"}
        assert other == {text.language for text in case.texts} - {shown}
    published = [entry.published_parsed for entry in feed.entries]
    assert published == sorted(published, reverse=True)


def test_a_fallback_entry_says_it_is_the_original(client, cases):
    english_only = next(case for case in cases if "fr" not in case.languages)
    entry = next(
        entry
        for entry in read_feed(client, "/en/cases.atom").entries
        if english_only.slug in entry.link
    )
    assert "Original version, in English." in entry.content[0].value
    french = read_feed(client, "/fr/cases.atom")
    entry = next(entry for entry in french.entries if english_only.slug in entry.link)
    assert entry.summary_detail.language == "en"
    assert urlsplit(entry.link).path == f"/fr/cases/{english_only.slug}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_webinar_feed_in_every_language(client, webinars, lang):
    feed = read_feed(client, f"/{lang}/webinars.atom")
    assert len(feed.entries) == len(webinars)
    for webinar in webinars:
        entry = next(entry for entry in feed.entries if entry.link.endswith("/" + webinar.slug))
        assert entry.title == title_in(webinar, version_shown(webinar, lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_theme_and_city_feeds_hold_what_their_pages_show(content_app, client, cases, lang):
    with content_app.app_context():
        slugs = list(db.session.scalars(sa.select(Theme.slug)))
        cities = list(db.session.scalars(sa.select(City.slug)))
    for slug in slugs:
        feed = read_feed(client, f"/{lang}/themes/{slug}.atom")
        on_theme = {case.slug for case in cases if slug in {theme.slug for theme in case.themes}}
        shown = {
            urlsplit(e.link).path.rsplit("/", 1)[1] for e in feed.entries if "/cases/" in e.link
        }
        assert shown == on_theme, slug
        assert all(slug in {tag.term for tag in entry.tags} for entry in feed.entries)
    for slug in cities:
        feed = read_feed(client, f"/{lang}/cities/{slug}.atom")
        assert urlsplit(feed.feed.link).path == f"/{lang}/cities/{slug}"
    mombasa = read_feed(client, f"/{lang}/cities/mombasa.atom")
    assert any("mombasa-county-action-plan" in entry.link for entry in mombasa.entries)
    assert not any("transatlantic" in entry.link for entry in mombasa.entries)


def test_unknown_theme_or_city_feed_is_a_404(client):
    assert client.get("/en/themes/no-such-theme.atom").status_code == 404
    assert client.get("/en/cities/atlantis.atom").status_code == 404
    assert client.get("/de/cases.atom").status_code == 404


@pytest.mark.parametrize(
    ("url", "feeds"),
    [
        ("/{lang}/", ["/{lang}/cases.atom", "/{lang}/webinars.atom"]),
        ("/{lang}/cases", ["/{lang}/cases.atom"]),
        ("/{lang}/webinars", ["/{lang}/webinars.atom"]),
        ("/{lang}/themes/youth", ["/{lang}/themes/youth.atom"]),
        ("/{lang}/cities/mombasa", ["/{lang}/cities/mombasa.atom"]),
    ],
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_announce_their_feeds(client, url, feeds, lang):
    tree = page(client, url.format(lang=lang))
    announced = tree.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]/@href')
    assert announced == [feed.format(lang=lang) for feed in feeds]
    for href in announced:
        read_feed(client, href)
