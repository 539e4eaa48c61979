"""Two people editing the same exchange request at once (a city's focal points, or a focal point
and a script): ETag and If-Match in the API, the version in the form. No edit is lost silently."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.accounts import operations as accounts
from hub.exchanges.models import ExchangeRequest
from hub.extensions import db
from tests.concurrency import form_state, write_in_between
from tests.conftest import PASSWORD, _dispose, app_with_people

BASE = "/api/v1/exchange-requests"
REQUEST = {
    "themes": ["local-action-plans"],
    "challenge": "Our action plan stalls between the county and the wards.",
    "languages": ["en", "sw"],
    "format": "mentoring",
    "timeframe": "2027",
}
FORM = {
    "themes": ["local-action-plans"],
    "challenge": "Our action plan stalls between the county and the wards.",
    "languages": ["en", "sw"],
    "format": "mentoring",
    "timeframe": "2027",
}


@pytest.fixture
def site(database):
    app = app_with_people(database, WTF_CSRF_ENABLED=False)
    with app.app_context():
        user = accounts.find_user("zanzibar@example.org")
        app.config["token"] = accounts.issue_token(user)
        db.session.commit()
    yield app
    _dispose(app)


def auth(app, **headers) -> dict:
    return {"Authorization": f"Bearer {app.config['token']}", **headers}


def new_request(app) -> int:
    created = app.test_client().post(BASE, json=REQUEST, headers=auth(app))
    assert created.status_code == 201
    return created.get_json()["id"]


def stored(app, request_id: int) -> dict:
    with app.app_context():
        found = db.session.get(ExchangeRequest, request_id)
        return {
            "challenge": found.challenge,
            "timeframe": found.timeframe,
            "themes": [theme.slug for theme in found.themes],
            "version": found.version,
        }


def focal_point(app):
    client = app.test_client()
    answer = client.post("/en/login", data={"email": "zanzibar@example.org", "password": PASSWORD})
    assert answer.status_code in (302, 303)
    return client


def test_the_api_sends_an_etag_and_refuses_a_stale_if_match(site):
    client, request_id = site.test_client(), new_request(site)
    url = f"{BASE}/{request_id}"
    seen = client.get(url, headers=auth(site)).headers["ETag"]
    assert seen == f'"exchange-request-{request_id}-1-draft"'
    first = client.patch(url, json={"timeframe": "2028"}, headers=auth(site, **{"If-Match": seen}))
    assert first.status_code == 200
    assert first.headers["ETag"] == f'"exchange-request-{request_id}-2-draft"'
    before = stored(site, request_id)

    stale = client.patch(
        url,
        json={"themes": ["youth"], "challenge": "Old copy."},
        headers=auth(site, **{"If-Match": seen}),
    )
    assert stale.status_code == 412
    assert stale.get_json()["errors"]["_"]
    assert stored(site, request_id) == before
    bad = client.patch(url, json={"timeframe": "x"}, headers=auth(site, **{"If-Match": "2"}))
    assert bad.status_code == 400
    assert stored(site, request_id) == before

    # A change of status is in the tag: a client that saw the draft learns it was submitted.
    submitted = client.post(f"{url}/submit", headers=auth(site))
    assert submitted.headers["ETag"] == f'"exchange-request-{request_id}-2-submitted"'
    late = client.patch(
        url, json={"timeframe": "2029"}, headers=auth(site, **{"If-Match": first.headers["ETag"]})
    )
    assert late.status_code == 412
    fresh = client.patch(
        url,
        json={"timeframe": "2029"},
        headers=auth(site, **{"If-Match": submitted.headers["ETag"]}),
    )
    assert fresh.status_code == 200 and stored(site, request_id)["timeframe"] == "2029"


def test_an_edit_without_if_match_gets_a_428_and_changes_nothing(site):
    client, request_id = site.test_client(), new_request(site)
    before = stored(site, request_id)
    blind = client.patch(f"{BASE}/{request_id}", json={"timeframe": "2031"}, headers=auth(site))
    assert blind.status_code == 428
    assert "ETag" in blind.get_json()["errors"]["If-Match"]
    assert stored(site, request_id) == before


def test_a_themes_edit_between_a_patchs_read_and_write_is_not_overwritten(site):
    client, other, request_id = site.test_client(), site.test_client(), new_request(site)
    url = f"{BASE}/{request_id}"

    def theirs():
        body = {"themes": ["youth", "hate-speech"]}
        return other.patch(url, json=body, headers=auth(site, **{"If-Match": "*"}))

    with write_in_between(theirs) as happened:
        mine = client.patch(
            url, json={"themes": ["polarization"]}, headers=auth(site, **{"If-Match": "*"})
        )
    assert happened[0].status_code == 200
    assert mine.status_code == 409
    assert stored(site, request_id)["themes"] == ["hate-speech", "youth"]


def test_a_stale_request_form_keeps_the_text_and_shows_what_changed(site):
    request_id = new_request(site)
    browser = focal_point(site)
    page = browser.get(f"/en/exchanges/{request_id}/edit").get_data(as_text=True)
    state = form_state(page)
    meanwhile = site.test_client().patch(
        f"{BASE}/{request_id}",
        json={"timeframe": "Spring 2028", "format": "study-visit"},
        headers=auth(site, **{"If-Match": "*"}),
    )
    assert meanwhile.status_code == 200
    before = stored(site, request_id)

    mine = {**FORM, "challenge": "My rewritten challenge, two paragraphs long.", **state}
    refused = browser.post(f"/en/exchanges/{request_id}/edit", data=mine)
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert stored(site, request_id) == before
    assert "My rewritten challenge, two paragraphs long." in text
    assert "Someone else saved this record while you were editing it" in text
    changed = text[text.index('id="changed-meanwhile"') :]
    changed = changed[: changed.index("</div>")]
    assert "Spring 2028" in changed and "Study visit" in changed
    assert "challenge" not in changed.lower()

    again = browser.post(f"/en/exchanges/{request_id}/edit", data={**mine, **form_state(text)})
    assert again.status_code == 303
    assert stored(site, request_id)["challenge"] == "My rewritten challenge, two paragraphs long."


def test_the_form_page_carries_the_version(site):
    request_id = new_request(site)
    page = focal_point(site).get(f"/en/exchanges/{request_id}/edit").get_data(as_text=True)
    assert form_state(page)["version"] == "1"
    with site.app_context():
        assert db.session.scalar(sa.select(ExchangeRequest.version)) == 1
