"""Two focal points of one city (or a focal point and staff) saving its profile at once: the
later save from an old copy is not kept; the form shows what changed and keeps the text."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.accounts import operations as accounts
from hub.cities.models import City
from hub.extensions import db
from tests.catalog.test_city_profile import profile
from tests.concurrency import form_state, write_in_between
from tests.conftest import PASSWORD, app_with_people

EDIT = "/en/cities/mombasa/edit"


@pytest.fixture
def profile_app(database):
    app = app_with_people(database, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        accounts.create_user("mombasa2@example.org", "focal_point", PASSWORD, "mombasa")
        db.session.commit()
    return app


def person(app, email):
    client = app.test_client()
    answer = client.post("/en/login", data={"email": email, "password": PASSWORD})
    assert answer.status_code in (302, 303)
    return client


def stored(app) -> dict:
    with app.app_context():
        city = db.session.scalar(sa.select(City).filter_by(slug="mombasa"))
        return {
            "summaries": dict(city.summaries),
            "capacity": city.mentor_capacity,
            "expertise": [theme.slug for theme in city.expertise],
            "version": city.version,
        }


def test_a_stale_profile_save_keeps_the_text_and_shows_what_changed(profile_app):
    first = person(profile_app, "mombasa@example.org")
    second = person(profile_app, "mombasa2@example.org")
    baseline = second.post(
        EDIT, data=profile(**form_state(second.get(EDIT).get_data(as_text=True)))
    )
    assert baseline.status_code == 303
    state = form_state(first.get(EDIT).get_data(as_text=True))
    assert state["version"] == str(stored(profile_app)["version"])
    theirs = second.post(
        EDIT,
        data=profile(
            mentor_capacity="4",
            expertise=["hate-speech"],
            **form_state(second.get(EDIT).get_data(as_text=True)),
        ),
    )
    assert theirs.status_code == 303
    before = stored(profile_app)

    mine = profile(summary_en="My new summary of Mombasa,\nwritten with care.", **state)
    refused = first.post(EDIT, data=mine)
    assert refused.status_code == 409
    assert stored(profile_app) == before
    text = refused.get_data(as_text=True)
    assert "My new summary of Mombasa,\nwritten with care." in text
    changed = text[text.index('id="changed-meanwhile"') :]
    changed = changed[: changed.index("</div>")]
    assert "Exchanges the city can mentor at once" in changed and ">4<" in changed
    assert "Hate speech" in changed
    assert "Summary in English" not in changed

    merged = {**mine, "mentor_capacity": "4", **form_state(text)}
    assert first.post(EDIT, data=merged).status_code == 303
    now = stored(profile_app)
    assert now["summaries"]["en"] == "My new summary of Mombasa,\nwritten with care."
    assert now["capacity"] == 4


def test_a_profile_save_racing_another_is_refused_not_merged_silently(profile_app):
    first = person(profile_app, "mombasa@example.org")
    second = person(profile_app, "mombasa2@example.org")
    state = form_state(first.get(EDIT).get_data(as_text=True))

    def theirs():
        return second.post(EDIT, data=profile(expertise=["hate-speech", "youth"], **state))

    with write_in_between(theirs) as happened:
        mine = first.post(EDIT, data=profile(expertise=["polarization"], **state))
    assert happened[0].status_code == 303
    assert mine.status_code == 409
    assert "Someone else saved this record" in mine.get_data(as_text=True)
    assert stored(profile_app)["expertise"] == ["hate-speech", "youth"]
