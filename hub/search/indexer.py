"""Applying the search outbox to the index, and rebuilding the index from the database.

Only the indexer writes to the index. It applies outbox rows in id order; each row makes the
index agree with the record's current state, so applying a row again changes nothing. The last
applied row is stored in the index in the same commit as the documents, so an indexer killed in
the middle of a batch loses nothing and duplicates nothing: it starts again from that row.

PostgreSQL hands out ids before commit, so a row may become visible after a higher one, and a
rolled-back transaction leaves a gap for ever. The indexer therefore applies every row it sees but
moves its mark only over ids it has seen, or over a gap older than GAP_GRACE.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from whoosh.writing import MERGE_SMALL

from hub.database import utcnow
from hub.extensions import db
from hub.search import documents
from hub.search.outbox import SearchOutbox
from hub.search.store import STATE_DOC, IndexStore, applied_sequence

BATCH_SIZE = 500
# Longer than any transaction that writes content is expected to stay open.
GAP_GRACE = timedelta(seconds=30)
WRITER_TIMEOUT = 30.0  # seconds to wait for the index lock: only indexers take it
POLL_INTERVAL = 0.5  # seconds between looks at the outbox in --follow mode
# Once this share of the big segment's documents are replaced versions, merge it too.
MAX_DELETED_SHARE = 0.2
# After this long without changes, the indexer merges what accumulated.
IDLE_BEFORE_MERGE = 30.0  # seconds
# While the database is away, --follow waits this long, doubling up to the longest, between tries:
# a restart is picked up within seconds, and an outage does not flood the log.
RETRY_FIRST = 0.5  # seconds
RETRY_LONGEST = 30.0  # seconds


@dataclass
class Progress:
    applied: int = 0  # rows applied
    mark: int = 0  # the last row the index now counts as applied
    moved: bool = False  # whether the mark moved


def apply_pending(store: IndexStore, batch_size: int = BATCH_SIZE) -> Progress:
    """Apply one batch of outbox rows past the index's mark."""
    index = store.open()
    with index.searcher() as searcher:
        mark = applied_sequence(searcher)
    rows = db.session.execute(
        sa.select(
            SearchOutbox.id, SearchOutbox.kind, SearchOutbox.record_id, SearchOutbox.created_at
        )
        .where(SearchOutbox.id > mark)
        .order_by(SearchOutbox.id)
        .limit(batch_size)
    ).all()
    db.session.rollback()  # end the read transaction: the indexer holds no locks in between
    if not rows:
        return Progress(0, mark, False)
    new_mark = _advance(mark, rows)
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        wanted[row.kind].add(row.record_id)
    writer = index.writer(timeout=WRITER_TIMEOUT)
    try:
        for kind, ids in wanted.items():
            found = documents.documents_for(kind, ids)
            for record_id in ids:
                if record_id in found:
                    writer.update_document(**found[record_id])
                else:
                    writer.delete_by_term("doc_id", documents.doc_id(kind, record_id))
        writer.update_document(doc_id=STATE_DOC, seq=new_mark)
    except BaseException:
        writer.cancel()
        raise
    finally:
        db.session.rollback()
    # Whoosh's default tiering keeps each commit cheap; merge_segments tidies up when idle.
    writer.commit(merge=True, mergetype=MERGE_SMALL)
    return Progress(len(rows), new_mark, new_mark != mark)


def merge_all_but_largest(writer, segments):
    """Whoosh merge policy: keep the largest segment, merge every other one into the new one
    (the largest too once many of its documents have been replaced).

    Every search pays for every segment: 40 single-change commits left 6 segments and made
    queries 2.5 times slower. Merging costs about as much per document as indexing it afresh
    (segment writes cost per term), so it waits until the indexer is idle rather than
    delaying the next change.
    """
    if len(segments) <= 1:
        return list(segments)
    largest = max(segments, key=lambda segment: segment.doc_count_all())
    if largest.deleted_count() > largest.doc_count_all() * MAX_DELETED_SHARE:
        largest = None
    _merge_into(writer, [segment for segment in segments if segment is not largest])
    return [largest] if largest is not None else []


