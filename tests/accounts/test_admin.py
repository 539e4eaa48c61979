"""Admins invite people, change roles, disable accounts, and read the audit log and the mail."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from hub.accounts import operations as accounts
from hub.accounts.models import User
from hub.audit import AuditAction, AuditEvent
from hub.cities.models import City
from hub.content import files as content_files
from hub.extensions import db
from hub.mail.models import MailMessage
from tests.conftest import CONTENT, _dispose, make_app

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
    link = re.search(r"http://127.0.0.1:5000(/\S+)", message.body)[1]
    guest = app.test_client()
    new = "my own long passphrase"
    assert guest.post(link, data={"new_password": new, "confirm_password": new}).status_code == 302
    assert (
        guest.post("/en/login", data={"email": "new@example.org", "password": new}).status_code
        == 302
    )
    assert "Edit the city profile" in guest.get("/en/cities/saida").get_data(as_text=True)


def test_bad_invitations_change_nothing_and_say_why(admin_client):
    app, client = admin_client
    for data, problem in (
        ({"email": "not an address", "role": "staff"}, "Enter a valid e-mail address."),
        ({"email": "x@example.org", "role": "emperor"}, "Not a valid choice"),
        ({"email": "y@example.org", "role": "focal_point"}, "A focal point belongs to a city"),
        ({"email": "admin@example.org", "role": "staff"}, "exists already"),
        ({"email": "z@example.org", "role": "focal_point", "city": "atlantis"}, "belongs to a"),
    ):
        response = client.post("/en/admin/users", data=data)
        assert response.status_code == 400, data
        assert problem in response.get_data(as_text=True), data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 0


def test_an_invitation_reports_every_problem_at_once_in_the_readers_language(admin_client):
    _app, client = admin_client
    response = client.post(
        "/fr/admin/users", data={"email": "pas une adresse", "name": "A\x00B", "role": "staff"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide." in body
    assert 'id="name-error"' in body and 'id="email-error"' in body
    assert 'value="pas une adresse"' in body  # what was typed is kept


def test_the_admin_forms_carry_their_csrf_token_from_the_form_classes(database):
    app = make_app(database)
    with app.app_context():
        db.create_all()
        accounts.create_user("admin@example.org", "admin", PASSWORD)
        accounts.create_user("p@example.org", "practitioner", "a long passphrase here")
        db.session.commit()
    client = app.test_client()
    page = client.get("/en/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    data = {"email": "admin@example.org", "password": PASSWORD, "csrf_token": token}
    assert client.post("/en/login", data=data).status_code == 302
    body = client.get("/en/admin/users").get_data(as_text=True)
    # invite, two role forms, one disable form (not for oneself) and sign out
    assert body.count('name="csrf_token"') == 5
    assert body.count('id="csrf_token"') <= 1  # ids stay unique on the page


def create_practitioner(app) -> int:
    with app.app_context():
        person = accounts.create_user("p@example.org", "practitioner", "a long passphrase here")
        db.session.commit()
        return person.id


def test_a_role_change_is_audited_and_filterable(admin_client):
    app, client = admin_client
    person_id = create_practitioner(app)
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
    person_id = create_practitioner(app)
    client.post(f"/en/admin/users/{person_id}/disable")
    other = app.test_client()
    response = other.post(
        "/en/login", data={"email": "p@example.org", "password": "a long passphrase here"}
    )
    assert response.status_code == 401
    assert client.post("/en/admin/users/99999/disable").status_code == 404


def test_the_audit_filter_offers_every_action_by_its_label(admin_client):
    _app, client = admin_client
    body = client.get("/en/admin/audit").get_data(as_text=True)
    for action in AuditAction:
        assert f'<option value="{action.value}">{action.label}</option>' in body
    page = client.get("/en/admin/audit?action=match_offered")
    assert page.status_code == 200
    assert '<option value="match_offered" selected>' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "query", ["action=emperor", "action=match_offered&actor=not-an-address", "action=%00"]
)
def test_a_bad_audit_filter_is_a_400_that_says_why(admin_client, query):
    _app, client = admin_client
    response = client.get(f"/en/admin/audit?{query}")
    assert response.status_code == 400
    assert "Some filters could not be used" in response.get_data(as_text=True)


def count_statements(app, client, path: str) -> int:
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200, path
    finally:
        with app.app_context():
            sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def add_people_events_and_mail(app, start: int, number: int) -> None:
    """People in a city, with role changes, audit events by them, and mail to them."""
    from hub import audit, mail

    with app.test_request_context():
        admin = accounts.find_user("admin@example.org")
        slugs = list(db.session.scalars(sa.select(City.slug).order_by(City.slug)))
        for index in range(start, start + number):
            city = slugs[index % len(slugs)]
            person = accounts.create_user(f"person{index}@example.org", "focal_point", None, city)
            accounts.set_role(person, "staff", None, admin)
            accounts.set_role(person, "focal_point", city, admin)
            audit.record(AuditAction.match_offered, f"request:{index}", actor=person)
            mail.send(person.email, "Hello", "A message")
        db.session.commit()


@pytest.mark.parametrize(
    "path", ["/en/admin/users", "/en/admin/audit", "/en/admin/audit?action=role_change",
             "/en/admin/mail"]
)  # fmt: skip
def test_admin_pages_have_a_query_budget(admin_client, path):
    app, client = admin_client
    add_people_events_and_mail(app, 0, 2)
    few = count_statements(app, client, path)
    add_people_events_and_mail(app, 2, 30)
    assert count_statements(app, client, path) == few
