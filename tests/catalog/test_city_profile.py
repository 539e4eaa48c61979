"""A focal point keeps the city's profile in the browser: summaries, languages, mentoring."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from markupsafe import escape

from hub.audit import AuditEvent
from hub.cities.models import City
from hub.content.documents import split_front_matter
from hub.extensions import db
from hub.i18n import LANGUAGES
from hub.vocab import WORKING_LANGUAGES
from tests.checkboxes import labels, ticked
from tests.conftest import CONTENT, PASSWORD, app_with_people

EDIT = "/en/cities/mombasa/edit"


@pytest.fixture
def profile_app(database):
    return app_with_people(database, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)


@pytest.fixture
def focal_point(profile_app):
    client = profile_app.test_client()
    signed_in = client.post(
        "/en/login", data={"email": "mombasa@example.org", "password": PASSWORD}
    )
    assert signed_in.status_code in (302, 303)
    return client


def mombasa(app) -> City:
    with app.app_context():
        city = db.session.scalar(sa.select(City).filter_by(slug="mombasa"))
        city.expertise  # noqa: B018 (loaded while the session is open)
        db.session.expunge(city)
        return city


def profile(**changes) -> dict:
    sent = {
        "summary_en": "Mombasa is Kenya's oldest city.",
        "summary_ar": "",
        "summary_fr": "",
        "summary_es": "",
        "languages": ["en", "sw"],
        "mentor_capacity": "2",
        "expertise": ["youth", "local-action-plans"],
    }
    return sent | changes


def test_the_form_shows_the_saved_profile(profile_app, focal_point):
    page = focal_point.get(EDIT)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    city = mombasa(profile_app)
    assert escape(city.summaries["en"]) in body
    assert ticked(body, "languages") == set(city.languages)
    assert "Mentoring other cities" in body
    for theme in city.expertise:
        assert f'<option selected value="{theme.slug}">' in body


def test_a_multi_line_summary_from_the_browser_is_stored_with_lf(profile_app, focal_point):
    text = "Mombasa is Kenya's oldest city.\r\n\r\nIts county runs a peace forum.\r\n"
    response = focal_point.post(
        EDIT, data=profile(summary_en=text, summary_fr="Ligne 1\r\nLigne 2")
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/en/cities/mombasa")
    city = mombasa(profile_app)
    assert city.summaries == {
        "en": "Mombasa is Kenya's oldest city.\n\nIts county runs a peace forum.",
        "fr": "Ligne 1\nLigne 2",
    }
    assert city.languages == ["en", "sw"]
    assert city.mentor_capacity == 2
    assert {theme.slug for theme in city.expertise} == {"youth", "local-action-plans"}
    with profile_app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()))
        assert event.target == f"city:{city.id}"
        assert event.after == {"languages": ["en", "sw"], "mentor_capacity": 2}
    # Saving the unchanged form again works too.
    again = focal_point.post(EDIT, data=profile(summary_en=city.summaries["en"]))
    assert again.status_code == 303


def test_the_list_offers_every_language_the_networks_cities_and_the_hub_use():
    for path in sorted((CONTENT / "cities").glob("*.md")):
        front, _body = split_front_matter(path.read_text(encoding="utf-8"), str(path))
        assert set(front["languages"]) <= set(WORKING_LANGUAGES), path.name
    assert set(LANGUAGES) <= set(WORKING_LANGUAGES)


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("en", ["Arabic", "Danish", "Dutch", "English", "French", "German", "Norwegian"]),
        ("fr", ["allemand", "anglais", "arabe", "danois", "espagnol", "français", "néerlandais"]),
        ("es", ["alemán", "árabe", "danés", "español", "francés", "inglés", "neerlandés"]),
        ("ar", ["الإنجليزية", "السواحلية", "الفرنسية"]),
    ],
)
def test_the_languages_are_ticked_by_name_in_the_readers_language(focal_point, lang, names):
    body = focal_point.get(f"/{lang}/cities/mombasa/edit").get_data(as_text=True)
    offered = labels(body, "languages")
    assert [name for name in offered if name in names] == names  # all there, in this order
    assert 'name="languages" type="checkbox" value="sw"' in body


def test_two_ticked_languages_are_stored(profile_app, focal_point):
    assert focal_point.post(EDIT, data=profile(languages=["fr", "sw"])).status_code == 303
    assert mombasa(profile_app).languages == ["fr", "sw"]


def test_an_unknown_language_is_refused_by_label_and_nothing_changes(profile_app, focal_point):
    before = mombasa(profile_app)
    for languages in (["en", "xx"], []):
        refused = focal_point.post(EDIT, data=profile(languages=languages, summary_en="Changed"))
        assert refused.status_code == 400
        body = refused.get_data(as_text=True)
        start = body.index("<legend>Working languages</legend>")
        group = body[start : body.index("</fieldset>", start)]
        message = "Not a language code" if languages else "Tick at least one language."
        assert message in group
        after = mombasa(profile_app)
        assert (after.languages, after.summaries) == (before.languages, before.summaries)


def test_a_stored_language_outside_the_list_stays_ticked_and_survives_a_save(
    profile_app, focal_point
):
    assert focal_point.post(EDIT, data=profile(languages=["en", "am"])).status_code == 303
    body = focal_point.get(EDIT).get_data(as_text=True)
    assert "Amharic" in labels(body, "languages")
    assert ticked(body, "languages") == {"en", "am"}
    saved = focal_point.post(
        EDIT, data=profile(languages=sorted(ticked(body, "languages")), summary_en="Again")
    )
    assert saved.status_code == 303
    assert sorted(mombasa(profile_app).languages) == ["am", "en"]


PROBLEMS = [
    ({"summary_en": "  \r\n "}, "This field is required."),
    ({"summary_en": "x" * 2001}, "At most 2000 characters."),
    ({"summary_ar": "\u202eevil"}, "This text contains characters that cannot be saved."),
    ({"languages": []}, "Tick at least one language."),
    ({"mentor_capacity": "51"}, "A whole number from 0 to 50."),
    ({"mentor_capacity": "-1"}, "A whole number from 0 to 50."),
    ({"mentor_capacity": "two"}, "A whole number from 0 to 50."),
    ({"expertise": ["no-such-theme"]}, "not a valid choice"),
]


def test_every_problem_is_named_and_nothing_changes(profile_app, focal_point):
    def saved() -> tuple:
        city = mombasa(profile_app)
        return city.summaries, city.languages, city.mentor_capacity

    before = saved()
    for changes, message in PROBLEMS:
        response = focal_point.post(EDIT, data=profile(**changes))
        assert response.status_code == 400, changes
        assert escape(message) in response.get_data(as_text=True), changes
        assert saved() == before, changes
    everything = {
        name: value for changes, _message in PROBLEMS[1:5] for name, value in changes.items()
    }
    body = focal_point.post(EDIT, data=profile(**everything)).get_data(as_text=True)
    assert all(escape(message) in body for _changes, message in PROBLEMS[1:5])
