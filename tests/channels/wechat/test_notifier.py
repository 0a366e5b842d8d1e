"""The WeChat outbox notifier: 客服消息 inside the 48-hour window, 模板消息 outside it, WeChat's
error codes, each message sent and acknowledged once."""

from __future__ import annotations

import asyncio

from channels.api import ApiClient
from channels.wechat.app import build_components
from channels.wechat.notifier import Template
from channels.wechat.store import MemoryStore
from huimin.rasa_client import RasaClient

OPENID = "oHuimin_Resident-0001"
CUSTOM = "/cgi-bin/message/custom/send"
TEMPLATE = "/cgi-bin/message/template/send"
TEMPLATE_ID = "TPL_progress_notice"


def outbox_message(number: int, openid: str = OPENID) -> dict:
    return {
        "id": number,
        "channel": "wechat",
        "channel_user_id": openid,
        "text": f"您的申请 FY-{number} 需要补充材料:户口本复印件。",
        "application_number": f"FY-{number}",
        "attempts": 0,
    }


def notifier_for(components, template: Template | None = None):
    notifier = components.notifier
    notifier._template = template  # the settings' template, or none
    return notifier


TEMPLATE_SETTING = Template.parse(
    TEMPLATE_ID,
    '{"first": "{text}", "keyword1": "{number}", "thing2": "{text}", "keyword3": "{time}"}',
)


async def test_inside_the_window_a_customer_service_message(components, backends, wechat) -> None:
    await components.bridge.window.touch(OPENID)  # the resident wrote recently
    backends.outbox = [outbox_message(1)]
    notifier = notifier_for(components, TEMPLATE_SETTING)

    assert await notifier.run_once() == 1
    assert wechat.custom_texts() == ["您的申请 FY-1 需要补充材料:户口本复印件。"]
    assert wechat.sent(TEMPLATE) == []
    assert backends.delivered == ["1"]
    assert await notifier.run_once() == 0
    assert len(wechat.custom_texts()) == 1


async def test_outside_the_window_a_template_message(components, backends, wechat) -> None:
    backends.outbox = [outbox_message(2)]
    await notifier_for(components, TEMPLATE_SETTING).run_once()

    [sent] = wechat.sent(TEMPLATE)
    assert sent["touser"] == OPENID
    assert sent["template_id"] == TEMPLATE_ID
    data = sent["data"]
    assert data["first"]["value"] == "您的申请 FY-2 需要补充材料:户口本复印件。"
    assert data["keyword1"]["value"] == "FY-2"
    assert len(data["thing2"]["value"]) == 20  # "thing" fields take 20 characters
    assert data["keyword3"]["value"][:2] == "20"
    assert wechat.sent(CUSTOM) == []
    assert backends.delivered == ["2"]


async def test_window_closed_on_wechats_side_falls_back_to_the_template(
    components, backends, wechat
) -> None:
    await components.bridge.window.touch(OPENID)
    wechat.valid_tokens.add("x")
    wechat.fail_next(CUSTOM, 45015, "response out of time limit")
    backends.outbox = [outbox_message(3)]
    await notifier_for(components, TEMPLATE_SETTING).run_once()
    assert len(wechat.sent(TEMPLATE)) == 1
    assert backends.delivered == ["3"]


async def test_no_template_outside_the_window_is_reported_for_a_later_retry(
    components, backends, wechat
) -> None:
    backends.outbox = [outbox_message(4)]
    await wechat_token(components)
    wechat.fail_next(CUSTOM, 45015, "response out of time limit")  # WeChat: window closed
    await notifier_for(components, None).run_once()
    [failure] = backends.failed
    assert failure["id"] == "4"
    assert "45015" in failure["error"]
    assert "retry_after_seconds" not in failure  # the API backs off
    assert backends.delivered == []


async def test_no_template_and_no_record_of_the_window_tries_customer_service(
    components, backends, wechat
) -> None:
    backends.outbox = [outbox_message(12)]  # e.g. the bridge restarted since the resident wrote
    await notifier_for(components, None).run_once()
    assert wechat.custom_texts() == ["您的申请 FY-12 需要补充材料:户口本复印件。"]
    assert backends.delivered == ["12"]


async def test_customer_service_limit_backs_off_and_pauses(components, backends, wechat) -> None:
    await components.bridge.window.touch(OPENID)
    await wechat_token(components)
    wechat.fail_next(CUSTOM, 45047, "out of response count limit")
    backends.outbox = [outbox_message(5), outbox_message(6)]
    notifier = notifier_for(components, None)

    await notifier.run_once()
    assert backends.failed == [
        {"id": "5", "error": "wechat 45047 out of response count limit", "retry_after_seconds": 600}
    ]
    assert notifier.pause_seconds == 600
    assert wechat.custom_texts() == []  # the rest of the batch waits for its lease


async def test_daily_quota_backs_off_an_hour(components, backends, wechat) -> None:
    await components.bridge.window.touch(OPENID)
    await wechat_token(components)
    wechat.fail_next(CUSTOM, 45009, "reach max api daily quota limit")
    backends.outbox = [outbox_message(7)]
    await notifier_for(components, None).run_once()
    assert backends.failed[0]["retry_after_seconds"] == 3600


async def test_unsubscribed_user_is_reported_without_retry(components, backends, wechat) -> None:
    await wechat_token(components)
    wechat.fail_next(TEMPLATE, 43004, "require subscribe")
    backends.outbox = [outbox_message(8)]
    await notifier_for(components, TEMPLATE_SETTING).run_once()
    [failure] = backends.failed
    assert failure["error"] == "wechat 43004 require subscribe"
    assert "retry_after_seconds" not in failure


async def test_expired_token_during_delivery_is_refreshed(components, backends, wechat) -> None:
    await components.bridge.window.touch(OPENID)
    await wechat_token(components)
    wechat.expire_tokens()
    backends.outbox = [outbox_message(9)]
    await notifier_for(components, None).run_once()
    assert backends.delivered == ["9"]
    assert wechat.token_fetches == 2


async def test_sent_but_unacknowledged_is_never_sent_twice(components, backends, wechat) -> None:
    await components.bridge.window.touch(OPENID)
    backends.outbox = [outbox_message(10)]
    backends.delivered_down = 1
    notifier = notifier_for(components, None)
    await notifier.run_once()
    backends.leased_until.clear()
    await notifier.run_once()
    assert len(wechat.custom_texts()) == 1
    assert backends.delivered == ["10"]


async def test_worker_starts_and_stops_with_the_bridge(wechat_settings, backends, wechat) -> None:
    from channels.wechat.notifier import NotifierOptions

    components = build_components(
        wechat_settings,
        rasa=RasaClient(wechat_settings.rasa_url),
        api=ApiClient(wechat_settings.api_url, "test-internal"),
        store=MemoryStore(),
        notifier_options=NotifierOptions(idle_seconds=0.02, api_down_seconds=0.02),
    )
    await components.bridge.window.touch(OPENID)
    backends.outbox = [outbox_message(11)]
    await components.start()
    try:
        for _ in range(300):
            if backends.delivered:
                break
            await asyncio.sleep(0.01)
    finally:
        await components.stop()
    assert backends.delivered == ["11"]


async def wechat_token(components) -> None:
    """Fetch the token first, so a scripted error hits the message call itself."""
    await components.bridge.wechat.tokens.get()
