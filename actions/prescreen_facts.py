"""A question that carries facts gets a verdict at once ("我爸今年82,高龄补贴能领吗").

``action_prescreen_facts`` runs for ``check_eligibility`` and for ``inform`` outside a form. With
facts it sends the household they describe to ``POST /api/eligibility/prescreen``, answers with
the verdicts (the programs asked about first) and their reasons, the next step, and pre-fills the
pre-screening form with what was said. Without facts the pre-screening form starts (slot
``prescreen_route``: ``form``), or, for an ``inform`` that says nothing usable, the main choices.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client, facts, household, parsing
from actions.common import latest_intent, latest_text
from actions.facts import QuestionFacts

ROUTE_SLOT = "prescreen_route"
MAX_OTHER_PROGRAMS = 3
_PARENT = {"父亲", "母亲", "爷爷", "奶奶", "外公", "外婆"}


def _member_for(members: list[dict[str, Any]], relation: str | None) -> dict[str, Any]:
    """The member of that relation (added when missing); the person asked about when none."""
    if relation in (None, "本人"):
        return members[0]
    for member in members[1:]:
        if member["relation"] == relation:
            return member
    member = household.blank_member(relation)
    member.update(age=None, incomes=[])
    members.append(member)
    return member


def household_from_facts(found: QuestionFacts, text: str) -> dict[str, Any]:
    """The prescreen body the facts describe; the person asked about is the applicant (本人)."""
    members: list[dict[str, Any]] = []
    clauses = [c for c in re.split(r"[,，;；、。!！?？]", text) if facts.ages(c)]
    for index, age in enumerate(found.ages):
        relation = (
            None if index == 0 else parsing.relation(clauses[index] if index < len(clauses) else "")
        )
        member = household.blank_member("本人" if index == 0 else (relation or "其他"))
        member.update(age=age, incomes=[])
        members.append(member)
    if not members:
        members.append({**household.blank_member("本人"), "age": None, "incomes": []})
    if found.disability_category or found.disability_grade:
        relation = None if found.subject else found.disability_relation
        target = _member_for(members, relation)
        target["disability_category"] = found.disability_category
        target["disability_grade"] = found.disability_grade
    if found.ill:
        _member_for(members, None if found.subject else found.ill_relation)["serious_illness"] = (
            True
        )
    if found.alone:
        members = members[:1]
    size = found.household_size or 0
    while len(members) < size:
        members.append({**household.blank_member("其他"), "age": None, "incomes": []})
    code = found.township.code if found.township else None
    return {
        "members": members,
        "property": [],
        "expenditures": [],
        "hukou_township_code": code,
        "residence_township_code": code,
    }


def described(found: QuestionFacts, body: dict[str, Any]) -> str:
    """What was understood, in the resident's words: "本人82岁;独自生活;住春江街道"."""
    parts = []
    who = found.subject or "本人"
    if found.ages:
        parts.append(f"{who}{found.ages[0]}岁")
        parts += [
            f"{m['relation']}{m['age']}岁" for m in body["members"][1:] if m.get("age") is not None
        ]
    if found.alone:
        parts.append("独自生活")
    elif found.household_size:
        parts.append(f"家里{found.household_size}口人")
    for member in body["members"]:
        if member.get("disability_category") or member.get("disability_grade"):
            relation = who if member is body["members"][0] else member["relation"]
            grade = f"{member['disability_grade']}级" if member.get("disability_grade") else ""
            parts.append(f"{relation}{member.get('disability_category') or ''}残疾{grade}")
        if member.get("serious_illness"):
            relation = who if member is body["members"][0] else member["relation"]
            parts.append(f"{relation}患重病")
    income = sum(
        float(income["monthly_amount"])
        for m in body["members"]
        for income in m.get("incomes") or []
    )
    if income:
        parts.append(f"月收入约{income:g}元")
    spending = sum(float(item["annual_amount"]) for item in body["expenditures"])
    if spending:
        parts.append(f"一年必需支出约{spending:g}元")
    if found.township:
        parts.append(f"住{found.township.name}")
    return ";".join(parts)


