"""Issue #12, dialogue half: facts in questions, the "一件事" proposal, spending and illness,
name checks and keyboard noise. The API's parser and pre-screening engine answer for real."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import facts
from actions.application_form import (
    ActionAskExtraPrograms,
    ValidateApplicationForm,
    chosen_programs,
)
from actions.application_submit import ActionSubmitApplication
from actions.policy import ActionAnswerPolicy
from actions.prescreen_facts import ActionPrescreenFacts
from huimin.names import member_word, name_problem, person_name

APPLICANT_ID = "330183195503120211"
SPOUSE_ID = "330183195807020420"
CHILD_ID = "330111201509010132"
FORM = "application_form"


def real_prescreen(request: httpx.Request) -> httpx.Response:
    """``POST /api/eligibility/prescreen`` answered by the API's own engine (no database)."""
    from huimin.settings import get_settings
    from workflows.eligibility import engine
    from workflows.eligibility.schemas import HouseholdIn
    from workflows.validation import validation_context

    settings = get_settings()
    today = dt.date(2026, 11, 30)
    household = HouseholdIn.model_validate(
        json.loads(request.content), context=validation_context(today)
    )
    result = engine.prescreen(
        household,
        on=today,
        standards=engine.load_standards(settings),
        rules=engine.load_rules(settings),
    )
    return httpx.Response(200, json=result.model_dump(mode="json"))


@pytest.fixture
def api(fake_api: Any) -> Any:
    fake_api.routes[("POST", "/api/eligibility/prescreen")] = real_prescreen
    return fake_api


# Facts in a question ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "ages", "size", "township", "programs"),
    [
        ("我爸今年82，高龄补贴能领吗", [82], None, None, ["elderly_allowance"]),
        ("我75岁，老伴走了一个人过，有什么补助？", [75], 1, None, []),
        ("春江街道有没有老年食堂", [], None, "春江街道", []),
        ("我家4口人，每月收入3000，够低保吗", [], 4, None, ["dibao"]),
        ("我70，老伴68，都没收入", [70, 68], None, None, []),
        ("我妈八十五了，能不能领高龄津贴", [85], None, None, ["elderly_allowance"]),
    ],
)
def test_facts_are_read_from_a_question(
    text: str, ages: list[int], size: int | None, township: str | None, programs: list[str]
) -> None:
    found = facts.read(text)
    assert found.ages == ages
    assert found.household_size == size
    assert (found.township.name if found.township else None) == township
    assert found.programs == programs
    assert found.any()


def test_a_question_without_facts_has_none() -> None:
    assert not facts.read("帮我看看能申请什么").any()
    assert not facts.read("/check_eligibility").any()


