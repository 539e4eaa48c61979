"""About, Contact and Privacy: a content file per language, linked from every page."""

from __future__ import annotations

import pytest

LANGUAGES = ["en", "ar", "fr", "es"]
TITLES = {
    ("about", "en"): "About the hub",
    ("about", "ar"): "عن المنصة",
    ("contact", "fr"): "Contact",
    ("privacy", "es"): "Privacidad",
    ("privacy", "ar"): "الخصوصية",
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", ["about", "contact", "privacy"])
def test_each_page_exists_in_each_language(client, page, lang):
    answer = client.get(f"/{lang}/{page}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
    if (page, lang) in TITLES:
        assert f"<h1>{TITLES[page, lang]}</h1>" in html
    assert f'href="/{lang}/join"' in html  # the way in is never far


def test_the_privacy_page_states_what_is_kept_and_for_how_long(client):
    html = client.get("/en/privacy").get_data(as_text=True)
    for kept in ("password", "IP address", "Requests for access", "mail outbox", "90 days"):
        assert kept in html
    assert "<table>" in html  # the Markdown table, rendered and sanitized


def test_every_page_links_to_the_three(client):
    html = client.get("/fr/cases").get_data(as_text=True)
    for page in ("about", "contact", "privacy"):
        assert f'href="/fr/{page}"' in html


def test_an_unknown_page_is_a_404(client):
    assert client.get("/en/imprint").status_code == 404
