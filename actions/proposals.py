"""The "一件事" proposal: once the household is in, the other programs it may qualify for.

The application's household goes to ``POST /api/eligibility/prescreen``; the programs that come
out likely or possible and are not chosen yet are offered, each with one line of reason.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions import api_client, household
from actions.application_submit import members_with_incomes
from actions.form_base import township_code

OFFERED = ("likely", "possible")
MAX_OFFERS = 4


async def application_household(tracker: Tracker) -> dict[str, Any]:
    """The prescreen body of the application so far (raises api_client.ApiError)."""
    property_text = tracker.get_slot("property_text") or ""
    expenses_text = tracker.get_slot("expenses_text") or ""
    members = [
        {key: value for key, value in member.items() if key != "name"}
        for member in await members_with_incomes(tracker)
    ]
    return {
        "members": members,
        "property": household.property_items(await household.parse("property", property_text))
        if property_text
        else [],
        "expenditures": household.expenditures(await household.parse("expenses", expenses_text))
        if expenses_text
        else [],
        "hukou_township_code": township_code(tracker.get_slot("hukou_township")),
        "residence_township_code": township_code(tracker.get_slot("residence_township")),
        "has_residence_permit": bool(tracker.get_slot("has_residence_permit")),
    }


def one_reason(verdict: dict[str, Any]) -> str:
    """The reason that speaks for the program (a criterion met), else the first one."""
    reasons = [r for r in verdict.get("reasons") or [] if r and r.get("text")]
    met = [r for r in reasons if r.get("outcome") == "met"]
    chosen = (met or reasons)[:1]
    return str(chosen[0]["text"]) if chosen else ""


async def offers(tracker: Tracker, chosen: list[str]) -> list[dict[str, str]]:
    """[{program, label, verdict, reason}] not in ``chosen``; [] when the API cannot answer."""
    try:
        result = await api_client.get_client().prescreen(await application_household(tracker))
    except api_client.ApiError:
        return []
    found = []
    for verdict in result.get("verdicts") or []:
        program = str(verdict.get("program") or "")
        if program and program not in chosen and verdict.get("verdict") in OFFERED:
            found.append(
                {
                    "program": program,
                    "label": str(verdict.get("program_label") or program),
                    "verdict": str(verdict["verdict"]),
                    "reason": one_reason(verdict),
                }
            )
    found.sort(key=lambda offer: OFFERED.index(offer["verdict"]))
    return found[:MAX_OFFERS]


def offers_text(items: list[dict[str, str]]) -> str:
    marks = {"likely": "✅", "possible": "🔶"}
    return "\n".join(
        f"{marks.get(item['verdict'], '·')} {item['label']}:{item['reason']}" for item in items
    )


def buttons(items: list[dict[str, str]]) -> list[dict[str, str]]:
    rows = [
        {"title": f"加上{item['label']}", "payload": f'/inform{{"program": "{item["program"]}"}}'}
        for item in items
    ]
    if len(items) > 1:
        rows.append({"title": "都加上", "payload": "/affirm"})
    rows.append({"title": "不用了", "payload": "/deny"})
    return rows
