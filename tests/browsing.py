"""A real browser for the tests: Debian's Chromium driven by its ChromeDriver, and the hub served
over HTTP in a thread, with CSRF protection on, as in production.

The fixtures `served` and `browser` live in tests/conftest.py; the helpers `sign_in` and
`follow` here. `make test` installs chromium and chromium-driver (see the Makefile's `browser` target).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Without the network flags Chromium keeps calling hosts this machine cannot reach.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1600",
)


def start_chromium(profile):
    """Chromium with its own profile folder, driven by ChromeDriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    return driver


def browser_missing() -> bool:
    return not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER))


def sign_in(driver, base, name, lang="en"):
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(f"{base}/{lang}/login")
    driver.find_element(By.NAME, "email").send_keys(f"{name}@example.org")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    follow(driver, "main form button[type=submit]")
    assert "/login" not in driver.current_url, driver.page_source[:2000]


def follow(driver, css):
    """Click what `css` finds and wait for the next page to replace this one."""
    from selenium.webdriver.common.by import By

    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css).click()
    return wait_for_next_page(driver, page)


# --- Viewports, screenshots and the keyboard --------------------------------------------------

DESKTOP = (1366, 900)
PHONE = (390, 844)
# HUB_SCREENSHOTS=<folder> makes the browser tests save the pages of the closing note there
# (`make screenshots`).
SCREENSHOTS = os.environ.get("HUB_SCREENSHOTS")


def viewport(driver, size: tuple[int, int], phone: bool = False) -> None:
    """The page's viewport at exactly `size` CSS pixels, as a phone's (a touch screen, as
    Chrome's device mode has it) when `phone`."""
    width, height = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone},
    )
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": phone})


def screenshot(driver, name: str) -> None:
    """The visible part of the page as `name`.png in HUB_SCREENSHOTS, when that is set."""
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(folder / f"{name}.png"))


def status_of_page(driver) -> int:
    """The HTTP status the page in the browser was answered with."""
    return driver.execute_script(
        "return performance.getEntriesByType('navigation')[0].responseStatus"
    )


# What a focus indicator looks like to the browser: an outline or a box shadow while focused. In
# a date field Chromium highlights the focused part (day, month or year) instead, and only some
# ways of reaching the field outline it as well (hub.css could outline it always).
FOCUS_INDICATOR = """
const element = arguments[0];
const style = getComputedStyle(element);
const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
const highlightsItsParts = ["date", "time", "datetime-local", "month", "week"].includes(element.type);
return outline || style.boxShadow !== "none" || highlightsItsParts;
"""
# Whether the focused element matches a CSS selector and, if given, holds a text.
FOCUSED_MATCHES = """
const [css, text] = arguments;
const element = document.activeElement;
if (!element || !element.matches(css)) return false;
if (!text) return true;
const label = [element.textContent, element.value, element.labels && element.labels[0]
  && element.labels[0].textContent].join(" ");
return label.toLowerCase().includes(text.toLowerCase());
"""
CONTROLS = "a[href], input, select, textarea, button, summary"


def press(driver, *keys) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver, css: str, text: str | None = None, limit: int = 150):
    """Press TAB until the focused element matches `css` (and holds `text`, if given) and return
    it; every link and form control passed on the way must show that it has the focus."""
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        press(driver, Keys.TAB)
        focused = driver.switch_to.active_element
        if driver.execute_script("return arguments[0].matches(arguments[1])", focused, CONTROLS):
            described = focused.get_attribute("outerHTML")[:200]
            assert driver.execute_script(FOCUS_INDICATOR, focused), f"no focus shown: {described}"
        if driver.execute_script(FOCUSED_MATCHES, css, text):
            return focused
    raise AssertionError(f"{limit} presses of TAB never reached {css} {text or ''}")


def wait_for_next_page(driver, page) -> str:
    """Wait until the page `page` (its <html> element) is replaced; the new page's main text."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    def replaced(_driver) -> bool:
        # Chromium answers a look at the old page either "stale element" or, mid-navigation,
        # "node does not belong to the document": both mean the old page is gone.
        try:
            page.is_enabled()
        except WebDriverException:
            return True
        return False

    WebDriverWait(driver, 10).until(replaced)
    return driver.find_element(By.TAG_NAME, "main").text
