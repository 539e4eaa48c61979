"""While the database is away, readers get a 503 in their language, not a 500, and the API its
envelope; a stale connection is tested before use (pool_pre_ping)."""

import time

import pytest
import sqlalchemy as sa

from hub import create_app
from hub.database import normalize_url
from hub.extensions import db
from tests.conftest import POSTGRES_URL, AwayDatabase, Database, copy_of, make_app

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-directory/for/sure/hub.sqlite",
    "postgresql": "postgresql://postgres@127.0.0.1:1/test",  # nothing listens on port 1
}


@pytest.fixture(params=sorted(UNREACHABLE))
def away(request, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": UNREACHABLE[request.param],
            "SEARCH_INDEX_DIR": str(tmp_path / "search"),
            "SEARCH_SYNC": "external",
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_page_says_the_hub_is_back_in_a_moment_in_the_readers_language(away):
    answer = away.test_client().get("/fr/cities")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    page = answer.get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in page
    assert "base de données" in page


def test_an_arabic_page_is_right_to_left_while_the_database_is_away(away):
    page = away.test_client().get("/ar/cases").get_data(as_text=True)
    assert 'dir="rtl"' in page


def test_the_api_answers_503_in_its_envelope(away):
    answer = away.test_client().get(
        "/api/v1/exchange-requests?lang=es", headers={"Authorization": "Bearer some-token"}
    )
    assert answer.status_code == 503
    assert list(answer.json) == ["errors"]
    assert "base de datos" in answer.json["errors"]["_"]


def test_connections_are_tested_before_use(away):
    with away.app_context():
        assert db.engine.pool._pre_ping


def test_pages_answer_503_while_the_database_is_away_for_3_s_and_200_once_it_is_back(tmp_path):
    database = AwayDatabase(tmp_path)
    client = database.app.test_client()
    try:
        assert client.get("/en/cities").status_code == 200
        database.leave()
        answers, deadline = set(), time.monotonic() + 3
        while time.monotonic() < deadline:
            answers.add(client.get("/en/cities").status_code)
            time.sleep(0.2)
        assert answers == {503}
        database.come_back()  # the next request is served, with no restart
        assert client.get("/en/cities").status_code == 200
    finally:
        database.close()


@pytest.mark.skipif(not POSTGRES_URL, reason="needs HUB_TEST_DATABASE_URL (PostgreSQL)")
def test_connections_a_database_restart_left_stale_are_replaced_not_answered_with_an_error(
    tmp_path,
):
    database = Database("postgresql", tmp_path)
    app = make_app(copy_of(database, "content"))
    client = app.test_client()
    try:
        assert client.get("/en/cities").status_code == 200  # the pool now holds a connection
        # What a restart does to the pool's connections: the server ends them.
        ended = sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"
        )
        admin_engine = sa.create_engine(normalize_url(POSTGRES_URL), poolclass=sa.pool.NullPool)
        with admin_engine.connect() as admin:
            assert admin.execute(ended, {"name": database.name}).all()
        assert [client.get("/en/cities").status_code for _ in range(3)] == [200, 200, 200]
    finally:
        database.drop()
