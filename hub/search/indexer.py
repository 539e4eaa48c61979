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

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from whoosh.writing import MERGE_SMALL, NO_MERGE

from hub.database import utcnow
from hub.extensions import db
from hub.search import documents
from hub.search.outbox import SearchOutbox
from hub.search.store import STATE_DOC, IndexDiverged, IndexState, IndexStore

BATCH_SIZE = 500
# Longer than any transaction that writes content is expected to stay open.
GAP_GRACE = timedelta(seconds=30)
WRITER_TIMEOUT = 30.0  # seconds to wait for the index lock: only indexers take it
# Once this share of the big segment's documents are replaced versions, merge it too.
MAX_DELETED_SHARE = 0.2
# Changes add a segment each until this many; a merge then waits for the follower to be idle.
MAX_SEGMENTS = 24


@dataclass
class Progress:
    applied: int = 0  # rows applied
    mark: int = 0  # the last row the index now counts as applied
    moved: bool = False  # whether the mark moved


def apply_pending(store: IndexStore, batch_size: int = BATCH_SIZE) -> Progress:
    """Apply one batch of outbox rows past the index's mark.

    IndexMissing or IndexCorrupt if the index cannot be read, IndexDiverged if the database
    does not have the row the index applied last (a restored backup, another database).
    """
    index = store.open()
    state = store.read_state()
    # The row at the mark comes first, to check that this is the outbox the index followed.
    rows = db.session.execute(
        sa.select(
            SearchOutbox.id, SearchOutbox.kind, SearchOutbox.record_id, SearchOutbox.created_at
        )
        .where(SearchOutbox.id >= state.mark)
        .order_by(SearchOutbox.id)
        .limit(batch_size + 1)
    ).all()
    if state.mark:
        if not rows or rows[0].id != state.mark or not _same_row(rows[0], state):
            raise IndexDiverged(_divergence(state))
        rows = rows[1:]
    rows = rows[:batch_size]
    db.session.rollback()  # end the read transaction: the indexer holds no locks in between
    if not rows:
        return Progress(0, state.mark, False)
    new_mark = _advance(state.mark, rows)
    identities = {row.id: identity(row) for row in rows}
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
        writer.update_document(
            doc_id=STATE_DOC, seq=new_mark, outbox=identities.get(new_mark, state.outbox)
        )
    except BaseException:
        writer.cancel()
        raise
    finally:
        db.session.rollback()
    writer.commit(merge=True, mergetype=merge_when_many)
    return Progress(len(rows), new_mark, new_mark != state.mark)


def identity(row) -> str:
    """An outbox row's identity: what changed and when. A restored database hands out the same
    ids again, to other changes at other times."""
    return f"{row.kind}:{row.record_id}@{row.created_at.isoformat()}"


def _same_row(row, state: IndexState) -> bool:
    # An index whose state predates identities can only be checked by id.
    return not state.outbox or identity(row) == state.outbox


def _divergence(state: IndexState) -> str:
    last = db.session.scalar(sa.select(sa.func.max(SearchOutbox.id))) or 0
    if last < state.mark:
        return (
            f"the index is ahead of the database: it has applied outbox row {state.mark}, "
            f"the database's last row is {last}"
        )
    return (
        f"the index does not belong to this database: outbox row {state.mark}, the last it "
        "applied, is another change here"
    )


def verify(store: IndexStore) -> IndexState:
    """What the index has applied, checked against the database's outbox; IndexProblem if the
    index cannot be used or does not belong to this database."""
    state = store.read_state()
    if state.mark:
        row = db.session.execute(
            sa.select(
                SearchOutbox.id,
                SearchOutbox.kind,
                SearchOutbox.record_id,
                SearchOutbox.created_at,
            ).where(SearchOutbox.id == state.mark)
        ).first()
        if row is None or not _same_row(row, state):
            raise IndexDiverged(_divergence(state))
    return state


def merge_when_many(writer, segments):
    """Whoosh merge policy for a change: none, so that the change is searchable at once,
    unless the index has MAX_SEGMENTS; then Whoosh's tiering of the small ones.

    A change's documents carry thousands of terms (every field, theme names in every language,
    thesaurus concepts), and merging costs per term and segment: Whoosh's default merged four
    one-document segments on every fifth change, which took that change 1.2 s instead of 0.1 s
    to become searchable at 10k records. The follower merges them once it is idle instead.
    """
    if len(segments) < MAX_SEGMENTS:
        return NO_MERGE(writer, segments)
    return MERGE_SMALL(writer, segments)


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
    mark = store.read_state().mark
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
    """Build a whole new index from the database and swap it in; returns the documents written.

    One rebuild at a time: a second one waits for the first, then builds again."""
    with store.rebuilding():
        return rebuild_locked(store, advance)


def rebuild_locked(store: IndexStore, advance: Callable[[int], object] | None = None) -> int:
    """`rebuild`, for a caller that holds the rebuild lock."""
    # Rows up to here are in the snapshot we read; later ones are applied after the swap.
    last = db.session.execute(
        sa.select(
            SearchOutbox.id, SearchOutbox.kind, SearchOutbox.record_id, SearchOutbox.created_at
        )
        .order_by(SearchOutbox.id.desc())
        .limit(1)
    ).first()
    path, index = store.create()
    writer = index.writer(limitmb=256)
    written = 0
    try:
        for document in documents.all_documents():
            writer.add_document(**document)
            written += 1
            if advance:
                advance(1)
        writer.add_document(
            doc_id=STATE_DOC,
            seq=last.id if last else 0,
            outbox=identity(last) if last else "",
        )
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    db.session.rollback()
    store.swap(path)
    return written
