"""Small shared state of the bridge behind one interface: Redis when ``HUIMIN_REDIS_URL`` is set
(shared by every bridge process, survives a restart), else a bounded in-process map.

Used for: callback de-duplication (MsgId), the access token, the 48-hour window (last message of
each openid) and the numbered choices offered to each resident.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol

KEY_PREFIX = "huimin:wechat:"


class KeyValueStore(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl_seconds: float) -> None: ...

    async def add(self, key: str, value: str, ttl_seconds: float) -> bool:
        """Set only if absent (atomic); True when this call set it."""
        ...

    async def delete(self, key: str, *, if_value: str | None = None) -> None:
        """Delete; with ``if_value`` only while it still holds that value."""
        ...

    async def aclose(self) -> None: ...


class MemoryStore:
    """Bounded (least recently written dropped first) map with expiry, for one process."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._now = time.monotonic

    def _live(self, key: str) -> str | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= self._now():
            del self._items[key]
            return None
        return value

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def set(self, key: str, value: str, ttl_seconds: float) -> None:
        self._items[key] = (self._now() + ttl_seconds, value)
        self._items.move_to_end(key)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    async def add(self, key: str, value: str, ttl_seconds: float) -> bool:
        if self._live(key) is not None:
            return False
        await self.set(key, value, ttl_seconds)
        return True

    async def delete(self, key: str, *, if_value: str | None = None) -> None:
        if if_value is None or self._live(key) == if_value:
            self._items.pop(key, None)

    async def aclose(self) -> None:
        return None


# Compare-and-delete in one step on the Redis server.
_DELETE_IF = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


class RedisStore:
    """The same operations on Redis (``SET NX PX``, a compare-and-delete script)."""

    def __init__(self, url: str, *, prefix: str = KEY_PREFIX) -> None:
        import redis.asyncio as redis_asyncio

        self._redis = redis_asyncio.from_url(url, decode_responses=True)
        self._prefix = prefix

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(self._prefix + key)
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl_seconds: float) -> None:
        await self._redis.set(self._prefix + key, value, px=max(1, int(ttl_seconds * 1000)))

    async def add(self, key: str, value: str, ttl_seconds: float) -> bool:
        done = await self._redis.set(
            self._prefix + key, value, px=max(1, int(ttl_seconds * 1000)), nx=True
        )
        return bool(done)

    async def delete(self, key: str, *, if_value: str | None = None) -> None:
        if if_value is None:
            await self._redis.delete(self._prefix + key)
        else:
            await self._redis.eval(_DELETE_IF, 1, self._prefix + key, if_value)

    async def aclose(self) -> None:
        await self._redis.aclose()


def make_store(redis_url: str | None, *, prefix: str = KEY_PREFIX) -> KeyValueStore:
    return RedisStore(redis_url, prefix=prefix) if redis_url else MemoryStore()
