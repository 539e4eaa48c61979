"""Every public page in every language: status, lang/dir, and what a reader must see."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from markupsafe import escape

from hub.cities.models import City, Theme
from hub.exchanges.models import Exchange
from hub.extensions import db
from hub.formatting import event_when
from hub.i18n import LANGUAGES
from hub.publishing.models import CaseStudy, Webinar

NAV = {"en": "Case studies", "ar": "دراسات الحالة", "fr": "Études de cas", "es": "Estudios de caso"}


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page)[0]


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def slugs(app, model) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(model.slug).order_by(model.slug)))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_answers_in_every_language(content_app, client, lang):
    pages = ["/", "/cases", "/webinars", "/cities"]
    pages += [f"/cases/{slug}" for slug in slugs(content_app, CaseStudy)]
    pages += [f"/webinars/{slug}" for slug in slugs(content_app, Webinar)]
    pages += [f"/cities/{slug}" for slug in slugs(content_app, City)]
    pages += [f"/themes/{slug}" for slug in slugs(content_app, Theme)]
    direction = "rtl" if lang == "ar" else "ltr"
    for page in pages:
        body = get(client, f"/{lang}{page}")
        assert html_tag(body) == f'<html lang="{lang}" dir="{direction}">', page
        assert NAV[lang] in body, page


@pytest.mark.parametrize(
    ("header", "target"),
    [("ar,en;q=0.5", "/ar/"), ("es-ES,es;q=0.9", "/es/"), ("fr-CA", "/fr/"), ("de-DE", "/en/"), ("", "/en/")],
)  # fmt: skip
def test_root_sends_the_reader_to_their_language(client, header, target):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 302
    assert response.headers["Location"] == target
    assert "Accept-Language" in response.headers["Vary"]


def test_unknown_language_prefix_is_a_404(client):
    get(client, "/de/cases", 404)
    get(client, "/xx/", 404)


def test_language_switcher_keeps_the_page_and_its_filters(client):
    body = get(client, "/en/cases?theme=youth&evidence=monitored")
    assert 'href="/ar/cases?theme=youth&amp;evidence=monitored"' in body
    body = get(client, "/fr/cities/mombasa")
    assert 'href="/es/cities/mombasa"' in body
    assert 'href="/en/cities/mombasa"' in body


def test_home_page_shows_the_hub_and_its_numbers(content_app, client):
    with content_app.app_context():
        cities = db.session.scalar(db.select(db.func.count(City.id)))
    body = get(client, "/en/")
    assert "Cities learning from cities" in body
    assert re.search(rf"<dt>Cities</dt><dd>{cities}</dd>", body)
    assert "Latest case studies" in body
    assert "Recent webinars and events" in body
    assert "No webinars are scheduled at the moment." in body  # every seed event is past
    assert "Together for Safety" in body
    assert 'href="/en/themes/hate-speech"' in body
    ar = get(client, "/ar/")
    assert "خطاب الكراهية" in ar


def test_case_page_in_english(client):
    body = get(client, "/en/cases/mombasa-county-action-plan")
    assert "<h1>" in body and "Mombasa" in body
    assert 'href="/en/cities/mombasa"' in body
    assert "Large city" in body  # Mombasa's size band next to it
    assert "Published March 25, 2022" in body
    minutes = int(re.search(r"(\d+) minutes? read", body)[1])
    assert minutes >= 1
    assert "Monitored" in body
    for heading in ("What was done", "Results", "What did not work"):
        assert f">{heading}</h2>" in body
    # The other versions, with the machine-made ones marked.
    translations = re.search(r'<nav class="translations".*?</nav>', body, re.S)[0]
    assert 'href="/ar/cases/mombasa-county-action-plan"' in translations
    assert 'href="/fr/cases/mombasa-county-action-plan"' in translations
    assert translations.count("machine translation") == 2  # French and Spanish
    assert "Related case studies" in body


def test_case_page_in_arabic_shows_the_arabic_version(content_app, client):
    with content_app.app_context():
        case = db.session.scalar(db.select(CaseStudy).filter_by(slug="mombasa-county-action-plan"))
        arabic_title = case.text_in("ar").title
    body = get(client, "/ar/cases/mombasa-county-action-plan")
    assert arabic_title in body
    assert "ترجمة آلية" in body  # the machine-made French and Spanish versions are marked


def test_machine_translated_version_says_so(client):
    body = get(client, "/fr/cases/mombasa-county-action-plan")
    assert "traduite automatiquement" in body


def test_case_missing_in_the_readers_language_falls_back_with_a_notice(client):
    body = get(client, "/es/cases/blantyre-data-tools-youth-enterprise")
    assert "todavía no está disponible en español" in body
    assert 'lang="en"' in body


def test_webinar_page(client):
    body = get(client, "/en/webinars/world-bank-fragility-forum-2022")
    assert "March 2022" in body
    assert 'href="/en/cities/saida"' in body
    assert 'href="/en/cities/mombasa"' in body
    assert 'href="/en/cities/blantyre"' in body
    takeaways = re.search(r'<ol class="takeaways">(.*?)</ol>\s*</section>', body, re.S)[1]
    assert takeaways.count("<li>") == 10
    assert "No recording is linked." in body


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Thursday, March 17, 2022"),
        ("fr", "jeudi 17 mars 2022"),
        ("es", "jueves, 17 de marzo de 2022"),
        ("ar", "الخميس، 17 مارس 2022"),
    ],
)
def test_webinar_date_is_formatted_for_the_reader(client, lang, expected):
    body = get(client, f"/{lang}/webinars/together-for-safety-2022-protecting-local-democracies")
    assert expected in body


def test_webinar_date_without_a_start_time_names_no_time_zone(client):
    """A time zone belongs to a start time: a record without one shows the day alone."""
    body = get(client, "/en/webinars/together-for-safety-2022-protecting-local-democracies")
    assert "Thursday, March 17, 2022 (start time not recorded)" in body
    listing = get(client, "/en/webinars")
    assert "Thursday, March 17, 2022</bdi>" in listing
    for page in (body, listing):
        assert "Central European" not in page and "Time;" not in page


def test_webinar_date_with_a_start_time_names_its_time_zone(content_app):
    webinar = Webinar(
        starts_on=date(2022, 3, 17),
        start_time=time(15, 0),
        timezone="Europe/Copenhagen",
        date_precision="day",
    )
    with content_app.test_request_context("/en/"):
        said = event_when(webinar)
    assert said.startswith("Thursday, March 17, 2022") and "3:00" in said
    assert "Central European Standard Time" in said


def test_updated_case_shows_both_dates(client):
    body = get(client, "/en/cases/transatlantic-dialogue-initiative-2023-findings")
    assert "Published March 22, 2024" in body
    assert "Updated September 2, 2024" in body
    ar = get(client, "/ar/cases/transatlantic-dialogue-initiative-2023-findings")
    assert "22 مارس 2024" in ar


@pytest.mark.parametrize(
    ("lang", "country", "population", "language"),
    [
        ("en", "Kenya", "1,208,333", "Swahili"),
        ("fr", "Kenya", "1\u202f208\u202f333", "swahili"),
        ("es", "Kenia", "1.208.333", "suajili"),
        ("ar", "كينيا", "1,208,333", "السواحلية"),
    ],
)
def test_city_page_is_formatted_for_the_reader(client, lang, country, population, language):
    body = get(client, f"/{lang}/cities/mombasa")
    assert country in body
    assert population in body
    assert language in body


def test_city_page_lists_its_cases_webinars_and_exchanges(client):
    body = get(client, "/en/cities/mombasa")
    assert 'href="/en/cases/mombasa-county-action-plan"' in body
    assert 'href="/en/webinars/world-bank-fragility-forum-2022"' in body
    assert 'href="/en/cities/kristiansand"' in body  # its exchange partner
    assert "GeoNames" in body


def test_text_missing_in_the_readers_language_is_marked_as_english(content_app, client):
    with content_app.app_context():
        exchange = db.session.scalar(db.select(Exchange).filter_by(slug="mombasa-kristiansand"))
        assert "es" not in exchange.summaries  # given in English and Arabic only
        english = exchange.summaries["en"]
    body = get(client, "/es/cities/mombasa")
    assert f'<p lang="en" dir="ltr">{escape(english)}</p>' in body
    assert f"<p>{escape(english)}</p>" in get(client, "/en/cities/mombasa")


def test_kristiansand_is_a_medium_sized_mentor(client):
    body = get(client, "/en/cities/kristiansand")
    assert "117,237" in body
    assert "Medium-sized city" in body
    assert "Mentor" in body


def test_cities_filter_by_region_and_size(client):
    body = get(client, "/en/cities?region=europe&size=metropolis")
    assert 'href="/en/cities/berlin"' in body
    assert 'href="/en/cities/london"' in body
    assert 'href="/en/cities/oslo"' not in body  # large, not a metropolis
    assert 'href="/en/cities/new-york"' not in body  # North America


def test_theme_page_gathers_everything_on_the_theme(client):
    body = get(client, "/en/themes/local-action-plans")
    assert 'href="/en/cases/mombasa-county-action-plan"' in body
    assert "Cities with expertise" in body


def case_links(body: str) -> set[str]:
    return set(re.findall(r'<h[23][^>]*><a href="/en/cases/([a-z0-9-]+)"', body))


def test_case_filters_combine(content_app, client):
    everything = case_links(get(client, "/en/cases?page=1"))
    youth = case_links(get(client, "/en/cases?theme=youth"))
    africa = case_links(get(client, "/en/cases?region=africa"))
    both = case_links(get(client, "/en/cases?theme=youth&region=africa"))
    assert youth and africa and both
    assert both == youth & africa
    assert "transatlantic-dialogue-initiative-2023-findings" not in africa
    french = case_links(get(client, "/en/cases?language=fr"))
    assert french == {
        "mombasa-county-action-plan",
        "saida-local-prevention-network",
        "transatlantic-dialogue-initiative-2023-findings",
    }
    assert everything >= french
    monitored = case_links(get(client, "/en/cases?evidence=monitored"))
    assert "mombasa-county-action-plan" in monitored
    in_2024 = case_links(get(client, "/en/cases?year=2024"))
    assert in_2024 == {"transatlantic-dialogue-initiative-2023-findings"}
    medium = case_links(get(client, "/en/cases?size=medium"))
    assert "saida-local-prevention-network" in medium


def test_cases_are_paginated(content_app, client):
    content_app.config["PER_PAGE"] = 4
    # Pages kept for this generation were rendered with the usual number per page.
    content_app.config["READER_PAGE_CACHE"] = 0
    try:
        first = case_links(get(client, "/en/cases"))
        second = case_links(get(client, "/en/cases?page=2"))
        assert len(first) == 4 and second and not first & second
        assert "Page 1 of" in get(client, "/en/cases")
    finally:
        content_app.config["PER_PAGE"] = 10
        content_app.config["READER_PAGE_CACHE"] = 500


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("theme=no-such-theme", "Thème inconnu."),
        ("page=0", "Le numéro de page doit être"),
        (f"page={10**9}", "Le numéro de page doit être"),
        ("page=abc", "Le numéro de page doit être"),
        ("page=-1", "Le numéro de page doit être"),
        ("page=%D9%A3", "Le numéro de page doit être"),  # an Arabic-Indic digit
        ("year=twenty", "L’année doit être un nombre"),
        ("year=1", "L’année doit être un nombre"),
        ("region=%00", "Région inconnue."),
        ("theme=%00youth", "Thème inconnu."),
        ("size=huge", "Taille de ville inconnue."),
        ("language=de", "Langue inconnue."),
        ("evidence=anecdotal", "Niveau de données probantes inconnu."),
    ],
)
def test_malformed_case_queries_get_a_400_naming_the_parameter(client, query, named):
    body = get(client, f"/fr/cases?{query}", 400)
    assert "Requête incorrecte" in body
    assert escape(named) in body
    assert html_tag(body) == '<html lang="fr" dir="ltr">'


def test_every_bad_filter_is_named_at_once(client):
    body = get(client, "/en/cases?region=mars&year=soon&page=0", 400)
    assert "Unknown region." in body
    assert "The year must be a number such as 2022." in body
    assert "The page number must be a whole number from 1." in body


def test_empty_filters_are_no_filters(client):
    everything = case_links(get(client, "/en/cases"))
    empty = "theme=&region=&size=&language=&year=&evidence="
    assert case_links(get(client, f"/en/cases?{empty}")) == everything
    assert "Berlin" in get(client, "/en/cities?region=&size=")


def test_a_page_past_the_last_is_a_404(client):
    get(client, "/en/cases?page=500", 404)
    get(client, "/en/webinars?page=500", 404)


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("/webinars?page=0", "El número de página debe ser un número entero a partir de 1."),
        ("/webinars?page=x%00", "El número de página debe ser un número entero a partir de 1."),
        ("/cities?region=mars", "Región desconocida."),
        ("/cities?size=%00", "Tamaño de ciudad desconocido."),
    ],
)
def test_malformed_queries_elsewhere_are_a_400_page_naming_the_parameter(client, url, named):
    body = get(client, f"/es{url}", 400)
    assert html_tag(body) == '<html lang="es" dir="ltr">'
    assert f"<li>{named}</li>" in body


@pytest.mark.parametrize(
    "url",
    [
        "/cases/no-such-case",
        "/webinars/no-such-webinar",
        "/cities/atlantis",
        "/themes/no-such-theme",
        "/cases/Mombasa",
        "/cases/a%00b",
        "/no-such-page",
    ],
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_unknown_records_get_a_404_in_the_readers_language(client, url, lang):
    body = get(client, f"/{lang}{url}", 404)
    assert html_tag(body).startswith(f'<html lang="{lang}"')
    titles = {"en": "Page not found", "ar": "الصفحة غير موجودة", "fr": "Page introuvable",
              "es": "Página no encontrada"}  # fmt: skip
    assert titles[lang] in body
