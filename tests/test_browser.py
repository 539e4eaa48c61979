"""In a real browser (Debian's Chromium, driven by its ChromeDriver): a city asks for a peer,
staff run a round and approve it, and both cities accept, one of them on the Arabic pages.

The hub is served by a real HTTP server in a thread, with CSRF protection on, as in production.
`make test` installs chromium and chromium-driver (see the Makefile's `browser` target).
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from hub.exchanges.models import ExchangeRequest
from hub.extensions import db
from tests.conftest import PASSWORD, _dispose, app_with_people

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHALLENGE = "Our action plan stalls between the county and the wards."
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


def _browser_missing() -> bool:
    return not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER))


@pytest.fixture
def served(database):
    """The hub with content and its people, served over HTTP on a free port."""
    app = app_with_people(database)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["test_base"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join()
    _dispose(app)


@pytest.fixture
def browser(tmp_path):
    if _browser_missing():
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are missing: `make browser` installs them")
        pytest.skip("chromium and chromium-driver are not installed: run `make browser`")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


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


def status_of(app, request_id):
    with app.app_context():
        return db.session.get(ExchangeRequest, request_id).status


def test_both_cities_accept_in_the_browser_one_of_them_in_arabic(served, browser):
    from selenium.webdriver.common.by import By

    base = served.config["test_base"]
    driver = browser

    # Zanzibar's focal point asks for a peer.
    sign_in(driver, base, "zanzibar")
    driver.get(f"{base}/en/exchanges/new")
    driver.find_element(By.CSS_SELECTOR, "#themes option[value='local-action-plans']").click()
    driver.find_element(By.ID, "challenge").send_keys(CHALLENGE)
    driver.find_element(By.CSS_SELECTOR, "input[name=format][value=mentoring]").click()
    driver.find_element(By.ID, "timeframe").send_keys("first half of 2027")
    page = follow(driver, "button[value=submit]")
    assert "Your request is submitted." in page
    assert "Suggested peer cities" in page and "Mombasa has" in page
    request_id = int(driver.current_url.rstrip("/").rsplit("/", 1)[1])
    assert status_of(served, request_id) == "submitted"

    # Staff run a round and approve its proposal.
    sign_in(driver, base, "staff")
    driver.get(f"{base}/en/exchanges/staff")
    assert "The round proposed 1 mentor" in follow(driver, "button[name=dry_run][value='0']")
    follow(driver, f"#review a[href$='/exchanges/{request_id}']")
    assert "put to both cities" in follow(driver, "form[action$='/approve'] button")
    assert status_of(served, request_id) == "proposed"

    # Mombasa's focal point finds it on its own page and accepts.
    sign_in(driver, base, "mombasa")
    driver.get(f"{base}/en/exchanges/mine")
    assert CHALLENGE in follow(driver, f"main a[href$='/exchanges/{request_id}']")
    assert "You accepted the proposal." in follow(driver, "form[action$='/accept'] button")
    assert status_of(served, request_id) == "proposed"

    # Zanzibar accepts on the Arabic page, which reads right to left.
    sign_in(driver, base, "zanzibar", lang="ar")
    driver.get(f"{base}/ar/exchanges/{request_id}")
    assert driver.execute_script("return document.documentElement.dir") == "rtl"
    main = driver.find_element(By.TAG_NAME, "main")
    assert driver.execute_script("return getComputedStyle(arguments[0]).direction", main) == "rtl"
    assert "مومباسا" in main.text
    follow(driver, "form[action$='/accept'] button")
    assert status_of(served, request_id) == "in_progress"
    badge = driver.find_element(By.CSS_SELECTOR, ".badge.status-in_progress")
    assert badge.text.strip() and badge.text.strip() != "In progress"  # shown in Arabic
    with served.app_context():
        history = (
            db.session.scalars(sa.select(ExchangeRequest).where(ExchangeRequest.id == request_id))
            .one()
            .history
        )
        assert [c.to_status for c in history] == [
            "draft",
            "submitted",
            "proposed",
            "accepted",
            "in_progress",
        ]


def test_staff_publish_a_multi_line_case_typed_in_the_browser(served, browser):
    """A textarea sends CRLF line ends; the case saves, publishes and reads as paragraphs."""
    from selenium.webdriver.common.by import By

    from hub.publishing.models import CaseStudy

    base = served.config["test_base"]
    driver = browser
    sign_in(driver, base, "staff")
    driver.get(f"{base}/en/publishing/cases/new")
    driver.find_element(By.ID, "title").send_keys("Street mediators in Saida")
    driver.find_element(By.ID, "summary").send_keys("Mediators walk the streets.\nAt night too.")
    driver.find_element(By.CSS_SELECTOR, "#themes option[value='youth']").click()
    driver.find_element(By.ID, "body").send_keys(
        "Mediators meet young people where they are.\n\nThey work in pairs."
    )
    assert "Saved." in follow(driver, "button[value=save]")
    assert "Published: the public can see it now." in follow(driver, "button[value=publish]")

    with served.app_context():
        case = db.session.scalars(
            sa.select(CaseStudy).filter_by(slug="street-mediators-in-saida")
        ).one()
        assert case.original.summary == "Mediators walk the streets.\nAt night too."
        assert case.original.body == (
            "Mediators meet young people where they are.\n\nThey work in pairs."
        )
    driver.delete_all_cookies()
    driver.get(f"{base}/en/cases/street-mediators-in-saida")
    paragraphs = [p.text for p in driver.find_elements(By.CSS_SELECTOR, "main p")]
    assert "Mediators meet young people where they are." in paragraphs
    assert "They work in pairs." in paragraphs
