"""Where the index lives on disk, and how readers and the indexer open it.

`<root>/current` is a symlink to one `index-*` directory. A rebuild writes a new directory and
replaces the link atomically, so searches go on during the rebuild and see the new index at once.
Each process opens an index once (retrying the rare FileNotFoundError while another process
commits) and gives each thread its own searcher, reopened when the index has changed: Whoosh
searchers are not thread-safe and `Searcher.refresh()` is broken in whoosh3.
"""

from __future__ import annotations

import fcntl
import gc
import os
import shutil
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.searching import Searcher

from hub.search.schema import OUTBOX_FIELD, WEIGHTING, build_schema

CURRENT = "current"
REBUILD_LOCK = ".rebuild.lock"
OPEN_RETRIES = 5
OPEN_RETRY_PAUSE = 0.05  # seconds
STATE_DOC = "__state__"


class IndexProblem(RuntimeError):
    """The index cannot be used as it is: it must be rebuilt from the database."""


class IndexMissing(IndexProblem):
    """No index at all: never built, or its folder was deleted."""


class IndexCorrupt(IndexProblem):
    """The index's files cannot be read (a truncated or damaged file)."""


class IndexOutdated(IndexProblem):
    """The index was built by an older version of the hub, with fields this one needs missing."""


class IndexDiverged(IndexProblem):
    """The index has applied outbox rows this database does not have: a database restored from
    a backup (the index is ahead of it), or another database altogether."""


@dataclass(frozen=True)
class IndexState:
    """What the index has applied: the last outbox row (`mark`, 0 for none) and that row's
    identity (`outbox`: kind, record and time of the row, "" for none).

    Ids alone cannot tell a restored database from the one the index followed: after a restore
    the outbox hands out the same ids again, to other changes.
    """

    mark: int = 0
    outbox: str = ""


class IndexStore:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self._indexes: dict[Path, Index] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def link(self) -> Path:
        return self.root / CURRENT

    def current_path(self) -> Path:
        try:
            path = self.root / os.readlink(self.link)
        except OSError:
            raise IndexMissing(f"no search index in {self.root}") from None
        if not path.is_dir():
            raise IndexMissing(f"the search index folder {path} is gone")
        return path

    def exists(self) -> bool:
        try:
            self.current_path()
        except IndexMissing:
            return False
        return True

    def open(self, path: Path | None = None) -> Index:
        """The index at `path` (the current one by default); IndexMissing or IndexCorrupt if it
        cannot be opened."""
        path = path or self.current_path()
        with self._lock:
            index = self._indexes.get(path)
            if index is None:
                index = _checked(path, lambda: whoosh_index.open_dir(str(path)))
                self._indexes[path] = index
            return index

    def searcher(self) -> Searcher:
        """This thread's searcher on the current index, reopened if the index has changed;
        IndexMissing or IndexCorrupt if it cannot be read."""
        path = self.current_path()
        cached = getattr(self._local, "searcher", None)
        if cached is not None:
            cached_path, searcher = cached
            if cached_path == path and _checked(path, searcher.up_to_date):
                return searcher
            self._local.searcher = None
            searcher.close()
        index = self.open(path)
        searcher = _checked(path, lambda: index.searcher(weighting=WEIGHTING))
        self._local.searcher = (path, searcher)
        return searcher

    def state(self, searcher: Searcher) -> IndexState:
        """What the index read by `searcher` has applied; IndexOutdated for an index built by
        an older hub."""
        if OUTBOX_FIELD not in searcher.schema:
            raise IndexOutdated(f"the search index in {self.root} was built by an older hub")
        stored = _checked(self.root, lambda: searcher.document(doc_id=STATE_DOC)) or {}
        return IndexState(int(stored.get("seq", 0)), stored.get(OUTBOX_FIELD, ""))

    def read_state(self) -> IndexState:
        """What the current index has applied, read afresh (not through this thread's searcher,
        which may lag behind the index's last commit)."""
        path = self.current_path()
        index = self.open(path)
        with _checked(path, index.searcher) as searcher:
            return self.state(searcher)

    @contextmanager
    def rebuilding(self) -> Iterator[None]:
        """Hold the rebuild lock: one rebuild at a time, across processes."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / REBUILD_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def is_rebuilding(self) -> bool:
        """Whether some process holds the rebuild lock now."""
        try:
            lock = open(self.root / REBUILD_LOCK)
        except FileNotFoundError:
            return False
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(lock, fcntl.LOCK_UN)
            return False

    def create(self) -> tuple[Path, Index]:
        """A new, empty index directory beside the current one."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"index-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path.mkdir()
        return path, whoosh_index.create_in(str(path), build_schema())

    def swap(self, path: Path) -> None:
        """Point `current` at `path` atomically, then remove the directories no longer used."""
        temporary = self.root / f".{CURRENT}-{uuid.uuid4().hex[:8]}"
        os.symlink(path.name, temporary)
        os.replace(temporary, self.link)
        for other in self.root.glob("index-*"):
            if other != path:
                # Open readers keep their files: on POSIX, unlinked files stay readable.
                shutil.rmtree(other, ignore_errors=True)
        with self._lock:
            self._indexes = {p: ix for p, ix in self._indexes.items() if p == path}


def _checked(path: Path, read):
    """`read()`, with the failures of an index whose files are gone or damaged as the hub's
    IndexMissing and IndexCorrupt. A damaged file fails in many ways (EOFError, struct.error,
    pickle errors, TypeError...): any failure to read it means the index must be rebuilt.

    A file not found while the folder is still there is retried first: another process was
    replacing the table of contents (about 1 open in 500).
    """
    for attempt in range(OPEN_RETRIES):
        try:
            return read()
        except FileNotFoundError as error:
            if attempt < OPEN_RETRIES - 1 and path.is_dir():
                time.sleep(OPEN_RETRY_PAUSE)
                continue
            problem: IndexProblem = IndexMissing(f"the search index in {path} lost a file: {error}")
            _close_files_of(error)
        except IndexProblem:
            raise
        except Exception as error:
            problem = IndexCorrupt(f"the search index in {path} cannot be read: {error!r}")
            _close_files_of(error)
        raise problem
    raise AssertionError("unreachable")


def _close_files_of(error: Exception) -> None:
    """Whoosh leaves the files of a failed open open, held by the error's traceback: let them
    go now, quietly, rather than warn about them in some later request."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        error.__traceback__ = None
        gc.collect()


def applied_sequence(searcher: Searcher) -> int:
    """The last outbox row this index has applied (0 for none)."""
    state = searcher.document(doc_id=STATE_DOC)
    return int(state["seq"]) if state else 0
