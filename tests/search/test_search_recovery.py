"""Backups restored and index folders lost: the indexer sees it, rebuilds, and says so; search
answers 503 meanwhile, never an empty result that passes for "nothing found"."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from whoosh import index as whoosh_index

from hub import search
from hub.extensions import db
from hub.i18n import force_locale, gettext
from hub.publishing.models import CaseStudy
from hub.search import follower
from hub.search.schema import OUTBOX_FIELD, build_schema
from hub.search.store import STATE_DOC
from tests.conftest import POSTGRES_URL, app_with_content

REBUILDING = "Search is being rebuilt, try again in a minute."
CASES = ("saida-local-prevention-network", "mombasa-county-action-plan")


def retitle(app, slug: str, title: str) -> None:
    """Give a case a new English title, in a transaction of its own (one outbox row)."""
    with app.app_context():
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug=slug))
        case.original.title = title
        db.session.commit()


def found(app, words: str) -> list[str]:
    """The titles the search API answers for `words` (it must answer 200)."""
    answer = app.test_client().get("/api/v1/search", query_string={"q": words})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [result["title"] for result in answer.get_json()["results"]]


def step(app) -> None:
    """One round of the follower."""
    with app.app_context():
        follower.step(search.store())


def status(app):
    return app.test_cli_runner().invoke(args=["search", "status"])


# --- A database restored from a backup ------------------------------------------------------


def _libpq_url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")


def back_up(app, to: Path) -> None:
    """A real backup: pg_dump on PostgreSQL, SQLite's online backup on SQLite."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as live:
            with closing(sqlite3.connect(to)) as copy:
                live.backup(copy)
        return
    subprocess.run(["pg_dump", "--format=custom", f"--file={to}", _libpq_url(app)], check=True)