async def test_82_year_old_father_gets_the_allowance_verdict_and_next_step_at_once(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    tracker = kit.tracker(
        "我爸今年82，高龄补贴能领吗",
        "check_eligibility",
        entities=[
            {"entity": "age", "value": "82"},
            {"entity": "program", "value": "elderly_allowance"},
        ],
    )
    events = await ActionPrescreenFacts().run(dispatcher, tracker, kit.domain)
    slots = kit.slots(events)
    sent = api.json_of("POST", "/api/eligibility/prescreen")
    assert sent["members"][0]["relation"] == "本人"
    assert sent["members"][0]["age"] == 82
    said = kit.responses(dispatcher)
    assert said[0] == "utter_facts_heard"
    assert "父亲82岁" in dispatcher.messages[0]["facts"]
    # the program asked about comes first, with its reasons
    assert said[1] == "utter_verdict_likely"
    assert dispatcher.messages[1]["program_label"] == "高龄津贴"
    assert "80周岁" in dispatcher.messages[1]["reasons"]
    assert said[-1] == "utter_facts_next_apply"
    assert slots["prescreen_route"] == "verdict"
    assert slots["offer"] == "apply"
    assert slots["programs"][0] == "elderly_allowance"


async def test_living_alone_at_75_is_a_one_person_household_and_prefills_the_prescreen(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    tracker = kit.tracker("我75岁，老伴走了一个人过，住新登镇，有什么补助？", "check_eligibility")
    events = await ActionPrescreenFacts().run(dispatcher, tracker, kit.domain)
    slots = kit.slots(events)
    sent = api.json_of("POST", "/api/eligibility/prescreen")
    assert [m["age"] for m in sent["members"]] == [75]
    assert sent["residence_township_code"] == "330111115000"
    assert "独自生活" in dispatcher.messages[0]["facts"]
    # what was said is not asked again by the pre-screening form
    assert slots["household_size"] == "1"
    assert slots["member_ages"] == "75岁"
    assert slots["residence_township"] == "新登镇"
    assert "utter_default" not in kit.responses(dispatcher)


async def test_income_and_household_size_in_a_question_reach_the_prescreen(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    tracker = kit.tracker("我家4口人，每月收入3000，够低保吗", "check_eligibility")
    events = await ActionPrescreenFacts().run(dispatcher, tracker, kit.domain)
    sent = api.json_of("POST", "/api/eligibility/prescreen")
    assert len(sent["members"]) == 4
    assert sum(i["monthly_amount"] for m in sent["members"] for i in m["incomes"]) == 3000
    assert kit.slots(events)["household_size"] == "4"
    assert kit.responses(dispatcher)[1].startswith("utter_verdict")


async def test_no_facts_starts_the_prescreen_form(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    tracker = kit.tracker("帮我看看能申请什么", "check_eligibility")
    events = await ActionPrescreenFacts().run(dispatcher, tracker, kit.domain)
    assert kit.slots(events) == {"prescreen_route": "form"}
    assert dispatcher.messages == []
    assert api.requests == []


async def test_an_inform_without_facts_outside_a_form_offers_the_choices(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    tracker = kit.tracker("很急", "inform")
    events = await ActionPrescreenFacts().run(dispatcher, tracker, kit.domain)
    assert kit.slots(events) == {"prescreen_route": "none"}
    assert kit.responses(dispatcher) == ["utter_default"]


async def test_api_down_says_so(kit: Any, dispatcher: CollectingDispatcher, api: Any) -> None:
    api.down = True
    tracker = kit.tracker("我爸今年82，高龄补贴能领吗", "check_eligibility")
    events = await ActionPrescreenFacts().run(dispatcher, tracker, kit.domain)
    assert kit.responses(dispatcher) == ["utter_api_unavailable"]
    assert kit.slots(events) == {"prescreen_route": "none"}


# Names ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("银湖街道", "乡镇"),
        ("新登", "乡镇"),
        ("低保", "救助项目"),
        ("老伴", "称呼"),
        ("张三3", "数字"),
        ("杭州市", "地名"),
        ("张建国", None),
        ("王小妹", None),
        ("李春江", None),
    ],
)
def test_name_problems(text: str, problem: str | None) -> None:
    found = name_problem(text)
    assert (found is None) if problem is None else (problem in str(found))


def test_one_name_reader_for_the_api_and_the_dialogue() -> None:
    from workflows.household import parsing as api_parsing

    for text in ("我叫王德明", "妻子 李秀英 330183195807020420", "张三，肢体残疾二级"):
        assert api_parsing.person_name(text) == person_name(text)
    assert member_word("妻子 李秀英 330183195807020420") == "妻子"
    assert member_word("我叫王德明") is None


async def validate(
    kit: Any, dispatcher: CollectingDispatcher, text: str, intent: str, slot: str, **kwargs: Any
) -> dict[str, Any]:
    slots = {"requested_slot": slot, **kwargs.pop("slots", {})}
    tracker = kit.tracker(text, intent, slots=slots, extracted={slot: text}, active_loop=FORM)
    events = await ValidateApplicationForm().run(dispatcher, tracker, kit.domain)
    return dict(kit.slots(events))


MANUAL = {
    "consent": True,
    "id_number": APPLICANT_ID,
    "identity_code": "skipped",
    "household_confirmed": False,
    "members": [{"relation": "本人", "name": None, "id_number": APPLICANT_ID}],
}


@pytest.mark.parametrize("text", ["银湖街道", "低保", "老伴", "张3"])
async def test_a_place_program_relation_or_digit_is_not_a_name(
    kit: Any, dispatcher: CollectingDispatcher, api: Any, text: str
) -> None:
    slots = await validate(kit, dispatcher, text, "inform", "applicant_name", slots=MANUAL)
    assert slots["applicant_name"] is None
    assert slots["requested_slot"] == "applicant_name"
    assert kit.responses(dispatcher)[0] in ("utter_name_not_a_name", "utter_name_is_member")


async def test_a_member_at_the_name_prompt_is_taken_as_a_member_and_the_name_asked_again(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    slots = await validate(
        kit, dispatcher, f"妻子 李秀英 {SPOUSE_ID}", "inform", "applicant_name", slots=MANUAL
    )
    assert slots["applicant_name"] is None
    assert slots["requested_slot"] == "applicant_name"
    assert [(m["relation"], m["name"]) for m in slots["members"]] == [
        ("本人", None),
        ("配偶", "李秀英"),
    ]
    assert kit.responses(dispatcher) == ["utter_name_was_member"]
    # then the applicant's own name
    dispatcher.messages.clear()
    slots = await validate(
        kit,
        dispatcher,
        "张建国",
        "inform",
        "applicant_name",
        slots={**MANUAL, "members": slots["members"]},
    )
    assert slots["applicant_name"] == "张建国"
    assert slots["members"][0]["name"] == "张建国"
    assert slots["members"][1]["name"] == "李秀英"


async def test_the_name_said_with_the_id_number_is_not_asked_again(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    api.on("POST", "/api/identity/status", body={"verified": False, "methods": {}})
    slots = await validate(
        kit, dispatcher, f"张建国 {APPLICANT_ID}", "inform", "id_number", slots={"consent": True}
    )
    assert slots["id_number"] == APPLICANT_ID
    assert slots["applicant_name"] == "张建国"


async def test_the_third_failed_name_offers_a_person_or_the_counter(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    slots = await validate(
        kit,
        dispatcher,
        "银湖街道",
        "inform",
        "applicant_name",
        slots={**MANUAL, "form_failures": 2},
    )
    assert kit.responses(dispatcher) == ["utter_name_not_a_name", "utter_repeated_failure"]
    assert slots["form_failures"] == 0


# Spending, illness and the "一件事" proposal --------------------------------------------------
MEMBERS = [
    {"relation": "本人", "name": "张建国", "id_number": APPLICANT_ID},
    {"relation": "配偶", "name": "李秀英", "id_number": SPOUSE_ID},
    {"relation": "子女", "name": "张小明", "id_number": CHILD_ID, "in_school": True},
]
BEFORE_SPENDING = {
    **MANUAL,
    "applicant_name": "张建国",
    "phone": "13805711234",
    "hukou_township": "富春街道",
    "residence_township": "富春街道",
    "member_entry": "done",
    "members": MEMBERS,
    "income_text": "我打零工每月800",
    "property_text": "只有一套自住房",
}


async def test_medical_aid_asks_for_spending_and_illness_a_dibao_alone_does_not(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    slots = await validate(
        kit, dispatcher, "低保和医疗救助", "inform", "programs", slots=BEFORE_SPENDING
    )
    assert slots["programs"] == ["dibao", "medical"]
    assert slots["requested_slot"] == "expenses_text"
    dispatcher.messages.clear()
    only_dibao = {**BEFORE_SPENDING, "program_offers": [], "extra_programs": []}
    slots = await validate(
        kit, dispatcher, "低保和临时救助", "inform", "programs", slots=only_dibao
    )
    assert slots["requested_slot"] == "expenses_text"  # 临时救助 needs the spending
    slots = await validate(
        kit,
        dispatcher,
        "/affirm",
        "affirm",
        "documents_later",
        slots={**only_dibao, "programs": ["dibao"]},
    )
    assert slots["requested_slot"] == "summary_confirmed"


async def test_an_ill_spouse_named_with_the_spending_answers_both_questions(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    filled = {**BEFORE_SPENDING, "programs": ["dibao", "medical"]}
    slots = await validate(
        kit, dispatcher, "老伴尿毒症，看病一年自付三万", "inform", "expenses_text", slots=filled
    )
    assert slots["expenses_text"] == "老伴尿毒症，看病一年自付三万"
    assert slots["illness_text"] == "老伴尿毒症，看病一年自付三万"
    assert [m["serious_illness"] for m in slots["members"]] == [False, True, False]
    assert "utter_illness_noted" in kit.responses(dispatcher)


async def test_she_is_ill_lands_on_the_spouse(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    filled = {**BEFORE_SPENDING, "programs": ["dibao", "medical"], "expenses_text": "没有"}
    slots = await validate(kit, dispatcher, "她有病", "inform", "illness_text", slots=filled)
    assert [m["serious_illness"] for m in slots["members"]] == [False, True, False]


async def test_the_proposal_offers_other_programs_with_a_reason_each_and_adds_the_choice(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    filled = {
        **BEFORE_SPENDING,
        "programs": ["dibao"],
        "expenses_text": "看病一年自付三万",
    }
    slots = await validate(
        kit,
        dispatcher,
        "只有一套自住房",
        "inform",
        "property_text",
        slots={**filled, "property_text": None},
    )
    assert slots["requested_slot"] == "extra_programs"
    offers = slots["program_offers"]
    assert offers
    assert all(item["reason"] for item in offers)
    assert "dibao" not in {item["program"] for item in offers}
    sent = api.json_of("POST", "/api/eligibility/prescreen")
    assert "name" not in sent["members"][0]
    # the question shows one line per program and a button each
    tracker = kit.tracker("", "inform", slots={**filled, "program_offers": offers})
    await ActionAskExtraPrograms().run(dispatcher, tracker, kit.domain)
    asked = dispatcher.messages[-1]
    assert asked["response"] == "utter_offer_extra_programs"
    assert offers[0]["label"] in asked["offers"]
    assert {b["title"] for b in asked["buttons"]} >= {"不用了", f"加上{offers[0]['label']}"}
    # choosing one adds it to the programs; the summary then lists every program chosen
    first = offers[0]["program"]
    dispatcher.messages.clear()
    tracker = kit.tracker(
        f'/inform{{"program": "{first}"}}',
        "inform",
        entities=[{"entity": "program", "value": first}],
        slots={**filled, "program_offers": offers, "requested_slot": "extra_programs"},
        extracted={"extra_programs": f'/inform{{"program": "{first}"}}'},
        active_loop=FORM,
    )
    events = await ValidateApplicationForm().run(dispatcher, tracker, kit.domain)
    slots = kit.slots(events)
    assert slots["programs"] == ["dibao", first]
    assert slots["extra_programs"] == [first]
    assert kit.responses(dispatcher)[0] == "utter_extra_programs_added"


async def test_nothing_more_to_offer_skips_the_proposal(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    api.routes[("POST", "/api/eligibility/prescreen")] = lambda request: httpx.Response(
        200, json={"verdicts": [{"program": "dibao", "verdict": "likely", "reasons": []}]}
    )
    slots = await validate(
        kit,
        dispatcher,
        "只有一套自住房",
        "inform",
        "property_text",
        slots={**BEFORE_SPENDING, "programs": ["dibao"], "property_text": None},
    )
    assert slots["program_offers"] == []
    assert slots["extra_programs"] == []
    assert slots["requested_slot"] == "documents_later"


async def test_submission_carries_spending_illness_and_every_program(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    api.on("POST", "/api/applications", status=201, body={"number": "FY1", "cases": []})
    members = [dict(m, serious_illness=(m["relation"] == "配偶")) for m in MEMBERS]
    filled = {
        **BEFORE_SPENDING,
        "members": members,
        "application_uuid": "b" * 32,
        "consent_at": "2026-11-30T10:00:00+08:00",
        "programs": ["dibao", "medical", "education"],
        "expenses_text": "看病一年自付三万，孩子学费一年五千",
        "illness_text": "老伴尿毒症",
        "documents_later": True,
        "summary_confirmed": True,
    }
    tracker = kit.tracker("/affirm", "affirm", slots=filled)
    await ActionSubmitApplication().run(dispatcher, tracker, kit.domain)
    body = api.json_of("POST", "/api/applications")
    assert body["programs"] == ["dibao", "medical", "education"]
    assert [m["serious_illness"] for m in body["members"]] == [False, True, False]
    assert {(e["kind"], e["annual_amount"]) for e in body["expenditures"]} == {
        ("medical", 30000),
        ("education", 5000),
    }
    assert body["property"] == [
        {"kind": "house", "value": 0, "note": "只有一套自住房", "only_home": True}
    ]
    assert chosen_programs(tracker) == ["dibao", "medical", "education"]


# Keyboard noise ---------------------------------------------------------------------------------
@pytest.mark.parametrize("noise", ["aaaaaaa", "ａａａａａａ", "asdfgh", "？？？"])
async def test_noise_never_opens_a_hand_off(
    kit: Any, dispatcher: CollectingDispatcher, api: Any, noise: str
) -> None:
    history = [kit.user(noise, "nlu_fallback"), {"event": "bot", "text": "…"}] * 3
    tracker = kit.tracker(noise, "nlu_fallback", slots={"misunderstood": 2}, history=history)
    events = await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)
    assert kit.responses(dispatcher) == ["utter_nonsense"]
    assert api.calls("POST", "/api/handoffs") == []
    assert api.calls("POST", "/api/knowledge/ask") == []
    assert kit.slots(events) == {"misunderstood": 0}


async def test_a_name_alone_at_the_member_prompt_ends_in_an_offer_of_a_person(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    filled = {**MANUAL, "applicant_name": "张建国", "phone": "13805711234",
              "hukou_township": "富春街道", "residence_township": "富春街道"}  # fmt: skip
    failures = 0
    for _ in range(3):
        dispatcher.messages.clear()
        slots = await validate(
            kit, dispatcher, "李秀英", "inform", "member_entry",
            slots={**filled, "form_failures": failures},
        )  # fmt: skip
        failures = slots["form_failures"]
        assert slots["member_entry"] is None
    # the third try offers a person or stopping (buttons), and the count starts again
    assert kit.responses(dispatcher) == ["utter_member_missing", "utter_repeated_failure"]
    assert failures == 0
    buttons = kit.domain["responses"]["utter_repeated_failure"][0]["buttons"]
    assert {b["payload"] for b in buttons} == {"/request_human", "/cancel"}


async def test_the_summary_shows_who_is_ill_and_in_school(
    kit: Any, dispatcher: CollectingDispatcher, api: Any
) -> None:
    from actions.application_form import ActionAskSummaryConfirmed

    members = [dict(m, serious_illness=(m["relation"] == "配偶")) for m in MEMBERS]
    filled = {**BEFORE_SPENDING, "members": members, "programs": ["dibao", "medical"]}
    await ActionAskSummaryConfirmed().run(dispatcher, kit.tracker("", "inform", slots=filled), {})
    lines = dispatcher.messages[0]["members_text"].split("\n")
    assert lines[1].endswith("患重病")
    assert lines[2].endswith("在读")
    assert dispatcher.messages[0]["programs_text"] == "最低生活保障(低保)、医疗救助"
