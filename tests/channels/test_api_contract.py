"""The bridge's API client and notifier against the real API service (not a stand-in):
the contract of docs/API.md as the workflow backend implements it."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from channels.api import ApiClient
from channels.telegram.notifier import NotifierOptions, OutboxNotifier
from huimin.http_client import ServiceRejectedError
from huimin.idcard import make_number
from workflows.auth import service as auth_service
from workflows.auth.enums import Role

FUCHUN = "330111001000"
CHAT_ID = "424242"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def submit(url: str, seq: int) -> dict:
    applicant = make_number("330111", dt.date(1968, 1, 9), seq)
    body = {
        "channel": "telegram",
        "channel_user_id": CHAT_ID,
        "consent_verification": True,
        "consent_at": "2026-11-02T09:58:00+08:00",
        "applicant": {"name": "赵六", "id_number": applicant, "phone": "13800000000"},
        "hukou_township_code": FUCHUN,
        "residence_township_code": FUCHUN,
        "programs": ["dibao"],
        "members": [{"relation": "本人", "name": "赵六", "id_number": applicant, "incomes": []}],
        "documents_later": True,
    }
    answer = httpx.post(
        f"{url}/api/applications", json=body, headers={"X-Internal-Token": "test-internal"}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_open_application_and_uploads(real_api) -> None:
    url, _ = real_api
    application = submit(url, 311)
    api = ApiClient(url, "test-internal")
    try:
        found = await api.newest_open_application("telegram", CHAT_ID)
        assert found is not None
        assert found["id"] == application["id"]
        assert await api.newest_open_application("telegram", "999") is None

        stored = await api.upload_document(
            application["id"],
            filename="户口本.jpg",
            content=JPEG,
            content_type="image/jpeg",
            kind="other",
        )
        assert stored["size"] == len(JPEG)
        with pytest.raises(ServiceRejectedError) as refused:
            await api.upload_document(
                application["id"],
                filename="a.exe",
                content=b"MZ" * 10,
                content_type="application/x-msdownload",
                kind="other",
            )
        assert refused.value.status_code == 422
        assert "不支持" in refused.value.reason
    finally:
        await api.aclose()


async def test_notifier_delivers_the_real_outbox_exactly_once(real_api, telegram) -> None:
    from telegram import Bot

    url, app = real_api
    application = submit(url, 321)
    case_id = application["cases"][0]["id"]
    with app.state.session_factory() as session:
        auth_service.create_user(
            session,
            username="rev_contract",
            password="contract-pass-1",
            role=Role.REVIEWER,
            township_code=FUCHUN,
            rounds=4,
            now=app.state.clock.now(),
        )
        session.commit()
    token = httpx.post(
        f"{url}/api/auth/token", data={"username": "rev_contract", "password": "contract-pass-1"}
    ).json()["access_token"]
    answer = httpx.post(
        f"{url}/api/cases/{case_id}/transitions",
        json={"action": "request_materials", "missing_materials": ["户口本", "收入证明"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text

    bot = Bot("123456:TEST-token", request=telegram, get_updates_request=telegram)
    await bot.initialize()
    api = ApiClient(url, "test-internal")
    notifier = OutboxNotifier(bot, api, NotifierOptions())
    try:
        assert await notifier.run_once() == 1
        assert await notifier.run_once() == 0  # delivered: never offered again
    finally:
        await api.aclose()
        await bot.shutdown()
    [(method, params)] = telegram.sent()
    assert method == "sendMessage"
    assert params["chat_id"] == int(CHAT_ID)
    assert "户口本" in params["text"]
    assert "收入证明" in params["text"]
