"""A Telegram resident's live hand-off through the bridge and the whole running system (real
Rasa, action server and API; Telegram's servers faked at the HTTP boundary): the resident asks
for a person, a reviewer of their township claims and replies over the API, the outbox notifier
delivers the reply to the chat, the resident's answer reaches the hand-off (not the paused
assistant), closing resumes the assistant."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest

from channels.api import ApiClient
from channels.telegram.app import BridgeOptions, build_application
from channels.telegram.notifier import OutboxNotifier
from huimin.rasa_client import RasaClient

pytestmark = [pytest.mark.e2e]
PASSWORD = "demo-pass-2026"  # seed-demo's demo staff password


def _token(api_url: str, username: str) -> dict[str, str]:
    answer = httpx.post(
        f"{api_url}/api/auth/token", data={"username": username, "password": PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_telegram_resident_talks_to_a_reviewer(
    tmp_path, telegram, make_settings, tg_factory, running_system: Any
) -> None:
    settings = make_settings(
        tmp_path,
        running_system.api_url,
        rasa_url=running_system.rasa_url,
        internal_token=running_system.internal_token,
    )
    api = ApiClient(settings.api_url, running_system.internal_token)
    app = build_application(
        settings,
        RasaClient(settings.rasa_url),
        api,
        request=telegram,
        options=BridgeOptions(run_notifier=False),
    )
    await app.initialize()
    tg = tg_factory(app)
    user_id = 800_000 + os.getpid() % 100_000  # a fresh conversation per run
    base = running_system.api_url
    try:
        await tg.feed(tg.text("我住在富春街道", user_id=user_id))
        await tg.feed(tg.text("转人工", user_id=user_id))
        assert any("转接工作人员" in text for text in telegram.texts())

        reviewer = _token(base, "reviewer-001")
        queue = httpx.get(f"{base}/api/handoffs", headers=reviewer, timeout=30).json()
        [mine] = [h for h in queue if h["channel_user_id"] == str(user_id)]
        assert (mine["status"], mine["township_code"]) == ("waiting", "330111001000")
        assert mine["waiting_seconds"] >= 0
        other = _token(base, "reviewer-002")
        hid = mine["id"]
        assert httpx.get(f"{base}/api/handoffs/{hid}/messages", headers=other).status_code == 404

        claimed = httpx.post(f"{base}/api/handoffs/{hid}/claim", headers=reviewer, timeout=30)
        assert claimed.json()["staff_display_name"] == "富春街道审核员"
        sent = httpx.post(
            f"{base}/api/handoffs/{hid}/messages",
            json={"text": "您好,请问有什么可以帮您?"},
            headers=reviewer,
            timeout=30,
        )
        assert sent.status_code == 201, sent.text

        telegram.calls.clear()
        notifier = OutboxNotifier(app.bot, api)
        assert await notifier.run_once() >= 3  # the wait notice, the claim, the reply
        # (other tests' notices for other chats may be delivered in the same round)
        texts = [p["text"] for _, p in telegram.sent("sendMessage") if p["chat_id"] == user_id]
        assert "【人工服务】工作人员 富春街道审核员 正在为您服务。" in texts
        assert "【人工服务】工作人员 富春街道审核员:您好,请问有什么可以帮您?" in texts

        telegram.calls.clear()
        await tg.feed(tg.text("我想问临时救助怎么申请", user_id=user_id))
        assert telegram.texts() == []  # not the paused assistant: the staff member answers
        messages = httpx.get(f"{base}/api/handoffs/{hid}/messages", headers=reviewer).json()
        assert (messages[-1]["from"], messages[-1]["text"]) == (
            "resident",
            "我想问临时救助怎么申请",
        )

        closed = httpx.post(
            f"{base}/api/handoffs/{hid}/release",
            json={"summary": "已说明临时救助的申请方式"},
            headers=reviewer,
            timeout=30,
        )
        assert closed.json()["conversation_resumed"] is True
        await notifier.run_once()
        assert any("本次人工服务已结束" in text for text in telegram.texts())

        telegram.calls.clear()
        await tg.feed(tg.text("低保怎么申请?", user_id=user_id))
        assert telegram.texts()  # the assistant answers again
    finally:
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)
