"""A small in-process sliding-window limiter (per key, e.g. a client address).

One process only: with several API workers each keeps its own window, so the effective limit
is per worker. Keys are pruned as their windows empty and capped in number, so a flood of
addresses cannot grow memory without bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque


class SlidingWindowLimiter:
    def __init__(self, *, limit: int, window_seconds: float, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, now: float) -> float | None:
        """Count one request at ``now`` (seconds). None: allowed; otherwise the seconds to wait."""
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = deque()
                self._hits[key] = hits
            self._hits.move_to_end(key)
            while hits and hits[0] <= now - self.window_seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(0.0, hits[0] + self.window_seconds - now)
            hits.append(now)
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)  # the longest idle key
            return None
