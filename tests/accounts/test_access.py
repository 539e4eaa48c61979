"""Access control is declared per route: a walk over every route of `app.url_map` for six people
checks each answer against the route's declared policy, and a route without one fails."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub import search
from hub.accounts import operations as accounts
from hub.accounts.models import User
from hub.cities.models import City
from hub.content import files as content_files
from hub.extensions import db
from hub.publishing.models import CaseStudy, Webinar
from hub.search import indexer
from hub.security.access import (
    ADMIN,
    BUILT_IN,
    FOCAL_POINT,
    PUBLIC,
    SIGNED_IN,
    STAFF,
    policy_of,
    unguarded_endpoints,
)
from tests.conftest import CONTENT, _dispose, make_app

PASSWORD = "a long and private passphrase"
PEOPLE = {
    "anonymous": None,
    "practitioner": ("practitioner", None),
    "focal point of Mombasa": ("focal_point", "mombasa"),
    "focal point of Saida": ("focal_point", "saida"),
    "staff": ("staff", None),
    "admin": ("admin", None),
}
# Who a policy lets through.
ALLOWED = {
    PUBLIC: set(PEOPLE),
    SIGNED_IN: set(PEOPLE) - {"anonymous"},
    FOCAL_POINT: {"focal point of Mombasa", "focal point of Saida", "staff", "admin"},
    STAFF: {"staff", "admin"},
    ADMIN: {"admin"},
}


@pytest.fixture
def walk(database):
    app = make_app(database, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        db.create_all()
        content_files.load_directory(CONTENT)
        tokens = {}
        for name, spec in PEOPLE.items():
            if spec:
                email = name.replace(" ", "-") + "@example.org"
                person = accounts.create_user(email, spec[0], PASSWORD, spec[1])
                tokens[name] = accounts.issue_token(person)
        db.session.commit()
        indexer.rebuild(search.store())  # without an index, search answers 503
    yield app, tokens
    _dispose(app)


def sample_values(app) -> dict:
    with app.app_context():
        return {
            "lang": "en",
            "slug": "mombasa",
            "id": db.session.scalar(sa.select(CaseStudy.id).limit(1)),
            "user_id": db.session.scalar(
                sa.select(User.id).filter_by(email="practitioner@example.org")
            ),
            "webinar_id": db.session.scalar(sa.select(Webinar.id).limit(1)),
            "city_id": db.session.scalar(sa.select(City.id).limit(1)),
        }


def url_for_rule(rule, values: dict) -> str:
    arguments = {}
    for name in rule.arguments:
        choices = getattr(rule._converters.get(name), "items", None)
        if choices:  # an any(...) converter
            arguments[name] = sorted(choices)[0]
        elif name in values:
            arguments[name] = values[name]
        elif name.endswith("_id") or name in ("number",):
            arguments[name] = values["id"]
        elif name in ("kind",):
            arguments[name] = "case"
        elif name in ("language", "target_lang"):
            arguments[name] = "fr"
        elif name in ("token",):
            arguments[name] = "not-a-real-token"
        else:
            arguments[name] = "mombasa"
    return rule.build(arguments, append_unknown=False)[1]


def refused(response, api: bool) -> bool:
    if api:
        return response.status_code in (401, 403)
    if response.status_code == 302 and "/login?next=" in response.headers.get("Location", ""):
        return True
    return response.status_code == 403


def test_every_route_declares_a_policy(walk):
    app, _ = walk
    with app.test_request_context():
        assert unguarded_endpoints() == []


def test_every_route_answers_as_its_policy_says(walk):
    app, tokens = walk
    values = sample_values(app)
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in BUILT_IN]
    assert len(rules) > 20
    problems = []
    for person in PEOPLE:
        client = app.test_client()
        if person != "anonymous":
            email = person.replace(" ", "-") + "@example.org"
            response = client.post("/en/login", data={"email": email, "password": PASSWORD})
            assert response.status_code == 302, person
        for rule in rules:
            policy = policy_of(app.view_functions[rule.endpoint])
            path = url_for_rule(rule, values)
            api = path.startswith("/api/")
            headers = (
                {"Authorization": f"Bearer {tokens[person]}"} if api and person in tokens else {}
            )
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if rule.endpoint == "accounts.logout":
                    continue  # would sign this person out in the middle of the walk
                response = client.open(
                    path, method=method, headers=headers, json={} if api else None
                )
                expected_refusal = person not in ALLOWED[policy]
                if refused(response, api) != expected_refusal or response.status_code >= 500:
                    problems.append((person, method, path, policy, response.status_code))
    assert not problems, "\n".join(map(str, problems))


def test_a_focal_point_cannot_edit_another_citys_profile(walk):
    app, _ = walk
    client = app.test_client()
    client.post(
        "/en/login", data={"email": "focal-point-of-saida@example.org", "password": PASSWORD}
    )
    with app.app_context():
        before = db.session.scalar(sa.select(City).filter_by(slug="mombasa")).summaries
    page = client.get("/en/cities/mombasa/edit")
    change = client.post(
        "/en/cities/mombasa/edit",
        data={"summary_en": "Taken over", "languages": ["en"], "mentor_capacity": "9"},
    )
    assert page.status_code == change.status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(City).filter_by(slug="mombasa")).summaries == before
    own = client.post(
        "/en/cities/saida/edit",
        data={"summary_en": "Saida, updated by its focal point.", "languages": ["ar", "en", "fr"],
              "mentor_capacity": "2", "expertise": ["social-cohesion"]},
    )  # fmt: skip
    assert own.status_code == 303
    body = client.get("/en/cities/saida").get_data(as_text=True)
    assert "Saida, updated by its focal point." in body


def test_members_see_case_contacts_and_anonymous_readers_do_not(walk):
    app, _ = walk
    client = app.test_client()
    page = "/en/cases/transatlantic-dialogue-initiative-2023-findings"
    assert "Simon Dukic" not in client.get(page).get_data(as_text=True)
    client.post("/en/login", data={"email": "practitioner@example.org", "password": PASSWORD})
    assert "Simon Dukic" in client.get(page).get_data(as_text=True)


def table_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def test_nothing_changes_state_on_get(walk):
    app, tokens = walk
    values = sample_values(app)
    client = app.test_client()
    client.post("/en/login", data={"email": "admin@example.org", "password": PASSWORD})
    before = table_counts(app)
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in BUILT_IN:
            path = url_for_rule(rule, values)
            headers = (
                {"Authorization": f"Bearer {tokens['admin']}"} if path.startswith("/api/") else {}
            )
            assert client.get(path, headers=headers).status_code < 500, path
    assert table_counts(app) == before


def test_the_api_asks_for_a_token_in_the_one_envelope(walk):
    app, _ = walk
    values = sample_values(app)
    guarded = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and policy_of(app.view_functions[rule.endpoint]) != PUBLIC
    ]
    assert guarded
    client = app.test_client()
    for rule in guarded:
        path = url_for_rule(rule, values)
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Cookie": "session=x"}):
            response = client.open(path, method=method, headers=headers, json={})
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert list(response.get_json()) == ["errors"], (method, path)
            assert response.get_json()["errors"]["_"].startswith("Sign in")


def test_a_signed_in_browser_cannot_use_the_api_with_its_cookie(walk):
    app, _ = walk
    client = app.test_client()
    client.post("/en/login", data={"email": "admin@example.org", "password": PASSWORD})
    guarded = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and policy_of(app.view_functions[rule.endpoint]) != PUBLIC
    ]
    path = url_for_rule(guarded[0], sample_values(app))
    method = sorted(guarded[0].methods - {"HEAD", "OPTIONS"})[0]
    assert client.open(path, method=method, json={}).status_code == 401
