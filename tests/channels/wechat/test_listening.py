"""Nothing listens beyond loopback unless configured: the WeChat bridge binds 127.0.0.1 by
default (the callback is reached through the TLS reverse proxy)."""

from __future__ import annotations

from typing import Any

import pytest

from channels.wechat import __main__ as entry
from huimin.settings import Settings


def test_the_bridge_listens_on_loopback_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.wechat_host == "127.0.0.1"
    served: dict[str, Any] = {}
    monkeypatch.setattr(entry, "refuse_demo_secrets", lambda *a, **k: None)
    monkeypatch.setattr(entry, "build_components", lambda s: object())
    monkeypatch.setattr(entry, "make_web_app", lambda components: "app")
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: served.update(kw))
    assert entry._serve(settings) == 0
    assert served["host"] == "127.0.0.1"
    assert served["port"] == settings.wechat_port
