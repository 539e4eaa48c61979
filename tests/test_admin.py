"""Admins invite people, change roles, disable accounts, and read the audit log and the mail."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from hub.accounts import operations as accounts
from hub.accounts.models import MailMessage, User
from hub.audit import AuditEvent
from hub.content import files as content_files
from hub.extensions import db
from tests.conftest import CONTENT, _dispose

PASSWORD = "the admin's long passphrase"


@pytest.fixture
def admin_client(form_app):
    app = form_app
    with app.app_context():
        content_files.load_directory(CONTENT)
        accounts.create_user("admin@example.org", "admin", PASSWORD)
        db.session.commit()
    client = app.test_client()
    client.post("/en/login", data={"email": "admin@example.org", "password": PASSWORD})
    yield app, client
    _dispose(app)


def test_an_invited_person_chooses_a_password_and_signs_in(admin_client):
    app, client = admin_client
    response = client.post(
        "/en/admin/users", data={"email": "New@Example.org", "role": "focal_point", "city": "saida"}
    )
    assert response.status_code == 303
    with app.app_context():
        message = db.session.scalar(sa.select(MailMessage))
        assert message.recipient == "new@example.org"
    assert "new@example.org" in client.get("/en/admin/mail").get_data(as_text=True)
    link = re.search(r"http://localhost(/\S+)", message.body)[1]
    guest = app.test_client()
    new = "my own long passphrase"
    assert guest.post(link, data={"new_password": new, "confirm_password": new}).status_code == 302
    assert (
        guest.post("/en/login", data={"email": "new@example.org", "password": new}).status_code
        == 302
    )
    assert "Edit the city profile" in guest.get("/en/cities/saida").get_data(as_text=True)


def test_bad_invitations_change_nothing(admin_client):
    app, client = admin_client
    for data in (
        {"email": "not an address", "role": "staff"},
        {"email": "x@example.org", "role": "emperor"},
        {"email": "y@example.org", "role": "focal_point"},  # no city
        {"email": "admin@example.org", "role": "staff"},  # exists
    ):
        assert client.post("/en/admin/users", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_a_role_change_is_audited_and_filterable(admin_client):
    app, client = admin_client
    with app.app_context():
        person = accounts.create_user("p@example.org", "practitioner", "a long passphrase here")
        db.session.commit()
        person_id = person.id
    client.post(f"/en/admin/users/{person_id}/role", data={"role": "staff"})
    with app.app_context():
        assert db.session.get(User, person_id).role == "staff"
        event = db.session.scalar(sa.select(AuditEvent).filter_by(action="role_change"))
        assert event.before == {"role": "practitioner", "city": None}
        assert event.after == {"role": "staff", "city": None}
        assert event.actor.email == "admin@example.org"
    page = client.get("/en/admin/audit?action=role_change&actor=admin@example.org")
    assert f"user:{person_id}" in page.get_data(as_text=True)
    assert f"user:{person_id}" not in client.get("/en/admin/audit?action=token_issued").get_data(
        as_text=True
    )


def test_disabling_an_account(admin_client):
    app, client = admin_client
    with app.app_context():
        person = accounts.create_user("p@example.org", "practitioner", "a long passphrase here")
        db.session.commit()
        person_id = person.id
    client.post(f"/en/admin/users/{person_id}/disable")
    other = app.test_client()
    response = other.post(
        "/en/login", data={"email": "p@example.org", "password": "a long passphrase here"}
    )
    assert response.status_code == 401
    assert client.post("/en/admin/users/99999/disable").status_code == 404
