"""HTTP API for eligibility pre-screening (anyone may call it; nothing is stored or logged).

- ``POST /api/eligibility/prescreen``: a household (the application body shape) → verdicts per
  program with cited reasons and materials, plus the standards used.
- ``GET /api/eligibility/standards?region=&on=``: the standards in force for a township or the
  district on a day (default the app clock's today, Beijing time).
- ``GET /api/eligibility/standards/proposal?consumption=&share=``: a proposed 低保 standard.
- ``GET /api/eligibility/rules?on=``: the rule table in force (conditions, citations, materials).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from huimin import townships
from workflows.clock import local_today
from workflows.deps import ClockDep, SettingsDep
from workflows.eligibility.engine import prescreen, standards_used_view
from workflows.eligibility.rules import load_rules, rule_view
from workflows.eligibility.schemas import HouseholdIn, PrescreenResult, StandardsUsed
from workflows.eligibility.standards import (
    PLAN_SHARE_MAX,
    PLAN_SHARE_MIN,
    StandardsError,
    load_standards,
    propose_dibao_standard,
)

router = APIRouter(prefix="/api/eligibility", tags=["eligibility"])


def _unprocessable(loc: list[str], message: str, kind: str = "value_error") -> HTTPException:
    return HTTPException(status_code=422, detail=[{"loc": loc, "msg": message, "type": kind}])


def _day(
    clock: ClockDep,
    on: Annotated[str | None, Query(description="日期 YYYY-MM-DD,默认今天")] = None,
) -> dt.date:
    """The day asked for, or the app clock's today in the district."""
    if not on:
        return local_today(clock)
    try:
        return dt.date.fromisoformat(on)
    except ValueError:
        raise _unprocessable(["query", "on"], "日期格式应为 YYYY-MM-DD", "date_parsing") from None


DayDep = Annotated[dt.date, Depends(_day)]


@router.post("/prescreen", response_model=PrescreenResult, summary="资格预审")
def prescreen_household(
    household: HouseholdIn, settings: SettingsDep, day: DayDep
) -> PrescreenResult:
    """Verdicts per program for the household, on the standards in force on day ``on``."""
    try:
        return prescreen(
            household, on=day, standards=load_standards(settings), rules=load_rules(settings)
        )
    except StandardsError as exc:
        raise _unprocessable(["query", "on"], str(exc), "standards") from None


def _region_code(raw: str | None) -> str | None:
    if raw is None or raw.strip() in ("", townships.DISTRICT_CODE, townships.DISTRICT_NAME):
        return None
    value = raw.strip()
    if value in (f"{townships.DISTRICT_CODE}:urban", f"{townships.DISTRICT_CODE}:rural"):
        return value
    township = townships.from_text(value)
    if township is None:
        raise _unprocessable(
            ["query", "region"], "未知的地区:请填写富阳区的乡镇(街道)名称或12位代码", "region"
        )
    return township.code


@router.get("/standards", response_model=StandardsUsed, summary="查询救助标准")
def get_standards(
    settings: SettingsDep,
    day: DayDep,
    region: Annotated[str | None, Query(description="乡镇(街道)代码或名称;留空为全区")] = None,
) -> StandardsUsed:
    code = _region_code(region)
    try:
        return standards_used_view(load_standards(settings).resolve(code, day))
    except StandardsError as exc:
        raise _unprocessable(["query", "on"], str(exc), "standards") from None


@router.get("/standards/proposal", summary="按区规划测算低保标准")
def propose_standard(
    settings: SettingsDep,
    day: DayDep,
    share: Annotated[str, Query(description="比例,0.30–0.50")],
    consumption: Annotated[
        str | None, Query(description="上年城镇常住居民人均消费支出(元/年);留空用配置值")
    ] = None,
) -> dict[str, Any]:
    try:
        share_value = Decimal(share)
        if not share_value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise _unprocessable(["query", "share"], "比例应为数字,如0.4", "decimal_parsing") from None
    sample = False
    if consumption is None:
        resolved = load_standards(settings).resolve(None, day)
        if resolved.urban_consumption_annual is None:
            raise _unprocessable(["query", "consumption"], "请填写上年城镇常住居民人均消费支出")
        basis = resolved.urban_consumption_annual
        sample = resolved.is_sample("urban_consumption_annual")
    else:
        try:
            basis = Decimal(consumption)
            if not basis.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise _unprocessable(
                ["query", "consumption"], "人均消费支出应为数字", "decimal_parsing"
            ) from None
    try:
        monthly = propose_dibao_standard(basis, share_value)
    except StandardsError as exc:
        field = "share" if not PLAN_SHARE_MIN <= share_value <= PLAN_SHARE_MAX else "consumption"
        raise _unprocessable(["query", field], str(exc)) from None
    return {
        "urban_consumption_annual": float(basis),
        "share": float(share_value),
        "proposed_monthly_per_person": float(monthly),
        "sample": sample,
        "basis": "区规划:每年按不低于上年城镇常住居民人均消费支出的30%–50%动态调整",
    }


@router.get("/rules", summary="查询预审规则表")
def get_rules(settings: SettingsDep, day: DayDep) -> list[dict[str, Any]]:
    """The rules in force on a day: each condition with its parameters and its citation."""
    table = load_rules(settings)
    return [rule_view(rule, table) for rule in table.rules_on(day)]
