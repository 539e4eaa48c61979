"""The migrations build the schema the models describe, and undo it cleanly."""

import pytest
import sqlalchemy as sa

from hub.extensions import db

APP_TABLES = {
    "changes",
    "cities",
    "themes",
    "city_expertise",
    "cases",
    "case_texts",
    "case_themes",
    "case_partner_cities",
    "case_adaptations",
    "webinars",
    "webinar_texts",
    "webinar_themes",
    "speakers",
    "exchanges",
    "exchange_themes",
    "exchange_participants",
    "exchange_requests",
    "exchange_request_themes",
    "exchange_request_history",
    "match_proposals",
    "exchange_reports",
    "search_outbox",
    "users",
    "api_tokens",
    "mail_messages",
    "audit_events",
    "translation_reports",
    "content_stamps",
    "access_requests",
}


def tables(app) -> set[str]:
    with app.app_context():
        names = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names - {"alembic_version"}


def flask(app, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_upgrade_builds_an_empty_database(empty_app):
    flask(empty_app, "db", "upgrade")
    assert tables(empty_app) == APP_TABLES


def test_models_have_no_changes_without_a_migration(empty_app):
    flask(empty_app, "db", "upgrade")
    flask(empty_app, "db", "check")


def test_upgrade_downgrade_upgrade(empty_app):
    flask(empty_app, "db", "upgrade")
    flask(empty_app, "db", "downgrade", "base")
    assert tables(empty_app) == set()
    flask(empty_app, "db", "upgrade")
    assert tables(empty_app) == APP_TABLES


def test_migrated_database_accepts_the_content(empty_app):
    from tests.conftest import CONTENT

    flask(empty_app, "db", "upgrade")
    result = flask(empty_app, "content", "load", str(CONTENT))
    assert "0 with errors" in result.output


def test_migrated_states_refuse_values_outside_their_enum(empty_app):
    flask(empty_app, "db", "upgrade")
    with empty_app.app_context():
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO audit_events (created_at, action, target, remote_addr) VALUES (CURRENT_TIMESTAMP, 'publish', '', '')"
                )
            )
        for statement in (
            "INSERT INTO audit_events (created_at, action, target, remote_addr) VALUES (CURRENT_TIMESTAMP, 'hacked', '', '')",
            "UPDATE audit_events SET action = 'publish ' ",
        ):
            with pytest.raises(sa.exc.IntegrityError):
                with db.engine.begin() as connection:
                    connection.execute(sa.text(statement))
        db.engine.dispose()


def test_downgrade_removes_the_state_checks_and_upgrade_restores_them(empty_app):
    flask(empty_app, "db", "upgrade")
    flask(empty_app, "db", "downgrade", "e4a84ba49217")
    insert = "INSERT INTO users (email, password_hash, name, role, preferred_language, active, session_key, created_at) VALUES ('a@example.org', '', '', 'emperor', 'en', true, 'k', CURRENT_TIMESTAMP)"
    with empty_app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text(insert))
            connection.execute(sa.text("DELETE FROM users"))
        db.engine.dispose()
    flask(empty_app, "db", "upgrade")
    with empty_app.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            with db.engine.begin() as connection:
                connection.execute(sa.text(insert))
        db.engine.dispose()
