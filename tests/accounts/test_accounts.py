"""Signing in, sessions, passwords and resets, throttling: the security baseline, rule by rule."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from hub.accounts import operations as accounts
from hub.accounts.models import User
from hub.audit import AuditEvent
from hub.extensions import db
from hub.mail.models import MailMessage
from tests.conftest import make_app

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def site(form_app):
    """An app with CSRF off (tested on its own below) and one practitioner."""
    app = form_app
    with app.app_context():
        accounts.create_user("ana@example.org", "practitioner", PASSWORD, name="Ana")
        db.session.commit()
    yield app
    from tests.conftest import _dispose

    _dispose(app)


def sign_in(client, email="ana@example.org", password=PASSWORD, lang="en"):
    return client.post(f"/{lang}/login", data={"email": email, "password": password})


def signed_in(client) -> bool:
    return "Sign out" in client.get("/en/").get_data(as_text=True)


def user(app, email="ana@example.org") -> User:
    with app.app_context():
        return db.session.scalar(sa.select(User).filter_by(email=email))


def test_sign_in_and_out(site):
    client = site.test_client()
    assert not signed_in(client)
    response = sign_in(client)
    assert response.status_code == 302
    assert signed_in(client)
    assert client.get("/en/logout").status_code == 405  # nothing changes state on GET
    assert signed_in(client)
    client.post("/en/logout")
    assert not signed_in(client)


def test_wrong_password_is_refused_without_saying_which_part(site):
    client = site.test_client()
    wrong = sign_in(client, password="not the password at all")
    unknown = sign_in(client, email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert "The e-mail address or the password is not right." in wrong.get_data(as_text=True)
    assert "The e-mail address or the password is not right." in unknown.get_data(as_text=True)
    assert not signed_in(client)


def test_passwords_are_hashed_with_argon2id(site):
    assert user(site).password_hash.startswith("$argon2id$")


def test_an_older_hash_is_upgraded_at_sign_in(site):
    with site.app_context():
        person = db.session.scalar(sa.select(User).filter_by(email="ana@example.org"))
        person.password_hash = generate_password_hash(PASSWORD, method="scrypt")
        db.session.commit()
    assert sign_in(site.test_client()).status_code == 302
    assert user(site).password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short one", False),
        ("elevenchars", False),
        ("twelve chars", True),
        ("password1234", False),  # among the most common
        ("Qwerty123456", False),
        ("aaaaaaaaaaaaaaaa", False),
        ("a" * 40 + "b", False),
        ("ana@example.org", False),
        ("x7!" + "long passphrase " * 8, True),  # 131 characters
        ("y" * 2000, False),
    ],
)
def test_password_policy(site, password, accepted):
    client = site.test_client()
    sign_in(client)
    response = client.post(
        "/en/account/password",
        data={"current_password": PASSWORD, "new_password": password, "confirm_password": password},
    )
    assert (response.status_code == 302) is accepted, response.get_data(as_text=True)[:500]


def test_session_is_renewed_at_sign_in(site):
    client = site.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_session_cookie_flags(site, database):
    response = sign_in(site.test_client())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = make_app(database, WTF_CSRF_ENABLED=False, SESSION_COOKIE_SECURE=True)
    cookie = sign_in(secure.test_client()).headers["Set-Cookie"]
    assert "Secure" in cookie


@pytest.mark.parametrize("clock", ["seen_at", "signed_in_at"])
def test_idle_and_absolute_timeouts_end_the_session(site, clock):
    client = site.test_client()
    sign_in(client)
    assert signed_in(client)
    with client.session_transaction() as session:
        session[clock] = time.time() - 13 * 60 * 60  # past both limits
    body = client.get("/en/").get_data(as_text=True)
    assert "Your session has ended" in body
    assert not signed_in(client)


def test_a_password_change_ends_the_other_sessions(site):
    here, elsewhere = site.test_client(), site.test_client()
    sign_in(here)
    sign_in(elsewhere)
    new = "another long passphrase 77"
    response = here.post(
        "/en/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere)


def test_disabling_an_account_ends_its_sessions(site):
    client = site.test_client()
    sign_in(client)
    with site.app_context():
        accounts.disable(db.session.scalar(sa.select(User)), actor=None)
        db.session.commit()
    assert not signed_in(client)
    assert sign_in(client).status_code == 401


def reset_link(app) -> str:
    with app.app_context():
        message = db.session.scalars(sa.select(MailMessage).order_by(MailMessage.id.desc())).first()
    return re.search(r"http://127.0.0.1:5000(/\S+)", message.body)[1]


def test_password_reset_by_a_one_time_link(site):
    client = site.test_client()
    response = client.post("/en/password-reset", data={"email": "ana@example.org"})
    assert response.status_code == 302
    link = reset_link(site)
    new = "a brand new passphrase 2026"
    assert client.post(link, data={"new_password": new, "confirm_password": new}).status_code == 302
    assert sign_in(site.test_client(), password=new).status_code == 302
    again = client.post(link, data={"new_password": new + "!", "confirm_password": new + "!"})
    assert again.status_code == 400
    assert "expired or has been used" in again.get_data(as_text=True)


def test_password_reset_links_expire(site, monkeypatch):
    site.test_client().post("/en/password-reset", data={"email": "ana@example.org"})
    link = reset_link(site)
    monkeypatch.setattr(accounts, "RESET_LINK_MAX_AGE", -1)
    assert site.test_client().get(link).status_code == 400


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", page)


def test_reset_requests_do_not_reveal_who_has_an_account(site):
    client = site.test_client()
    known = client.post(
        "/en/password-reset", data={"email": "ana@example.org"}, follow_redirects=True
    )
    unknown = client.post(
        "/en/password-reset", data={"email": "zed@example.org"}, follow_redirects=True
    )
    # The pages may differ only in their CSRF tokens, which carry the second they were made.
    assert _without_tokens(known.get_data(as_text=True)) == _without_tokens(
        unknown.get_data(as_text=True)
    )
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 1


def test_sign_in_is_throttled_per_account(site):
    client = site.test_client()
    for _ in range(5):
        assert sign_in(client, password="wrong wrong wrong").status_code == 401
    refused = sign_in(client, password="wrong wrong wrong", lang="fr")
    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.get_data(as_text=True)
    # Even the right password waits: the account is protected, not just the wrong guesses.
    assert sign_in(client).status_code == 429


def test_sign_in_is_throttled_per_address(site):
    client = site.test_client()
    for number in range(10):
        assert sign_in(client, email=f"guess{number}@example.org").status_code == 401
    assert sign_in(client, email="guess99@example.org").status_code == 429


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/en/", "http:/evil.example", "\\\\evil.example",
     "javascript:alert(1)", "/\\evil.example"],
)  # fmt: skip
def test_next_redirects_stay_on_the_hub(site, target):
    response = site.test_client().post(
        "/en/login", data={"email": "ana@example.org", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] in ("/en/", "http://localhost/en/")


def test_next_redirect_to_a_hub_page_is_kept(site):
    response = site.test_client().post(
        "/en/login", data={"email": "ana@example.org", "password": PASSWORD, "next": "/en/cities"}
    )
    assert response.headers["Location"] == "/en/cities"


def test_forms_need_the_csrf_token(database):
    app = make_app(database)
    with app.app_context():
        db.create_all()
        accounts.create_user("ana@example.org", "practitioner", PASSWORD)
        db.session.commit()
    client = app.test_client()
    assert sign_in(client).status_code == 400  # no token
    page = client.get("/en/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    response = client.post(
        "/en/login", data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_security_headers(site):
    response = site.test_client().get("/en/")
    csp = response.headers["Content-Security-Policy"]
    for rule in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "script-src 'self'",
    ):
        assert rule in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<script" not in response.get_data(as_text=True)  # no inline script to allow


def test_request_bodies_over_the_limit_are_refused(site):
    response = site.test_client().post(
        "/en/login", data={"email": "x" * (3 * 1024 * 1024), "password": "y"}
    )
    assert response.status_code == 413


def test_error_pages_are_generic_and_in_the_readers_language(site):
    client = site.test_client()
    sign_in(client)
    body = client.get("/fr/admin/users").get_data(as_text=True)
    assert "Non autorisé" in body or "Accès refusé" in body
    assert "Traceback" not in body


def test_refusals_are_audited(site):
    client = site.test_client()
    sign_in(client)
    assert client.get("/en/admin/users").status_code == 403
    with site.app_context():
        event = db.session.scalars(sa.select(AuditEvent)).one()
        assert event.action == "permission_denied" and event.target == "/en/admin/users"
        assert event.actor.email == "ana@example.org"


def test_a_password_change_reports_every_problem_at_once(site):
    client = site.test_client()
    sign_in(client)
    response = client.post(
        "/en/account/password",
        data={"current_password": "", "new_password": "short", "confirm_password": "other"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This field is required." in body
    assert "Use at least 12 characters." in body
    assert "The two new passwords differ." in body


def test_a_wrong_current_password_is_shown_at_its_field_and_changes_nothing(site):
    client = site.test_client()
    sign_in(client)
    new = "another long passphrase 77"
    response = client.post(
        "/en/account/password",
        data={"current_password": "not it at all", "new_password": new, "confirm_password": new},
    )
    assert response.status_code == 400
    assert 'id="current_password-error"' in response.get_data(as_text=True)
    assert sign_in(site.test_client()).status_code == 302  # the old password still works
    with site.app_context():
        assert not db.session.scalars(sa.select(AuditEvent)).all()


def test_an_empty_sign_in_says_which_fields_are_missing(site):
    response = site.test_client().post("/en/login", data={"email": "", "password": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="email-error"' in body and 'id="password-error"' in body
    assert "is not right" not in body


def test_a_reset_request_for_a_malformed_address_says_so_and_sends_nothing(site):
    response = site.test_client().post("/en/password-reset", data={"email": "ana at example"})
    assert response.status_code == 400
    assert "Enter a valid e-mail address." in response.get_data(as_text=True)
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 0


def test_a_failed_reset_keeps_the_link_usable(site):
    client = site.test_client()
    client.post("/en/password-reset", data={"email": "ana@example.org"})
    link = reset_link(site)
    refused = client.post(link, data={"new_password": "password1234", "confirm_password": "x"})
    assert refused.status_code == 400
    new = "a brand new passphrase 2026"
    assert client.post(link, data={"new_password": new, "confirm_password": new}).status_code == 302


def test_accounts_templates_render_csrf_tokens_from_their_forms():
    from pathlib import Path

    import hub

    root = Path(hub.__file__).parent
    templates = [*root.joinpath("accounts", "templates").rglob("*.html")]
    templates.append(root / "templates" / "base.html")
    for template in templates:
        text = template.read_text(encoding="utf-8")
        assert "csrf_token()" not in text and 'name="csrf_token"' not in text, template
