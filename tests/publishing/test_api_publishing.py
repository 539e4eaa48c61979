"""The publishing API: case studies and webinar records as JSON, for staff with a token."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.accounts import operations as accounts
from hub.accounts.models import User
from hub.audit import AuditEvent
from hub.content import files as content_files
from hub.extensions import db
from hub.publishing.models import CaseStudy, Webinar
from tests.conftest import CONTENT, make_app

PASSWORD = "a long passphrase 2026"


@pytest.fixture
def site(form_app):
    """Themes and cities loaded, a staff member and a practitioner, each with a token."""
    app = form_app
    with app.app_context():
        for folder in ("themes", "cities"):
            report = content_files.load_directory(CONTENT / folder)
            assert not report.errors, report.errors
        staff = accounts.create_user("staff@example.org", "staff", password=PASSWORD)
        practitioner = accounts.create_user("ana@example.org", "practitioner", password=PASSWORD)
        app.config["test_tokens"] = {
            "staff": accounts.issue_token(staff),
            "practitioner": accounts.issue_token(practitioner),
        }
        db.session.commit()
    yield app
    from tests.conftest import _dispose

    _dispose(app)


def matching(client, url: str, headers: dict) -> dict:
    """`headers` with the If-Match a write needs: the ETag a GET of `url` answers now."""
    return {**headers, "If-Match": client.get(url, headers=headers).headers["ETag"]}


def bearer(app, who="staff") -> dict:
    return {"Authorization": f"Bearer {app.config['test_tokens'][who]}"}


CASE = {
    "title": "Neighbourhood dialogue circles",
    "summary": "Residents meet to talk.",
    "lead_city": "oslo",
    "themes": ["social-cohesion", "polarization"],
    "start_year": 2021,
    "status": "completed",
    "evidence_level": "none",
    "contact": "dialogue@example.org",
    "published": "2026-03-01",
    "body": "Circles of **twelve**.",
}

WEBINAR = {
    "title": "Online harms and cities",
    "summary": "A conversation.",
    "date": "2026-04",
    "timezone": "Europe/Oslo",
    "date_precision": "month",
    "format": "online",
    "themes": ["online-harms"],
    "published": "2026-04-20",
    "speakers": [{"name": "Kari Nord", "role": "Adviser", "city": "oslo"}],
    "takeaways": [{"title": "Start small", "text": "Pilot first."}],
}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def actions(app, target) -> list[str]:
    with app.app_context():
        stmt = sa.select(AuditEvent).filter_by(target=target).order_by(AuditEvent.id)
        return [(event.action, event.actor.email) for event in db.session.scalars(stmt)]


def test_round_trip_with_a_staff_token(site):
    client, anonymous = site.test_client(), site.test_client()
    created = client.post("/api/v1/cases", json=CASE, headers=bearer(site))
    assert created.status_code == 201
    record = created.get_json()
    case_id = record["id"]
    assert record["slug"] == "neighbourhood-dialogue-circles"
    assert (record["state"], record["languages"], record["language"]) == ("draft", ["en"], "en")
    assert record["themes"] == ["polarization", "social-cohesion"]
    assert record["published"] == "2026-03-01" and record["body"] == "Circles of **twelve**."

    url = f"/api/v1/cases/{case_id}"
    assert client.get(url, headers=bearer(site)).get_json() == record
    assert anonymous.get(url).status_code == 404  # a draft: as if it did not exist
    hidden = client.get(url, headers=bearer(site, "practitioner"))
    assert hidden.status_code == 404 and hidden.is_json

    patched = client.patch(
        url, json={"title": "Dialogue circles"}, headers=matching(client, url, bearer(site))
    )
    assert patched.status_code == 200
    assert patched.get_json() == {**record, "title": "Dialogue circles"}
    published = client.patch(
        url, json={"state": "published"}, headers=matching(client, url, bearer(site))
    )
    assert published.get_json()["state"] == "published"
    public = anonymous.get(url)
    assert public.status_code == 200
    assert public.get_json()["title"] == "Dialogue circles"
    assert "contact" not in public.get_json()  # for signed-in members only
    assert anonymous.get("/en/cases/neighbourhood-dialogue-circles").status_code == 200

    assert client.delete(url, headers=matching(client, url, bearer(site))).status_code == 204
    assert client.get(url, headers=bearer(site)).status_code == 404
    assert anonymous.get("/en/cases/neighbourhood-dialogue-circles").status_code == 404
    staff = "staff@example.org"
    assert actions(site, f"case:{case_id}") == [
        ("create", staff),
        ("permission_denied", "ana@example.org"),  # the practitioner's look at the draft
        ("edit", staff),
        ("publish", staff),
        ("delete", staff),
    ]


def test_webinar_round_trip(site):
    client = site.test_client()
    created = client.post(
        "/api/v1/webinars", json={**WEBINAR, "state": "published"}, headers=bearer(site)
    )
    assert created.status_code == 201
    record = created.get_json()
    assert (record["state"], record["date"], record["slug"]) == (
        "published",
        "2026-04",
        "online-harms-and-cities",
    )
    assert record["speakers"] == WEBINAR["speakers"]
    url = f"/api/v1/webinars/{record['id']}"
    assert site.test_client().get(url).get_json()["title"] == "Online harms and cities"
    changed = client.patch(
        url,
        json={"takeaways": [], "body": "Notes."},
        headers=matching(client, url, bearer(site)),
    )
    assert changed.status_code == 200
    assert "takeaways" not in changed.get_json() and changed.get_json()["body"] == "Notes."
    assert client.delete(url, headers=matching(client, url, bearer(site))).status_code == 204
    assert count(site, Webinar) == 0


def test_writes_need_a_staff_token(site):
    client = site.test_client()
    anonymous = client.post("/api/v1/cases", json=CASE)
    assert anonymous.status_code == 401 and anonymous.is_json
    refused = client.post("/api/v1/cases", json=CASE, headers=bearer(site, "practitioner"))
    assert refused.status_code == 403 and refused.is_json
    wrong = client.post("/api/v1/cases", json=CASE, headers={"Authorization": "Bearer nonsense"})
    assert wrong.status_code == 401
    # A signed-in staff member's session cookie does not act for the API (no CSRF through it).
    signed_in = client.post("/en/login", data={"email": "staff@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/en/publishing/").status_code == 200
    assert client.post("/api/v1/cases", json=CASE).status_code == 401
    assert client.delete("/api/v1/cases/1").status_code == 401
    assert count(site, CaseStudy) == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**CASE, "themes": "youth"}, "themes"),
        ({**CASE, "start_year": "soon"}, "start_year"),
        ({**CASE, "themes": ["no-such-theme"]}, "themes"),
        ({**CASE, "lead_city": "atlantis"}, "lead_city"),
        ({**CASE, "title": "x" * 301}, "title"),
        ({**CASE, "title": ["a list"]}, "title"),
        ({**CASE, "summary": "x" * 100_001}, "summary"),
        ({**CASE, "body": 42}, "body"),
        ({**CASE, "published": "soon"}, "published"),
        ({**CASE, "status": "paused"}, "status"),
        ({**CASE, "colour": "blue"}, "colour"),
        ({**CASE, "state": "archived"}, "state"),
        ({**CASE, "slug": "Not A Slug"}, "slug"),
        ({key: value for key, value in CASE.items() if key != "themes"}, "themes"),
    ],
)
def test_invalid_fields_are_named_and_change_nothing(site, payload, field):
    response = site.test_client().post("/api/v1/cases", json=payload, headers=bearer(site))
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    assert count(site, CaseStudy) == 0
    with site.app_context():
        stmt = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.target.like("case:%"))
        assert db.session.scalar(stmt) == 0


def test_bad_bodies_and_unknown_records(site):
    client, headers = site.test_client(), bearer(site)
    for data in ("{not json", "[1, 2]", '"text"', ""):
        response = client.post(
            "/api/v1/cases", data=data, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.get_json()["errors"]
    assert client.get("/api/v1/cases/999").status_code == 404
    assert (
        client.patch("/api/v1/cases/999", json={"title": "x"}, headers=headers).status_code == 404
    )
    assert client.delete("/api/v1/webinars/999", headers=headers).status_code == 404

    case_id = client.post("/api/v1/cases", json=CASE, headers=headers).get_json()["id"]
    url = f"/api/v1/cases/{case_id}"
    for patch, field in [
        ({"themes": "youth"}, "themes"),
        ({"start_year": "soon"}, "start_year"),
        ({"slug": "another-slug"}, "slug"),
        ({"title": "New", "state": "gone"}, "state"),
    ]:
        response = client.patch(url, json=patch, headers=matching(client, url, headers))
        assert response.status_code == 400
        assert field in response.get_json()["errors"]
    record = client.get(url, headers=headers).get_json()
    assert (record["title"], record["start_year"], record["state"]) == (
        CASE["title"],
        2021,
        "draft",
    )
    with site.app_context():
        editor = db.session.scalar(sa.select(User).filter_by(email="staff@example.org"))
        assert editor is not None
    assert [action for action, _ in actions(site, f"case:{case_id}")] == ["create"]


def test_the_api_needs_no_csrf_token_but_the_forms_do(database):
    app = make_app(database)  # CSRF protection on, as in production
    with app.app_context():
        db.create_all()
        report = content_files.load_directory(CONTENT / "themes")
        content_files.load_directory(CONTENT / "cities")
        assert not report.errors
        token = accounts.issue_token(accounts.create_user("staff@example.org", "staff", PASSWORD))
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/cases", json=CASE, headers=headers).status_code == 201
    # A browser form without the token is refused before anything else happens.
    assert client.post("/en/publishing/case/1/state", data={"action": "publish"}).status_code == 400
    with app.app_context():
        assert db.session.get(CaseStudy, 1).state == "draft"
    from tests.conftest import _dispose

    _dispose(app)


def test_a_new_record_has_its_address_and_every_problem_is_named_at_once(site):
    client, headers = site.test_client(), bearer(site)
    created = client.post("/api/v1/cases", json=CASE, headers=headers)
    assert created.status_code == 201
    assert created.headers["Location"].endswith(f"/api/v1/cases/{created.get_json()['id']}")
    assert client.get(created.headers["Location"], headers=headers).status_code == 200

    bad = {**CASE, "title": "x" * 301, "status": "paused", "start_year": 1066, "slug": "A B"}
    response = client.post("/api/v1/cases", json=bad, headers=headers)
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"title", "status", "start_year", "slug"}


def test_multi_line_text_is_stored_with_lf_and_an_arabic_title_gets_a_latin_slug(site):
    client, headers = site.test_client(), bearer(site)
    sent = {**CASE, "title": "حلقات الحوار في الأحياء", "body": "One.\r\n\r\nTwo.\rThree."}
    record = client.post("/api/v1/cases", json=sent, headers=headers).get_json()
    assert record["body"] == "One.\n\nTwo.\nThree."
    assert record["slug"].isascii() and len(record["slug"].split("-")) >= 3


@pytest.mark.parametrize("record_id", ["2147483648", "99999999999999999999", "0", "-1", "x"])
def test_ids_that_cannot_exist_are_404_in_the_envelope(site, record_id):
    client, headers = site.test_client(), bearer(site)
    response = client.get(f"/api/v1/cases/{record_id}", headers=headers)
    assert response.status_code == 404
    assert set(response.get_json()) == {"errors"}
    # Werkzeug answers 405 when another method's rule has the same path (see the report).
    deleted = client.delete(f"/api/v1/cases/{record_id}", headers=headers)
    patched = client.patch(f"/api/v1/webinars/{record_id}", json={"title": "x"}, headers=headers)
    for response in (deleted, patched):
        assert response.status_code in (404, 405)
        assert set(response.get_json()) == {"errors"}


def test_a_published_record_can_be_archived_and_wrong_types_are_400(site):
    client, headers = site.test_client(), bearer(site)
    record = client.post(
        "/api/v1/webinars", json={**WEBINAR, "state": "published"}, headers=headers
    ).get_json()
    url = f"/api/v1/webinars/{record['id']}"
    archived = client.patch(url, json={"state": "archived"}, headers=matching(client, url, headers))
    assert archived.get_json()["state"] == ("archived")
    assert site.test_client().get(url).status_code == 404
    for patch in ([], {"speakers": [{"name": 1}]}, {"takeaways": "x"}, {"date": {"a": 1}}):
        response = client.patch(url, json=patch, headers=headers)
        assert response.status_code == 400, patch
        assert response.get_json()["errors"]
