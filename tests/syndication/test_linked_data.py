"""schema.org JSON-LD, Open Graph previews, meta descriptions and the favicon."""

from __future__ import annotations

import json
from datetime import date

import pytest

from hub.i18n import LANGUAGES
from tests.syndication.conftest import page
from tests.syndication.test_sitemap import public_pages


def linked_data(tree) -> dict:
    (block,) = tree.xpath('//head/script[@type="application/ld+json"]')
    found = json.loads(block.text)
    assert found["@context"] == "https://schema.org"
    return found


def canonical(tree) -> str:
    return tree.xpath('//head/link[@rel="canonical"]/@href')[0]


def is_date(value: str) -> bool:
    date.fromisoformat(value[:10])
    return True


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_case_is_an_article(client, cases, lang):
    for case in cases:
        tree = page(client, f"/{lang}/cases/{case.slug}")
        found = linked_data(tree)
        assert found["@type"] == "Article"
        assert found["headline"] == tree.xpath("//h1")[0].text_content().strip()
        assert found["url"] == found["mainEntityOfPage"] == canonical(tree)
        assert found["inLanguage"] in case.languages
        assert is_date(found["datePublished"]) and found["dateModified"] >= found["datePublished"]
        assert found["timeRequired"].startswith("PT") and found["timeRequired"].endswith("M")
        assert found["publisher"]["@type"] == "Organization"
        assert {thing["@type"] for thing in found["about"]} == {"Thing"}
        assert len(found["about"]) == len(case.themes)
        assert all(place["@type"] == "City" for place in found["spatialCoverage"])
        if found["inLanguage"] != case.original_language:
            assert found["translationOfWork"]["inLanguage"] == case.original_language


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_webinar_is_an_event(client, webinars, lang):
    for webinar in webinars:
        found = linked_data(page(client, f"/{lang}/webinars/{webinar.slug}"))
        assert found["@type"] == "Event"
        assert found["startDate"].startswith(webinar.starts_on.isoformat()[:7])
        assert found["eventAttendanceMode"].startswith("https://schema.org/")
        assert found["location"]["@type"] in ("VirtualLocation", "Place")
        assert found["name"] and found["description"]
        assert all(person["@type"] == "Person" and person["name"] for person in found["performer"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_city_profile_is_a_city(client, lang):
    tree = page(client, f"/{lang}/cities/mombasa")
    found = linked_data(tree)
    assert found["@type"] == "City"
    assert found["name"] == tree.xpath("//h1")[0].text_content().strip()
    assert found["geo"]["@type"] == "GeoCoordinates"
    assert -5 < found["geo"]["latitude"] < -3 and 39 < found["geo"]["longitude"] < 40
    assert found["address"]["addressCountry"] == "KE"


def test_linked_data_is_data_and_the_policy_still_refuses_inline_script(client, cases):
    answer = client.get(f"/en/cases/{cases[0].slug}")
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    tree = page(client, f"/en/cases/{cases[0].slug}")
    scripts = tree.xpath("//script")
    assert [script.get("type") for script in scripts] == ["application/ld+json"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_public_page_has_a_preview_and_a_description(
    content_app, client, cases, webinars, lang
):
    for path in public_pages(content_app, cases, webinars):
        tree = page(client, f"/{lang}{path}")

        def meta(name: str, attribute: str = "property", tree=tree) -> str:
            (value,) = tree.xpath(f'//head/meta[@{attribute}="{name}"]/@content')
            return value

        assert 20 <= len(meta("description", "name")) <= 300, path
        assert meta("og:title") and meta("og:description") and meta("og:site_name"), path
        assert meta("og:url") == canonical(tree), path
        assert meta("og:locale")[:2] == lang, path
        assert meta("og:type") == ("article" if path.startswith("/cases/") else "website")
    tree = page(client, f"/{lang}/cases/{cases[0].slug}")
    (description,) = tree.xpath('//head/meta[@name="description"]/@content')
    assert description[:40] == tree.xpath('//p[@class="summary"]')[0].text_content()[:40]


def test_the_favicon(client):
    tree = page(client, "/en/")
    (href,) = tree.xpath('//head/link[@rel="icon"]/@href')
    with client.get(href) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert client.get("/favicon.ico").headers["Location"].endswith(href)


def test_a_title_cannot_close_the_linked_data_block(database):
    from tests.conftest import app_with_content

    app = app_with_content(database)
    vector = "</script><script>alert(1)</script><!--"
    with app.app_context():
        from hub.extensions import db
        from hub.publishing.models import CaseStudy

        case = db.session.scalar(
            db.select(CaseStudy).filter_by(slug="saida-local-prevention-network")
        )
        case.original.title = f"Title {vector}"
        db.session.commit()
    tree = page(app.test_client(), "/en/cases/saida-local-prevention-network")
    assert len(tree.xpath("//script")) == 1
    assert linked_data(tree)["headline"] == f"Title {vector}"
