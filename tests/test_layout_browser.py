"""The layout in a real browser (Debian's Chromium): on a 390-pixel phone no page is wider than
the screen, the header takes two rows, the navigation folds into a "Menu" disclosure and search
results come before the facet lists; on a 1366-pixel desktop the navigation is simply there.
English and Arabic (right to left)."""

from __future__ import annotations

import pytest

from tests.browsing import DESKTOP, PHONE, sign_in, viewport
from tests.walk import READER_PAGES as PAGES

CITIES_LINK = "details.menu nav.main-nav a[href$='/cities']"

# How far a page reaches past the right edge of the screen, in CSS pixels.
OVERFLOW = "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
# What a reader may unfold in the page (a chart's table, the search facets) counts too.
UNFOLD = "document.querySelectorAll('main details').forEach((part) => { part.open = true; })"
# Whether a person sees `element`: it is rendered, and nothing covers its middle.
SEEN = """
const element = arguments[0];
if (!element.checkVisibility()) return false;
const box = element.getBoundingClientRect();
const found = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
return found !== null && (found === element || element.contains(found));
"""


def seen(driver, css: str) -> bool:
    from selenium.webdriver.common.by import By

    return driver.execute_script(SEEN, driver.find_element(By.CSS_SELECTOR, css))


def rows_of_header(driver) -> int:
    """The header's rows: the distinct lines its visible parts stand on."""
    return driver.execute_script(
        """
        const parts = [...document.querySelectorAll('.header-bar > *, .header-bar summary')]
          .filter((part) => part.checkVisibility() && part.tagName !== 'DETAILS');
        return new Set(parts.map((part) => Math.round(part.getBoundingClientRect().top / 8))).size;
        """
    )


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_on_a_phone_no_page_is_wider_than_the_screen(served, browser, lang):
    base = served.config["test_base"]
    viewport(browser, PHONE, phone=True)
    browser.get(f"{base}/{lang}/")
    assert browser.execute_script("return window.innerWidth") == PHONE[0]
    assert browser.execute_script("return matchMedia('(pointer: coarse)').matches")
    wide = {}
    for page in PAGES:
        browser.get(f"{base}/{lang}{page}")
        assert browser.execute_script("return document.documentElement.lang") == lang
        browser.execute_script(UNFOLD)
        if (overflow := browser.execute_script(OVERFLOW)) > 0:
            wide[page] = overflow
    # A member's header carries more links; it folds into the menu all the same.
    sign_in(browser, base, "staff", lang=lang)
    for page in ("/", "/exchanges/staff"):
        browser.get(f"{base}/{lang}{page}")
        if (overflow := browser.execute_script(OVERFLOW)) > 0:
            wide["signed in: " + page] = overflow
    assert wide == {}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_on_a_phone_the_menu_is_a_closed_disclosure_under_a_two_row_header(served, browser, lang):
    from selenium.webdriver.common.by import By

    base = served.config["test_base"]
    viewport(browser, PHONE, phone=True)
    browser.get(f"{base}/{lang}/cities/mombasa")
    assert rows_of_header(browser) == 2
    assert seen(browser, ".site-search input[type=search]")
    menu = browser.find_element(By.CSS_SELECTOR, "details.menu")
    assert menu.get_attribute("open") is None
    assert not seen(browser, CITIES_LINK)

    menu.find_element(By.TAG_NAME, "summary").click()
    assert menu.get_attribute("open") == "true"
    assert seen(browser, CITIES_LINK)
    assert seen(browser, "details.menu nav.languages a[hreflang]")
    # The wordmark stands where a line starts: on the left in English, on the right in Arabic.
    brand = browser.find_element(By.CSS_SELECTOR, ".brand").rect
    middle = brand["x"] + brand["width"] / 2
    assert (middle > PHONE[0] / 2) == (lang == "ar")

    browser.find_element(By.CSS_SELECTOR, CITIES_LINK).click()
    assert browser.current_url.endswith(f"/{lang}/cities")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_on_a_phone_search_results_come_before_the_facet_lists(served, browser, lang):
    from selenium.webdriver.common.by import By

    base = served.config["test_base"]
    viewport(browser, PHONE, phone=True)
    browser.get(f"{base}/{lang}/search?q=action+plan")
    first = browser.find_element(By.CSS_SELECTOR, ".results .result")
    assert first.rect["y"] < PHONE[1]  # on the first screen
    assert not seen(browser, ".facets ul")
    browser.find_element(By.CSS_SELECTOR, ".facets summary").click()
    assert seen(browser, ".facets ul a")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_on_a_desktop_the_navigation_and_facets_are_shown_without_opening_anything(
    served, browser, lang
):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    base = served.config["test_base"]
    viewport(browser, DESKTOP)
    browser.get(f"{base}/{lang}/search?q=action+plan")
    assert browser.execute_script("return window.innerWidth") == DESKTOP[0]
    assert not seen(browser, "details.menu > summary")
    assert seen(browser, CITIES_LINK)
    assert seen(browser, "details.menu nav.account a[href$='/login']")
    assert seen(browser, ".facets ul a")
    assert browser.execute_script(OVERFLOW) == 0
    # A pointer's click: WebDriver's own click() refuses anything inside a closed <details>,
    # even when the page's CSS shows it, as it does here.
    link = browser.find_element(By.CSS_SELECTOR, CITIES_LINK)
    ActionChains(browser).move_to_element(link).click().perform()
    assert browser.current_url.endswith(f"/{lang}/cities")
