"""In Chromium: a focal point types a city summary of several paragraphs; the steps `make run`
takes next (`db upgrade`, `content load content/`, `search reindex`) all succeed, the load keeps
the focal point's summary and says so, and the city page shows its paragraphs."""

from __future__ import annotations

import re

import sqlalchemy as sa

from hub.cities.models import City
from hub.extensions import db
from tests.browsing import follow, sign_in
from tests.conftest import CONTENT

FIRST = "Mombasa County runs a peace forum every month."
SECOND = "Its action plan is reviewed every five years,"
THIRD = "with the wards."


def summaries(app) -> dict:
    with app.app_context():
        return db.session.scalar(sa.select(City.summaries).filter_by(slug="mombasa"))


def test_a_multi_line_summary_typed_in_the_browser_survives_make_run(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base = served.config["test_base"]
    sign_in(browser, base, "mombasa")
    browser.get(f"{base}/en/cities/mombasa/edit")
    field = browser.find_element(By.ID, "summary_en")
    field.clear()
    field.send_keys(FIRST, Keys.ENTER, Keys.ENTER, SECOND, Keys.ENTER, THIRD)
    assert "The city profile is saved." in follow(browser, "main form button[type=submit]")
    typed = f"{FIRST}\n\n{SECOND}\n{THIRD}"
    assert summaries(served)["en"] == typed

    # The served hub's tables come from the models, which the migrations match
    # (tests/test_migrations.py): stamped at the head, it is the database `make run` finds again.
    runner = served.test_cli_runner()
    assert runner.invoke(args=["db", "stamp", "head"]).exit_code == 0
    outputs = []
    for step in (["db", "upgrade"], ["content", "load", str(CONTENT)], ["search", "reindex"]):
        result = runner.invoke(args=step)
        assert result.exit_code == 0, (step, result.output, result.exception)
        outputs.append(result.output)

    line = rf"^{CONTENT}/cities/mombasa\.md: changed in the hub since [^,]+, not overwritten$"
    assert re.search(line, outputs[1], re.M), outputs[1]
    assert "0 with errors" in outputs[1] and "warning" not in outputs[1]
    assert summaries(served)["en"] == typed
    browser.get(f"{base}/en/cities/mombasa")
    shown = browser.find_element(By.CSS_SELECTOR, "main .summary").text
    assert shown.split("\n") == [FIRST, "", SECOND, THIRD]
