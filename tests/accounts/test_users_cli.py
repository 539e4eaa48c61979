"""`flask --app hub users create` and `users token`."""

from __future__ import annotations

import sqlalchemy as sa

from hub.accounts.models import ApiToken, User
from hub.audit import AuditEvent
from hub.content import files as content_files
from hub.extensions import db
from hub.security import token_digest
from tests.conftest import CONTENT


def test_create_reads_the_password_from_stdin_not_an_argument(app, runner):
    with app.app_context():
        content_files.load_directory(CONTENT)
        db.session.commit()
    result = runner.invoke(
        args=["users", "create", "Focal@Example.org", "--role", "focal_point", "--city", "mombasa"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.email == "focal@example.org" and user.city.slug == "mombasa"
        assert user.password_hash.startswith("$argon2id$")
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post(
        "/en/login", data={"email": "focal@example.org", "password": "a long enough passphrase"}
    )
    assert response.status_code == 302


def test_create_refuses_bad_input_and_changes_nothing(app, runner):
    for args, text in [
        (["users", "create", "not-an-email", "--role", "staff"], "valid e-mail"),
        (["users", "create", "a@example.org", "--role", "focal_point"], "city"),
        (["users", "create", "a@example.org", "--role", "wizard"], "wizard"),
    ]:
        result = runner.invoke(args=args, input="a long enough passphrase\n")
        assert result.exit_code != 0 and text in result.output
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "staff"], input="short\n"
    )
    assert result.exit_code != 0 and "12" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_token_is_shown_once_stored_hashed_and_revocable(app, runner):
    runner.invoke(
        args=["users", "create", "s@example.org", "--role", "staff"],
        input="a long enough passphrase\n",
    )
    result = runner.invoke(args=["users", "token", "s@example.org"])
    assert result.exit_code == 0
    token = result.stdout.strip().splitlines()[0]
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken))
        assert row.digest == token_digest(token) and token not in row.digest
        actions = {e.action for e in db.session.scalars(sa.select(AuditEvent))}
        assert "token_issued" in actions
    result = runner.invoke(args=["users", "token", "s@example.org", "--revoke"])
    assert "1 token(s) revoked" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(ApiToken)).revoked_at is not None
    assert runner.invoke(args=["users", "token", "nobody@example.org"]).exit_code != 0
