"""The household of an application: from the registry ("一证通办") or member by member."""

from __future__ import annotations

import re
from typing import Any

from actions import api_client
from huimin.idcard import mask
from huimin.townships import by_code

RELATIONS = ("本人", "配偶", "子女", "父母", "其他")  # the API's relation words (docs/API.md)
_ID_RUN = re.compile(r"[0-9０-９]{15,17}[0-9０-９XxＸｘ]")
MEMBER_KEYS = (
    "relation",
    "name",
    "id_number",
    "disability_category",
    "disability_grade",
    "serious_illness",
    "in_school",
)


def blank_member(relation: str, id_number: str | None = None) -> dict[str, Any]:
    return {
        "relation": relation,
        "name": None,
        "id_number": id_number,
        "disability_category": None,
        "disability_grade": None,
        "serious_illness": False,
        "in_school": False,
    }


def members_from_registry(household: dict[str, Any], applicant_id: str) -> list[dict[str, Any]]:
    """Registry members with the applicant first and marked 本人."""
    members = []
    for raw in household.get("members") or []:
        member = blank_member(str(raw.get("relation") or "其他"), raw.get("id_number"))
        member.update({key: raw.get(key, member[key]) for key in MEMBER_KEYS if key in raw})
        if member["id_number"] == applicant_id:
            member["relation"] = "本人"
        members.append(member)
    applicant = [m for m in members if m["relation"] == "本人"]
    others = [m for m in members if m["relation"] != "本人"]
    if not applicant:
        applicant = [blank_member("本人", applicant_id)]
    return applicant[:1] + others


class NotVerifiedError(Exception):
    """The API refused the lookup: this conversation has no live verification for the ID."""


async def lookup(id_number: str, subject: str) -> dict[str, Any] | None:
    """The registry household of this ID for the verified conversation ``subject``, or None.

    Only call it once ``subject`` is verified for ``id_number`` (actions/identity_check.py);
    the API refuses (403, :class:`NotVerifiedError`) otherwise and audits every lookup.
    """
    try:
        result = await api_client.get_client().registry_household(id_number, subject)
    except api_client.ApiRejectedError as error:
        if error.status_code == 403:
            raise NotVerifiedError(error.message) from error
        return None
    if not result.get("found") or not result.get("household"):
        return None
    household: dict[str, Any] = result["household"]
    return household


def hukou_name(household: dict[str, Any]) -> str | None:
    township = by_code(str(household.get("hukou_township_code") or ""))
    return township.name if township else None


def describe(members: list[dict[str, Any]]) -> str:
    """One line per member for the resident to check: 本人 张三(330183********0211)."""
    lines = []
    for member in members:
        if member.get("pending_text"):
            typed = _ID_RUN.sub(lambda m: mask(m.group(0)), str(member["pending_text"]))
            lines.append(f"(待识别)“{typed}”")
            continue
        line = f"{member.get('relation') or ''} {member.get('name') or ''}".strip()
        if member.get("id_number"):
            line += f"({mask(str(member['id_number']))})"
        category, grade = member.get("disability_category"), member.get("disability_grade")
        if category or grade:
            line += f" {category or ''}残疾{grade or ''}级"
        if member.get("serious_illness"):
            line += " 患重病"
        if member.get("in_school"):
            line += " 在读"
        lines.append(line)
    return "\n".join(lines)


async def parse(
    field: str, text: str, members: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The API's reading of the resident's words (POST /api/household/parse).

    Raises :class:`api_client.ApiError`; callers keep the raw text when the API is unavailable
    and read it again at submission.
    """
    known = [
        {"relation": m["relation"] if m["relation"] in RELATIONS else "其他", "name": m.get("name")}
        for m in members or []
        if m.get("relation")
    ]
    return await api_client.get_client().parse_household(field, text, known)


def with_incomes(
    members: list[dict[str, Any]], parsed: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``members`` with the parsed incomes of each (same order), and the parsed members the
    household does not have (a relation named in the text but never entered)."""
    answered = iter(parsed.get("members") or [])
    result = []
    for member in members:
        entry = dict(member)
        if member.get("relation"):  # the ones sent (see parse); pending entries are not
            found: dict[str, Any] = next(answered, {})
            entry["incomes"] = [
                {"kind": income["kind"], "monthly_amount": income["monthly_amount"]}
                for income in found.get("incomes") or []
            ]
        result.append(entry)
    unknown = [m for m in answered if m.get("incomes")]
    return result, unknown


def pending_member(text: str) -> dict[str, Any]:
    """A member typed while the API was unavailable: the words are kept, read at submission."""
    return {**blank_member(""), "relation": None, "pending_text": text}


async def resolve_pending(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Members typed while the API was unavailable, read now (raises api_client.ApiError)."""
    resolved = []
    for member in members:
        if member.get("pending_text"):
            parsed = await parse("members", str(member["pending_text"]))
            found = (parsed.get("members") or [{}])[0]
            member = blank_member(str(found.get("relation") or "其他"))
            member.update({key: found.get(key, member[key]) for key in MEMBER_KEYS})
        resolved.append(member)
    return resolved


def property_items(parsed: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"kind": item["kind"], "value": item["value"], "note": item.get("note") or ""}
        for item in parsed.get("property") or []
    ]


def expenditures(parsed: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"kind": item["kind"], "annual_amount": item["annual_amount"]}
        for item in parsed.get("expenditures") or []
    ]
