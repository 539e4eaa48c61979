"""Hosts and sessions: links in mail never come from a request's Host, signing out ends the
session on the server, a new password revokes API tokens, signed-in pages are not cached, and
the client's address behind a proxy is the real one."""

import re

import pytest
import sqlalchemy as sa

from hub.accounts import operations as accounts
from hub.audit import AuditEvent
from hub.extensions import db
from hub.mail.models import MailMessage
from tests.accounts.test_accounts import PASSWORD, sign_in, signed_in, site  # noqa: F401
from tests.conftest import copy_of, make_app


def last_mail(app) -> str:
    with app.app_context():
        return (
            db.session.scalars(sa.select(MailMessage).order_by(MailMessage.id.desc())).first().body
        )


@pytest.mark.parametrize(
    ("config", "origin"),
    [
        ({}, "http://127.0.0.1:5000/"),
        (
            {"SERVER_NAME": "hub.example.org", "PREFERRED_URL_SCHEME": "https"},
            "https://hub.example.org/",
        ),
    ],
)
def test_a_reset_link_never_takes_the_host_a_request_claims(site, config, origin):  # noqa: F811
    site.config.update(config)
    client = site.test_client()
    answer = client.post(
        "/en/password-reset",
        data={"email": "ana@example.org"},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert answer.status_code == 302
    body = last_mail(site)
    assert "evil.example" not in body
    link = re.search(r"https?://\S+", body)[0]
    assert link.startswith(origin + "en/password-reset/")


def test_a_session_cookie_replayed_after_signing_out_signs_nobody_in(site):  # noqa: F811
    client = site.test_client()
    sign_in(client)
    assert signed_in(client)
    captured = client.get_cookie("session").value
    client.post("/en/logout")
    assert not signed_in(client)
    thief = site.test_client()
    thief.set_cookie("session", captured)
    assert not signed_in(thief)


@pytest.mark.parametrize("how", ["change", "reset"])
def test_a_new_password_revokes_the_api_tokens(site, how):  # noqa: F811
    with site.app_context():
        token = accounts.issue_token(accounts.find_user("ana@example.org"))
        db.session.commit()
    api = site.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/exchange-requests", headers=headers).status_code == 403  # known
    new = "another long passphrase 77"
    client = site.test_client()
    if how == "change":
        sign_in(client)
        answer = client.post(
            "/en/account/password",
            data={"current_password": PASSWORD, "new_password": new, "confirm_password": new},
        )
    else:
        client.post("/en/password-reset", data={"email": "ana@example.org"})
        path = re.search(r"http://127.0.0.1:5000(/\S+)", last_mail(site))[1]
        answer = client.post(path, data={"new_password": new, "confirm_password": new})
    assert answer.status_code in (302, 303)
    refused = api.get("/api/v1/exchange-requests", headers=headers)
    assert refused.status_code == 401
    assert list(refused.json) == ["errors"]


def test_signed_in_pages_are_not_stored_by_caches(site):  # noqa: F811
    client = site.test_client()
    assert "no-store" not in client.get("/en/").headers.get("Cache-Control", "")
    sign_in(client)
    page = client.get("/en/")
    assert page.headers["Cache-Control"] == "no-store"
    assert "Cookie" in page.headers["Vary"]


@pytest.mark.parametrize(("hops", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_behind_a_declared_proxy_the_real_client_address_is_recorded(database, hops, seen):
    app = make_app(database, PROXY_FIX_X_FOR=hops, WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.create_all()
        accounts.create_user("ana@example.org", "practitioner", PASSWORD)
        db.session.commit()
    client = app.test_client()
    headers = {"X-Forwarded-For": "203.0.113.7"}
    client.post(
        "/en/login", data={"email": "ana@example.org", "password": PASSWORD}, headers=headers
    )
    assert client.get("/en/admin/users", headers=headers).status_code == 403
    with app.app_context():
        refusal = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "permission_denied")
        )
        assert refusal.remote_addr == seen


def test_with_trusted_hosts_another_host_is_refused(site):  # noqa: F811
    site.config["TRUSTED_HOSTS"] = ["hub.example.org"]
    client = site.test_client()
    assert client.get("/en/", headers={"Host": "hub.example.org"}).status_code == 200
    refused = client.post(
        "/en/password-reset", data={"email": "ana@example.org"}, headers={"Host": "evil.example"}
    )
    assert refused.status_code == 400
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 0


def _failed_sign_ins(client, count: int, forwarded_for) -> list[int]:
    """`count` sign-ins with unknown addresses (so only the per-address limit can apply), each
    sent with the X-Forwarded-For header `forwarded_for(number)`."""
    return [
        client.post(
            "/en/login",
            data={"email": f"guess{number}@example.org", "password": "not it at all"},
            headers={"X-Forwarded-For": forwarded_for(number)},
        ).status_code
        for number in range(count)
    ]


def test_behind_a_declared_proxy_each_client_address_is_limited_on_its_own(database):
    app = make_app(copy_of(database, "schema"), PROXY_FIX_X_FOR=1, WTF_CSRF_ENABLED=False)
    proxy = app.test_client()  # every request comes from the proxy's own address
    # A client may put anything in the header; the proxy appends the address it sees.
    first = _failed_sign_ins(proxy, 11, lambda number: f"10.0.0.{number}, 203.0.113.7")
    assert first == [401] * 10 + [429]
    assert _failed_sign_ins(proxy, 1, lambda _: "203.0.113.8") == [401]  # another client
    assert _failed_sign_ins(proxy, 1, lambda _: "203.0.113.7") == [429]  # the same one


def test_without_a_declared_proxy_a_forged_forwarded_address_does_not_escape_the_limit(database):
    app = make_app(copy_of(database, "schema"), WTF_CSRF_ENABLED=False)
    client = app.test_client()
    answers = _failed_sign_ins(client, 11, lambda number: f"198.51.100.{number}")
    assert answers == [401] * 10 + [429]
