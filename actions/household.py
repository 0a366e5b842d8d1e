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
    household does not have (a relation named in the text but never entered). An income the
    household gave as one figure (the API's ``household``) stays marked on the applicant."""
    answered = iter(parsed.get("members") or [])
    result = []
    for member in members:
        entry = dict(member)
        if member.get("relation"):  # the ones sent (see parse); pending entries are not
            found: dict[str, Any] = next(answered, {})
            entry["incomes"] = [
                {
                    "kind": income["kind"],
                    "monthly_amount": income["monthly_amount"],
                    **({"household": True} if income.get("household") else {}),
                }
                for income in found.get("incomes") or []
            ]
            entry.pop("own_income_monthly", None)  # asked again for the new incomes
        result.append(entry)
    unknown = [m for m in answered if m.get("incomes")]
    return result, unknown


# Incomes the household gave as one figure, whose owner was not found: kept on the applicant.
SHARED_INCOME_NOTE = "全家收入,未说明是哪位成员的"


def counted_members(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in members if m.get("relation")]


def has_shared_income(members: list[dict[str, Any]]) -> bool:
    """A household of two or more with an income given for all without naming whose it is."""
    real = counted_members(members)
    return len(real) > 1 and any(
        income.get("household") for m in real for income in m.get("incomes") or []
    )


def own_income_unknown(members: list[dict[str, Any]]) -> bool:
    """The applicant's own income is not known: a shared income sits on them, not asked yet."""
    applicant = next((m for m in members if m.get("relation") == "本人"), None)
    return (
        applicant is not None
        and applicant.get("own_income_monthly") is None
        and has_shared_income(members)
        and any(income.get("household") for income in applicant.get("incomes") or [])
    )


def named_members(members: list[dict[str, Any]], parsed: dict[str, Any]) -> list[int]:
    """Indexes in ``members`` of those the API's ``who`` answer names."""
    answered = iter(parsed.get("members") or [])
    named = []
    for index, member in enumerate(members):
        if member.get("relation"):
            found: dict[str, Any] = next(answered, {})
            if found.get("named"):
                named.append(index)
    return named


def attribute_shared(members: list[dict[str, Any]], owner: int) -> list[dict[str, Any]]:
    """The shared incomes moved to the member at ``owner``, no longer marked."""
    result = [dict(m, incomes=list(m.get("incomes") or [])) for m in members]
    moved = []
    for member in result:
        kept = []
        for income in member["incomes"]:
            if income.get("household"):
                moved.append({k: v for k, v in income.items() if k != "household"})
            else:
                kept.append(income)
        member["incomes"] = kept
    result[owner]["incomes"] += moved
    return result


def own_income(parsed: dict[str, Any]) -> float:
    """The applicant's own monthly income counted for 特困 from the API's reading of the answer
    (the kinds it marks ``exempt``, 基础养老金, 高龄津贴 …, are left out)."""
    total = 0.0
    for member in parsed.get("members") or []:
        if member.get("relation") == "本人":
            total += sum(
                float(income["monthly_amount"])
                for income in member.get("incomes") or []
                if not income.get("exempt")
            )
    return round(total, 2)


def with_own_income(members: list[dict[str, Any]], amount: float) -> list[dict[str, Any]]:
    return [
        dict(m, own_income_monthly=amount) if m.get("relation") == "本人" else dict(m)
        for m in members
    ]


def for_submission(member: dict[str, Any]) -> dict[str, Any]:
    """A member as the API takes it: a shared income keeps its note instead of the mark."""
    entry = dict(member)
    entry["incomes"] = [
        {
            "kind": income["kind"],
            "monthly_amount": income["monthly_amount"],
            **({"note": SHARED_INCOME_NOTE} if income.get("household") else {}),
        }
        for income in member.get("incomes") or []
    ]
    return entry


def yuan_text(amount: float) -> str:
    return f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"


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
        {
            "kind": item["kind"],
            "value": item["value"],
            "note": item.get("note") or "",
            "only_home": bool(item.get("only_home")),
        }
        for item in parsed.get("property") or []
    ]


PROPERTY_WORDS = {"deposit": "存款", "house": "房产", "vehicle": "车辆", "other": "其他财产"}


def describe_property(items: list[dict[str, Any]]) -> str:
    """The property as the resident reads it back: 唯一自住房 for the only home, not "0 元"."""
    parts = []
    for item in items:
        if item.get("only_home"):
            parts.append("唯一自住房")
            continue
        word = PROPERTY_WORDS.get(str(item.get("kind")), "其他财产")
        value = float(item.get("value") or 0)
        parts.append(f"{word} {yuan_text(value)}元" if value else f"{word}(价值未说)")
    return ";".join(parts) or "无"


def expenditures(parsed: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"kind": item["kind"], "annual_amount": item["annual_amount"]}
        for item in parsed.get("expenditures") or []
    ]
