"""Rate limits on the `limits` library: moving windows kept in Redis, or in process memory.

One :class:`RateLimits` per application (``app.state.rate_limits``, see :func:`rate_limits`).
With ``HUIMIN_REDIS_URL`` every API worker shares the counters; without it each process keeps
its own. Keys are hashed before they are stored, so Redis holds no usernames, conversation ids
or application numbers. If Redis cannot be reached, the limits fall back to process memory
(logged) rather than failing open or refusing every request.

Time is the wall clock (the library's), not the application's clock.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from huimin.settings import Settings
from workflows.deps import kept_on_app

log = logging.getLogger(__name__)
KEY_PREFIX = "huimin"
REDIS_TIMEOUT_SECONDS = 0.5
RETRY_STORAGE_AFTER_SECONDS = 30


@dataclass(frozen=True)
class Limit:
    """``amount`` events per ``window_seconds`` (a moving window)."""

    amount: int
    window_seconds: int

    def item(self) -> RateLimitItem:
        return RateLimitItemPerSecond(max(1, self.amount), max(1, self.window_seconds))


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _apply(
    limiter: MovingWindowRateLimiter, call: str, item: RateLimitItem, identifiers: tuple[str, ...]
) -> tuple[bool, float]:
    if call == "clear":
        limiter.clear(item, *identifiers)
        return True, 0.0
    allowed = limiter.hit(item, *identifiers) if call == "hit" else limiter.test(item, *identifiers)
    if allowed:
        return True, 0.0
    reset_at, _remaining = limiter.get_window_stats(item, *identifiers)
    return False, max(0.0, reset_at - time.time())


class RateLimits:
    """Counters per (namespace, key). ``storage_uri``: ``memory://`` or ``redis://…``."""

    def __init__(self, storage_uri: str = "memory://", *, key_prefix: str = KEY_PREFIX) -> None:
        options: dict[str, float | str | bool] = {"key_prefix": key_prefix}
        if storage_uri.startswith(("redis://", "rediss://", "unix://")):
            options["socket_timeout"] = REDIS_TIMEOUT_SECONDS
            options["socket_connect_timeout"] = REDIS_TIMEOUT_SECONDS
        self.storage_uri = storage_uri
        storage = (
            MemoryStorage()
            if storage_uri.startswith("memory://")
            else storage_from_string(storage_uri, wrap_exceptions=True, **options)
        )
        if not isinstance(storage, Storage):  # an async+… scheme
            raise ValueError(f"HUIMIN_REDIS_URL: not a synchronous storage: {storage_uri}")
        self._primary = MovingWindowRateLimiter(storage)
        self._fallback: MovingWindowRateLimiter | None = None
        self._primary_down_until = 0.0  # time.monotonic(); the storage is retried after this

    def _run(self, call: str, limit: Limit, namespace: str, key: str) -> tuple[bool, float]:
        """(allowed, seconds until one more event is allowed) for "hit" / "test" / "clear"."""
        if time.monotonic() >= self._primary_down_until:
            try:
                return _apply(self._primary, call, limit.item(), (namespace, _hashed(key)))
            except StorageError as exc:
                self._primary_down_until = time.monotonic() + RETRY_STORAGE_AFTER_SECONDS
                log.warning(
                    "rate limits: storage unavailable (%s), counting in process memory for %ds",
                    type(exc.storage_error).__name__,
                    RETRY_STORAGE_AFTER_SECONDS,
                )
        if self._fallback is None:
            self._fallback = MovingWindowRateLimiter(MemoryStorage())
        return _apply(self._fallback, call, limit.item(), (namespace, _hashed(key)))

    def hit(self, namespace: str, key: str, limit: Limit) -> int | None:
        """Count one event. None: allowed; otherwise the whole seconds to wait (at least 1)."""
        allowed, wait = self._run("hit", limit, namespace, key)
        return None if allowed else max(1, math.ceil(wait))

    def blocked(self, namespace: str, key: str, limit: Limit) -> int | None:
        """Like :meth:`hit` but counts nothing: the seconds to wait if the limit is used up."""
        allowed, wait = self._run("test", limit, namespace, key)
        return None if allowed else max(1, math.ceil(wait))

    def clear(self, namespace: str, key: str, limit: Limit) -> None:
        self._run("clear", limit, namespace, key)


def make_rate_limits(settings: Settings) -> RateLimits:
    return RateLimits(settings.redis_url or "memory://")


def rate_limits(request: Request) -> RateLimits:
    """The application's limits (made from its settings on first use)."""
    return kept_on_app(request, "rate_limits", lambda: make_rate_limits(request.app.state.settings))


def client_address(request: Request) -> str:
    """The caller's address (the resident's behind a proxy run with --forwarded-allow-ips)."""
    return request.client.host if request.client else "unknown"


def too_many(seconds: int, detail: str) -> HTTPException:
    """429 with a Chinese ``detail`` and ``Retry-After``."""
    return HTTPException(
        status_code=429, detail=detail, headers={"Retry-After": str(max(1, seconds))}
    )


def wait_text(seconds: int) -> str:
    """Seconds as "N 秒" under two minutes, else "N 分钟" (rounded up)."""
    if seconds < 120:
        return f"{seconds} 秒"
    return f"{math.ceil(seconds / 60)} 分钟"
