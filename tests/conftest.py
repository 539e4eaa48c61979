"""Fixtures: a fresh database per test on SQLite, and on PostgreSQL when HUB_TEST_DATABASE_URL
is set; a database with `content/` loaded, shared by the read-only page tests."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from hub import create_app, search
from hub.accounts import operations as accounts
from hub.content import files as content_files
from hub.database import normalize_url
from hub.extensions import db
from hub.search import indexer

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
POSTGRES_URL = os.environ.get("HUB_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


class Database:
    """A database of its own for one app: a SQLite file, or a PostgreSQL schema."""

    def __init__(self, backend: str, directory: Path) -> None:
        self.backend = backend
        self.directory = directory
        if backend == "sqlite":
            directory.mkdir(parents=True, exist_ok=True)
            self.url = f"sqlite:///{directory / 'hub.sqlite'}"
            self.schema = None
        else:
            self.schema = f"test_{uuid.uuid4().hex[:12]}"
            base = normalize_url(POSTGRES_URL)
            joiner = "&" if "?" in base else "?"
            self.url = f"{base}{joiner}options={quote(f'-csearch_path={self.schema}')}"
            self._admin(f'CREATE SCHEMA "{self.schema}"')

    def _admin(self, statement: str) -> None:
        engine = sa.create_engine(normalize_url(POSTGRES_URL))
        with engine.begin() as connection:
            connection.execute(sa.text(statement))
        engine.dispose()

    def drop(self) -> None:
        if self.schema:
            self._admin(f'DROP SCHEMA "{self.schema}" CASCADE')


def make_app(database: Database, **config):
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database.url,
        "SECRET_KEY": "test",
        # A real index on disk, next to the test's database.
        "SEARCH_INDEX_DIR": str(database.directory / "search"),
        # Tests apply the outbox themselves unless they test the background indexer.
        "SEARCH_SYNC": "external",
    }
    app = create_app({**settings, **config})
    _CREATED.append(app)
    return app


# Every app a test makes is disposed when the test ends (see `dispose_apps`), so no database
# connection outlives its test and warns in another one.
_CREATED: list = []


@pytest.fixture(autouse=True)
def dispose_apps():
    already = len(_CREATED)
    yield
    while len(_CREATED) > already:
        _dispose(_CREATED.pop())


def _dispose(app) -> None:
    if getattr(app, "disposed", False):
        return
    app.disposed = True
    indexer = search.background_indexer(app)
    if indexer is not None:
        indexer.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path):
    database = Database(request.param, tmp_path)
    yield database
    database.drop()


@pytest.fixture
def empty_app(database):
    """An app on a database with no tables: for migration tests."""
    app = make_app(database)
    yield app
    _dispose(app)


@pytest.fixture
def app(database):
    """An app on a fresh database with every table and no rows."""
    app = make_app(database)
    with app.app_context():
        db.create_all()
    yield app
    _dispose(app)


@pytest.fixture
def form_app(database):
    """An app on a fresh database with every table, and CSRF off for tests that post forms
    (CSRF itself is tested in tests/test_accounts.py)."""
    app = make_app(database, WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.create_all()
    return app


# The people of the exchange tests: name -> (role, city), each signing in as name@example.org.
PASSWORD = "a long passphrase 2026"
PEOPLE = {
    "zanzibar": ("focal_point", "zanzibar"),
    "mombasa": ("focal_point", "mombasa"),
    "kristiansand": ("focal_point", "kristiansand"),
    "saida": ("focal_point", "saida"),
    "practitioner": ("practitioner", None),
    "staff": ("staff", None),
}


def app_with_people(database: Database, **config):
    """An app on a fresh database with `content/` loaded and every one of PEOPLE."""
    app = make_app(database, **config)
    with app.app_context():
        db.create_all()
        report = content_files.load_directory(CONTENT)
        assert not report.errors, report.errors
        for name, (role, city) in PEOPLE.items():
            accounts.create_user(f"{name}@example.org", role, PASSWORD, city)
        db.session.commit()
    return app


def request_state(app, request_id: int) -> tuple:
    """Everything about an exchange request that a refused step must leave as it was."""
    from hub.exchanges.models import ExchangeRequest

    with app.app_context():
        found = db.session.get(ExchangeRequest, request_id)
        return (
            found.status,
            found.challenge,
            found.timeframe,
            found.format,
            [t.slug for t in found.themes],
            [(c.from_status, c.to_status) for c in found.history],
            [
                (
                    p.mentor_city.slug,
                    p.status,
                    p.staff_decision,
                    p.requester_decision,
                    p.mentor_decision,
                )
                for p in found.proposals
            ],
            [(r.side, r.rating, r.outcomes) for r in found.reports],
        )


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session", params=BACKENDS)
def content_app(request, tmp_path_factory):
    """One app per backend with `content/` loaded; tests using it must not write."""
    database = Database(request.param, tmp_path_factory.mktemp(request.param))
    app = make_app(database)
    with app.app_context():
        db.create_all()
        report = content_files.load_directory(CONTENT)
        assert not report.errors, report.errors
        db.session.commit()
        indexer.rebuild(search.store())
    yield app
    _dispose(app)
    database.drop()


@pytest.fixture
def client(content_app):
    return content_app.test_client()
