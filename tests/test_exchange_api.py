"""The exchange API: focal points ask for an exchange, see suggested mentors for their own city's
requests only; staff see every request and run matching rounds."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.models import AuditEvent, ExchangeRequest, MatchProposal
from hub.services import accounts, content_files
from tests.conftest import CONTENT, _dispose, make_app

PASSWORD = "a long passphrase 2026"
PEOPLE = {
    "zanzibar": ("focal_point", "zanzibar"),
    "saida": ("focal_point", "saida"),
    "practitioner": ("practitioner", None),
    "staff": ("staff", None),
}
REQUEST = {
    "themes": ["local-action-plans"],
    "challenge": "Our action plan stalls between the county and the wards.",
    "languages": ["en", "sw"],
    "format": "mentoring",
    "timeframe": "2027",
}


@pytest.fixture
def site(database):
    app = make_app(database)
    with app.app_context():
        db.create_all()
        report = content_files.load_directory(CONTENT)
        assert not report.errors, report.errors
        tokens = {}
        for name, (role, city) in PEOPLE.items():
            person = accounts.create_user(f"{name}@example.org", role, PASSWORD, city)
            tokens[name] = accounts.issue_token(person)
        db.session.commit()
    app.config["test_tokens"] = tokens
    yield app
    _dispose(app)


def call(app, who, method, path, json=None, **headers):
    headers["Authorization"] = f"Bearer {app.config['test_tokens'][who]}"
    return app.test_client().open(path, method=method, json=json, headers=headers)


def create(app, who="zanzibar", **fields):
    return call(app, who, "POST", "/api/v1/exchange-requests", {**REQUEST, **fields})


def snapshot(app, request_id):
    with app.app_context():
        found = db.session.get(ExchangeRequest, request_id)
        return (found.status, found.challenge, len(found.history), len(found.proposals))


def test_a_focal_point_asks_submits_and_reads_suggestions(site):
    created = create(site)
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["status"], body["city"], body["themes"]) == (
        "draft",
        "zanzibar",
        REQUEST["themes"],
    )
    request_id = body["id"]
    submitted = call(site, "zanzibar", "POST", f"/api/v1/exchange-requests/{request_id}/submit")
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    again = call(site, "zanzibar", "POST", f"/api/v1/exchange-requests/{request_id}/submit")
    assert again.status_code == 409 and "status" in again.json["errors"]

    answer = call(site, "zanzibar", "GET", f"/api/v1/exchange-requests/{request_id}/suggestions")
    assert answer.status_code == 200
    assert answer.json["request"] == request_id
    suggestions = answer.json["suggestions"]
    assert "mombasa" in [s["city"] for s in suggestions[:3]]
    for item in suggestions:
        assert set(item) >= {"city", "score", "factors", "reason"}
        contributions = [f["contribution"] for f in item["factors"].values()]
        assert sum(contributions) == pytest.approx(item["score"])
        for factor in item["factors"].values():
            assert factor["contribution"] == pytest.approx(factor["value"] * factor["weight"])
    mombasa = next(s for s in suggestions if s["city"] == "mombasa")
    assert mombasa["reason"].startswith("Mombasa has ")
    assert "is in your region" in mombasa["reason"]


def test_the_reason_is_in_the_readers_language(site):
    request_id = create(site, status="submitted").json["id"]
    path = f"/api/v1/exchange-requests/{request_id}/suggestions"
    french = call(site, "zanzibar", "GET", path, **{"Accept-Language": "fr"}).json
    english = call(site, "zanzibar", "GET", path, **{"Accept-Language": "en"}).json
    assert french["suggestions"][0]["score"] == english["suggestions"][0]["score"]
    assert french["suggestions"][0]["reason"] != english["suggestions"][0]["reason"]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"themes": ["no-such-theme"]}, "themes"),
        ({"themes": "local-action-plans"}, "themes"),
        ({"languages": ["en", "qq"]}, "languages"),
        ({"format": "holiday"}, "format"),
        ({"challenge": "x" * 5001}, "challenge"),
        ({"challenge": ["a list"]}, "challenge"),
        ({"status": "accepted"}, "status"),
        ({"city": "saida"}, "city"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(site, fields, field):
    answer = create(site, **fields)
    assert answer.status_code == 400
    assert field in answer.json["errors"]
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeRequest)) == 0


def test_a_body_that_is_not_an_object_is_refused(site):
    answer = call(site, "zanzibar", "POST", "/api/v1/exchange-requests", ["themes"])
    assert answer.status_code == 400 and "request" in answer.json["errors"]


def test_another_citys_focal_point_gets_404_and_the_request_is_untouched(site):
    request_id = create(site).json["id"]
    before = snapshot(site, request_id)
    base = f"/api/v1/exchange-requests/{request_id}"
    for method, path in [
        ("GET", base),
        ("GET", f"{base}/suggestions"),
        ("POST", f"{base}/submit"),
        ("POST", f"{base}/withdraw"),
    ]:
        assert call(site, "saida", method, path).status_code == 404, path
    assert snapshot(site, request_id) == before
    with site.app_context():
        refused = db.session.scalars(
            sa.select(AuditEvent).filter_by(action="permission_denied")
        ).all()
        assert len(refused) == 4
        assert refused[0].target == f"exchange_request:{request_id}"
        assert refused[0].actor.email == "saida@example.org"


def test_practitioners_cannot_ask_and_staff_see_every_request(site):
    assert create(site, who="practitioner").status_code == 403
    request_id = create(site).json["id"]
    seen = call(site, "staff", "GET", f"/api/v1/exchange-requests/{request_id}")
    assert seen.status_code == 200 and seen.json["city"] == "zanzibar"
    for_saida = create(site, who="staff", city="saida", themes=["social-cohesion"])
    assert for_saida.status_code == 201 and for_saida.json["city"] == "saida"
    assert create(site, who="staff").status_code == 400  # staff must name the city
    anonymous = site.test_client().get(f"/api/v1/exchange-requests/{request_id}")
    assert anonymous.status_code == 401


def test_staff_run_a_round_a_dry_run_stores_nothing(site):
    request_id = create(site, status="submitted").json["id"]
    assert call(site, "zanzibar", "POST", "/api/v1/matching-rounds").status_code == 403
    dry = call(site, "staff", "POST", "/api/v1/matching-rounds", {"dry_run": True})
    assert dry.status_code == 200 and dry.json["dry_run"] is True
    assert [p["request"] for p in dry.json["proposals"]] == [request_id]
    assert snapshot(site, request_id)[0] == "submitted"
    bad = call(site, "staff", "POST", "/api/v1/matching-rounds", {"dry_run": "yes"})
    assert bad.status_code == 400 and "dry_run" in bad.json["errors"]

    real = call(site, "staff", "POST", "/api/v1/matching-rounds", {})
    assert real.status_code == 201
    assert real.json["proposals"] == [
        {**item, "id": real.json["proposals"][0]["id"]} for item in dry.json["proposals"]
    ]
    assert snapshot(site, request_id)[0] == "proposed"
    with site.app_context():
        stored = db.session.scalars(sa.select(MatchProposal)).all()
        assert [(p.request_id, p.mentor_city.slug) for p in stored] == [
            (request_id, dry.json["proposals"][0]["city"])
        ]
    shown = call(site, "zanzibar", "GET", f"/api/v1/exchange-requests/{request_id}")
    assert shown.json["status"] == "proposed"
    assert [h["to"] for h in shown.json["history"]] == ["draft", "submitted", "proposed"]
