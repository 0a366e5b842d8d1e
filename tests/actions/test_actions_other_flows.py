"""Pre-screening, status, hardship reports and declining offers."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.hardship import ActionSubmitLead, ValidateHardshipForm
from actions.offers import ActionDeclineOffer
from actions.prescreen import ActionPrescreen, ValidatePrescreenForm
from actions.status import ActionCheckStatus, ActionStatusLookup, ValidateStatusLookupForm

APPLICATION = {
    "id": 3, "number": "FY2026000003",
    "cases": [{"program": "dibao", "program_label": "最低生活保障(低保)",
               "status_label": "待补充材料", "due_date": "2027-01-12",
               "needs_from_resident": "请补交户口本复印件"}],
}


async def run_validation(action: Any, kit: Any, dispatcher: CollectingDispatcher, form: str,
                         slot: str, text: str, intent: str = "inform",
                         slots: dict[str, Any] | None = None) -> dict[str, Any]:
    tracker = kit.tracker(text, intent, slots={"requested_slot": slot, **(slots or {})},
                          extracted={slot: text}, active_loop=form)
    return dict(kit.slots(await action.run(dispatcher, tracker, kit.domain)))


async def test_prescreen_verdicts_prefill_the_application(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/eligibility/prescreen", body={"verdicts": [
        {"program": "dibao", "program_label": "低保", "verdict": "likely",
         "reasons": [{"text": "收入低于标准", "citation": None}], "materials": []},
        {"program": "medical", "program_label": "医疗救助", "verdict": "possible",
         "reasons": [], "materials": []},
        {"program": "tekun", "program_label": "特困", "verdict": "unlikely",
         "reasons": [{"text": "有法定赡养人", "citation": None}], "materials": []},
    ]})
    slots = {"household_size": "3", "member_ages": "我72，老伴70，孙子10",
             "disability_text": "老伴肢体残疾二级", "income_text": "养老金800",
             "expenses_text": "看病一年3万", "hukou_township": "场口镇",
             "residence_township": "场口镇"}
    tracker = kit.tracker("一样", "affirm", slots=slots)

    events = await ActionPrescreen().run(dispatcher, tracker, kit.domain)

    body = fake_api.json_of("POST", "/api/eligibility/prescreen")
    assert [m["age"] for m in body["members"]] == [72, 70, 10]
    assert body["members"][1]["disability_grade"] == 2
    assert body["members"][0]["incomes"] == [{"kind": "pension", "monthly_amount": 800}]
    assert body["expenditures"] == [{"kind": "medical", "annual_amount": 30000}]
    assert body["hukou_township_code"] == "330111110000"
    assert kit.responses(dispatcher) == [
        "utter_verdict_likely", "utter_verdict_possible", "utter_verdicts_unlikely",
        "utter_offer_apply",
    ]
    assert dispatcher.messages[2]["program_labels"] == "特困"
    saved = kit.slots(events)
    assert saved["programs"] == ["dibao"]  # the likely ones pre-fill the application
    assert saved["offer"] == "apply"
    assert saved["member_ages"] is None  # pre-screen-only details are not kept


async def test_only_possible_programs_are_offered_when_none_is_likely(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/eligibility/prescreen", body={"verdicts": [
        {"program": "medical", "program_label": "医疗救助", "verdict": "possible",
         "reasons": [], "materials": []}]})
    events = await ActionPrescreen().run(dispatcher, kit.tracker("一样", "affirm"), kit.domain)
    assert kit.slots(events)["programs"] == ["medical"]


async def test_prescreen_form_reads_sizes_in_either_script(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    for text in ("三口人", "3口人"):
        slots = await run_validation(ValidatePrescreenForm(), kit, CollectingDispatcher(),
                                     "prescreen_form", "household_size", text)
        assert slots["household_size"] == "3"
    slots = await run_validation(ValidatePrescreenForm(), kit, dispatcher, "prescreen_form",
                                 "household_size", "😀")
    assert slots["household_size"] is None
    assert kit.responses(dispatcher) == ["utter_invalid_household_size"]


async def test_third_failure_points_to_human_help(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    slots = await run_validation(ValidatePrescreenForm(), kit, dispatcher, "prescreen_form",
                                 "member_ages", "不知道", slots={"form_failures": 2})
    assert kit.responses(dispatcher) == ["utter_invalid_ages", "utter_repeated_failure"]
    assert slots["form_failures"] == 0


async def test_status_lists_cases_and_what_is_needed(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("GET", "/api/residents/applications", body=[APPLICATION])
    tracker = kit.tracker("查进度", "check_status", sender_id="web:abc")

    events = await ActionCheckStatus().run(dispatcher, tracker, kit.domain)

    request = fake_api.calls("GET", "/api/residents/applications")[0]
    assert dict(request.url.params) == {"channel": "web", "channel_user_id": "abc"}
    assert kit.responses(dispatcher) == [
        "utter_status_application", "utter_status_case", "utter_status_needs"]
    assert kit.slots(events) == {"offer": None}


async def test_nothing_found_offers_lookup_by_number(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("GET", "/api/residents/applications", body=[])
    events = await ActionCheckStatus().run(dispatcher, kit.tracker("查进度", "check_status"),
                                           kit.domain)
    assert kit.responses(dispatcher) == ["utter_status_none"]
    assert kit.slots(events) == {"offer": "lookup"}


async def test_lookup_by_number_and_id(kit: Any, dispatcher: CollectingDispatcher,
                                       fake_api: Any) -> None:
    slots = await run_validation(ValidateStatusLookupForm(), kit, CollectingDispatcher(),
                                 "status_lookup_form", "lookup_number", "fy2026000003")
    assert slots["lookup_number"] == "FY2026000003"
    fake_api.on("POST", "/api/status-lookup", body=APPLICATION)
    tracker = kit.tracker("330183195503120211", "inform", slots={
        "lookup_number": "FY2026000003", "lookup_id_number": "330183195503120211"})
    events = await ActionStatusLookup().run(dispatcher, tracker, kit.domain)
    assert fake_api.json_of("POST", "/api/status-lookup") == {
        "number": "FY2026000003", "id_number": "330183195503120211"}
    assert kit.responses(dispatcher)[0] == "utter_status_application"
    assert kit.slots(events)["lookup_id_number"] is None


async def test_lookup_mismatch_says_so(kit: Any, dispatcher: CollectingDispatcher,
                                       fake_api: Any) -> None:
    fake_api.on("POST", "/api/status-lookup", status=404, body={"detail": "未找到"})
    tracker = kit.tracker("x", "inform", slots={"lookup_number": "FY1",
                                                "lookup_id_number": "330183195503120211"})
    await ActionStatusLookup().run(dispatcher, tracker, kit.domain)
    assert kit.responses(dispatcher) == ["utter_status_lookup_not_found"]


async def test_hardship_report_creates_a_lead(kit: Any, dispatcher: CollectingDispatcher,
                                              fake_api: Any) -> None:
    slots = await run_validation(ValidateHardshipForm(), kit, CollectingDispatcher(),
                                 "hardship_form", "lead_township", "银湖")
    assert slots["lead_township"] == "银湖街道"
    fake_api.on("POST", "/api/leads", status=201,
                body={"id": 1, "number": "XS00001", "township_code": "330111006000"})
    tracker = kit.tracker("不留", "deny", slots={
        "lead_township": "银湖街道", "lead_address": "村口第二家",
        "lead_description": "独居老人几天没吃饭", "lead_urgent": True, "lead_contact": "none"})
    events = await ActionSubmitLead().run(dispatcher, tracker, kit.domain)
    body = fake_api.json_of("POST", "/api/leads")
    assert body == {"channel": "telegram", "channel_user_id": "12345",
                    "township_code": "330111006000", "address": "村口第二家",
                    "description": "独居老人几天没吃饭", "contact_phone": None, "urgent": True}
    assert kit.responses(dispatcher) == ["utter_lead_created", "utter_lead_urgent_note"]
    assert kit.slots(events)["lead_description"] is None


async def test_declining_an_offer_clears_it(kit: Any, dispatcher: CollectingDispatcher) -> None:
    events = await ActionDeclineOffer().run(dispatcher, kit.tracker("不用了", "deny",
                                            slots={"offer": "apply"}), kit.domain)
    assert kit.slots(events) == {"offer": None}
    assert kit.responses(dispatcher) == ["utter_anything_else"]
