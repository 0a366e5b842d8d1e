"""workflows.ratelimit on the `limits` library: moving windows in memory and in Redis (shared
by several API processes), hashed keys, and a memory fallback when Redis is away."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from huimin.settings import Settings
from workflows.ratelimit import Limit, RateLimits, make_rate_limits, wait_text

REDIS_URL = os.environ.get("HUIMIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required in CI but unreachable: {exc}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {type(exc).__name__}")
    prefix = f"huimin-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def _exercise(limits: RateLimits) -> None:
    limit = Limit(2, 1)
    assert limits.hit("ns", "a", limit) is None
    assert limits.blocked("ns", "a", limit) is None
    assert limits.hit("ns", "a", limit) is None
    assert limits.blocked("ns", "a", limit) == 1
    assert limits.hit("ns", "a", limit) == 1
    assert limits.hit("ns", "b", limit) is None  # keys apart
    assert limits.hit("other", "a", limit) is None  # namespaces apart
    time.sleep(1.05)
    assert limits.hit("ns", "a", limit) is None  # the window moved
    limits.hit("ns", "a", limit)
    limits.clear("ns", "a", limit)
    assert limits.hit("ns", "a", limit) is None


def test_memory_moving_window() -> None:
    _exercise(RateLimits("memory://"))


def test_redis_moving_window_shared_by_two_processes(redis_prefix: str) -> None:
    _exercise(RateLimits(REDIS_URL, key_prefix=redis_prefix))
    first = RateLimits(REDIS_URL, key_prefix=redis_prefix)
    second = RateLimits(REDIS_URL, key_prefix=redis_prefix)  # another API worker
    limit = Limit(3, 60)
    assert [first.hit("login", "who", limit) for _ in range(2)] == [None, None]
    assert second.hit("login", "who", limit) is None
    wait = first.hit("login", "who", limit)
    assert wait is not None
    assert 40 <= wait <= 60
    # the stored key holds a hash, not the username
    keys = [k.decode() for k in redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_prefix}*")]
    assert keys
    assert not any("who" in k for k in keys)


def test_redis_away_falls_back_to_memory(caplog: pytest.LogCaptureFixture) -> None:
    limits = RateLimits("redis://127.0.0.1:1/0")  # nothing listens on port 1
    limit = Limit(1, 60)
    assert limits.hit("ns", "a", limit) is None
    assert limits.hit("ns", "a", limit) is not None  # still limited, per process
    assert "counting in process memory" in caplog.text


def test_settings_choose_the_storage() -> None:
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    assert make_rate_limits(base).storage_uri == "memory://"
    with_redis = base.model_copy(update={"redis_url": "redis://127.0.0.1:6379/0"})
    assert make_rate_limits(with_redis).storage_uri == "redis://127.0.0.1:6379/0"


def test_wait_text() -> None:
    assert wait_text(1) == "1 秒"
    assert wait_text(119) == "119 秒"
    assert wait_text(120) == "2 分钟"
    assert wait_text(3600) == "60 分钟"
