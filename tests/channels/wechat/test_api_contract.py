"""The WeChat channel against the real API service: an application made as ``wechat:<openid>``
is found by the bridge, and a "materials needed" notice from a reviewer reaches the resident
through the outbox as a 客服消息 — and, outside the 48-hour window, as a 模板消息."""

from __future__ import annotations

import datetime as dt

import httpx

from channels.api import ApiClient
from channels.wechat.app import build_components
from channels.wechat.notifier import Template
from channels.wechat.store import MemoryStore
from huimin.idcard import make_number
from huimin.rasa_client import RasaClient
from workflows.auth import service as auth_service
from workflows.auth.enums import Role

FUCHUN = "330111001000"
OPENID = "oWeChat_Contract-0001"


def submit(url: str, seq: int, openid: str) -> dict:
    applicant = make_number("330111", dt.date(1966, 3, 9), seq)
    body = {
        "channel": "wechat",
        "channel_user_id": openid,
        "consent_verification": True,
        "consent_at": "2026-11-02T09:58:00+08:00",
        "applicant": {"name": "钱七", "id_number": applicant, "phone": "13800000000"},
        "hukou_township_code": FUCHUN,
        "residence_township_code": FUCHUN,
        "programs": ["dibao"],
        "members": [{"relation": "本人", "name": "钱七", "id_number": applicant, "incomes": []}],
        "documents_later": True,
    }
    answer = httpx.post(
        f"{url}/api/applications", json=body, headers={"X-Internal-Token": "test-internal"}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def request_materials(url: str, app, case_id: int, username: str) -> None:
    with app.state.session_factory() as session:
        auth_service.create_user(
            session,
            username=username,
            password="contract-pass-1",
            role=Role.REVIEWER,
            township_code=FUCHUN,
            rounds=4,
            now=app.state.clock.now(),
        )
        session.commit()
    token = httpx.post(
        f"{url}/api/auth/token", data={"username": username, "password": "contract-pass-1"}
    ).json()["access_token"]
    answer = httpx.post(
        f"{url}/api/cases/{case_id}/transitions",
        json={"action": "request_materials", "missing_materials": ["户口本", "收入证明"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text


async def test_materials_notice_reaches_the_wechat_user_once(
    real_api, wechat_settings, wechat
) -> None:
    url, app = real_api
    application = submit(url, 331, OPENID)
    request_materials(url, app, application["cases"][0]["id"], "rev_wechat_1")

    components = build_components(
        wechat_settings,
        rasa=RasaClient("http://127.0.0.1:9"),
        api=ApiClient(url, "test-internal"),
        store=MemoryStore(),
        run_notifier=False,
    )
    try:
        found = await components.bridge.api.newest_open_application("wechat", OPENID)
        assert found is not None
        assert found["id"] == application["id"]
        await components.bridge.window.touch(OPENID)  # the resident wrote today
        assert await components.notifier.run_once() == 1
        assert await components.notifier.run_once() == 0  # delivered: never offered again
    finally:
        await components.stop()
    [text] = wechat.custom_texts(OPENID)
    assert "户口本" in text
    assert "收入证明" in text


async def test_outside_the_window_the_notice_is_a_template_message(
    real_api, wechat_settings, wechat
) -> None:
    url, app = real_api
    openid = OPENID + "-b"
    application = submit(url, 341, openid)
    request_materials(url, app, application["cases"][0]["id"], "rev_wechat_2")
    components = build_components(
        wechat_settings.model_copy(update={"wechat_notice_template_id": "TPL_1"}),
        rasa=RasaClient("http://127.0.0.1:9"),
        api=ApiClient(url, "test-internal"),
        store=MemoryStore(),
        run_notifier=False,
    )
    try:
        assert isinstance(components.notifier._template, Template)
        assert await components.notifier.run_once() == 1
    finally:
        await components.stop()
    [sent] = wechat.sent("/cgi-bin/message/template/send")
    assert sent["touser"] == openid
    assert sent["template_id"] == "TPL_1"
    assert sent["data"]["keyword1"]["value"] == application["number"]
    assert "户口本" in sent["data"]["first"]["value"]
