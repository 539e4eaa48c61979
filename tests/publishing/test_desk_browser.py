"""In a real browser (Chromium, CSRF on): staff type Markdown into a case's fields and see each
rendered beside it as they type, narrow the city list with its filter box, save, then publish
through the confirmation page."""

from __future__ import annotations

import sqlalchemy as sa

from hub.extensions import db
from hub.publishing.models import CaseStudy
from tests.browsing import follow, sign_in

TITLE = "Night buses for youth workers"


def test_staff_see_their_markdown_beside_it_and_publish_after_confirming(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    base = served.config["test_base"]
    driver = browser
    sign_in(driver, base, "staff")
    driver.get(f"{base}/en/publishing/cases/new")
    driver.find_element(By.ID, "title").send_keys(TITLE)
    driver.find_element(By.ID, "summary").send_keys("Youth workers ride the night buses.")
    driver.find_element(By.CSS_SELECTOR, "#themes input[value='youth']").click()

    def shown(css: str, text: str) -> bool:
        def found(_driver) -> bool:
            return any(e.text == text for e in _driver.find_elements(By.CSS_SELECTOR, css))

        WebDriverWait(driver, 10).until(found)
        return True

    driver.find_element(By.ID, "body").send_keys("## On board\n\nThey ride **every night**.")
    assert shown("#body-preview h2", "On board")
    assert shown("#body-preview strong", "every night")
    driver.find_element(By.ID, "results").send_keys("- *Fewer* fights")
    assert shown("#results-preview li em", "Fewer")
    # The preview sits beside its field, not under the form.
    body, preview = (driver.find_element(By.ID, name) for name in ("body", "body-preview"))
    assert preview.location["y"] == body.location["y"]
    assert preview.location["x"] > body.location["x"]

    # The filter box narrows the partner cities; a ticked city stays in view.
    group = driver.find_element(By.CSS_SELECTOR, "fieldset[data-filter]")
    group.find_element(By.CSS_SELECTOR, "input[value='saida']").click()
    group.find_element(By.CSS_SELECTOR, "input.filter").send_keys("zanz")
    visible = [e.text for e in group.find_elements(By.CSS_SELECTOR, "li") if e.is_displayed()]
    assert visible == ["Saida", "Zanzibar"]
    group.find_element(By.CSS_SELECTOR, "input[value='zanzibar']").click()

    assert "Saved." in follow(driver, "button[value=save]")
    with served.app_context():
        case = db.session.scalars(
            sa.select(CaseStudy).filter_by(slug="night-buses-for-youth-workers")
        )
        case = case.one()
        assert case.original.body == "## On board\n\nThey ride **every night**."
        assert {city.slug for city in case.partner_cities} == {"saida", "zanzibar"}

    question = follow(driver, "button[value=publish]")
    assert f"Publish “{TITLE}”?" in question
    assert "Published: the public can see it now." in follow(driver, "#confirm-step")
    driver.delete_all_cookies()
    driver.get(f"{base}/en/cases/night-buses-for-youth-workers")
    assert driver.find_element(By.CSS_SELECTOR, "main strong").text == "every night"
