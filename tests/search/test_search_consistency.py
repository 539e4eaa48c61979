"""The index follows the database: outbox in the same transaction, rollbacks, unpublishing,
deletion, crashes of the indexer, rebuilds while searching, and the in-process indexer."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import sqlalchemy as sa

from hub import search
from hub.cities.models import City
from hub.content import files as content_files
from hub.extensions import db
from hub.publishing.models import CaseStudy
from hub.search import indexer
from hub.search.outbox import SearchOutbox
from hub.search.store import STATE_DOC, applied_sequence
from tests.conftest import CONTENT, ROOT


def indexed(app) -> dict[str, dict]:
    """Every document in the index, by doc_id (the state document left out)."""
    with app.app_context(), search.store().open().searcher() as searcher:
        return {d["doc_id"]: d for d in searcher.documents() if d["doc_id"] != STATE_DOC}


def outbox_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(SearchOutbox.id)))


@pytest.fixture
def loaded(app):
    with app.app_context():
        content_files.load_directory(CONTENT)
        db.session.commit()
        indexer.rebuild(search.store())
    return app


def case(slug: str) -> CaseStudy:
    return db.session.scalar(sa.select(CaseStudy).filter_by(slug=slug))


def test_a_change_writes_its_outbox_row_in_the_same_transaction(loaded):
    with loaded.app_context():
        before = outbox_count()
        case("mombasa-county-action-plan").original.title = "A renamed plan"
        db.session.flush()
        rows = db.session.scalars(sa.select(SearchOutbox).where(SearchOutbox.id > 0)).all()
        assert len(rows) == before + 1
        assert (rows[-1].kind, rows[-1].record_id) == (
            "case",
            case("mombasa-county-action-plan").id,
        )
        db.session.rollback()
        assert outbox_count() == before  # gone with the transaction


def test_a_rolled_back_change_indexes_nothing(loaded):
    with loaded.app_context():
        record = case("mombasa-county-action-plan")
        key = f"case:{record.id}"
        record.original.title = "Never committed"
        db.session.flush()
        db.session.rollback()
        assert indexer.sync(search.store()).applied == 0
    assert indexed(loaded)[key]["name_en"] != "Never committed"


def test_a_committed_change_reaches_the_index(loaded):
    with loaded.app_context():
        record = case("saida-local-prevention-network")
        record.text_in("ar").title = "شبكة صيدا المحلية للوقاية"
        db.session.commit()
        key = f"case:{record.id}"
        indexer.sync(search.store())
    assert indexed(loaded)[key]["name_ar"] == "شبكة صيدا المحلية للوقاية"


def test_unpublished_and_deleted_records_leave_the_index(loaded):
    with loaded.app_context():
        draft, gone = (
            case("mombasa-county-action-plan"),
            case("blantyre-data-tools-youth-enterprise"),
        )
        draft_key, gone_key = f"case:{draft.id}", f"case:{gone.id}"
        draft.state = "draft"
        db.session.delete(gone)
        db.session.commit()
        indexer.sync(search.store())
    documents = indexed(loaded)
    assert draft_key not in documents and gone_key not in documents
    with loaded.app_context():
        case("mombasa-county-action-plan").state = "published"
        db.session.commit()
        indexer.sync(search.store())
    assert draft_key in indexed(loaded)


def test_renaming_a_city_updates_its_cases(loaded):
    with loaded.app_context():
        city = db.session.scalar(sa.select(City).filter_by(slug="saida"))
        city.population = 90_000  # now a small city
        db.session.commit()
        saida_case = case("saida-local-prevention-network")
        indexer.sync(search.store())
        key = f"case:{saida_case.id}"
    assert "small" in indexed(loaded)[key]["size"].split(",")


def test_applying_the_outbox_twice_changes_nothing(loaded):
    with loaded.app_context():
        case("mombasa-county-action-plan").original.summary = "Changed once."
        db.session.commit()
        store = search.store()
        indexer.sync(store)
        first = indexed(loaded)
        with store.open().writer() as writer:  # forget the mark: the rows apply again
            writer.update_document(doc_id=STATE_DOC, seq=0)
        assert indexer.sync(store).applied == outbox_count()
    assert indexed(loaded) == first


CRASHING_INDEXER = textwrap.dedent(
    """
    import os, signal, sys
    from whoosh.writing import SegmentWriter
    from hub import create_app, search
    from hub.search import indexer

    calls = 0
    original = SegmentWriter.update_document

    def crash_midway(self, **fields):
        global calls
        calls += 1
        if calls == 3:
            os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no commit: a real crash
        return original(self, **fields)

    SegmentWriter.update_document = crash_midway
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                      "SEARCH_INDEX_DIR": sys.argv[2], "SEARCH_SYNC": "external"})
    with app.app_context():
        indexer.sync(search.store())
    """
)


def test_an_indexer_killed_midway_loses_nothing_and_duplicates_nothing(loaded, tmp_path):
    with loaded.app_context():
        store = search.store()
        for slug in ("mombasa-county-action-plan", "saida-local-prevention-network",
                     "blantyre-data-tools-youth-enterprise", "ten-step-roadmap-community-organizations"):  # fmt: skip
            case(slug).original.summary = f"Crash test {slug}"
        db.session.commit()
        with store.open().searcher() as searcher:
            mark = applied_sequence(searcher)
        script = tmp_path / "crash.py"
        script.write_text(CRASHING_INDEXER)
        result = subprocess.run(
            [sys.executable, str(script), loaded.config["SQLALCHEMY_DATABASE_URI"],
             loaded.config["SEARCH_INDEX_DIR"]],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
        )  # fmt: skip
        assert result.returncode == -9, result.stderr.decode()
        with store.open().searcher() as searcher:
            assert applied_sequence(searcher) == mark  # the half-done batch never committed
        indexer.sync(store)
        with store.open().searcher() as searcher:
            ids = [d["doc_id"] for d in searcher.documents()]
            assert applied_sequence(searcher) == db.session.scalar(sa.func.max(SearchOutbox.id))
        assert len(ids) == len(set(ids))  # nothing twice
    documents = indexed(loaded)
    summaries = [d["excerpt_en"] for d in documents.values() if d["kind"] == "case"]
    assert sum(text.startswith("Crash test") for text in summaries) == 4  # nothing lost


def test_searches_keep_working_during_a_rebuild(loaded):
    with loaded.app_context():
        store = search.store()
        old_path = store.current_path()
        expected = len(indexed(loaded))
        building, seen = threading.Event(), []

        def slow(_n):
            building.set()
            time.sleep(0.01)

        def rebuild():
            with loaded.app_context():
                indexer.rebuild(search.store(), advance=slow)

        worker = threading.Thread(target=rebuild)
        worker.start()
        building.wait(5)
        while worker.is_alive():
            seen.append(store.searcher().doc_count() - 1)
            time.sleep(0.005)
        worker.join()
        assert seen and all(count == expected for count in seen)
        assert store.current_path() != old_path
        assert not old_path.exists()  # the old directory was removed after the swap
        assert store.searcher().doc_count() - 1 == expected


def test_the_background_indexer_makes_each_commit_searchable(database):
    """How fast is measured by bench/search.py ("commit to searchable"), not here: the timeouts
    only keep a stuck indexer from hanging the suite."""
    from tests.conftest import _dispose, make_app

    app = make_app(database, SEARCH_SYNC="thread")
    try:
        with app.app_context():
            db.create_all()
            indexer.rebuild(search.store())
            content_files.load_directory(CONTENT)
            db.session.commit()  # the request would return here; indexing happens elsewhere
            assert search.background_indexer(app).wait_until_idle(timeout=60)
        assert len(indexed(app)) == 24
        with app.app_context():
            record = case("mombasa-county-action-plan")
            record.original.title = "Mombasa's plan, renamed"
            key = f"case:{record.id}"
            db.session.commit()
            assert search.background_indexer(app).wait_until_idle(timeout=60)
        assert indexed(app)[key]["name_en"] == "Mombasa's plan, renamed"
    finally:
        _dispose(app)


def test_merging_segments_when_idle_keeps_every_document(loaded):
    with loaded.app_context():
        store = search.store()
        before = indexed(loaded)
        for document in list(before.values())[:5]:  # five commits, five small segments
            writer = store.open().writer()
            writer.update_document(**{k: v for k, v in document.items() if k in writer.schema})
            writer.commit(merge=False)
        assert len(store.open()._segments()) > 2
        assert indexer.merge_segments(store)
        assert len(store.open()._segments()) <= 2
        assert not indexer.merge_segments(store)  # nothing left to do
    assert indexed(loaded) == before


def test_renaming_a_theme_updates_the_records_tagged_with_it(loaded):
    from hub.cities.models import Theme
    from hub.search.params import SearchParams
    from hub.search.service import search as run_search

    def found(word: str) -> set[str]:
        results = run_search(search.store(), SearchParams(q=word, lang="en", per_page=100))
        return {f"{hit.kind}:{hit.id}" for hit in results.results}

    with loaded.app_context():
        theme = db.session.scalar(sa.select(Theme).filter_by(slug="youth"))
        tagged = {
            f"case:{c.id}"
            for c in db.session.scalars(
                sa.select(CaseStudy).where(
                    CaseStudy.themes.contains(theme), CaseStudy.state == "published"
                )
            )
        }
        assert tagged
        assert not found("zebracorns")
        before = outbox_count()
        theme.names = {**theme.names, "en": "Young people and zebracorns"}
        db.session.commit()
        assert outbox_count() > before  # the rename itself says which records to re-index
        indexer.sync(search.store())
        assert tagged <= found("zebracorns")


def test_a_change_is_a_segment_of_its_own_until_too_many(loaded, monkeypatch):
    """A change does not wait for a merge: each adds a small segment, found at once, until
    MAX_SEGMENTS; only then does a change fold the small ones together."""
    monkeypatch.setattr(indexer, "MAX_SEGMENTS", 5)
    with loaded.app_context():
        store = search.store()
        segments = [len(store.open()._segments())]
        record = case("mombasa-county-action-plan")
        for number in range(6):
            record.original.title = f"Mombasa's plan, version {number}"
            db.session.commit()
            assert indexer.sync(store).applied == 1
            segments.append(len(store.open()._segments()))
            key = f"case:{record.id}"
        assert segments[:4] == [1, 2, 3, 4]  # no merge on the way
        assert segments[-1] < max(segments) <= 5  # folded once there were too many
    assert indexed(loaded)[key]["name_en"] == "Mombasa's plan, version 5"
