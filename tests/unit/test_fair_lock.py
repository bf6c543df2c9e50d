"""The writers' lock hands itself to waiting threads in the order they arrived."""

from __future__ import annotations

import threading
import time

from application.fair_lock import FairLock


class TestFairLock:
    """First come, first served, and mutual exclusion."""

    def test_waiters_get_the_lock_in_arrival_order(self) -> None:
        """Threads queued behind the holder enter one by one, oldest first."""
        lock = FairLock()
        order: list[int] = []
        threads = [threading.Thread(target=lambda n=n: _enter(lock, order, n)) for n in range(8)]
        with lock:
            for thread in threads:
                thread.start()
                time.sleep(0.02)  # each is queued before the next starts
        for thread in threads:
            thread.join(timeout=10)
        assert order == list(range(8))

    def test_only_one_thread_holds_it_at_a_time(self) -> None:
        """A counter updated in two steps under the lock never loses an increment."""
        lock = FairLock()
        state = {"count": 0, "inside": 0, "most_inside": 0}

        def work() -> None:
            for _ in range(200):
                with lock:
                    state["inside"] += 1
                    state["most_inside"] = max(state["most_inside"], state["inside"])
                    value = state["count"]
                    time.sleep(0)
                    state["count"] = value + 1
                    state["inside"] -= 1

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert state == {"count": 1200, "inside": 0, "most_inside": 1}


def _enter(lock: FairLock, order: list[int], n: int) -> None:
    with lock:
        order.append(n)
