"""With the keyboard alone, in the real browser: a newcomer asks for access, staff sign in and
publish a case, a focal point asks for a peer city. Every link and form control reached with TAB
shows that it has the focus (tests/browsing.py, `tab_to`).

The runs find each control by its name or its words, pressing TAB until it has the focus, so
they hold while the forms change around them.
"""

from __future__ import annotations

import sqlalchemy as sa

from hub.accounts import joining
from hub.accounts.models import AccessRequest
from hub.exchanges.models import ExchangeRequest
from hub.extensions import db
from hub.publishing.models import CaseStudy
from tests.browsing import press, tab_to, wait_for_next_page
from tests.conftest import PASSWORD

TITLE = "Street mediators in Saida"


def enter(driver) -> str:
    """Press ENTER on what has the focus and wait for the next page: its main text."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = driver.find_element(By.TAG_NAME, "html")
    press(driver, Keys.ENTER)
    return wait_for_next_page(driver, page)


def type_into(driver, css: str, text: str) -> None:
    tab_to(driver, css)
    press(driver, text)


def choose(driver, name: str, value: str, words: str) -> None:
    """Choose `value` in the field `name`, however it is drawn: a list, found by typing the
    option's first `words`; checkboxes, ticked with SPACE; radio buttons, moved through with the
    arrow keys; or a text box, where `value` is typed."""
    from selenium.webdriver.common.keys import Keys

    first = tab_to(driver, f"[name={name}]")
    kind = first.get_attribute("type")
    if first.tag_name == "select":
        press(driver, words)
    elif kind == "checkbox":
        if first.get_attribute("value") != value:
            tab_to(driver, f"[name={name}][value={value}]")
        if not driver.switch_to.active_element.is_selected():  # it may be ticked already
            press(driver, Keys.SPACE)
    elif kind == "radio":
        press(driver, Keys.SPACE)
        for _ in range(10):
            if driver.switch_to.active_element.get_attribute("value") == value:
                break
            press(driver, Keys.ARROW_DOWN)
    else:
        press(driver, value)
    assert driver.execute_script(CHOSEN, name, value, words), f"{name}: {value} is not chosen"


# Whether the form holds `value` for the field `name` (an option's words, for a list).
CHOSEN = """
const [name, value, words] = arguments;
return [...document.getElementsByName(name)].some(field => field.tagName === "SELECT"
  ? [...field.selectedOptions].some(o => o.value === value || o.text.startsWith(words))
  : (field.checked || !["checkbox", "radio"].includes(field.type)) && field.value.includes(value));
"""


def sign_in_by_keyboard(driver, base: str, name: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{base}/en/login")
    type_into(driver, "[name=email]", f"{name}@example.org")
    type_into(driver, "[name=password]", PASSWORD)
    tab_to(driver, "main button[type=submit]")
    enter(driver)
    assert "/login" not in driver.current_url


# Whether an element lies within the viewport, where a sighted reader sees it.
ON_SCREEN = """
const box = arguments[0].getBoundingClientRect();
return box.width > 0 && box.left >= 0 && box.top >= 0 && box.right <= innerWidth;
"""


def test_a_newcomer_asks_for_access_with_the_keyboard(served, browser, monkeypatch):
    # The join form refuses answers sent back faster than a person types; the browser is faster.
    monkeypatch.setattr(joining, "MIN_FILL_SECONDS", 0)
    base = served.config["test_base"]
    browser.get(f"{base}/en/")
    skip = tab_to(browser, "a", "Skip to content", limit=1)
    assert browser.execute_script(ON_SCREEN, skip), "the first TAB shows no 'Skip to content'"
    tab_to(browser, "a[href$='/en/join']")
    enter(browser)
    type_into(browser, "[name=name]", "Amina Odhiambo")
    type_into(browser, "[name=email]", "amina@kisumu.example.org")
    type_into(browser, "[name=city]", "Kisumu")
    type_into(browser, "[name=position]", "Prevention officer")
    type_into(browser, "[name=reason]", "Our county is writing its action plan.")
    tab_to(browser, "main form button[type=submit]")
    page = enter(browser)

    assert "your request is with the network's staff" in page
    with served.app_context():
        asked = db.session.scalars(sa.select(AccessRequest)).one()
        assert (asked.email, asked.city_name) == ("amina@kisumu.example.org", "Kisumu")


def test_staff_publish_a_case_with_the_keyboard(served, browser):
    base = served.config["test_base"]
    sign_in_by_keyboard(browser, base, "staff")
    tab_to(browser, "a[href$='/en/publishing/']")
    enter(browser)
    tab_to(browser, "main a[href$='/publishing/cases/new']")
    enter(browser)
    type_into(browser, "[name=title]", TITLE)
    type_into(browser, "[name=summary]", "Mediators walk the streets at night.")
    choose(browser, "themes", "youth", "Youth")
    type_into(browser, "[name=body]", "Mediators meet young people where they are.")
    tab_to(browser, "main button", "Save")
    enter(browser)
    with served.app_context():
        case = db.session.scalars(sa.select(CaseStudy).filter_by(slug="street-mediators-in-saida"))
        assert not case.one().is_published

    tab_to(browser, "main button", "Publish")
    enter(browser)
    assert not published(served)  # a page asks to confirm first
    tab_to(browser, "main button", "Publish")
    page = enter(browser)
    assert published(served)
    assert "Published" in page
    browser.get(f"{base}/en/cases/street-mediators-in-saida")
    assert TITLE in browser.title


def published(app) -> bool:
    with app.app_context():
        return (
            db.session.scalars(sa.select(CaseStudy).filter_by(slug="street-mediators-in-saida"))
            .one()
            .is_published
        )


def test_a_focal_point_asks_for_a_peer_city_with_the_keyboard(served, browser):
    base = served.config["test_base"]
    sign_in_by_keyboard(browser, base, "zanzibar")
    tab_to(browser, "a[href$='/en/exchanges/mine']")
    enter(browser)
    tab_to(browser, "main a[href$='/en/exchanges/new']")
    enter(browser)
    choose(browser, "themes", "local-action-plans", "Local action")
    type_into(browser, "[name=challenge]", "Our action plan stalls between the county and wards.")
    choose(browser, "languages", "en", "English")
    choose(browser, "format", "mentoring", "Mentoring")
    type_into(browser, "[name=timeframe]", "first half of 2027")
    tab_to(browser, "main button", "Submit")
    page = enter(browser)

    assert "Your request is submitted." in page
    with served.app_context():
        asked = db.session.scalars(sa.select(ExchangeRequest)).one()
        assert asked.status == "submitted"
        assert [theme.slug for theme in asked.themes] == ["local-action-plans"]
