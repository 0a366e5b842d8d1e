"""The outbox notifier: claims, sends, acknowledges exactly once, respects Telegram's 429."""

from __future__ import annotations

import asyncio

from channels.api import ApiClient
from channels.telegram.app import BridgeOptions, bridge_of, build_application, notifier_of
from channels.telegram.notifier import NotifierOptions, OutboxNotifier
from channels.telegram.replies import split_text
from huimin.rasa_client import RasaClient

TOO_MANY = {
    "ok": False,
    "error_code": 429,
    "description": "Too Many Requests: retry after 7",
    "parameters": {"retry_after": 7},
}


def outbox_message(number: int, chat_id: int = 424242) -> dict:
    return {
        "id": number,
        "channel": "telegram",
        "channel_user_id": str(chat_id),
        "text": f"您的申请 FY-{number} 需要补充材料:户口本复印件。",
        "application_number": f"FY-{number}",
        "attempts": 0,
    }


async def test_messages_sent_and_marked_delivered_once(application, backends, telegram) -> None:
    backends.outbox = [outbox_message(1), outbox_message(2, chat_id=555)]
    notifier = notifier_of(application)

    assert await notifier.run_once() == 2
    assert telegram.sent() == [
        ("sendMessage", {"chat_id": 424242, "text": "您的申请 FY-1 需要补充材料:户口本复印件。"}),
        ("sendMessage", {"chat_id": 555, "text": "您的申请 FY-2 需要补充材料:户口本复印件。"}),
    ]
    assert backends.delivered == ["1", "2"]

    # Nothing is sent again on later rounds.
    assert await notifier.run_once() == 0
    assert len(telegram.sent()) == 2
    assert backends.api_calls.count(("POST", "/api/outbox/1/delivered")) == 1


async def test_flood_control_waited_out_in_place(application, backends, telegram) -> None:
    """A short 429 is waited out and the same message sent again: no attempt is spent."""
    backends.outbox = [outbox_message(1), outbox_message(2)]
    telegram.fail_next("sendMessage", 429, {**TOO_MANY, "parameters": {"retry_after": 1}})
    notifier = notifier_of(application)

    assert await notifier.run_once() == 2
    assert backends.failed == []
    assert backends.delivered == ["1", "2"]
    assert telegram.texts().count(outbox_message(1)["text"]) == 2  # refused once, then accepted
    assert telegram.texts().count(outbox_message(2)["text"]) == 1


async def test_server_errors_retried_in_place_then_reported(
    application, backends, telegram
) -> None:
    backends.outbox = [outbox_message(1)]
    error = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
    for _ in range(3):
        telegram.fail_next("sendMessage", 500, error)
    options = NotifierOptions(network_retry_delays=(0.01, 0.01))
    notifier = OutboxNotifier(application.bot, bridge_of(application).api, options)

    await notifier.run_once()  # two retries in place, the third 500 is reported
    assert len(telegram.sent()) == 3
    [failure] = backends.failed
    assert failure["retry_after_seconds"] == options.network_retry_seconds
    assert backends.delivered == []

    backends.leased_until.clear()
    backends.failed.clear()
    await notifier.run_once()
    assert backends.delivered == ["1"]
    assert telegram.texts().count(outbox_message(1)["text"]) == 4


async def test_long_flood_control_reports_retry_after_and_releases_the_batch(
    application, backends, telegram
) -> None:
    backends.outbox = [outbox_message(1), outbox_message(2)]
    telegram.fail_next("sendMessage", 429, TOO_MANY)
    notifier = OutboxNotifier(
        application.bot, bridge_of(application).api, NotifierOptions(flood_waits=0)
    )

    await notifier.run_once()
    assert backends.failed == [
        {"id": "1", "error": "telegram 429 retry after 7s", "retry_after_seconds": 7},
        # not attempted during the flood wait, and not held until its lease runs out
        {"id": "2", "error": "not sent: telegram flood control", "retry_after_seconds": 7},
    ]
    assert notifier.pause_seconds == 7
    assert len(telegram.sent()) == 1
    assert backends.delivered == []


