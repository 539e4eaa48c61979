"""While the database is away, readers get a 503 in their language, not a 500, and the API its
envelope; a stale connection is tested before use (pool_pre_ping)."""

import pytest

from hub import create_app
from hub.extensions import db

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
