"""``POST /api/household/parse``: a resident's words -> household facts (internal token or staff).

Nothing is stored or logged; the dialogue (actions/) calls it for incomes, property, members and
spending so that amounts and attribution are read in one place (:mod:`workflows.household.parsing`).
"""

from __future__ import annotations

from fastapi import APIRouter

from workflows.auth.deps import AnyCaller
from workflows.household import parsing
from workflows.household.enums import INCOME_LABELS, IncomeKind
from workflows.household.schemas import ParseField, ParseIn, ParseOut

router = APIRouter(prefix="/api/household", tags=["household"])

HINTS = {
    ParseField.INCOME: "没有看出收入金额,请说明谁、什么收入、每月多少,例如“老伴退休金每月两千”",
    ParseField.PROPERTY: (
        "没有看出财产情况,请说明存款多少、有没有车、房子几套,例如“存款一万,只有一套自住房”"
    ),
    ParseField.EXPENSES: "没有看出支出金额,请说明什么支出、一年多少,例如“看病一年花了三万”",
    ParseField.MEMBERS: "没有看出家庭成员,请说明关系、姓名和身份证号码",
    ParseField.WHO: "没有看出是哪位家人,请说关系或姓名,例如“老伴的”“我自己的”“两个人都有”",
    ParseField.ILLNESS: (
        "没有看出谁生了什么病,请说明是哪位家人、什么病,例如“老伴尿毒症”;没有就说“没有”"
    ),
}


def parse(body: ParseIn) -> ParseOut:
    known = [member.model_dump(mode="json") for member in body.members]
    if body.field is ParseField.INCOME:
        result = parsing.incomes(body.text, known)
    elif body.field is ParseField.PROPERTY:
        result = parsing.property_items(body.text)
    elif body.field is ParseField.EXPENSES:
        result = parsing.expenditures(body.text)
    elif body.field is ParseField.ILLNESS:
        result = parsing.illnesses(body.text, known)
    elif body.field is ParseField.WHO:
        result = parsing.who(body.text, known)
    else:
        result = parsing.member(body.text)
    understood = (
        result.understood() if body.field is not ParseField.MEMBERS else not (result.not_understood)
    )
    problems = list(result.not_understood)
    if not understood and body.field is not ParseField.MEMBERS:
        problems.append(HINTS[body.field])
    members = []
    for member in result.members:
        incomes = [
            {
                **income,
                "kind_label": INCOME_LABELS[IncomeKind(income["kind"])],
                "exempt": IncomeKind(income["kind"]).exempt,
            }
            for income in member.get("incomes") or []
        ]
        members.append({**member, "incomes": incomes})
    return ParseOut.model_validate(
        {
            "field": body.field,
            "understood": understood,
            "nothing": result.nothing,
            "members": members,
            "property": result.property,
            "expenditures": result.expenditures,
            "not_understood": problems,
        }
    )


@router.post("/parse", response_model=ParseOut, summary="解析居民填写的家庭情况")
def parse_household_text(body: ParseIn, _: AnyCaller) -> ParseOut:
    """Incomes per member, property, members or spending read from the resident's text."""
    return parse(body)
