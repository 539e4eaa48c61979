"""In two real browsers (Chromium): two staff sessions open the same case; the first saves a
new title; the second, saving its own edit from the older page, is told what changed meanwhile,
keeps what it typed, and saves the merge."""

from __future__ import annotations

import sqlalchemy as sa

from hub.extensions import db
from hub.publishing.models import CaseStudy
from tests import browsing
from tests.browsing import follow, sign_in

CASE = "mombasa-county-action-plan"
MY_BODY = "A paragraph I wrote in the second window.\n\nAnd a second one, not to be lost."


def second_browser(tmp_path):
    return browsing.start_chromium(tmp_path / "second-profile")


def the_case(app) -> CaseStudy:
    with app.app_context():
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug=CASE))
        return case.id, case.original.title, case.original.body, case.version


def test_a_stale_save_in_a_second_browser_shows_the_conflict_and_keeps_the_text(
    served, browser, tmp_path
):
    from selenium.webdriver.common.by import By

    base = served.config["test_base"]
    case_id, title, body, version = the_case(served)
    edit = f"{base}/en/publishing/cases/{case_id}"
    other = second_browser(tmp_path)
    try:
        # Both open the case's form.
        sign_in(browser, base, "staff")
        sign_in(other, base, "staff")
        browser.get(edit)
        other.get(edit)
        assert other.find_element(By.NAME, "version").get_attribute("value") == str(version)

        # The first saves a new title.
        field = browser.find_element(By.ID, "title")
        field.clear()
        field.send_keys("A title saved in the first window")
        assert "Saved." in follow(browser, "button[value=save]")

        # The second, still on the older page, rewrites the body and saves.
        text = other.find_element(By.ID, "body")
        text.clear()
        text.send_keys(MY_BODY)
        page = follow(other, "button[value=save]")
        assert "Someone else saved this record while you were editing it" in page
        changes = other.find_element(By.ID, "changed-meanwhile").text
        assert "Title" in changes and "A title saved in the first window" in changes
        assert "The case study (Markdown)" not in changes  # the body did not change meanwhile
        assert other.find_element(By.ID, "body").get_attribute("value") == MY_BODY
        assert other.find_element(By.ID, "title").get_attribute("value") == title
        assert the_case(served)[1:3] == ("A title saved in the first window", body)

        # It takes the new title and saves again: both edits are kept.
        field = other.find_element(By.ID, "title")
        field.clear()
        field.send_keys("A title saved in the first window")
        assert "Saved." in follow(other, "button[value=save]")
        assert the_case(served)[1:3] == ("A title saved in the first window", MY_BODY)
    finally:
        other.quit()
