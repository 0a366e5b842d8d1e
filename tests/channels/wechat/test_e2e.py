"""A WeChat resident against the real system (API, action server, Rasa started by
``running_system``, tests/live_system.py): a policy question, a joint application completed in
the dialogue, a photo attached, and the reviewer's "materials needed" notice delivered back.
Only WeChat's servers are the local fake (``wechat``)."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest

from channels.api import ApiClient
from channels.wechat.app import build_components, make_web_app
from channels.wechat.store import MemoryStore
from huimin.rasa_client import RasaClient

pytestmark = [pytest.mark.e2e]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200


async def test_wechat_resident_asks_applies_and_is_notified(
    running_system, wechat_settings, wechat, callbacks_factory
) -> None:
    openid = f"oE2E_{os.getpid()}"  # a fresh conversation per run
    settings = wechat_settings.model_copy(
        update={
            "rasa_url": running_system.rasa_url,
            "api_url": running_system.api_url,
            "internal_token": running_system.internal_token,
        }
    )
    components = build_components(
        settings,
        rasa=RasaClient(settings.rasa_url, timeout=120),
        api=ApiClient(settings.api_url, running_system.internal_token),
        store=MemoryStore(),
        run_notifier=False,
    )
    transport = httpx.ASGITransport(app=make_web_app(components))
    client = httpx.AsyncClient(transport=transport, base_url="http://wechat.local", timeout=60)
    wx: Any = callbacks_factory(client, openid)
    turns = 0

    async def say(xml: str) -> str:
        """Post one callback; the passive reply, or (past the budget) the 客服 messages."""
        nonlocal turns
        turns += 1
        before = len(wechat.custom_texts(openid))
        response = await wx.post(xml, encrypted=True)
        assert response.status_code == 200
        if response.text == "success":
            await components.bridge.wait_idle()
            return "\n".join(wechat.custom_texts(openid)[before:])
        await components.bridge.wait_idle()
        late = wechat.custom_texts(openid)[before:]  # e.g. after "系统繁忙"
        return "\n".join([wx.reply(response, encrypted=True).content, *late])

    try:
        # A 码上办 code scanned before following: the scene starts the elder-care question.
        prompt = await say(wx.event("subscribe", "qrscene_elder"))
        assert "您想了解什么政策" in prompt, prompt

        # A policy question, answered from the knowledge base with citations.
        answer = await say(wx.text("低保怎么申请?"))
        assert "[1]" in answer, answer

        # The joint application (as tests/e2e/test_walking_system.py, from WeChat).
        consent = await say(wx.text("我要申请低保和医疗救助"))
        assert "1. 同意" in consent, consent
        asked = await say(wx.text("1"))  # the numbered choice: /affirm
        if "身份证" not in asked:
            asked = await say(wx.text("同意"))
        asked = await say(wx.text("330183197803120116"))
        assert "王某" not in asked, asked
        assert "核验" in asked, asked
        assert "验证码已发送" in await say(wx.text("发送验证码"))
        assert "核验成功" in await say(wx.text(running_system.latest_sms_code()))
        final = ""
        for text in (
            "13805711234",
            "一样的",
            "对的",
            "老公打工,一个月两千五",
            "没有存款,也没车",
        ):
            await say(wx.text(text))
        # 医疗救助 asks for the spending and who is ill (one answer here); then the other
        # programs the household may qualify for are proposed ("一件事"), if any
        if "一起申请" in await say(wx.text("老公住院,看病一年自付两万")):
            await say(wx.text("不用了"))
        for text in ("以后再交", "对,没错"):
            final = await say(wx.text(text))
        assert "申请编号" in final, final

        application = await components.bridge.api.newest_open_application("wechat", openid)
        assert application is not None
        assert application["number"] in final
        assert {case["program"] for case in application["cases"]} >= {"dibao"}

        # A photo of a material goes to the application.
        wechat.media["E2E_MEDIA"] = JPEG
        attached = await say(wx.xml("image", PicUrl="http://mmbiz/x", MediaId="E2E_MEDIA"))
        assert application["number"] in attached, attached

        # The reviewer asks for materials; the notice reaches the resident on WeChat.
        login = httpx.post(
            f"{running_system.api_url}/api/auth/token",
            data={"username": "reviewer-001", "password": "demo-pass-2026"},
            timeout=30,
        )
        login.raise_for_status()
        case_id = application["cases"][0]["id"]
        moved = httpx.post(
            f"{running_system.api_url}/api/cases/{case_id}/transitions",
            json={"action": "request_materials", "missing_materials": ["户口本", "收入证明"]},
            headers={"Authorization": f"Bearer {login.json()['access_token']}"},
            timeout=30,
        )
        assert moved.status_code == 200, moved.text
        before = len(wechat.custom_texts(openid))
        assert await components.notifier.run_once() >= 1
        notices = wechat.custom_texts(openid)[before:]
        assert any("户口本" in n and "收入证明" in n for n in notices), notices
    finally:
        await client.aclose()
        await components.stop()
