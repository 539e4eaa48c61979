"""Helpers of the concurrency tests: another write slipped in between a request's read and its
write, two requests held until both have read, and the hidden version fields of a form page."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session


@contextmanager
def write_in_between(other_write: Callable[[], object]) -> Iterator[list]:
    """Run `other_write` (another client's whole request, committed) when the first request
    has read the record and is about to write it: the interleaving of two people saving at
    once, made certain. Yields what `other_write` returned."""
    done: list = []

    def hook(_session, _context, _instances) -> None:
        if not done:
            done.append(None)
            # In a thread of its own: a request of its own, not nested in the first one's
            # app context (and database session).
            thread = threading.Thread(target=lambda: done.__setitem__(0, other_write()))
            thread.start()
            thread.join(30)

    event.listen(Session, "before_flush", hook)
    try:
        yield done
    finally:
        event.remove(Session, "before_flush", hook)


@contextmanager
def held_until_all_have_read(parties: int, timeout: float = 10) -> Iterator[threading.Barrier]:
    """Each request of a thread that joined waits at its first write until `parties` requests
    have read what they change: every pair really races for the same version."""
    barrier = threading.Barrier(parties, timeout=timeout)
    joined = threading.local()

    def hook(_session, _context, _instances) -> None:
        if getattr(joined, "waiting", False):
            joined.waiting = False
            barrier.wait()

    def join() -> None:
        joined.waiting = True

    barrier.join = join  # type: ignore[attr-defined]
    event.listen(Session, "before_flush", hook)
    try:
        yield barrier
    finally:
        event.remove(Session, "before_flush", hook)


def hidden(page: str, name: str) -> str:
    """The value of a form's hidden field on a page."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    assert found, f"no hidden field {name}"
    return html.unescape(found.group(1))


def form_state(page: str) -> dict[str, str]:
    """The version and fingerprints a form page carries."""
    return {"version": hidden(page, "version"), "started": hidden(page, "started")}
