"""Predicates of the elder-care rules (``data/eldercare_rules.yaml``), registered in the same
table as :mod:`workflows.eligibility.predicates` (imported by the rules loader).

Low-income status counts when it is already confirmed (``confirmed_programs``: 持证) or when this
pre-screening finds the family likely to qualify; "possible" stays "needs verification".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from huimin.programs import Program
from workflows.eligibility.facts import MemberFacts
from workflows.eligibility.predicates import SAMPLE_TAG, Context, Result, predicate, yuan
from workflows.eligibility.schemas import Outcome
from workflows.household.enums import NEEDS_LEVEL_LABELS

LOW_INCOME = (Program.TEKUN, Program.DIBAO, Program.DIBAO_EDGE)


def _status(ctx: Context, programs: tuple[Program, ...] | list[Program]) -> tuple[Outcome, str]:
    """("met"|"unknown"|"not_met", phrase) for being in one of `programs`."""
    confirmed = [p for p in programs if p in ctx.facts.confirmed]
    if confirmed:
        return "met", f"已认定为{confirmed[0].label}"
    likely = [p for p in programs if ctx.verdicts.get(p) == "likely"]
    if likely:
        return "met", f"家庭可能符合{likely[0].label}(以认定为准)"
    possible = [p for p in programs if ctx.verdicts.get(p) == "possible"]
    if possible:
        return "unknown", f"需先核实是否符合{possible[0].label}"
    return "not_met", "、".join(p.label for p in programs)


def _programs(params: dict[str, Any]) -> list[Program]:
    return [Program(p) for p in params.get("programs", [p.value for p in LOW_INCOME])]


def _frailties(member: MemberFacts, very_old_age: int) -> list[str]:
    """高龄, 失能, 失智, 残疾 as declared."""
    found = []
    if member.age is not None and member.age >= very_old_age:
        found.append(f"高龄({member.age}岁)")
    if member.needs_level is not None and member.needs_level >= 1:
        found.append(NEEDS_LEVEL_LABELS[member.needs_level])
    if member.dementia:
        found.append("失智")
    if member.disabled:
        found.append(member.disability)
    return found


@predicate("assistance_status_in")
def assistance_status_in(ctx: Context, params: dict[str, Any]) -> Result:
    """The family is (or likely is) 特困/低保/低保边缘: "经济困难" in the elder-care rules."""
    outcome, phrase = _status(ctx, _programs(params))
    if outcome == "not_met":
        return Result("not_met", f"家庭暂不属于{phrase}")
    return Result(outcome, phrase)


@predicate("needs_level_at_least")
def needs_level_at_least(ctx: Context, params: dict[str, Any]) -> Result:
    """GB/T 42195-2022 level (0 能力完好 … 4 完全失能) at least ``min_level``."""
    member = ctx.need_member()
    wanted = int(params["min_level"])
    level = member.needs_level
    if level is None:
        hint = "(已说明有失智情况,评估时会计入精神状态)" if member.dementia else ""
        return Result(
            "unknown",
            f"{member.label}尚无老年人能力评估结果,需先评估是否达到"
            f"{NEEDS_LEVEL_LABELS[wanted]}及以上{hint}",
        )
    if level >= wanted:
        return Result("met", f"{member.label}能力评估为{NEEDS_LEVEL_LABELS[level]}")
    return Result(
        "not_met",
        f"{member.label}能力评估为{NEEDS_LEVEL_LABELS[level]},未达到{NEEDS_LEVEL_LABELS[wanted]}",
    )


@predicate("special_difficulty_elder")
def special_difficulty_elder(ctx: Context, params: dict[str, Any]) -> Result:
    """[ZC]: 低保/特困/低保边缘 elders, and elders who are 独居/空巢, 失能, 残疾 or 高龄."""
    member = ctx.need_member()
    reasons = _frailties(member, int(params.get("very_old_age", 80)))
    if member.lives_alone:
        reasons.insert(0, "独居或空巢")
    outcome, phrase = _status(ctx, _programs(params))
    if outcome == "met":
        reasons.insert(0, phrase)
    if reasons:
        return Result("met", f"{member.label}属于特殊困难老年人:{'、'.join(reasons)}")
    if outcome == "unknown":
        return Result("unknown", phrase)
    return Result(
        "not_met",
        f"{member.label}未见低保、特困、低保边缘、独居空巢、失能、残疾或高龄情形,"
        "可在老年食堂按普通老人价格就餐",
    )


@predicate("adaptation_target")
def adaptation_target(ctx: Context, params: dict[str, Any]) -> Result:
    """[SLH]/[SLH22]: core group 分散供养特困 elders who are 高龄/失能/残疾; where conditions allow,
    低保 elders who are 高龄/失能/留守/空巢/残疾 (a local decision)."""
    member = ctx.need_member()
    frail = _frailties(member, int(params.get("very_old_age", 80)))
    tekun, tekun_phrase = _status(ctx, [Program.TEKUN])
    if tekun == "met" and frail:
        return Result(
            "met",
            f"{tekun_phrase},且{'、'.join(frail)}:属于分散供养特困人员的适老化改造对象"
            "(集中供养的不需居家改造)",
        )
    dibao, dibao_phrase = _status(ctx, [Program.DIBAO])
    extended = frail + (["独居或空巢"] if member.lives_alone else [])
    if (dibao == "met" or tekun == "unknown" or dibao == "unknown") and extended:
        base = dibao_phrase if dibao != "not_met" else tekun_phrase
        return Result(
            "unknown",
            f"{base},且{'、'.join(extended)}:各地可将低保家庭纳入改造对象,需当地确认",
        )
    if not extended:
        return Result("not_met", f"{member.label}未见高龄、失能、残疾或独居空巢情形")
    return Result(
        "not_met",
        "不属于政府补贴的特殊困难老年人家庭(特困、低保);可自愿自费改造",
    )


@predicate("admission_priority")
def admission_priority(ctx: Context, params: dict[str, Any]) -> Result:
    """兜底 admission: 特困 may choose 集中供养 ([SJ] art. 19); other low-income elders in need are
    prioritised by the plan ([PLAN]) under local waiting rules (not found)."""
    member = ctx.need_member()
    tekun, tekun_phrase = _status(ctx, [Program.TEKUN])
    if tekun == "met":
        return Result("met", f"{tekun_phrase}:可自愿选择到当地供养服务机构集中供养(不收费)")
    low, low_phrase = _status(ctx, [Program.DIBAO, Program.DIBAO_EDGE])
    level = member.needs_level
    needy = (level is not None and level >= int(params.get("min_level", 2))) or bool(
        member.dementia
    )
    if low != "not_met" or tekun == "unknown":
        phrase = low_phrase if low != "not_met" else tekun_phrase
        need = "且失能或失智," if needy else ""
        return Result(
            "unknown",
            f"{phrase},{need}属于优先保障的特殊困难老人;轮候和入住评估规则以当地为准",
        )
    return Result("not_met", "不属于特困、低保或低保边缘老人,可按市场价格自费入住养老机构")


@predicate("local_scheme_pending")
def local_scheme_pending(ctx: Context, params: dict[str, Any]) -> Result:
    """A scheme whose local rules were not found: never better than "needs verification"."""
    return Result("unknown", str(params["text"]))


@predicate("note")
def note(ctx: Context, params: dict[str, Any]) -> Result:
    """A fixed line for the resident (use with ``info: true``)."""
    return Result("info", str(params["text"]))


def _figure(ctx: Context, name: str) -> tuple[dict[str, Any] | None, str]:
    figure = ctx.standards.figures.get(name)
    if figure is None or not isinstance(figure.value, dict):
        return None, ""
    return figure.value, SAMPLE_TAG if figure.sample else ""


@predicate("meal_subsidy_info")
def meal_subsidy_info(ctx: Context, params: dict[str, Any]) -> Result:
    value, tag = _figure(ctx, "elder_meal_subsidy")
    if value is None:
        return Result("info", "助餐补贴按老人类别差异化确定,金额以当地公布为准;助餐是有偿服务")
    special = yuan(Decimal(str(value.get("special_per_meal", 0))))
    other = yuan(Decimal(str(value.get("other_per_meal", 0))))
    return Result(
        "info",
        f"助餐是有偿服务,补贴按类别不同:特殊困难老人每餐约补 {special},其他老人约 {other}{tag}",
    )


@predicate("consumption_subsidy_info")
def consumption_subsidy_info(ctx: Context, params: dict[str, Any]) -> Result:
    value, tag = _figure(ctx, "care_consumption_subsidy")
    if value is None:
        return Result("info", "补贴以电子消费券按月发放,当月有效;金额以通知为准")
    top = yuan(Decimal(str(value.get("max_monthly", 0))))
    home = int(Decimal(str(value.get("home_share", 0))) * 100)
    inst = int(Decimal(str(value.get("institution_share", 0))) * 100)
    return Result(
        "info",
        f"经“民政通”平台申请,按月发放电子消费券(当月有效),每人每月最高 {top};"
        f"居家服务最多抵扣约{home}%、机构服务约{inst}%{tag};"
        "有长期护理保险的先由保险支付",
    )


@predicate("assessment_info")
def assessment_info(ctx: Context, params: dict[str, Any]) -> Result:
    member = ctx.need_member()
    levels = "、".join(NEEDS_LEVEL_LABELS)
    text = f"评估按 GB/T 42195-2022 分五级:{levels}"
    if member.needs_level is not None:
        text = (
            f"{member.label}已有评估结果“{NEEDS_LEVEL_LABELS[member.needs_level]}”,"
            f"情况变化可申请重新评估;{text}"
        )
    if member.dementia:
        text += ";失智(认知障碍)情况在“精神状态”一级指标中评估"
    return Result("info", text)
