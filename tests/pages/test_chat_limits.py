"""The web chat proxy limits messages per browser (cookie) and per address; the refused
message never reaches Rasa and the page gets a Chinese reply with Retry-After."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture
def tight_limits(site) -> Iterator[None]:
    """Small limits on the shared site for one test; its counters are dropped afterwards."""
    original = site.app.state.settings
    site.app.state.settings = original.model_copy(
        update={"chat_messages_per_minute": 3, "chat_messages_per_address_per_minute": 5}
    )
    site.app.state.rate_limits = None
    site.rasa.reset()
    yield
    site.app.state.settings = original
    site.app.state.rate_limits = None


def _browser(site) -> httpx.Client:
    client = httpx.Client(base_url=site.url)
    client.cookies.set("huimin_web_id", str(uuid.uuid4()))
    return client


def _say(client: httpx.Client, text: str) -> httpx.Response:
    return client.post("/chat/api/message", json={"text": text})


def test_messages_are_limited_per_browser_and_per_address(site, tight_limits) -> None:
    first = _browser(site)
    for n in range(3):
        assert _say(first, f"第{n}条").status_code == 200
    refused = _say(first, "第4条")
    assert refused.status_code == 429
    seconds = int(refused.headers["Retry-After"])
    assert 40 <= seconds <= 60
    assert refused.json()["detail"] == f"消息发送太频繁了,请 {seconds} 秒后再试。"
    assert [m["message"] for m in site.rasa.messages] == ["第0条", "第1条", "第2条"]

    # a new cookie from the same address: the address allows 5 a minute in all
    second = _browser(site)
    assert _say(second, "换个浏览器1").status_code == 200
    assert _say(second, "换个浏览器2").status_code == 200
    assert _say(second, "换个浏览器3").status_code == 429
    assert len(site.rasa.messages) == 5
