"""Issue #12 leftovers, through the form's validation, the submission and the REAL API:

- the only self-occupied home is stored as such (``only_home``), not as a value, and the case
  shows it;
- 特困 with the household's income given as one figure: "这份收入是谁的?" is asked; a named
  member gets the income; "两个人都有" keeps it on the household (with a note) and the
  applicant's own income is asked once and stored on the applicant (``own_income_monthly``),
  which the case's pre-screen uses for 特困's 无生活来源.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client
from actions.application_form import ActionAskSummaryConfirmed, ValidateApplicationForm
from actions.application_submit import build_application
from tests.actions.test_actions_application import APPLICANT_ID, SPOUSE_ID, filled_application
from tests.actions.test_api_contract import real  # noqa: F401 (the fixture, used by all)
from workflows.applications.models import Application
from workflows.eligibility.from_application import household_from_application

pytestmark = pytest.mark.usefixtures("real")  # the actions' client talks to the real app

FORM = "application_form"
COUPLE = [
    {"relation": "本人", "name": "张建国", "id_number": APPLICANT_ID},
    {"relation": "配偶", "name": "李秀英", "id_number": SPOUSE_ID},
]


async def validate(
    kit: Any, text: str, intent: str, slot: str, slots: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    tracker = kit.tracker(
        text,
        intent,
        slots={**slots, "requested_slot": slot},
        extracted={slot: text},
        active_loop=FORM,
    )
    events = await ValidateApplicationForm().run(dispatcher, tracker, kit.domain)
    return dict(kit.slots(events)), kit.responses(dispatcher)


def tekun_slots(**overrides: Any) -> dict[str, Any]:
    """A couple applying for 特困 with the form filled up to the income."""
    slots = filled_application(
        members=[dict(m) for m in COUPLE],
        programs=["tekun"],
        residence_township="富春街道",
        extra_programs=[],
        program_offers=[],
        summary_confirmed=None,
        documents_later=None,
        income_text=None,
        property_text="只有一套自住房",
    )
    slots.update(overrides)
    return slots


async def submit(kit: Any, slots: dict[str, Any]) -> dict[str, Any]:
    tracker = kit.tracker("/affirm", "affirm", slots=slots, sender_id="telegram:777")
    body = await build_application(tracker)
    return await api_client.get_client().submit_application(body, "d" * 64)


def stored(app: FastAPI, number: str) -> Application:
    session = app.state.session_factory()
    application = session.query(Application).filter_by(number=number).one()
    for member in application.members:
        list(member.incomes)
    list(application.property_items)
    list(application.expenditures)
    session.expunge_all()
    session.close()
    return application


def counter_headers(client: TestClient) -> dict[str, str]:
    answer = client.post(
        "/api/auth/token", data={"username": "wangli", "password": "test-password-1"}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_one_figure_shared_by_two_asks_whose_then_own_income_and_stores_it(
    kit: Any, app: FastAPI, client: TestClient
) -> None:
    slots = tekun_slots()
    found, said = await validate(kit, "全家每月收入两千", "inform", "income_text", slots)
    assert found["requested_slot"] == "income_owner"
    applicant, spouse = found["members"]
    assert applicant["incomes"] == [{"kind": "wage", "monthly_amount": 2000, "household": True}]
    assert spouse["incomes"] == []
    slots.update(found)

    found, said = await validate(kit, "两个人都有", "inform", "income_owner", slots)
    assert found["income_owner"] == "shared"
    assert said == ["utter_income_kept_household"]
    assert found["requested_slot"] == "own_income_text"
    slots.update(found)

    found, said = await validate(kit, "打零工每月三百", "inform", "own_income_text", slots)
    assert said == ["utter_own_income_noted"]
    assert found["members"][0]["own_income_monthly"] == 300
    assert found["requested_slot"] == "documents_later"  # asked once, then the form goes on
    slots.update(found)

    summary = CollectingDispatcher()
    await ActionAskSummaryConfirmed().run(summary, kit.tracker("好", "affirm", slots=slots), {})
    shown = summary.messages[0]
    assert shown["property"] == "唯一自住房"
    assert "申请人本人每月300元" in shown["income"]

    slots.update(documents_later=True, summary_confirmed=True)
    number = (await submit(kit, slots))["number"]
    application = stored(app, number)
    me, her = application.members
    assert me.own_income_monthly == 300
    assert [(i.kind, i.monthly_amount, i.note) for i in me.incomes] == [
        ("wage", 2000, "全家收入,未说明是哪位成员的")
    ]
    assert her.own_income_monthly is None
    assert her.incomes == []
    [home] = application.property_items
    assert (home.kind, home.only_home, home.value) == ("house", True, 0)

    household = household_from_application(application, today=app.state.clock.now().date())
    assert household.members[0].own_income_monthly == 300
    assert household.property[0].only_home is True

    # the case as staff read it: the only home is a fact, the own income is on the applicant
    headers = counter_headers(client)
    [case] = client.get("/api/cases", headers=headers).json()["items"]
    detail = client.get(f"/api/cases/{case['id']}", headers=headers).json()
    assert detail["property"] == [
        {"kind": "house", "value": 0.0, "note": "只有一套自住房", "only_home": True}
    ]
    assert detail["members"][0]["own_income_monthly"] == 300.0
    assert detail["members"][0]["incomes"][0]["note"] == "全家收入,未说明是哪位成员的"


async def test_the_named_member_gets_the_household_income(kit: Any, app: FastAPI) -> None:
    slots = tekun_slots()
    found, _ = await validate(kit, "我们家一个月加起来两千五", "inform", "income_text", slots)
    assert found["requested_slot"] == "income_owner"
    slots.update(found)
    found, said = await validate(kit, "是老伴的", "inform", "income_owner", slots)
    assert found["income_owner"] == "attributed"
    assert said == ["utter_income_owner_noted"]
    assert found["members"][0]["incomes"] == []
    assert found["members"][1]["incomes"] == [{"kind": "wage", "monthly_amount": 2500}]
    # the applicant's own income is known now (none): not asked
    assert found["requested_slot"] == "documents_later"
    slots.update(found, documents_later=True, summary_confirmed=True)
    application = stored(app, (await submit(kit, slots))["number"])
    me, her = application.members
    assert me.incomes == []
    assert me.own_income_monthly is None
    assert [(i.kind, i.monthly_amount, i.note) for i in her.incomes] == [("wage", 2500, "")]


async def test_an_unclear_owner_is_asked_again_then_kept_on_the_household(kit: Any) -> None:
    slots = tekun_slots()
    found, _ = await validate(kit, "全家每月收入两千", "inform", "income_text", slots)
    slots.update(found)
    found, said = await validate(kit, "不太清楚", "inform", "income_owner", slots)
    assert found["income_owner"] is None
    assert said == ["utter_invalid_income_owner"]
    assert found["requested_slot"] == "income_owner"
    slots.update(found)
    found, said = await validate(kit, "说不好", "inform", "income_owner", slots)
    assert found["income_owner"] == "shared"
    assert said == ["utter_income_kept_household"]
    assert found["requested_slot"] == "own_income_text"


async def test_without_tekun_nothing_more_is_asked(kit: Any) -> None:
    slots = tekun_slots(programs=["dibao"])
    found, _ = await validate(kit, "全家每月收入两千", "inform", "income_text", slots)
    assert found["requested_slot"] == "documents_later"


async def test_a_household_of_one_has_its_own_income_already(kit: Any) -> None:
    slots = tekun_slots(members=[dict(COUPLE[0])])
    found, _ = await validate(kit, "全家每月收入两千", "inform", "income_text", slots)
    assert found["requested_slot"] == "documents_later"


async def test_own_income_leaves_out_basic_pension_and_old_age_allowance(kit: Any) -> None:
    slots = tekun_slots()
    found, _ = await validate(kit, "全家每月收入两千", "inform", "income_text", slots)
    slots.update(found)
    found, _ = await validate(kit, "两个人都有", "inform", "income_owner", slots)
    slots.update(found)
    found, _ = await validate(
        kit, "基础养老金200,高龄津贴100,打零工300", "inform", "own_income_text", slots
    )
    assert found["members"][0]["own_income_monthly"] == 300
    found, _ = await validate(kit, "/deny", "deny", "own_income_text", slots)
    assert found["members"][0]["own_income_monthly"] == 0
