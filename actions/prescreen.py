"""Pre-screening: a short form, then POST /api/eligibility/prescreen and the verdicts."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client, household, parsing, verdict_text
from actions.common import FORM_SLOTS, latest_intent, reset_slots
from actions.form_base import HuiminFormValidation, township_code

VERDICT_RESPONSES = {"likely": "utter_verdict_likely", "possible": "utter_verdict_possible"}


_label = verdict_text.label


class ValidatePrescreenForm(HuiminFormValidation):
    def name(self) -> str:
        return "validate_prescreen_form"

    def validate_household_size(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        size = parsing.household_size(self.answer_text(value, tracker))
        if not size:
            return self.reject(
                dispatcher, tracker, "household_size", "utter_invalid_household_size"
            )
        return self.accept({"household_size": str(size)})

    def validate_member_ages(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        if self.too_long(text) or not parsing.ages(text):
            return self.reject(dispatcher, tracker, "member_ages", "utter_invalid_ages")
        return self.accept({"member_ages": text})

    def validate_disability_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        if latest_intent(tracker) == "deny" or parsing.says_nothing(text):
            return self.accept({"disability_text": "没有"})
        category, grade = parsing.disability(text)
        if self.too_long(text) or (category is None and grade is None):
            return self.reject(dispatcher, tracker, "disability_text", "utter_invalid_disability")
        return self.accept({"disability_text": text})


async def build_household(tracker: Tracker) -> dict[str, Any]:
    """The prescreen body: members with ages, incomes, spending and where they live."""
    size = int(tracker.get_slot("household_size") or 1)
    ages = parsing.ages(tracker.get_slot("member_ages") or "")
    count = max(size, len(ages), 1)
    members = []
    for index in range(count):
        member = household.blank_member("本人" if index == 0 else "其他")
        member["age"] = ages[index] if index < len(ages) else None
        member["incomes"] = []
        members.append(member)
    disability_text = tracker.get_slot("disability_text") or ""
    category, grade = parsing.disability(disability_text)
    if category or grade:
        relation = parsing.relation(disability_text)
        target = members[1] if relation not in (None, "本人") and len(members) > 1 else members[0]
        target["disability_category"] = category
        target["disability_grade"] = grade
    income_text = tracker.get_slot("income_text") or ""
    if income_text:
        parsed = await household.parse("income", income_text, members)
        members, named = household.with_incomes(members, parsed)
        spare = [m for m in members[1:] if not m["incomes"]]
        for extra in named:  # "老伴每月一千": the next member of the stated size, else one more
            target = spare.pop(0) if spare else household.blank_member("其他")
            if not any(target is member for member in members):
                members.append(target)
            target["incomes"] = household.with_incomes([extra], {"members": [extra]})[0][0][
                "incomes"
            ]
    expenses_text = tracker.get_slot("expenses_text") or ""
    expenditures = (
        household.expenditures(await household.parse("expenses", expenses_text))
        if expenses_text
        else []
    )
    return {
        "members": members,
        "property": [],
        "expenditures": expenditures,
        "hukou_township_code": township_code(tracker.get_slot("hukou_township")),
        "residence_township_code": township_code(tracker.get_slot("residence_township")),
    }


class ActionPrescreen(Action):
    def name(self) -> str:
        return "action_prescreen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        done = reset_slots(FORM_SLOTS["prescreen_form"])
        try:
            result = await api_client.get_client().prescreen(await build_household(tracker))
        except api_client.ApiError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return [*done, SlotSet("offer", None)]
        by_verdict: dict[str, list[dict[str, Any]]] = {"likely": [], "possible": [], "unlikely": []}
        for verdict in result.get("verdicts") or []:
            if verdict.get("verdict") in by_verdict and verdict.get("program"):
                by_verdict[str(verdict["verdict"])].append(verdict)
        for kind in ("likely", "possible"):
            for verdict in by_verdict[kind]:
                reasons = verdict_text.reasons_text(verdict)
                dispatcher.utter_message(
                    response=VERDICT_RESPONSES[kind], program_label=_label(verdict), reasons=reasons
                )
        if by_verdict["unlikely"]:
            # One line for the rest, each program with why it is 暂不符合
            labels = verdict_text.unlikely_lines(by_verdict["unlikely"])
            dispatcher.utter_message(response="utter_verdicts_unlikely", program_labels=labels)
        # Offer the likely programs; if none is likely, the possible ones.
        chosen = by_verdict["likely"] or by_verdict["possible"]
        candidates = [str(verdict["program"]) for verdict in chosen]
        if not candidates:
            dispatcher.utter_message(response="utter_prescreen_nothing_likely")
            return [*done, SlotSet("offer", None)]
        dispatcher.utter_message(response="utter_offer_apply")
        return [*done, SlotSet("programs", candidates), SlotSet("offer", "apply")]
