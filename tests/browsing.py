"""A real browser for the tests: Debian's Chromium driven by its ChromeDriver, and the hub served
over HTTP in a thread, with CSRF protection on, as in production.

The fixtures `served` and `browser` live in tests/conftest.py; the helpers `sign_in` and
`follow` here. `make test` installs chromium and chromium-driver (see the Makefile's `browser` target).
"""

from __future__ import annotations

import shutil

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
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css).click()

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
