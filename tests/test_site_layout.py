"""What every page carries around its content: the header's search box, the footer's sections,
pages about the hub and languages, and messages that say what kind they are (done, refused or
for information)."""

from __future__ import annotations

import lxml.html
import pytest

from tests.conftest import PASSWORD, _dispose, app_with_people
from tests.walk import READER_PAGES

PAGES = [*READER_PAGES, "/cases/no-such-case"]  # an error page has them too
SECTIONS = ["cases", "webinars", "cities", "themes", "network", "exchanges", "search"]
ABOUT = ["about", "contact", "privacy"]


def page(client, url: str, status: int = 200):
    answer = client.get(url)
    assert answer.status_code == status, url
    return lxml.html.fromstring(answer.get_data(as_text=True))


def has(name: str) -> str:
    """An XPath test: the element has the class `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def hrefs(element) -> set[str]:
    return {a.get("href").split("?")[0] for a in element.iter("a") if a.get("href")}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_page_has_a_labelled_search_box_in_its_header(client, lang):
    for url in PAGES:
        html = page(client, f"/{lang}{url}", 404 if "no-such" in url else 200)
        (form,) = html.xpath("//header//form[@role='search']")
        assert form.get("method") == "get" and form.get("action") == f"/{lang}/search", url
        (field,) = form.xpath(".//input[@type='search'][@name='q']")
        (label,) = html.xpath(f"//label[@for='{field.get('id')}']")
        assert label.text_content().strip(), url
        # The landmark is named by its label: apart from the search page's own search form.
        assert form.get("aria-labelledby") == label.get("id"), url


def test_the_header_search_box_reaches_the_results(client):
    form = page(client, "/fr/cities/mombasa").xpath("//header//form[@role='search']")[0]
    results = page(client, f"{form.get('action')}?q=Mombasa").xpath(
        f"//*[{has('results')}]//*[{has('result')}]//h2/a"
    )
    assert "/fr/cases/mombasa-county-action-plan" in {a.get("href") for a in results}


@pytest.mark.parametrize("lang", ["en", "ar", "fr", "es"])
def test_the_footer_leads_to_every_section_the_pages_about_the_hub_and_each_language(client, lang):
    (footer,) = page(client, f"/{lang}/cities/mombasa").xpath("//footer")
    links = hrefs(footer)
    for name in SECTIONS + ABOUT:
        assert f"/{lang}/{name}" in links, name
    assert f"/{lang}/join" in links  # the way in, for someone without an account
    # The language switcher: this page in the other languages, this one marked as current.
    others = {a.get("hreflang"): a.get("href") for a in footer.xpath(".//a[@hreflang]")}
    assert others == {
        code: f"/{code}/cities/mombasa" for code in ("en", "ar", "fr", "es") if code != lang
    }
    (current,) = footer.xpath(".//*[@aria-current]")
    assert current.get("lang") == lang


def test_the_main_navigation_is_one_menu_that_a_phone_can_fold(client):
    html = page(client, "/en/")
    (menu,) = html.xpath(f"//header//details[{has('menu')}]")
    assert menu.get("open") is None  # closed on a phone; a wide screen shows it (hub.css)
    assert menu.xpath("./summary")[0].text_content().strip() == "Menu"
    assert {f"/en/{name}" for name in SECTIONS} <= hrefs(
        menu.xpath(f".//nav[{has('main-nav')}]")[0]
    )
    assert len(html.xpath(f"//nav[{has('main-nav')}]")) == 1


@pytest.mark.parametrize(
    ("url", "section"),
    [
        ("/en/cities/mombasa", "/en/cities"),
        ("/en/themes/youth", "/en/themes"),
        ("/en/cases", "/en/cases"),
    ],
)
def test_the_navigation_marks_the_section_the_reader_is_in(client, url, section):
    current = page(client, url).xpath("//nav[@aria-label='Main']//a[@aria-current='page']")
    assert [a.get("href") for a in current] == [section]
    assert page(client, "/en/about").xpath("//a[@aria-current='page']") == []


# --- Messages by kind ---------------------------------------------------------------------------


@pytest.fixture
def site(database):
    app = app_with_people(database, WTF_CSRF_ENABLED=False)
    yield app
    _dispose(app)


def flashes(answer) -> list[tuple[str, str, str]]:
    """(kind, role, text) of each message the page shows."""
    html = lxml.html.fromstring(answer.get_data(as_text=True))
    return [
        (
            " ".join(c for c in p.get("class").split() if c != "flash"),
            p.get("role"),
            p.text_content().strip(),
        )
        for p in html.xpath(f"//main//*[{has('flash')}]")
    ]


def signed_in(app, who: str):
    client = app.test_client()
    answer = client.post(
        "/en/login",
        data={"email": f"{who}@example.org", "password": PASSWORD},
        follow_redirects=True,
    )
    assert flashes(answer) == [("success", "status", "You are signed in.")]
    return client


def test_signing_in_and_out_say_so_as_a_success(site):
    client = signed_in(site, "mombasa")
    answer = client.post("/en/logout", follow_redirects=True)
    assert flashes(answer) == [("success", "status", "You are signed out.")]
    assert flashes(client.get("/en/")) == []  # said once


def test_a_completed_step_is_a_success_and_a_refused_one_an_error(site):
    client = signed_in(site, "zanzibar")
    form = {
        "themes": ["local-action-plans"],
        "challenge": "Our action plan stalls between the county and the wards.",
        "languages": "en",
        "format": "mentoring",
        "timeframe": "2027",
        "action": "submit",
    }
    asked = client.post("/en/exchanges/new", data=form, follow_redirects=True)
    assert flashes(asked) == [("success", "status", "Your request is submitted.")]
    again = client.post(f"{asked.request.path}/submit", follow_redirects=True)
    [(kind, role, _text)] = flashes(again)
    assert (kind, role) == ("error", "alert")


def test_a_refusal_without_a_step_is_an_error_too(site):
    answer = signed_in(site, "staff").get("/en/exchanges/new", follow_redirects=True)
    assert flashes(answer) == [
        ("error", "alert", "Your account is not linked to a city, so it cannot ask for a peer.")
    ]


def test_information_is_a_notice(site):
    client = signed_in(site, "mombasa")
    site.config["SESSION_IDLE_TIMEOUT"] = 0
    answer = client.get("/en/")
    assert flashes(answer) == [
        ("notice", "status", "Your session has ended. Please sign in again.")
    ]
