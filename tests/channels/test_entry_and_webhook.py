"""The entry point without a token, and webhook mode's HTTP side."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from channels.telegram.__main__ import NO_TOKEN, main
from channels.telegram.webhook import SECRET_HEADER, make_web_app, webhook_secret

ROOT = Path(__file__).resolve().parents[2]


def test_no_token_exits_with_one_clear_line(tmp_path, capsys, make_settings) -> None:
    settings = make_settings(tmp_path, "http://127.0.0.1:9", telegram_token="")
    assert main(settings) == 1
    err = capsys.readouterr().err.strip()
    assert err == NO_TOKEN
    assert "HUIMIN_TELEGRAM_TOKEN" in err
    assert err.startswith("未配置 Telegram 机器人令牌")


def test_module_entry_point_without_token(tmp_path) -> None:
    env = {"HUIMIN_TELEGRAM_TOKEN": "", "HUIMIN_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "channels.telegram"],
        cwd=tmp_path,  # no .env there
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [NO_TOKEN]


async def test_webhook_checks_secret_and_queues_updates(
    application, tmp_path, make_settings, tg
) -> None:
    settings = make_settings(
        tmp_path, "http://127.0.0.1:9", telegram_webhook_url="https://bot.example.org/tg/hook"
    )
    web = make_web_app(application, settings)
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://local") as client:
        refused = await client.post("/tg/hook", json=tg.text("你好"))
        assert refused.status_code == 403
        assert application.update_queue.empty()

        ok = await client.post(
            "/tg/hook", json=tg.text("你好"), headers={SECRET_HEADER: webhook_secret(settings)}
        )
        assert ok.status_code == 200
    update = application.update_queue.get_nowait()
    assert update.message.text == "你好"


async def test_webhook_start_waits_for_telegram_and_refuses_a_bad_token(
    tmp_path, make_settings, telegram, monkeypatch
) -> None:
    import asyncio

    import pytest
    from telegram.error import InvalidToken

    from channels.api import ApiClient
    from channels.telegram import webhook
    from channels.telegram.app import build_application
    from huimin.rasa_client import RasaClient

    async def no_wait(_: float) -> None:
        return None

    monkeypatch.setattr(asyncio, "sleep", no_wait)
    settings = make_settings(tmp_path, "http://127.0.0.1:9")

    def app():
        return build_application(
            settings,
            RasaClient("http://127.0.0.1:9"),
            ApiClient("http://127.0.0.1:9", "t"),
            request=telegram,
        )

    telegram.fail_next("getMe", 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    first = app()
    await webhook._initialize_with_retries(first)
    assert [name for name, _ in telegram.calls].count("getMe") == 2
    await first.shutdown()

    telegram.fail_next(
        "getMe", 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
    )
    with pytest.raises(InvalidToken):
        await webhook._initialize_with_retries(app())