def restore(app, backup: Path) -> None:
    """Put the backup back in place of the live database, as an operator would."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(backup)) as copy:
            with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as live:
                copy.backup(live)
        return
    subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={_libpq_url(app)}",
         str(backup)],
        check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture
def tools(database):
    if database.backend == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump and pg_restore are not installed")  # pragma: no cover


@pytest.mark.parametrize("changes_after_restore", [1, 4])
def test_a_restored_backup_is_recognised_and_the_index_rebuilt(
    database, tools, tmp_path, changes_after_restore, caplog
):
    """With 1 change after the restore the outbox is behind the index's mark; with 4 it has
    passed it again, with other changes under the same ids: both are recognised."""
    app = app_with_content(database)
    backup = tmp_path / "hub.backup"
    back_up(app, backup)
    retitle(app, CASES[0], "Quokka written after the backup")
    retitle(app, CASES[1], "Quokka also after the backup")
    step(app)
    assert len(found(app, "quokka")) == 2

    restore(app, backup)
    for n in range(changes_after_restore):
        retitle(app, CASES[0], f"Wombat written after the restore {n}")
    report = status(app)
    assert report.exit_code == 1, report.output
    assert "Restored a backup? Run `flask --app hub search reindex`" in report.output
    if changes_after_restore == 1:
        assert "the index is ahead of the database" in report.output
    else:
        assert "does not belong to this database" in report.output

    step(app)  # what a running `search sync --follow` does by itself
    assert "rebuilding it from the database" in caplog.text
    last = f"Wombat written after the restore {changes_after_restore - 1}"
    assert found(app, "wombat") == [last]
    assert found(app, "quokka") == []  # the backup never had those titles
    assert status(app).exit_code == 0
    retitle(app, CASES[1], "Numbat after the rebuild")  # and the index follows again
    step(app)
    assert found(app, "numbat") == ["Numbat after the rebuild"]


@pytest.mark.skipif(not POSTGRES_URL, reason="HUB_TEST_DATABASE_URL is not set")
def test_the_postgresql_tools_are_there_for_the_restore_test():
    """The restore test must not skip itself quietly where PostgreSQL is tested."""
    assert shutil.which("pg_dump") and shutil.which("pg_restore")


# --- An index folder deleted or damaged -----------------------------------------------------


def assert_rebuilding_answers(app, lang: str = "fr") -> None:
    client = app.test_client()
    page = client.get(f"/{lang}/search", query_string={"q": "Saida"})
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "60"
    html = page.get_data(as_text=True)
    assert f'lang="{lang}"' in html
    with app.test_request_context(), force_locale(lang):
        assert gettext(REBUILDING) in html
    api = client.get("/api/v1/search", query_string={"q": "Saida"})
    assert api.status_code == 503
    assert api.headers["Retry-After"] == "60"
    assert api.get_json() == {"errors": {"_": REBUILDING}}


def test_a_deleted_index_folder_answers_503_and_the_follower_rebuilds_it(database):
    app = app_with_content(database)
    assert "Saida" in " ".join(found(app, "Saida"))  # the index is open in this process
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    assert_rebuilding_answers(app)
    report = status(app)
    assert report.exit_code == 1 and "search reindex" in report.output

    stop, failures = threading.Event(), []

    def run() -> None:
        try:
            with app.app_context():
                follower.follow(search.store(), should_stop=stop.is_set)
        except Exception as error:  # the follower must not die of it
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while app.test_client().get("/api/v1/search?q=Saida").status_code != 200:
            assert time.monotonic() < deadline, "the follower did not rebuild the index"
            assert thread.is_alive(), failures
            time.sleep(0.1)
        assert "Saida" in " ".join(found(app, "Saida"))
        shutil.rmtree(app.config["SEARCH_INDEX_DIR"])  # and again, with the follower running
        retitle(app, CASES[0], "Dugong after the second loss")
        while found_or_none(app, "dugong") != ["Dugong after the second loss"]:
            assert time.monotonic() < deadline, "the follower did not rebuild the index again"
            assert thread.is_alive(), failures
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not failures
    assert status(app).exit_code == 0


def found_or_none(app, words: str) -> list[str] | None:
    answer = app.test_client().get("/api/v1/search", query_string={"q": words})
    if answer.status_code == 503:
        return None
    return [result["title"] for result in answer.get_json()["results"]]


def test_a_damaged_index_answers_503_until_search_sync_rebuilds_it(database):
    app = app_with_content(database)
    segments = list(Path(app.config["SEARCH_INDEX_DIR"]).glob("current/*.seg"))
    assert segments
    for segment in segments:  # a disk that filled up, a copy cut short
        with open(segment, "r+b") as damaged:
            damaged.truncate(segment.stat().st_size // 2)
    assert_rebuilding_answers(app, lang="ar")
    report = status(app)
    assert report.exit_code == 1
    assert "cannot be read" in report.output and "search reindex" in report.output

    synced = app.test_cli_runner().invoke(args=["search", "sync"])
    assert synced.exit_code == 0, synced.output
    assert "Saida" in " ".join(found(app, "Saida"))
    assert status(app).exit_code == 0


def test_an_index_built_by_an_older_hub_is_rebuilt(database):
    app = app_with_content(database)
    root = Path(app.config["SEARCH_INDEX_DIR"])
    old = root / "index-old"
    old.mkdir()
    schema = build_schema()
    schema.remove(OUTBOX_FIELD)  # what indexes had before the outbox's identity was stored
    with whoosh_index.create_in(str(old), schema).writer() as writer:
        writer.add_document(doc_id=STATE_DOC, seq=1)
    (root / "current").unlink()
    (root / "current").symlink_to("index-old")
    report = status(app)
    assert report.exit_code == 1 and "older hub" in report.output
    step(app)
    assert "Saida" in " ".join(found(app, "Saida"))


def test_status_says_when_a_rebuild_is_running(database):
    app = app_with_content(database)
    store = search.store(app)
    with store.rebuilding():  # another process rebuilding, as far as status can tell
        report = status(app)
        assert report.exit_code == 0, report.output  # searches still use the current index
        assert "rebuilding: searches use this index" in report.output
        shutil.rmtree(store.current_path())
        report = status(app)
        assert report.exit_code == 1
        assert "Rebuilding now: search answers 503 until it is done" in report.output
    report = status(app)
    assert report.exit_code == 1 and "Rebuilding now" not in report.output


def test_the_in_process_indexer_of_make_run_rebuilds_a_deleted_index_too(database):
    app = app_with_content(database, SEARCH_SYNC="thread")
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    assert found_or_none(app, "Saida") is None  # 503; the request wakes the indexer
    deadline = time.monotonic() + 60
    while (titles := found_or_none(app, "Saida")) is None:
        assert time.monotonic() < deadline, "the in-process indexer did not rebuild the index"
        time.sleep(0.1)
    assert "Saida" in " ".join(titles)