def prefilled_slots(found: QuestionFacts, text: str, body: dict[str, Any]) -> list[EventType]:
    """The pre-screening form's answers already given, so it does not ask them again."""
    events: list[EventType] = []
    size = found.household_size or (len(body["members"]) if len(found.ages) > 1 else None)
    if size:
        events.append(SlotSet("household_size", str(size)))
    if found.ages and size:
        events.append(SlotSet("member_ages", "，".join(f"{age}岁" for age in found.ages)))
    if found.disability_category or found.disability_grade:
        events.append(SlotSet("disability_text", text))
    if found.mentions_income:
        events.append(SlotSet("income_text", facts.without_ages(text)))
    if found.mentions_spending:
        events.append(SlotSet("expenses_text", text))
    if found.township:
        events.append(SlotSet("residence_township", found.township.name))
    return events


def _reasons(verdict: dict[str, Any]) -> str:
    return "；".join(str(reason.get("text")) for reason in verdict.get("reasons") or [] if reason)


def _label(verdict: dict[str, Any]) -> str:
    return str(verdict.get("program_label") or verdict.get("program"))


class ActionPrescreenFacts(Action):
    def name(self) -> str:
        return "action_prescreen_facts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker).strip()
        entities = list((tracker.latest_message or {}).get("entities") or [])
        found = facts.read("" if text.startswith("/") else text, entities)
        if not found.any():
            if latest_intent(tracker) == "inform":
                dispatcher.utter_message(response="utter_default")
                return [SlotSet(ROUTE_SLOT, "none")]
            return [SlotSet(ROUTE_SLOT, "form")]
        body = household_from_facts(found, text)
        try:
            if found.mentions_income:
                parsed = await household.parse("income", facts.without_ages(text), body["members"])
                body["members"], _ = household.with_incomes(body["members"], parsed)
            if found.mentions_spending:
                body["expenditures"] = household.expenditures(
                    await household.parse("expenses", text)
                )
            result = await api_client.get_client().prescreen(body)
        except api_client.ApiError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return [SlotSet(ROUTE_SLOT, "none")]
        dispatcher.utter_message(response="utter_facts_heard", facts=described(found, body))
        verdicts = [v for v in result.get("verdicts") or [] if v.get("program")]
        asked = [v for v in verdicts if v["program"] in found.programs]
        others = [v for v in verdicts if v["program"] not in found.programs]
        for verdict in asked:
            kind = str(verdict.get("verdict"))
            response = {
                "likely": "utter_verdict_likely",
                "possible": "utter_verdict_possible",
            }.get(kind, "utter_verdict_unlikely_one")
            dispatcher.utter_message(
                response=response, program_label=_label(verdict), reasons=_reasons(verdict)
            )
        shown = [v for v in others if v.get("verdict") == "likely"]
        if not asked:
            shown += [v for v in others if v.get("verdict") == "possible"]
        for verdict in shown[:MAX_OTHER_PROGRAMS]:
            response = (
                "utter_verdict_likely"
                if verdict["verdict"] == "likely"
                else "utter_verdict_possible"
            )
            dispatcher.utter_message(
                response=response, program_label=_label(verdict), reasons=_reasons(verdict)
            )
        candidates = [
            str(v["program"])
            for v in [*asked, *shown[:MAX_OTHER_PROGRAMS]]
            if v.get("verdict") in ("likely", "possible")
        ]
        prefill = prefilled_slots(found, text, body)
        if not candidates:
            dispatcher.utter_message(response="utter_facts_next_prescreen")
            return [*prefill, SlotSet(ROUTE_SLOT, "verdict"), SlotSet("offer", "prescreen")]
        dispatcher.utter_message(response="utter_facts_next_apply")
        return [
            *prefill,
            SlotSet("programs", candidates),
            SlotSet(ROUTE_SLOT, "verdict"),
            SlotSet("offer", "apply"),
        ]
