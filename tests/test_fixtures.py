"""The test set-up itself: production hashes passwords with argon2-cffi's full defaults (only
tests choose the cheap profile), and each test's database is a copy no other test sees."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2 import extract_parameters as parameters

from hub import create_app
from hub.accounts import operations as accounts
from hub.accounts.models import User
from hub.extensions import db
from hub.security.passwords import hash_password
from tests.conftest import PEOPLE, Database, app_with_content, app_with_people, make_app


def test_production_hashes_passwords_with_argon2_defaults(tmp_path):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a"})
    with app.app_context():
        stored = hash_password("a long passphrase 2026")
    assert parameters(stored) == parameters(PasswordHasher().hash("x"))
    assert parameters(stored).memory_cost >= 19 * 1024  # OWASP's floor for argon2id


def test_tests_hash_passwords_cheaply(app):
    with app.app_context():
        assert parameters(hash_password("a long passphrase 2026")).memory_cost < 1024


def test_each_copy_of_a_template_is_its_own(database, tmp_path):
    first = app_with_people(database)
    with first.app_context():
        accounts.create_user("new@example.org", "practitioner", "another long passphrase")
        db.session.delete(accounts.find_user("staff@example.org"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == len(PEOPLE)

    other = Database(database.backend, tmp_path / "other")
    try:
        second = app_with_people(other)
        with second.app_context():
            emails = set(db.session.scalars(sa.select(User.email)))
        assert emails == {f"{name}@example.org" for name in PEOPLE}
    finally:
        other.drop()


def test_the_app_fixture_has_every_table_and_no_rows(app):
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
        assert "exchange_requests" in sa.inspect(db.engine).get_table_names()


def test_an_empty_database_has_no_tables(database):
    app = make_app(database)
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []


def test_a_copy_of_the_content_comes_with_its_search_index(database):
    app = app_with_content(database)
    answer = app.test_client().get("/en/search?q=Saida")
    assert answer.status_code == 200
    assert "saida-local-prevention-network" in answer.get_data(as_text=True)
