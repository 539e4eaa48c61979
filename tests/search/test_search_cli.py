"""`flask --app hub search reindex | status | sync [--follow]`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import sqlalchemy as sa

from hub import search
from hub.content import files as content_files
from hub.extensions import db
from hub.publishing.models import CaseStudy
from hub.search.store import STATE_DOC
from tests.conftest import CONTENT, ROOT, AwayDatabase, stop_process


def test_status_before_any_index_says_what_to_do(runner):
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 1
    assert "search reindex" in result.output


def test_reindex_then_status(app, runner):
    with app.app_context():
        content_files.load_directory(CONTENT)
        db.session.commit()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "24 documents indexed" in result.output
    assert "Indexing" in result.output  # the progress bar
    status = runner.invoke(args=["search", "status"]).output
    assert "documents: 24" in status
    assert "pending outbox rows: 0" in status
    with app.app_context():
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug="mombasa-county-action-plan"))
        case.state = "archived"
        db.session.commit()
    assert "pending outbox rows: 1" in runner.invoke(args=["search", "status"]).output
    result = runner.invoke(args=["search", "sync"])
    assert "1 outbox rows applied" in result.output
    status = runner.invoke(args=["search", "status"]).output
    assert "documents: 23" in status and "pending outbox rows: 0" in status


def retitle_and_wait(app, title: str) -> None:
    """Retitle a case, commit, and wait until a follower has indexed the new title."""
    with app.app_context():
        case = db.session.scalar(
            sa.select(CaseStudy).filter_by(slug="saida-local-prevention-network")
        )
        case.original.title = title
        key = f"case:{case.id}"
        db.session.commit()
        deadline = time.monotonic() + 60  # a loaded machine starts a process slowly
        while time.monotonic() < deadline:
            document = search.store().searcher().document(doc_id=key)
            if document and document.get("name_en") == title:
                return
            time.sleep(0.1)
    raise AssertionError(f"no follower indexed {title!r}")


def test_sync_follow_applies_changes_until_stopped(app, runner):
    with app.app_context():
        content_files.load_directory(CONTENT)
        db.session.commit()
    runner.invoke(args=["search", "reindex"])
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HUB_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "HUB_SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "HUB_SEARCH_SYNC": "external",
        "HUB_SECRET_KEY": "test",
    }
    follower = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "hub", "search", "sync", "--follow"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        retitle_and_wait(app, "Saida follows")
    finally:
        _output, errors = stop_process(follower)
    assert follower.returncode == 0, errors.decode()
    with app.app_context():
        assert search.store().searcher().document(doc_id=STATE_DOC)["seq"] > 0


def test_the_follower_waits_for_the_database_to_come_back_instead_of_exiting(tmp_path, caplog):
    from hub.search import follower as search_follower
    from hub.search import indexer as search_indexer

    database = AwayDatabase(tmp_path)
    app = database.app
    with app.app_context():
        content_files.load_directory(CONTENT)
        db.session.commit()
        search_indexer.rebuild(search.store())
    database.leave()

    stop, failures = threading.Event(), []

    def run() -> None:
        try:
            with app.app_context():
                search_follower.follow(search.store(), should_stop=stop.is_set)
        except Exception as error:  # the follower must not die of it
            failures.append(error)

    follower = threading.Thread(target=run)
    follower.start()
    try:
        time.sleep(1.5)
        assert follower.is_alive() and not failures
        database.come_back()
        retitle_and_wait(app, "Saida is back")
    finally:
        stop.set()
        follower.join(timeout=30)
        database.close()
    assert not failures
    assert "database unavailable" in caplog.text
