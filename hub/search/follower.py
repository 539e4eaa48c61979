"""Keeping the index in step with the database: the in-process indexer of `make run` and the
`search sync --follow` loop of production.

Each round repairs an index that cannot be used before applying the outbox: a folder deleted
or a file damaged, an index built by an older hub, or an index ahead of a database restored from
a backup. It rebuilds the index from the database, and says so in the log.

Several nodes on one database each run a follower on an index folder of their own. A follower
only reads the outbox, from the mark stored in its own index, and never deletes a row: each node
applies every change, whatever the others have done (tests/test_nodes.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, current_app

from hub import processes
from hub.extensions import db
from hub.search import indexer
from hub.search.indexer import Progress
from hub.search.store import IndexProblem, IndexStore

POLL_INTERVAL = 0.5  # seconds between looks at the outbox in --follow mode
# After this long without changes, the indexer merges what accumulated.
IDLE_BEFORE_MERGE = 10.0  # seconds
# While the database is away, --follow waits this long, doubling up to the longest, between tries:
# a restart is picked up within seconds, and an outage does not flood the log.
RETRY_FIRST = 0.5  # seconds
RETRY_LONGEST = 30.0  # seconds


def step(store: IndexStore) -> Progress:
    """One round of an indexer: rebuild the index if it cannot be used, then apply the outbox."""
    try:
        return indexer.sync(store)
    except IndexProblem as problem:
        reason = problem
    except sa.exc.SQLAlchemyError:
        raise
    except Exception as error:
        # A folder deleted or a file damaged under the writer fails in Whoosh's own ways.
        try:
            store.read_state()
        except IndexProblem as problem:
            reason = problem
        else:
            raise error
    repair(store, reason)
    return indexer.sync(store)


def repair(store: IndexStore, reason: IndexProblem) -> int | None:
    """Rebuild an index that cannot be used; the documents written, or None when another process
    repaired it while this one waited for the rebuild lock."""
    logger = current_app.logger
    logger.warning("search index: %s; rebuilding it from the database", reason)
    with store.rebuilding():
        try:
            indexer.verify(store)
        except IndexProblem:
            written = indexer.rebuild_locked(store)
            logger.warning("search index: rebuilt, %d documents", written)
            return written
    logger.warning("search index: another process rebuilt it")
    return None


class BackgroundIndexer:
    """Applies the outbox in a thread of this process after each commit that wrote to it.

    Used by `make run` and tests; production runs `flask --app hub search sync --follow` instead.
    Requests never wait for it: a commit only sets an event. Between commits it also looks at the
    outbox every second, so changes made by other processes (the CLI) show up too.
    """

    def __init__(self, app: Flask, store: IndexStore) -> None:
        self.app = app
        self.store = store
        self.wake = threading.Event()
        self.idle = threading.Event()
        self.thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.stopped = False

    def ensure_started(self) -> None:
        with self._start_lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)
                self.thread.start()

    def notify(self) -> None:
        self.ensure_started()
        self.idle.clear()
        self.wake.set()

    def wait_until_idle(self, timeout: float) -> bool:
        return self.idle.wait(timeout)

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def _run(self) -> None:
        last_change = time.monotonic()
        while not self.stopped:
            self.wake.wait(timeout=POLL_INTERVAL * 2)
            self.wake.clear()
            with self.app.app_context():
                try:
                    if step(self.store).applied:
                        last_change = time.monotonic()
                    elif time.monotonic() - last_change > IDLE_BEFORE_MERGE:
                        indexer.merge_segments(self.store)
                except Exception:
                    self.app.logger.exception("search indexer: applying the outbox failed")
                finally:
                    db.session.remove()
            if not self.wake.is_set():
                self.idle.set()


def follow(store: IndexStore, should_stop: Callable[[], bool]) -> None:
    """Apply the outbox as it grows until `should_stop()`; for `search sync --follow`.

    While the database is away it waits and tries again, longer each time, instead of exiting;
    an index that cannot be used is rebuilt.
    """
    last_change = time.monotonic()
    wait = RETRY_FIRST
    while not should_stop():
        try:
            progress = step(store)
        except sa.exc.OperationalError as error:
            current_app.logger.warning(
                "search sync: database unavailable, retrying in %ss: %s", wait, error
            )
            db.session.rollback()
            db.engine.dispose()  # its connections may all be stale
            processes.sleep(wait, should_stop)
            wait = min(wait * 2, RETRY_LONGEST)
            continue
        wait = RETRY_FIRST
        if progress.applied:
            last_change = time.monotonic()
        elif time.monotonic() - last_change > IDLE_BEFORE_MERGE:
            indexer.merge_segments(store)
        if not progress.moved:
            time.sleep(POLL_INTERVAL)
