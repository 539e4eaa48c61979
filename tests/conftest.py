"""Fixtures: a database of its own for every test, on SQLite and on PostgreSQL when
HUB_TEST_DATABASE_URL is set.

Building a database is the slow part of a test, so each worker process builds three templates per
backend once (every table; `content/` loaded; `content/` and PEOPLE) and each test gets a copy: a
copied file on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL. Under pytest-xdist every
worker has its own templates and database names.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.routing import Rule
from werkzeug.serving import make_server

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
# Database names unique to this run and worker: several runs may share one PostgreSQL server.
PREFIX = f"hub_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"

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


def _compile_each_route_once() -> None:
    """Werkzeug compiles two URL builders for every route of every app, most of the cost of
    `create_app`; the suite makes over a thousand apps with the same routes. A builder depends
    only on the rule's parts and defaults, and is bound to each rule as before."""
    compile_builder = Rule._compile_builder
    compiled: dict[tuple, Callable] = {}

    def once(rule: Rule, append_unknown: bool = True) -> Callable:
        key = (
            rule.rule,
            rule.subdomain,
            rule.host,
            tuple(rule._trace),
            repr(sorted((rule.defaults or {}).items())),
            append_unknown,
        )
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = once


_compile_each_route_once()


class Database:
    """A database of its own for one app: a SQLite file, or a PostgreSQL database.

    It is created empty when its `url` is first read, or as a copy of a template by `create`.
    """

    def __init__(self, backend: str, directory: Path) -> None:
        self.backend = backend
        self.directory = directory
        self.name: str | None = None
        self.apps: list = []
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            self.create()
        return self._url

    def create(self, template: str | None = None) -> None:
        """Create the database, as a copy of `template` (a file or a database name) if given."""
        assert self._url is None, "this test's database already exists"
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.backend == "sqlite":
            path = self.directory / "hub.sqlite"
            for suffix in ("", "-wal") if template else ():
                if Path(template + suffix).exists():
                    shutil.copyfile(template + suffix, f"{path}{suffix}")
            self._url = f"sqlite:///{path}"
        else:
            self.name = f"{PREFIX}_{uuid.uuid4().hex[:12]}"
            # WAL_LOG copies a small template in milliseconds; FILE_COPY waits for a checkpoint.
            source = f'"{template}" STRATEGY WAL_LOG' if template else "template0"
            _postgres(f'CREATE DATABASE "{self.name}" TEMPLATE {source}')
            self._url = str(
                sa.make_url(normalize_url(POSTGRES_URL))
                .set(database=self.name)
                .render_as_string(hide_password=False)
            )

    def copy(self, template: Database) -> None:
        """Create the database as a copy of `template`, with its search index if it has one."""
        if self.backend == "sqlite":
            self.create(template.url.removeprefix("sqlite:///"))
        else:
            self.create(template.name)
        index = template.directory / "search"
        if (index / "current").is_symlink():
            shutil.copytree(index, self.directory / "search", symlinks=True)

    def drop(self) -> None:
        for app in self.apps:  # PostgreSQL drops no database that a connection holds
            _dispose(app)
        if self.name:
            _DROPPER.drop(self.name)
            self.name = None


def _postgres(statement: str) -> None:
    global _ADMIN
    if _ADMIN is None:
        _ADMIN = sa.create_engine(
            normalize_url(POSTGRES_URL), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )
    with _ADMIN.connect() as connection:
        connection.execute(sa.text(statement))


_ADMIN: sa.Engine | None = None


class _Dropper:
    """Drops PostgreSQL databases on a thread of its own: a drop waits for the server's disk,
    and the next test need not wait with it."""

    def __init__(self) -> None:
        self.names: queue.Queue[str | None] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.failures: list[str] = []

    def drop(self, name: str) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="drop-databases", daemon=True)
            self.thread.start()
        self.names.put(name)

    def _run(self) -> None:
        while (name := self.names.get()) is not None:
            try:
                _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as error:  # reported at the end of the session
                self.failures.append(f"{name}: {error}")

    def finish(self) -> None:
        """Stop the thread; what it has not dropped yet is left to a process of its own, so the
        run ends without waiting for the server's disk."""
        remaining = []
        while not self.names.empty():
            if (name := self.names.get_nowait()) is not None:
                remaining.append(name)
        if self.thread is not None:
            self.names.put(None)
            self.thread.join()
            self.thread = None
        if remaining:
            _drop_after_the_run(remaining)
        assert not self.failures, self.failures


# Drops databases in a process that outlives the test run (started through a parent that exits
# at once, so pytest waits for nothing).
_DROP_SCRIPT = """
import sys, sqlalchemy as sa
engine = sa.create_engine(sys.argv[1], isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
for name in sys.argv[2:]:
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
"""
_DETACH = "import subprocess, sys; subprocess.Popen(sys.argv[1:], start_new_session=True)"


