"""Where the index lives on disk, and how readers and the indexer open it.

`<root>/current` is a symlink to one `index-*` directory. A rebuild writes a new directory and
replaces the link atomically, so searches go on during the rebuild and see the new index at once.
Each process opens an index once (retrying the rare FileNotFoundError while another process
commits) and gives each thread its own searcher, reopened when the index has changed: Whoosh
searchers are not thread-safe and `Searcher.refresh()` is broken in whoosh3.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.searching import Searcher

from hub.search.schema import WEIGHTING, build_schema

CURRENT = "current"
OPEN_RETRIES = 5
OPEN_RETRY_PAUSE = 0.05  # seconds
STATE_DOC = "__state__"


class IndexMissing(RuntimeError):
    """No index has been built yet."""


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
            return self.root / os.readlink(self.link)
        except FileNotFoundError:
            raise IndexMissing(str(self.root)) from None

    def exists(self) -> bool:
        return self.link.is_symlink()

    def open(self, path: Path | None = None) -> Index:
        path = path or self.current_path()
        with self._lock:
            index = self._indexes.get(path)
            if index is None:
                index = self._indexes[path] = _open_dir(path)
            return index

    def searcher(self) -> Searcher:
        """This thread's searcher on the current index, reopened if the index has changed."""
        path = self.current_path()
        cached = getattr(self._local, "searcher", None)
        if cached is not None:
            cached_path, searcher = cached
            if cached_path == path and searcher.up_to_date():
                return searcher
            searcher.close()
        searcher = self.open(path).searcher(weighting=WEIGHTING)
        self._local.searcher = (path, searcher)
        return searcher

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


def _open_dir(path: Path) -> Index:
    for attempt in range(OPEN_RETRIES):
        try:
            return whoosh_index.open_dir(str(path))
        except FileNotFoundError:
            # Another process was replacing the table of contents (about 1 open in 500).
            if attempt == OPEN_RETRIES - 1:
                raise
            time.sleep(OPEN_RETRY_PAUSE)
    raise AssertionError("unreachable")


def applied_sequence(searcher: Searcher) -> int:
    """The last outbox row this index has applied (0 for none)."""
    state = searcher.document(doc_id=STATE_DOC)
    return int(state["seq"]) if state else 0
