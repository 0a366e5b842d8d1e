"""The joint application form: validation against a fake registry, corrections, submission."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.application_form import ActionAskSummaryConfirmed, ValidateApplicationForm
from actions.application_submit import ActionCancelForm, ActionSubmitApplication, idempotency_key
from actions.common import SENSITIVE_SLOTS

APPLICANT_ID = "330183195503120211"
SPOUSE_ID = "330183195807020420"
CHILD_ID = "330111201509010132"
REGISTRY = {
    "found": True,
    "household": {
        "hukou_township_code": "330111001000",
        "address": "富春街道某路1号",
        "members": [
            {"relation": "户主", "name": "张建国", "id_number": APPLICANT_ID,
             "disability_category": None, "disability_grade": None},
            {"relation": "配偶", "name": "李秀英", "id_number": SPOUSE_ID,
             "disability_category": "肢体", "disability_grade": 2},
            {"relation": "子女", "name": "张小明", "id_number": CHILD_ID,
             "disability_category": None, "disability_grade": None},
        ],
    },
}
VERIFIED = {"verified": True, "method": "sms", "verified_at": "2026-11-28T20:00:00+08:00",
            "methods": {"sms": {"available": True, "phone_masked": "138****1234"},
                        "counter": {"available": False},
                        "oidc": {"available": False, "url": None}}}
FORM = "application_form"


async def validate(kit: Any, dispatcher: CollectingDispatcher, text: str, intent: str,
                   slot: str, **kwargs: Any) -> dict[str, Any]:
    """Run the form validation after ``text`` was extracted into ``slot``."""
    slots = {"requested_slot": slot, **kwargs.pop("slots", {})}
    value = kwargs.pop("value", text)
    tracker = kit.tracker(text, intent, slots=slots, extracted={slot: value},
                          active_loop=FORM, **kwargs)
    events = await ValidateApplicationForm().run(dispatcher, tracker, kit.domain)
    return dict(kit.slots(events))


async def test_consent_yes_starts_a_form_instance(kit: Any, dispatcher: CollectingDispatcher,
                                                  fake_api: Any) -> None:
    slots = await validate(kit, dispatcher, "/affirm", "affirm", "consent")
    assert slots["consent"] is True
    assert len(slots["application_uuid"]) == 32
    assert slots["consent_at"].endswith("+08:00")
    assert slots["requested_slot"] == "id_number"


async def test_consent_no_ends_the_form(kit: Any, dispatcher: CollectingDispatcher,
                                        fake_api: Any) -> None:
    slots = await validate(kit, dispatcher, "不同意", "deny", "consent")
    assert slots["consent"] is False
    assert slots["requested_slot"] is None
    assert kit.responses(dispatcher) == ["utter_consent_required"]


async def test_wrong_check_digit_is_asked_again_with_the_reason(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    slots = await validate(kit, dispatcher, "330183195503120212", "inform", "id_number",
                           slots={"consent": True})
    assert slots["id_number"] is None
    assert slots["requested_slot"] == "id_number"
    assert kit.responses(dispatcher) == ["utter_invalid_id_number"]
    assert "校验位" in dispatcher.messages[0]["reason"]
    assert fake_api.requests == []


async def test_registry_household_is_proposed(kit: Any, dispatcher: CollectingDispatcher,
                                              fake_api: Any) -> None:
    fake_api.on("POST", "/api/identity/status", body=VERIFIED)
    fake_api.on("GET", f"/api/registry/households/{APPLICANT_ID}", body=REGISTRY)
    slots = await validate(kit, dispatcher, f"身份证{APPLICANT_ID}", "inform", "id_number",
                           slots={"consent": True})
    assert slots["id_number"] == APPLICANT_ID
    assert slots["applicant_name"] == "张建国"
    assert slots["hukou_township"] == "富春街道"
    assert [m["relation"] for m in slots["members"]] == ["本人", "配偶", "子女"]
    assert slots["requested_slot"] == "phone"


async def test_no_registry_record_collects_members_one_by_one(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/status", body=VERIFIED)
    fake_api.on("GET", f"/api/registry/households/{APPLICANT_ID}", body={"found": False})
    slots = await validate(kit, dispatcher, APPLICANT_ID, "inform", "id_number",
                           slots={"consent": True})
    assert slots["household_confirmed"] is False
    assert slots["members"][0]["relation"] == "本人"
    assert kit.responses(dispatcher) == ["utter_registry_not_found"]
    assert slots["requested_slot"] == "applicant_name"


async def test_several_facts_about_a_member_in_one_message(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    me = {"relation": "本人", "name": "张建国", "id_number": APPLICANT_ID}
    slots = await validate(
        kit, dispatcher, f"老伴 李秀英 {SPOUSE_ID} 肢体残疾二级", "inform", "member_entry",
        slots={"household_confirmed": False, "members": [me]},
    )
    assert slots["member_entry"] is None  # asked again: any more members?
    spouse = slots["members"][1]
    assert (spouse["relation"], spouse["name"]) == ("配偶", "李秀英")
    assert spouse["id_number"] == SPOUSE_ID
    assert spouse["disability_grade"] == 2
    assert kit.responses(dispatcher) == ["utter_member_added"]


async def test_forged_member_id_is_refused(kit: Any, dispatcher: CollectingDispatcher,
                                           fake_api: Any) -> None:
    slots = await validate(kit, dispatcher, "儿子 张三 110101199001011234", "inform",
                           "member_entry", slots={"household_confirmed": False, "members": []})
    assert slots["member_entry"] is None
    assert "members" not in slots
    assert kit.responses(dispatcher) == ["utter_invalid_id_number"]


async def test_residence_elsewhere_says_where_it_is_handled(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    slots = await validate(kit, dispatcher, "住在新登镇", "inform", "residence_township",
                           slots={"hukou_township": "富春街道"})
    assert slots["residence_township"] == "新登镇"
    assert kit.responses(dispatcher) == ["utter_township_differs"]
    assert dispatcher.messages[0]["hukou"] == "富春街道"


async def test_programs_multi_select_by_buttons(kit: Any, dispatcher: CollectingDispatcher,
                                                fake_api: Any) -> None:
    entity = [{"entity": "program", "value": "dibao"}]
    slots = await validate(kit, dispatcher, '/inform{"program":"dibao"}', "inform", "programs",
                           entities=entity)
    assert slots["programs"] is None
    assert slots["program_picks"] == ["dibao"]
    done = CollectingDispatcher()
    slots = await validate(kit, done, "/affirm", "affirm", "programs",
                           slots={"program_picks": ["dibao", "medical"]})
    assert slots["programs"] == ["dibao", "medical"]


async def test_a_hand_typed_unknown_program_is_refused(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    slots = await validate(kit, dispatcher, '/apply_assistance{"program":"x"}',
                           "apply_assistance", "programs", value=["x"],
                           entities=[{"entity": "program", "value": "x"}],
                           slots={"requested_slot": None})
    assert slots["programs"] is None
    assert kit.responses(dispatcher) == []  # dropped quietly; the form asks its questions


async def test_hukou_outside_the_district_asks_for_a_residence_permit(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    slots = await validate(kit, dispatcher, "富春街道", "inform", "residence_township",
                           slots={**filled_application(residence_township=None,
                                                       hukou_township="安徽省阜阳市"),
                                  "has_residence_permit": None})
    assert slots["residence_township"] == "富春街道"
    assert slots["requested_slot"] == "has_residence_permit"
    assert kit.responses(dispatcher) == ["utter_hukou_outside"]


@pytest.mark.parametrize(
    ("text", "cleared"),
    [
        ("身份证号填错了", "id_number"),
        ("手机号错了", "phone"),
        ("收入不对", "income_text"),
    ],
)
async def test_correction_in_the_summary_asks_that_field_again(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any, text: str, cleared: str
) -> None:
    filled = filled_application(summary_confirmed=None)
    slots = await validate(kit, dispatcher, text, "inform", "summary_confirmed", slots=filled)
    assert slots["summary_confirmed"] is None
    assert slots[cleared] is None
    assert slots["requested_slot"] == cleared


async def test_summary_no_asks_which_field(kit: Any, dispatcher: CollectingDispatcher,
                                           fake_api: Any) -> None:
    slots = await validate(kit, dispatcher, "/deny", "deny", "summary_confirmed")
    assert slots["summary_change"] is True
    tracker = kit.tracker("/deny", "deny", slots={"summary_change": True})
    events = await ActionAskSummaryConfirmed().run(dispatcher, tracker, kit.domain)
    assert kit.responses(dispatcher) == ["utter_ask_what_to_change"]
    assert kit.slots(events) == {"summary_change": None}


async def test_summary_lists_what_was_collected(kit: Any, dispatcher: CollectingDispatcher,
                                                fake_api: Any) -> None:
    tracker = kit.tracker("以后再交", "deny", slots=filled_application(summary_confirmed=None))
    events = await ActionAskSummaryConfirmed().run(dispatcher, tracker, kit.domain)
    assert events == []
    assert kit.responses(dispatcher) == ["utter_application_summary"]
    message = dispatcher.messages[0]
    assert message["programs_text"] == "最低生活保障(低保)、医疗救助"
    assert message["id_masked"] == "330183********0211"
    assert "配偶 李秀英" in message["members_text"]


def filled_application(**overrides: Any) -> dict[str, Any]:
    members = [
        {"relation": "本人", "name": "张建国", "id_number": APPLICANT_ID},
        {"relation": "配偶", "name": "李秀英", "id_number": SPOUSE_ID,
         "disability_category": "肢体", "disability_grade": 2},
        {"relation": "子女", "name": "张小明", "id_number": CHILD_ID},
    ]
    slots = {
        "consent": True, "consent_at": "2026-11-28T20:00:00+08:00",
        "application_uuid": "a" * 32, "id_number": APPLICANT_ID, "identity_code": "verified",
        "applicant_name": "张建国",
        "phone": "13805711234", "hukou_township": "富春街道", "residence_township": "新登镇",
        "household_confirmed": True, "member_entry": "done", "members": members,
        "income_text": "退休金2000，儿子打工一个月3000", "property_text": "存款1万",
        "programs": ["dibao", "medical"], "documents_later": True, "summary_confirmed": True,
        "offer": "apply",
    }
    slots.update(overrides)
    return slots


SUBMITTED = {
    "id": 11, "number": "FY2026112800011", "status": "submitted",
    "submitted_township_code": "330111115000",
    "cases": [
        {"id": 1, "program": "dibao", "program_label": "最低生活保障(低保)",
         "status": "submitted", "status_label": "已提交",
         "handling_township_code": "330111001000", "handling_township_name": "富春街道",
         "routing_reason": "按户籍地办理", "due_date": "2027-01-12",
         "due_date_provisional": False},
        {"id": 2, "program": "medical", "program_label": "医疗救助",
         "status": "submitted", "status_label": "已提交",
         "handling_township_code": "330111001000", "handling_township_name": "富春街道",
         "routing_reason": "", "due_date": "2027-01-05", "due_date_provisional": False},
    ],
}


async def test_submission_sends_the_household_and_forgets_personal_data(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/applications", status=201, body=SUBMITTED)
    tracker = kit.tracker("/affirm", "affirm", slots=filled_application())

    events = await ActionSubmitApplication().run(dispatcher, tracker, kit.domain)

    request = fake_api.calls("POST", "/api/applications")[0]
    assert request.headers["Idempotency-Key"] == idempotency_key("telegram:12345", "a" * 32)
    body = fake_api.json_of("POST", "/api/applications")
    assert body["channel"] == "telegram"
    assert body["channel_user_id"] == "12345"
    assert body["entered_by_staff"] is None
    assert body["applicant"] == {"name": "张建国", "id_number": APPLICANT_ID,
                                 "phone": "13805711234"}
    assert body["hukou_township_code"] == "330111001000"
    assert body["residence_township_code"] == "330111115000"
    assert body["programs"] == ["dibao", "medical"]
    assert len(body["members"]) == 3
    # the kept income text is read at submission: each income on the member it names
    assert body["members"][0]["incomes"] == [{"kind": "pension", "monthly_amount": 2000}]
    assert body["members"][1]["incomes"] == []
    assert body["members"][2]["incomes"] == [{"kind": "wage", "monthly_amount": 3000}]
    assert body["property"] == [
        {"kind": "deposit", "value": 10000, "note": "存款1万", "only_home": False}
    ]
    assert kit.responses(dispatcher) == [
        "utter_application_submitted", "utter_application_case", "utter_application_case",
        "utter_documents_later",
    ]
    assert dispatcher.messages[0]["number"] == "FY2026112800011"
    assert dispatcher.messages[0]["due_date"] == "2027-01-12"
    slots = kit.slots(events)
    for name in SENSITIVE_SLOTS:
        assert slots[name] is None, name
    assert slots["application_uuid"] is None
    assert slots["offer"] is None


async def test_retry_after_a_failure_uses_the_same_key(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.down = True
    tracker = kit.tracker("/affirm", "affirm", slots=filled_application())
    events = await ActionSubmitApplication().run(dispatcher, tracker, kit.domain)
    assert kit.responses(dispatcher) == ["utter_submit_failed"]
    assert kit.slots(events) == {"offer": "submit"}  # nothing forgotten yet

    fake_api.down = False
    fake_api.on("POST", "/api/applications", status=200, body=SUBMITTED)
    await ActionSubmitApplication().run(CollectingDispatcher(), tracker, kit.domain)
    keys = {r.headers["Idempotency-Key"] for r in fake_api.calls("POST", "/api/applications")}
    assert len(keys) == 1


async def test_counter_intake_records_the_staff_member(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/applications", status=201, body=SUBMITTED)
    tracker = kit.tracker("/affirm", "affirm", slots=filled_application(),
                          sender_id="counter:wangli:5d2e")
    await ActionSubmitApplication().run(dispatcher, tracker, kit.domain)
    body = fake_api.json_of("POST", "/api/applications")
    assert (body["channel"], body["channel_user_id"], body["entered_by_staff"]) == (
        "counter", "5d2e", "wangli")


async def test_api_refusal_goes_back_to_the_summary(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/applications", status=422,
                body={"detail": [{"loc": ["body"], "msg": "手机号格式不正确", "type": "x"}]})
    tracker = kit.tracker("/affirm", "affirm", slots=filled_application())
    events = await ActionSubmitApplication().run(dispatcher, tracker, kit.domain)
    assert kit.responses(dispatcher) == ["utter_submit_rejected"]
    assert dispatcher.messages[0]["reason"] == "手机号格式不正确"
    assert kit.slots(events) == {"summary_confirmed": None, "offer": "apply"}


async def test_cancel_forgets_the_application(kit: Any, dispatcher: CollectingDispatcher,
                                              fake_api: Any) -> None:
    history = [{"event": "active_loop", "name": FORM}, {"event": "active_loop", "name": None}]
    tracker = kit.tracker("/affirm", "affirm", slots=filled_application(), history=history)
    events = await ActionCancelForm().run(dispatcher, tracker, kit.domain)
    slots = kit.slots(events)
    assert all(slots[name] is None for name in SENSITIVE_SLOTS)
    assert kit.responses(dispatcher) == ["utter_form_cancelled"]
    assert fake_api.requests == []


async def test_income_lands_on_the_member_named(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    members = filled_application()["members"]
    slots = await validate(kit, dispatcher, "老公打工,一个月两千五", "inform", "income_text",
                           slots={"members": members})
    assert slots["income_text"] == "老公打工,一个月两千五"
    assert [m["incomes"] for m in slots["members"]] == [
        [], [{"kind": "wage", "monthly_amount": 2500}], [],
    ]
    assert [m["name"] for m in slots["members"]] == ["张建国", "李秀英", "张小明"]
    sent = fake_api.json_of("POST", "/api/household/parse")
    assert sent["field"] == "income"
    assert sent["members"][1] == {"relation": "配偶", "name": "李秀英"}  # no ID numbers sent


async def test_income_of_somebody_not_in_the_household_is_asked_again(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    members = filled_application()["members"][:1]
    slots = await validate(kit, dispatcher, "女婿每月给我们一千,他自己打工挣五千", "inform",
                           "income_text", slots={"members": members})
    assert slots["income_text"] is None
    assert "members" not in slots
    assert "家庭成员里没有这位" in dispatcher.messages[0]["text"]


async def test_unreadable_income_is_asked_again(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    slots = await validate(kit, dispatcher, "不知道", "inform", "income_text",
                           slots={"members": filled_application()["members"]})
    assert slots["income_text"] is None
    assert kit.responses(dispatcher) == ["utter_invalid_income"]


async def test_api_down_keeps_the_income_text_and_reads_it_at_submission(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    members = filled_application()["members"]
    fake_api.down = True
    slots = await validate(kit, dispatcher, "老伴退休金两千", "inform", "income_text",
                           slots={"members": members})
    assert slots["income_text"] == "老伴退休金两千"
    assert "members" not in slots  # not read yet: no incomes on anybody
    assert kit.responses(dispatcher) == ["utter_api_unavailable"]

    fake_api.down = False
    fake_api.on("POST", "/api/applications", status=201, body=SUBMITTED)
    later = CollectingDispatcher()
    tracker = kit.tracker("/affirm", "affirm",
                          slots=filled_application(income_text=slots["income_text"]))
    await ActionSubmitApplication().run(later, tracker, kit.domain)
    body = fake_api.json_of("POST", "/api/applications")
    assert [m["incomes"] for m in body["members"]] == [
        [], [{"kind": "pension", "monthly_amount": 2000}], [],
    ]


async def test_only_home_is_not_a_house_worth_one_yuan(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/applications", status=201, body=SUBMITTED)
    slots = await validate(kit, dispatcher, "只有一套自住房", "inform", "property_text")
    assert slots["property_text"] == "只有一套自住房"
    tracker = kit.tracker("/affirm", "affirm",
                          slots=filled_application(property_text="只有一套自住房"))
    await ActionSubmitApplication().run(dispatcher, tracker, kit.domain)
    body = fake_api.json_of("POST", "/api/applications")
    assert body["property"] == [
        {"kind": "house", "value": 0, "note": "只有一套自住房", "only_home": True}
    ]


async def test_api_down_keeps_the_property_text(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.down = True
    slots = await validate(kit, dispatcher, "存款两万", "inform", "property_text")
    assert slots["property_text"] == "存款两万"
    assert kit.responses(dispatcher) == ["utter_api_unavailable"]


async def test_member_entry_is_read_by_the_api(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    self_member = filled_application()["members"][0]
    slots = await validate(kit, dispatcher, f"女儿张小丽,{CHILD_ID},肢体残疾二级", "inform",
                           "member_entry", slots={"household_confirmed": False,
                                                  "members": [self_member]})
    added = slots["members"][1]
    assert (added["relation"], added["name"], added["id_number"]) == ("子女", "张小丽", CHILD_ID)
    assert (added["disability_category"], added["disability_grade"]) == ("肢体", 2)
    assert fake_api.json_of("POST", "/api/household/parse")["field"] == "members"


async def test_api_down_keeps_a_typed_member_and_reads_it_at_submission(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    members = filled_application()["members"][:2]
    typed = f"儿子张小明,{CHILD_ID}"
    fake_api.down = True
    slots = await validate(kit, dispatcher, typed, "inform", "member_entry",
                           slots={"household_confirmed": False, "members": members})
    assert kit.responses(dispatcher) == ["utter_api_unavailable"]
    assert slots["member_entry"] is None
    assert slots["members"][2]["pending_text"] == typed  # nothing the resident typed is lost

    fake_api.down = False
    summary = CollectingDispatcher()
    kept = filled_application(members=slots["members"], summary_confirmed=None)
    await ActionAskSummaryConfirmed().run(summary, kit.tracker("好", "affirm", slots=kept),
                                          kit.domain)
    assert "(待识别)“儿子张小明,330111********0132”" in summary.messages[0]["members_text"]
    assert CHILD_ID not in summary.messages[0]["members_text"]

    fake_api.on("POST", "/api/applications", status=201, body=SUBMITTED)
    tracker = kit.tracker("/affirm", "affirm", slots=filled_application(members=slots["members"]))
    await ActionSubmitApplication().run(CollectingDispatcher(), tracker, kit.domain)
    body = fake_api.json_of("POST", "/api/applications")
    child = body["members"][2]
    assert (child["relation"], child["name"], child["id_number"]) == ("子女", "张小明", CHILD_ID)
    assert "pending_text" not in child
    assert child["incomes"] == [{"kind": "wage", "monthly_amount": 3000}]  # 儿子打工 read again


async def test_a_registry_relation_outside_the_vocabulary_is_sent_as_other(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    members = [*filled_application()["members"][:1],
               {"relation": "户主", "name": "张老汉", "id_number": CHILD_ID}]
    slots = await validate(kit, dispatcher, "张老汉养老金一千", "inform", "income_text",
                           slots={"members": members})
    assert fake_api.json_of("POST", "/api/household/parse")["members"][1]["relation"] == "其他"
    assert slots["members"][1]["incomes"] == [{"kind": "pension", "monthly_amount": 1000}]
    assert slots["members"][1]["relation"] == "户主"  # the slot keeps what the registry said
