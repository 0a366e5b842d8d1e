"""Wake-ups for live views: the staff conversation stream and the resident's web chat updates.

Writers (sync request handlers in the thread pool) call ``notify(key)`` after their commit;
readers (async long polls and server-sent event streams) ``await wait(key, timeout)`` and then
read the database. The database stays the source of truth: a reader also wakes after
``timeout`` and looks again, so a write by another API process is seen within that interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from fastapi import Request

FALLBACK_POLL_SECONDS = 1.0  # how late another process's write may be seen at worst


def handoff_key(handoff_id: int) -> str:
    return f"handoff:{handoff_id}"


def resident_key(channel: str, channel_user_id: str) -> str:
    return f"resident:{channel}:{channel_user_id}"


class LiveHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    async def wait(self, key: str, timeout: float) -> None:
        """Return when ``notify(key)`` is called or after ``timeout`` seconds."""
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.setdefault(key, set()).add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter[1].wait(), timeout=max(0.0, timeout))
        finally:
            with self._lock:
                waiters = self._waiters.get(key)
                if waiters is not None:
                    waiters.discard(waiter)
                    if not waiters:
                        del self._waiters[key]

    def notify(self, *keys: str) -> None:
        """Wake every reader of these keys (from any thread)."""
        with self._lock:
            waiters = [w for key in keys for w in self._waiters.get(key, ())]
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # that loop is closed
                loop.call_soon_threadsafe(event.set)


def get_hub(request: Request) -> LiveHub:
    hub: LiveHub = request.app.state.live_hub
    return hub
