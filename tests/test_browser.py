"""In a real browser (Debian's Chromium, driven by its ChromeDriver): a city asks for a peer,
staff run a round and approve it, and both cities accept, one of them on the Arabic pages.
"""

from __future__ import annotations

import sqlalchemy as sa

from hub.exchanges.models import ExchangeRequest
from hub.extensions import db
from tests.browsing import follow, sign_in

CHALLENGE = "Our action plan stalls between the county and the wards."


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
    # Its working languages are ticked already; it adds French by clicking the name.
    driver.find_element(
        By.XPATH, "//fieldset[legend='Languages you can work in']//label[.='French']"
    ).click()
    driver.find_element(By.CSS_SELECTOR, "input[name=format][value=mentoring]").click()
    driver.find_element(By.ID, "timeframe").send_keys("first half of 2027")
    page = follow(driver, "button[value=submit]")
    assert "Your request is submitted." in page
    assert "Suggested peer cities" in page and "Mombasa has" in page
    request_id = int(driver.current_url.rstrip("/").rsplit("/", 1)[1])
    assert status_of(served, request_id) == "submitted"
    with served.app_context():
        assert set(db.session.get(ExchangeRequest, request_id).languages) == {"sw", "en", "fr"}

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
    driver.find_element(By.CSS_SELECTOR, "#themes input[value='youth']").click()
    driver.find_element(By.ID, "body").send_keys(
        "Mediators meet young people where they are.\n\nThey work in pairs."
    )
    assert "Saved." in follow(driver, "button[value=save]")
    assert "Publish “Street mediators in Saida”?" in follow(driver, "button[value=publish]")
    assert "Published: the public can see it now." in follow(driver, "#confirm-step")

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
