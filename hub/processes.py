"""What the long-running commands (`search sync --follow`, `mail follow`) share: a stop
request that SIGINT or SIGTERM sets, and a sleep that wakes up for it."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

# A sleeping follower looks at its stop request this often.
STOP_CHECK_INTERVAL = 0.2


class StopRequest:
    """Set by SIGINT or SIGTERM once `install()`ed; call it to ask whether it is set.

    The handler only assigns a flag. A `threading.Event` would take a lock, and a handler runs
    in the main thread between two bytecodes, possibly while that thread holds the very lock:
    the process would then hang instead of stopping.
    """

    def __init__(self) -> None:
        self.requested = False

    def install(self) -> StopRequest:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._request)
        return self

    def _request(self, *_signal_frame: object) -> None:
        self.requested = True

    def __call__(self) -> bool:
        return self.requested


def sleep(seconds: float, should_stop: Callable[[], bool]) -> None:
    """Sleep `seconds`, but return as soon as `should_stop()` says so."""
    deadline = time.monotonic() + seconds
    while not should_stop() and time.monotonic() < deadline:
        time.sleep(min(STOP_CHECK_INTERVAL, max(0.0, deadline - time.monotonic())))
