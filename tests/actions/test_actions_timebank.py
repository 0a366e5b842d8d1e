"""The time bank balance, the next 复核 and a change report in the chat, against the REAL API
(the actions' client routed to the app of tests/conftest.py, SQLite and PostgreSQL; a real SMS
gateway on a loopback port).

Nothing personal is shown (and no time bank or review route is called) before the
conversation is verified for the resident's ID number; a change is sent only once confirmed.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk.executor import CollectingDispatcher

from actions import identity_check
from actions.timebank import (
    ActionAskTbIdentity,
    ActionTimebankAnswer,
    ActionTimebankBegin,
    ValidateTimebankIdentityForm,
    hours,
)
from tests.actions.test_api_contract import Recorder, gateway, real  # noqa: F401 (fixtures)
from tests.identity.conftest import WANG, Gateway
from tests.workflows.conftest import (  # noqa: F401 (fixtures)
    FUCHUN,
    body,
    internal,
    login,
    staff_users,
    submit,
)
from tests.workflows.eldercare_support import approve
from workflows.reviews import rules
from workflows.reviews.models import ReviewSchedule

SENDER = "telegram:12345"
FORM = "timebank_identity_form"


def personal_calls(recorder: Recorder) -> list[str]:
    return [p for _, p, _, _ in recorder.answers if p.startswith(("/api/timebank", "/api/reviews"))]


async def form_turn(
    kit: Any, text: str, intent: str, slot: str, slots: dict[str, Any]
) -> tuple[dict[str, Any], CollectingDispatcher]:
    """One resident turn: ``text`` extracted into ``slot`` (from_text), then validated."""
    dispatcher = CollectingDispatcher()
    tracker = kit.tracker(
        text,
        intent,
        slots={"requested_slot": slot, **slots},
        extracted={slot: text},
        active_loop=FORM,
        sender_id=SENDER,
    )
    events = await ValidateTimebankIdentityForm().run(dispatcher, tracker, kit.domain)
    return {**slots, **kit.slots(events)}, dispatcher


async def answer(kit: Any, slots: dict[str, Any]) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = kit.tracker("/affirm", "affirm", slots=slots, sender_id=SENDER)
    await ActionTimebankAnswer().run(dispatcher, tracker, kit.domain)
    return dispatcher


async def verify(kit: Any, gateway: Gateway, topic: str) -> dict[str, Any]:  # noqa: F811
    """ID number, then an SMS code through the real identity API: the slots afterwards."""
    slots, _ = await form_turn(kit, WANG, "inform", "tb_id_number", {"tb_topic": topic})
    assert (slots["tb_id_number"], slots["tb_identity"]) == (WANG, None)
    slots, _ = await form_turn(kit, "/affirm", "affirm", "tb_identity", slots)
    assert slots["tb_identity"] == identity_check.SENT
    slots, said = await form_turn(kit, gateway.last_code(), "inform", "tb_identity", slots)
    assert slots["tb_identity"] == identity_check.VERIFIED
    assert "utter_identity_verified" in kit.responses(said)
    return slots


async def test_the_balance_only_after_verification(
    kit: Any,
    real: Recorder,  # noqa: F811
    gateway: Gateway,  # noqa: F811
    client: TestClient,
    login: Any,  # noqa: F811
    internal: dict[str, str],  # noqa: F811
) -> None:
    staff = login("rev_fuchun")
    pool = client.post(
        "/api/timebank/accounts",
        json={"kind": "pool", "holder_name": "东村社区公共账户", "township_code": FUCHUN},
        headers=staff,
    ).json()["id"]
    volunteer = client.post(
        "/api/timebank/accounts",
        json={
            "kind": "volunteer",
            "holder_name": "志愿者王某",
            "township_code": FUCHUN,
            "channel": "telegram",
            "channel_user_id": "12345",
        },
        headers=internal,
    ).json()["id"]
    for minutes, key in ((90, "a" * 32), (30, "b" * 32)):
        record = client.post(
            "/api/timebank/transfers",
            json={
                "kind": "service",
                "source_id": pool,
                "destination_id": volunteer,
                "minutes": minutes,
                "description": "陪老人看病",
            },
            headers={**staff, "Idempotency-Key": key},
        ).json()
        if minutes == 90:
            confirmed = client.post(
                f"/api/timebank/transfers/{record['id']}/confirm", json={}, headers=staff
            )
            assert confirmed.status_code == 200, confirmed.text

    # Not verified yet: the question, never the balance.
    slots, _ = await form_turn(kit, WANG, "inform", "tb_id_number", {"tb_topic": "balance"})
    asked = CollectingDispatcher()
    tracker = kit.tracker(WANG, "inform", slots=slots, sender_id=SENDER)
    await ActionAskTbIdentity().run(asked, tracker, kit.domain)
    assert kit.responses(asked) == ["utter_ask_tb_identity_sms"]
    assert asked.messages[0]["phone_masked"].endswith("0001")
    early = await answer(kit, {**slots, "tb_identity": identity_check.SENT})
    assert kit.responses(early) == ["utter_tb_not_verified"]
    assert personal_calls(real) == []

    slots = await verify(kit, gateway, "balance")
    said = await answer(kit, slots)
    assert kit.responses(said) == ["utter_tb_balance", "utter_tb_pending", "utter_tb_movements"]
    balance, pending, movements = said.messages
    assert (balance["hours"], pending["hours"]) == ("1.5", "0.5")
    assert "志愿服务 +1.5小时(东村社区公共账户)" in movements["lines"]
    assert f"/api/timebank/accounts/{volunteer}" in personal_calls(real)


async def test_no_account_says_where_to_register(
    kit: Any,
    real: Recorder,  # noqa: F811
    gateway: Gateway,  # noqa: F811
) -> None:
    slots = await verify(kit, gateway, "balance")
    said = await answer(kit, slots)
    assert kit.responses(said) == ["utter_tb_no_account"]


async def test_skipping_verification_shows_nothing(
    kit: Any,
    real: Recorder,  # noqa: F811
    gateway: Gateway,  # noqa: F811
) -> None:
    slots, _ = await form_turn(kit, WANG, "inform", "tb_id_number", {"tb_topic": "review"})
    slots, _ = await form_turn(kit, "不核验", "deny", "tb_identity", slots)
    assert slots["tb_identity"] == identity_check.SKIPPED
    said = await answer(kit, slots)
    assert kit.responses(said) == ["utter_tb_not_verified"]
    assert personal_calls(real) == []


async def test_review_date_and_a_change_sent_only_when_confirmed(
    kit: Any,
    app: FastAPI,
    real: Recorder,  # noqa: F811
    gateway: Gateway,  # noqa: F811
    client: TestClient,
    login: Any,  # noqa: F811
    submit: Any,  # noqa: F811
    clock: Any,
) -> None:
    approve(client, login, submit, clock, channel_user_id="12345", programs=["dibao"])
    slots = await verify(kit, gateway, "review")
    said = await answer(kit, slots)
    assert kit.responses(said) == ["utter_review_next", "utter_review_how_to_report"]
    review = said.messages[0]
    assert review["program_label"] == "最低生活保障(低保)"
    # a member with wage income: every 6 months, as [DB] art. 31 gives (not a sample)
    assert review["months"] == 6
    assert "示例" not in review["sample"]
    with app.state.session_factory() as session:
        row = session.query(ReviewSchedule).one()
        assert review["due_on"] == row.due_on.isoformat()

    # A change: the confirmation is asked inside the form; "no" sends nothing.
    begin = CollectingDispatcher()
    tracker = kit.tracker(
        "家里收入有变化", "report_change", slots={**slots, "tb_topic": "review"}, sender_id=SENDER
    )
    events = kit.slots(await ActionTimebankBegin().run(begin, tracker, kit.domain))
    assert (events["tb_topic"], events["tb_change_note"]) == ("change", "家里收入有变化")
    slots = {**slots, **events}
    slots, _ = await form_turn(kit, "不报告", "deny", "tb_change_confirm", slots)
    assert slots["tb_change_confirm"] is False
    said = await answer(kit, slots)
    assert kit.responses(said) == ["utter_review_change_not_sent"]
    assert "/api/reviews/report-change" not in personal_calls(real)
    with app.state.session_factory() as session:
        assert session.query(ReviewSchedule).one().status == "scheduled"

    slots, _ = await form_turn(kit, "/affirm", "affirm", "tb_change_confirm", slots)
    assert slots["tb_change_confirm"] is True
    said = await answer(kit, slots)
    assert kit.responses(said) == ["utter_review_change_sent"]
    assert said.messages[0]["programs"] == "最低生活保障(低保)"
    with app.state.session_factory() as session:
        row = session.query(ReviewSchedule).one()
        assert (row.status, row.change_note) == ("change_reported", "家里收入有变化")


async def test_a_change_without_approved_programs_is_not_found(
    kit: Any,
    real: Recorder,  # noqa: F811
    gateway: Gateway,  # noqa: F811
) -> None:
    slots = await verify(kit, gateway, "change")
    slots = {**slots, "tb_change_note": "儿子找到工作了", "tb_change_confirm": True}
    said = await answer(kit, slots)
    assert kit.responses(said) == ["utter_review_none"]
    assert real.answer("POST", "/api/reviews/report-change", 404)


def test_sample_intervals_are_labelled() -> None:
    assert not rules.interval_is_sample("dibao", "stable", 12)
    assert not rules.interval_is_sample("dibao_edge", "irregular", 6)
    assert rules.interval_is_sample("tekun", "stable", 12)
    assert rules.interval_is_sample("dibao", "stable", 24)


def test_hours_as_residents_say_them() -> None:
    assert (hours(120), hours(90), hours(-30), hours(0)) == ("2", "1.5", "-0.5", "0")


async def test_asking_again_keeps_a_live_verification_and_retries_a_skipped_one(
    kit: Any,
    real: Recorder,  # noqa: F811
    gateway: Gateway,  # noqa: F811
) -> None:
    async def begin(slots: dict[str, Any], sender: str = SENDER) -> dict[str, Any]:
        tracker = kit.tracker("时间银行余额", "ask_timebank_balance", slots=slots, sender_id=sender)
        events = await ActionTimebankBegin().run(CollectingDispatcher(), tracker, kit.domain)
        return dict(kit.slots(events))

    slots = await verify(kit, gateway, "review")
    assert await begin(slots) == {"tb_topic": "balance", "tb_change_confirm": None}
    # the same slots in another chat: that chat is not verified for the ID number
    other = await begin(slots, sender="telegram:99999")
    assert other["tb_identity"] is None
    skipped = await begin({"tb_id_number": WANG, "tb_identity": identity_check.SKIPPED})
    assert (skipped["tb_id_number"], skipped["tb_identity"]) == (None, None)
