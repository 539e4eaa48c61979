"""Fixtures of the publishing tests: the real content, a staff member and a practitioner."""

from __future__ import annotations

import pytest

from hub import search
from hub.accounts import operations as accounts
from hub.content import files as content_files
from hub.extensions import db
from hub.search import indexer
from tests.conftest import CONTENT, _dispose

PASSWORD = "a long passphrase 2026"
STAFF_EMAIL = "staff@example.org"


@pytest.fixture
def site(form_app):
    """The real content, CSRF off (tested on its own), a staff member and a practitioner."""
    app = form_app
    with app.app_context():
        report = content_files.load_directory(CONTENT)
        assert not report.errors, report.errors
        accounts.create_user(STAFF_EMAIL, "staff", password=PASSWORD)
        accounts.create_user("ana@example.org", "practitioner", password=PASSWORD)
        db.session.commit()
        indexer.rebuild(search.store())
    yield app
    _dispose(app)


def signed_in(app, email=STAFF_EMAIL):
    client = app.test_client()
    response = client.post("/en/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def case_form(**changes) -> dict:
    form = {
        "title": "Youth councils in Mombasa!",
        "summary": "Young people advise the county.",
        "lead_city": "mombasa",
        "partner_cities": ["zanzibar"],
        "themes": ["youth", "local-action-plans"],
        "start_year": "2019",
        "status": "ongoing",
        "evidence_level": "monitored",
        "target_audience": "County officials.",
        "what_was_done": "- Set up councils.",
        "results": "Forty members.",
        "what_did_not_work": "",
        "cost_band": "low",
        "staffing_band": "unknown",
        "transferability": "Works anywhere.",
        "contact": "youth@example.org",
        "published": "2026-01-15",
        "body": "Councils meet **monthly**.",
        "action": "save",
    }
    form.update(changes)
    return form
