"""The access token: fetched once and cached (in the process, or in Redis for every process),
refreshed once when WeChat says it expired; de-duplication shared through Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis

from channels.wechat.api import WeChatApiError
from channels.wechat.app import make_wechat_api
from channels.wechat.store import MemoryStore, RedisStore

OPENID = "oHuimin_Resident-0001"
REDIS_URL = "redis://127.0.0.1:6379/0"


def drop_keys(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")


async def test_token_is_fetched_once_for_many_messages(wechat_settings, wechat) -> None:
    api = make_wechat_api(wechat_settings, MemoryStore())
    try:
        await asyncio.gather(*(api.send_text(OPENID, f"第{i}条") for i in range(10)))
        await api.send_text(OPENID, "再来一条")
    finally:
        await api.aclose()
    assert wechat.token_fetches == 1
    assert len(wechat.custom_texts()) == 11


async def test_expired_token_is_refreshed_once_and_the_call_retried(
    wechat_settings, wechat
) -> None:
    api = make_wechat_api(wechat_settings, MemoryStore())
    try:
        await api.send_text(OPENID, "第一条")
        wechat.expire_tokens()  # WeChat answers 40001 for the cached token
        await api.send_text(OPENID, "第二条")
        assert wechat.token_fetches == 2
        assert wechat.custom_texts() == ["第一条", "第二条"]

        wechat.fail_next("/cgi-bin/message/custom/send", 42001, "access_token expired")
        wechat.fail_next("/cgi-bin/message/custom/send", 42001, "access_token expired")
        with pytest.raises(WeChatApiError) as refused:  # refreshed once, not forever
            await api.send_text(OPENID, "第三条")
        assert refused.value.errcode == 42001
    finally:
        await api.aclose()


async def test_other_errors_are_not_retried(wechat_settings, wechat) -> None:
    api = make_wechat_api(wechat_settings, MemoryStore())
    wechat.valid_tokens.add("unused")
    try:
        wechat.fail_next("/cgi-bin/message/custom/send", 45047, "out of response count limit")
        with pytest.raises(WeChatApiError) as limited:
            await api.send_text(OPENID, "你好")
    finally:
        await api.aclose()
    assert limited.value.rate_limited
    assert wechat.custom_texts() == []


async def test_processes_sharing_redis_fetch_the_token_once(wechat_settings, wechat) -> None:
    redis_or_skip()
    prefix = f"huimin:test:{uuid.uuid4().hex}:"
    wechat.token_delay = 0.2  # a slow token endpoint: every process asks at once
    stores = [RedisStore(REDIS_URL, prefix=prefix) for _ in range(3)]
    apis = [make_wechat_api(wechat_settings, store) for store in stores]
    try:
        await asyncio.gather(*(api.send_text(OPENID, f"来自进程{i}") for i, api in enumerate(apis)))
        assert wechat.token_fetches == 1
        # A refusal seen by one process drops the shared token; the next call of any refreshes.
        wechat.expire_tokens()
        await apis[0].send_text(OPENID, "刷新后")
        await apis[1].send_text(OPENID, "共享新令牌")
        assert wechat.token_fetches == 2
    finally:
        for api in apis:
            await api.aclose()
        for store in stores:
            await store.aclose()
        drop_keys(prefix)


async def test_a_retry_reaching_another_bridge_process_is_not_processed_again(
    wechat_settings, backends, wechat, callbacks_factory
) -> None:
    """Two bridge processes behind one proxy share the de-duplication through Redis."""
    import httpx

    from channels.api import ApiClient
    from channels.wechat.app import build_components, make_web_app
    from huimin.rasa_client import RasaClient

    redis_or_skip()
    prefix = f"huimin:test:{uuid.uuid4().hex}:"
    settings = wechat_settings
    bridges = [
        build_components(
            settings,
            rasa=RasaClient(settings.rasa_url),
            api=ApiClient(settings.api_url, "test-internal"),
            store=RedisStore(REDIS_URL, prefix=prefix),
            run_notifier=False,
        )
        for _ in range(2)
    ]
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=make_web_app(b)), base_url="http://w")
        for b in bridges
    ]
    try:
        first, second = (callbacks_factory(client) for client in clients)
        xml = first.text("我想问问临时救助", msg_id=880001)
        answer = first.reply(await first.post(xml))
        retried = second.reply(await second.post(xml))
        assert answer.content == retried.content == "已收到:我想问问临时救助"
        assert [c["message"] for c in backends.rasa_calls] == ["我想问问临时救助"]
    finally:
        for client in clients:
            await client.aclose()
        for components in bridges:
            await components.stop()
        drop_keys(prefix)
