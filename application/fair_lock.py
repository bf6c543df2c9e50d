"""A first-come, first-served lock for the threads that write to the log.

`threading.Lock` and `Semaphore` let a thread that just released the lock take it again before
the threads already waiting (the GIL makes that likely), so under load a request could wait for
seconds while others overtook it. Handing the lock to the oldest waiter bounds the wait.
"""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType


class FairLock:
    """A mutex granted in arrival order."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()
        self._held = False

    def __enter__(self) -> None:
        with self._guard:
            if not self._held:
                self._held = True
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the holder's __exit__, which hands the lock over

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().release()  # still held: now by the oldest waiter
            else:
                self._held = False
