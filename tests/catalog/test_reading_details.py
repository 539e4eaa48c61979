"""Details a reader notices: names and dates kept whole in Arabic cards, one heading for the
takeaways, a report form only on a translation, and the themes index."""

from __future__ import annotations

import re

import pytest

from hub.cities.models import Theme
from hub.publishing.models import Webinar
from tests.catalog.test_pages import get, slugs

TAKEAWAY_HEADINGS = {"en": {"Key takeaways"}, "ar": {"أبرز الدروس المستفادة", "النقاط الرئيسية"}}
REPORT = {"en": "Report a problem with this translation", "ar": "الإبلاغ عن مشكلة في هذه الترجمة"}


def headings(page: str, level: int = 2) -> list[str]:
    found = re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", page, re.S)
    return [re.sub(r"<[^>]+>", "", text).strip() for text in found]


def test_arabic_cards_isolate_a_latin_source_name_from_the_date(client):
    """Without isolation the day's digits join the Latin name: "22 · Strong Cities Network مارس"."""
    page = get(client, "/ar/cases")
    card = re.search(
        r"<bdi>Strong Cities Network</bdi> · \s*<bdi><time [^>]*>([^<]+)</time></bdi>", page
    )
    assert card is not None
    assert re.search(r"\d+ \w+ \d{4}", card[1])  # the whole date inside one isolate
    themed = get(client, "/ar/themes/networks-partnerships")
    assert "<bdi>Strong Cities Network</bdi>" in themed


def test_arabic_search_results_isolate_the_city_and_date(client):
    page = get(client, "/ar/search?q=mombasa")
    assert re.search(r'<bdi><a href="/ar/cities/mombasa">[^<]+</a></bdi>', page)
    assert re.search(r" · <bdi>[^<]+</bdi>", page)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_webinar_page_shows_its_takeaways_heading_once(content_app, client, lang):
    for slug in slugs(content_app, Webinar):
        page = get(client, f"/{lang}/webinars/{slug}")
        found = [h for h in headings(page) if h in TAKEAWAY_HEADINGS[lang]]
        assert len(found) == 1, (slug, found)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_report_form_is_offered_on_translations_only(client, lang):
    """The case and the webinar were written in English; Arabic is their translation."""
    for path in (
        "/cases/mombasa-county-action-plan",
        "/webinars/together-for-safety-2022-safe-city-governance",
    ):
        page = get(client, f"/{lang}{path}")
        if lang == "en":
            assert REPORT["en"] not in page and "/reports/" not in page
        else:
            assert REPORT["ar"] in page and 'action="/ar/reports/' in page


@pytest.mark.parametrize(
    "lang, youth, count", [("en", "Youth", "case stud"), ("ar", "الشباب", "دراس")]
)
def test_the_themes_index_links_every_theme_with_its_case_count(
    content_app, client, lang, youth, count
):
    page = get(client, f"/{lang}/themes")
    themes = slugs(content_app, Theme)
    for slug in themes:
        assert f'href="/{lang}/themes/{slug}"' in page
    entry = re.search(
        rf'<a href="/{lang}/themes/youth">([^<]+)</a></h2>\s*<p class="meta">([^<]+)</p>', page
    )
    assert entry[1] == youth and count in entry[2]
    assert f'<a href="/{lang}/themes">' in page  # in the header's navigation
    home = get(client, f"/{lang}/")
    assert f'<a href="/{lang}/themes">' in home