def _drop_after_the_run(names: list[str]) -> None:
    command = [sys.executable, "-c", _DROP_SCRIPT, normalize_url(POSTGRES_URL), *names]
    subprocess.run(
        [sys.executable, "-c", _DETACH, *command],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


_DROPPER = _Dropper()


class Templates:
    """The databases tests start from, built once per backend when first asked for: each kind
    is a copy of its parent with more in it."""

    # Every app with content has its search index: without one, search answers 503.
    PARENTS = {"schema": None, "content": "schema", "indexed": "content", "people": "indexed"}

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.built: dict[tuple[str, str], Database] = {}

    def get(self, backend: str, kind: str) -> Database:
        if (backend, kind) not in self.built:
            self.built[backend, kind] = self._build(backend, kind)
        return self.built[backend, kind]

    def _build(self, backend: str, kind: str) -> Database:
        template = Database(backend, self.directory / f"{backend}-{kind}")
        if parent := self.PARENTS[kind]:
            template.copy(self.get(backend, parent))
        else:
            template.create()
        app = make_app(template)
        with app.app_context():
            BUILDERS[kind]()
            db.session.commit()
        _dispose(app)
        return template

    def drop(self) -> None:
        for template in self.built.values():
            template.drop()
        self.built.clear()


def _load_content() -> None:
    report = content_files.load_directory(CONTENT)
    assert not report.errors, report.errors


def _create_people() -> None:
    for name, (role, city) in PEOPLE.items():
        accounts.create_user(f"{name}@example.org", role, PASSWORD, city)


BUILDERS: dict[str, Callable[[], object]] = {
    "schema": db.create_all,
    "content": _load_content,
    "people": _create_people,
    "indexed": lambda: indexer.rebuild(search.store()),
}
_TEMPLATES: Templates | None = None


@pytest.fixture(scope="session", autouse=True)
def templates(tmp_path_factory):
    global _TEMPLATES
    _TEMPLATES = Templates(tmp_path_factory.mktemp("templates"))
    yield _TEMPLATES
    _TEMPLATES.drop()
    _DROPPER.finish()
    if _ADMIN is not None:
        _ADMIN.dispose()


def copy_of(database: Database, kind: str) -> Database:
    """`database` created as a copy of the `kind` template: "schema", "content", "people", or
    "indexed" (`content/` and its search index)."""
    database.copy(_TEMPLATES.get(database.backend, kind))
    return database


def make_app(database: Database, **config):
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database.url,
        "SECRET_KEY": "test",
        # A real index on disk, next to the test's database.
        "SEARCH_INDEX_DIR": str(database.directory / "search"),
        # Tests apply the outbox themselves unless they test the background indexer.
        "SEARCH_SYNC": "external",
        # The least work argon2 allows: production keeps argon2-cffi's defaults.
        "PASSWORD_HASHING": "fast",
    }
    app = create_app({**settings, **config})
    _CREATED.append(app)
    database.apps.append(app)
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


class AwayDatabase:
    """A hub on a SQLite file in a folder a test moves away and back: while it is away no
    connection can be opened, which is how a database that is down looks to the hub."""

    def __init__(self, tmp_path: Path, **config) -> None:
        self.home, self.away = tmp_path / "db", tmp_path / "away"
        self.home.mkdir()
        self.app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.home / 'hub.sqlite'}",
                "SEARCH_INDEX_DIR": str(tmp_path / "search"),
                "SEARCH_SYNC": "external",
                **config,
            }
        )
        with self.app.app_context():
            db.create_all()

    def leave(self) -> None:
        self.close()  # an open SQLite file would outlive the move
        self.home.rename(self.away)

    def come_back(self) -> None:
        self.away.rename(self.home)

    def close(self) -> None:
        with self.app.app_context():
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
    app = make_app(copy_of(database, "schema"))
    yield app
    _dispose(app)


@pytest.fixture
def form_app(database):
    """An app on a fresh database with every table, and CSRF off for tests that post forms
    (CSRF itself is tested in tests/test_accounts.py)."""
    return make_app(copy_of(database, "schema"), WTF_CSRF_ENABLED=False)


def app_with_content(database: Database, **config):
    """An app on a fresh database with `content/` loaded, and its search index built."""
    return make_app(copy_of(database, "indexed"), **config)


def app_with_people(database: Database, **config):
    """An app on a fresh database with `content/` loaded and indexed, and every one of PEOPLE."""
    return make_app(copy_of(database, "people"), **config)


def signed_in(app, who: str):
    """A test client signed in through the sign-in page as `who@example.org` (one of PEOPLE)."""
    client = app.test_client()
    answer = client.post("/en/login", data={"email": f"{who}@example.org", "password": PASSWORD})
    assert answer.status_code == 302, (who, answer.status_code)
    return client


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


def stop_process(process: subprocess.Popen, patience: float = 60.0) -> tuple[bytes, bytes]:
    """SIGTERM a command started with pipes and return what it printed once it has exited.

    One that outlives `patience` is killed, so it cannot leak into later tests, and fails the test.
    """
    process.send_signal(signal.SIGTERM)
    try:
        return process.communicate(timeout=patience)
    except subprocess.TimeoutExpired:
        process.kill()
        _output, errors = process.communicate()
        raise AssertionError(
            f"{process.args} did not stop within {patience} s of SIGTERM: {errors.decode()}"
        ) from None


@pytest.fixture(scope="session", params=BACKENDS)
def content_app(request, tmp_path_factory, templates):
    """One app per backend with `content/` loaded and indexed; tests using it must not write."""
    database = Database(request.param, tmp_path_factory.mktemp(request.param))
    app = app_with_content(database)
    yield app
    _dispose(app)
    database.drop()


@pytest.fixture
def client(content_app):
    return content_app.test_client()


# A real browser (see tests/browsing.py for the helpers that drive it).


@pytest.fixture
def served(database):
    """The hub with content and its people, served over HTTP on a free port."""
    app = app_with_people(database)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["test_base"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join()
    _dispose(app)


@pytest.fixture
def browser(tmp_path):
    from tests import browsing

    if browsing.browser_missing():
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are missing: `make browser` installs them")
        pytest.skip("chromium and chromium-driver are not installed: run `make browser`")
    driver = browsing.start_chromium(tmp_path / "profile")
    yield driver
    driver.quit()
