"""The bridge against the real dialogue (Rasa and its action server started by `running_system`)."""

from __future__ import annotations

import os

import pytest

from channels.api import ApiClient
from channels.telegram.app import BridgeOptions, build_application
from huimin.rasa_client import RasaClient

pytestmark = [pytest.mark.e2e]


async def test_deep_link_and_a_button_press_through_the_real_dialogue(
    tmp_path, backends_server, telegram, make_settings, tg_factory, running_system
) -> None:
    settings = make_settings(tmp_path, backends_server[1], rasa_url=running_system.rasa_url)
    app = build_application(
        settings,
        RasaClient(settings.rasa_url),
        ApiClient(settings.api_url, "test-internal"),
        request=telegram,
        options=BridgeOptions(run_notifier=False),
    )
    await app.initialize()
    tg = tg_factory(app)
    user_id = 700_000 + os.getpid() % 100_000  # a fresh conversation per run
    try:
        await tg.feed(tg.text("/start apply", user_id=user_id))
        [(_, first)] = telegram.sent("sendMessage")
        keyboard = first["reply_markup"]["inline_keyboard"]
        titles = [row[0]["text"] for row in keyboard]
        assert titles  # the dialogue offers choices (consent first)
        telegram.calls.clear()
        await tg.feed(tg.callback(keyboard[0][0]["callback_data"], keyboard, user_id=user_id))
        replies = telegram.sent("sendMessage")
        assert replies
        assert all(p["chat_id"] == user_id for _, p in replies)
    finally:
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)