async def test_pieces_already_sent_are_not_sent_again(application, backends, telegram) -> None:
    long_text = "第一段。" * 1200  # more than one Telegram message (4096 characters)
    backends.outbox = [{**outbox_message(1), "text": long_text}]
    error = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
    notifier = OutboxNotifier(
        application.bot,
        bridge_of(application).api,
        NotifierOptions(network_retry_delays=()),
    )
    accepted = {
        "ok": True,
        "result": {"message_id": 1, "date": 0, "chat": {"id": 424242, "type": "private"}},
    }
    telegram.fail_next("sendMessage", 200, accepted)  # piece 1 goes through
    telegram.fail_next("sendMessage", 502, error)  # piece 2 is refused
    await notifier.run_once()  # piece 1 sent, piece 2 refused: reported
    assert len(backends.failed) == 1
    backends.leased_until.clear()
    await notifier.run_once()
    pieces = split_text(long_text)
    assert len(pieces) >= 2
    # piece 1 once; piece 2 refused once and sent again; the rest once
    assert telegram.texts() == [pieces[0], pieces[1], *pieces[1:]]
    assert backends.delivered == ["1"]


async def test_sent_but_unacknowledged_is_never_sent_twice(application, backends, telegram) -> None:
    backends.outbox = [outbox_message(1)]
    backends.delivered_down = 1  # the acknowledgement is lost once
    notifier = notifier_of(application)

    await notifier.run_once()
    assert len(telegram.sent()) == 1
    assert backends.delivered == []

    # The lease runs out and the API offers the message again: acknowledged, not re-sent.
    backends.leased_until.clear()
    await notifier.run_once()
    assert len(telegram.sent()) == 1
    assert backends.delivered == ["1"]
    assert backends.api_calls.count(("POST", "/api/outbox/1/delivered")) == 2


async def test_blocked_user_reported_without_retry(application, backends, telegram) -> None:
    backends.outbox = [outbox_message(1)]
    telegram.fail_next(
        "sendMessage",
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    await notifier_of(application).run_once()
    [failure] = backends.failed
    assert failure["id"] == "1"
    assert "retry_after_seconds" not in failure
    assert "blocked" in failure["error"]


async def test_worker_loop_delivers_then_stops(application, backends, telegram) -> None:
    backends.outbox = [outbox_message(1)]
    stop = asyncio.Event()
    worker = asyncio.create_task(notifier_of(application).run_forever(stop))
    for _ in range(200):
        if backends.delivered:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(worker, timeout=2)
    assert backends.delivered == ["1"]
    assert len(telegram.sent()) == 1


async def test_api_down_during_claim_does_not_stop_the_worker(
    application, backends, telegram
) -> None:
    backends.outbox = [outbox_message(1)]
    backends.api_down = 1
    stop = asyncio.Event()
    worker = asyncio.create_task(notifier_of(application).run_forever(stop))
    for _ in range(300):
        if backends.delivered:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(worker, timeout=2)
    assert backends.delivered == ["1"]


async def test_worker_runs_beside_the_application_and_stops_with_it(
    tmp_path, backends, backends_server, telegram, make_settings
) -> None:
    settings = make_settings(tmp_path, backends_server[1])
    options = BridgeOptions(notifier=NotifierOptions(idle_seconds=0.02, api_down_seconds=0.02))
    app = build_application(
        settings,
        RasaClient(settings.rasa_url),
        ApiClient(settings.api_url, "test-internal"),
        request=telegram,
        options=options,
    )
    backends.outbox = [outbox_message(1)]
    await app.initialize()
    await app.post_init(app)  # what run_polling / run_webhook call
    try:
        for _ in range(300):
            if backends.delivered:
                break
            await asyncio.sleep(0.01)
    finally:
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)
    assert backends.delivered == ["1"]
    claims = backends.api_calls.count(("POST", "/api/outbox/claim"))
    await asyncio.sleep(0.1)
    assert backends.api_calls.count(("POST", "/api/outbox/claim")) == claims  # stopped