def _merge_into(writer, segments) -> None:
    from whoosh.reading import SegmentReader

    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()


def merge_segments(store: IndexStore) -> bool:
    """Bring the index back to one or two segments; True if there was anything to merge."""
    index = store.open()
    if len(index._segments()) <= 2:
        return False
    writer = index.writer(timeout=WRITER_TIMEOUT)
    writer.commit(merge=True, mergetype=merge_all_but_largest)
    return True


def _advance(mark: int, rows) -> int:
    now = utcnow()
    for row in rows:
        if row.id != mark + 1 and now - row.created_at < GAP_GRACE:
            break  # a lower id may still be committing; look again next time
        mark = row.id
    return mark


def pending_count(store: IndexStore) -> int:
    with store.open().searcher() as searcher:
        mark = applied_sequence(searcher)
    return db.session.scalar(
        sa.select(sa.func.count(SearchOutbox.id)).where(SearchOutbox.id > mark)
    )


def sync(store: IndexStore) -> Progress:
    """Apply pending rows until none is left, or only rows behind a gap that may still fill."""
    total = Progress()
    while True:
        progress = apply_pending(store)
        total = Progress(
            total.applied + progress.applied, progress.mark, total.moved or progress.moved
        )
        if progress.applied < BATCH_SIZE or not progress.moved:
            return total


def rebuild(store: IndexStore, advance: Callable[[int], object] | None = None) -> int:
    """Build a whole new index from the database and swap it in; returns the documents written."""
    # Rows up to here are in the snapshot we read; later ones are applied after the swap.
    mark = db.session.scalar(sa.select(sa.func.max(SearchOutbox.id))) or 0
    path, index = store.create()
    writer = index.writer(limitmb=256)
    written = 0
    try:
        for document in documents.all_documents():
            writer.add_document(**document)
            written += 1
            if advance:
                advance(1)
        writer.add_document(doc_id=STATE_DOC, seq=mark)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    db.session.rollback()
    store.swap(path)
    return written


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
                    if self.store.exists():
                        if sync(self.store).applied:
                            last_change = time.monotonic()
                        elif time.monotonic() - last_change > IDLE_BEFORE_MERGE:
                            merge_segments(self.store)
                except Exception:
                    self.app.logger.exception("search indexer: applying the outbox failed")
                finally:
                    db.session.remove()
            if not self.wake.is_set():
                self.idle.set()


def follow(store: IndexStore, should_stop: Callable[[], bool]) -> None:
    """Apply the outbox as it grows until `should_stop()`; for `search sync --follow`.

    While the database is away it waits and tries again, longer each time, instead of exiting.
    """
    last_change = time.monotonic()
    wait = RETRY_FIRST
    while not should_stop():
        try:
            progress = sync(store)
        except sa.exc.OperationalError as error:
            current_app.logger.warning(
                "search sync: database unavailable, retrying in %ss: %s", wait, error
            )
            db.session.rollback()
            db.engine.dispose()  # its connections may all be stale
            _sleep(wait, should_stop)
            wait = min(wait * 2, RETRY_LONGEST)
            continue
        wait = RETRY_FIRST
        if progress.applied:
            last_change = time.monotonic()
        elif time.monotonic() - last_change > IDLE_BEFORE_MERGE:
            merge_segments(store)
        if not progress.moved:
            time.sleep(POLL_INTERVAL)


def _sleep(seconds: float, should_stop: Callable[[], bool]) -> None:
    """Sleep, but wake up for a stop request."""
    deadline = time.monotonic() + seconds
    while not should_stop() and time.monotonic() < deadline:
        time.sleep(min(POLL_INTERVAL, max(0.0, deadline - time.monotonic())))
