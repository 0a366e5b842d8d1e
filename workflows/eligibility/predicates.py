"""Named predicates the rule table refers to.

Each predicate looks at the household facts, the standards in force and (for member-scoped rules)
one member, takes its parameters from the rule table, and answers an outcome (met / unknown /
not_met / info) with one line a resident can understand. Figures marked sample in the standards
are shown with "(示例值)".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from huimin import townships
from huimin.programs import Judged, Program
from workflows.eligibility.facts import HouseholdFacts, MemberFacts
from workflows.eligibility.schemas import Outcome
from workflows.eligibility.standards import ResolvedStandards
from workflows.household.enums import NEEDS_LEVEL_LABELS, ExcludedReason, Relation

SAMPLE_TAG = "(示例值)"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    text: str


@dataclass
class Context:
    facts: HouseholdFacts
    standards: ResolvedStandards
    verdicts: dict[Judged, str]  # verdicts of the programs evaluated so far
    member: MemberFacts | None = None

    def need_member(self) -> MemberFacts:
        if self.member is None:
            raise ValueError("this predicate is member-scoped")
        return self.member


Predicate = Callable[[Context, dict[str, Any]], Result]
PREDICATES: dict[str, Predicate] = {}


def predicate(name: str) -> Callable[[Predicate], Predicate]:
    def register(func: Predicate) -> Predicate:
        PREDICATES[name] = func
        return func

    return register


# Formatting -------------------------------------------------------------------------------------
def yuan(amount: Decimal) -> str:
    """1050 → "1,050 元"; 1050.5 → "1,050.50 元"."""
    rounded = amount.quantize(Decimal("0.01"))
    if rounded == rounded.to_integral_value():
        return f"{int(rounded):,} 元"
    return f"{rounded:,.2f} 元"


def _tag(ctx: Context, *names: str) -> str:
    return SAMPLE_TAG if ctx.standards.is_sample(*names) else ""


def _line(ctx: Context, line: str) -> tuple[Decimal, str]:
    """The monthly per-capita line named in the rule table, and how to say it."""
    s = ctx.standards
    if line == "dibao":
        return s.dibao, f"低保标准 {yuan(s.dibao)}{_tag(ctx, 'dibao_standard')}"
    if line == "edge":
        tag = _tag(ctx, "dibao_standard", "edge_multiplier")
        return s.edge_line, (
            f"低保边缘标准 {yuan(s.edge_line)}(低保标准的{s.edge_multiplier.normalize()}倍){tag}"
        )
    if line == "disposable":
        tag = _tag(ctx, "disposable_income_annual")
        return s.disposable_monthly, (
            f"上年度当地居民人均可支配收入折合每月 {yuan(s.disposable_monthly)}{tag}"
        )
    raise ValueError(f"unknown income line {line!r}")


def _income_phrase(ctx: Context, *, deduct: bool) -> tuple[Decimal | None, str]:
    facts = ctx.facts
    value = facts.per_capita if deduct else facts.per_capita_gross
    if value is None:
        return None, ""
    phrase = f"家庭人均月收入 {yuan(value)}"
    if deduct and facts.deductions > 0:
        phrase += f"(已扣除因病、因残刚性支出每月 {yuan(facts.deductions)})"
    return value, phrase


# Household composition and where to apply -------------------------------------------------------
@predicate("has_counted_members")
def has_counted_members(ctx: Context, params: dict[str, Any]) -> Result:
    facts = ctx.facts
    left_out = [m for m in facts.members if not m.counted]
    note = ""
    if left_out:
        reasons = "、".join(
            sorted({(m.excluded_reason or ExcludedReason.OTHER).label for m in left_out})
        )
        note = f";{len(left_out)}人不计入({reasons})"
    if facts.size == 0:
        return Result("not_met", "所有成员都属于不计入共同生活家庭成员的情形,无法按家庭计算" + note)
    return Result("met", f"计入共同生活的家庭成员{facts.size}人{note}")


@predicate("members_relations_clear")
def members_relations_clear(ctx: Context, params: dict[str, Any]) -> Result:
    facts = ctx.facts
    others = [m for m in facts.counted if m.relation == Relation.OTHER]
    if others:
        line, _ = _line(ctx, params.get("line", "dibao"))
        with_all, without = facts.per_capita, _per_capita_without_others(facts)
        same = (
            with_all is not None and without is not None and (with_all < line) == (without < line)
        )
        if same:
            return Result(
                "met",
                f"有{len(others)}位成员关系为“其他”;无论是否计入,本次收入判断结果相同",
            )
        return Result(
            "unknown",
            f"有{len(others)}位成员关系为“其他”,需核实是否与申请人有法定赡养、扶养或抚养义务"
            "并长期共同居住(是否计入会影响判断)",
        )
    return Result("met", "家庭成员关系清楚(本人、配偶、子女、父母),按共同生活家庭成员计算")


def _per_capita_without_others(facts: HouseholdFacts) -> Decimal | None:
    """Per-capita income (after deductions) if members related as "其他" were not counted."""
    others = [m for m in facts.counted if m.relation == Relation.OTHER]
    rest = facts.size - len(others)
    if not rest:
        return None
    income = facts.income - sum((m.income for m in others), Decimal(0))
    return max(income - facts.deductions, Decimal(0)) / rest


@predicate("per_capita_income_below_without_others")
def per_capita_income_below_without_others(ctx: Context, params: dict[str, Any]) -> Result:
    """The income test if the "其他" members turn out not to be household members ([DB] art. 7)."""
    line, line_text = _line(ctx, params.get("line", "dibao"))
    if not any(m.relation == Relation.OTHER for m in ctx.facts.counted):
        return Result("not_met", "没有关系为“其他”的成员")
    value = _per_capita_without_others(ctx.facts)
    if value is None or value >= line:
        return Result("not_met", f"不计入关系为“其他”的成员时,人均收入仍不低于{line_text}")
    return Result(
        "met",
        f"如关系为“其他”的成员不计入家庭成员,人均月收入 {yuan(value)},低于{line_text}",
    )


@predicate("applies_in_district")
def applies_in_district(ctx: Context, params: dict[str, Any]) -> Result:
    facts = ctx.facts
    if facts.hukou_township_code:
        name = townships.township_name(facts.hukou_township_code)
        return Result("met", f"户籍在{townships.DISTRICT_NAME}{name},可向户籍地乡镇(街道)申请")
    if facts.residence_township_code:
        name = townships.township_name(facts.residence_township_code)
        permit = "持有居住证," if facts.has_residence_permit else ""
        return Result(
            "unknown",
            f"户籍不在{townships.DISTRICT_NAME},{permit}可咨询在居住地{name}异地申请(需当地确认)",
        )
    return Result("unknown", "未填写户籍所在乡镇(街道),请向户籍地乡镇(街道)申请")


# Income -----------------------------------------------------------------------------------------
@predicate("per_capita_income_below")
def per_capita_income_below(ctx: Context, params: dict[str, Any]) -> Result:
    line_name = params.get("line", "dibao")
    line, line_text = _line(ctx, line_name)
    value, phrase = _income_phrase(ctx, deduct=line_name in ("dibao", "edge"))
    if value is None:
        return Result("not_met", "没有计入的家庭成员,无法计算人均收入")
    if value < line:
        return Result("met", f"{phrase},低于{line_text}")
    return Result("not_met", f"{phrase},不低于{line_text}")


@predicate("per_capita_income_in_band")
def per_capita_income_in_band(ctx: Context, params: dict[str, Any]) -> Result:
    low, low_text = _line(ctx, params.get("at_least", "dibao"))
    high, high_text = _line(ctx, params.get("below", "edge"))
    value, phrase = _income_phrase(ctx, deduct=True)
    if value is None:
        return Result("not_met", "没有计入的家庭成员,无法计算人均收入")
    if value < low:
        return Result("not_met", f"{phrase},低于{low_text},更符合低保(见低保一项)")
    if value >= high:
        return Result("not_met", f"{phrase},不低于{high_text}")
    return Result("met", f"{phrase},不低于{low_text}且低于{high_text}")


@predicate("own_income_below")
def own_income_below(ctx: Context, params: dict[str, Any]) -> Result:
    member = ctx.need_member()
    line, line_text = _line(ctx, params.get("line", "dibao"))
    phrase = (
        f"{member.label}本人月收入 {yuan(member.income_tekun)}"
        "(不含基础养老金、高龄津贴、抚恤金、救助金)"
    )
    if member.income_tekun < line:
        return Result("met", f"{phrase},低于{line_text},属于无生活来源")
    return Result("not_met", f"{phrase},不低于{line_text}")


def _disability_status(member: MemberFacts, max_grades: dict[str, int]) -> str:
    """ "yes"/"no" when the declared disability does/doesn't reach the grade listed for its
    category ("any" for every category); "maybe" when category or grade is missing and decides."""
    category, grade = member.disability_category, member.disability_grade
    if category is None and grade is None:
        return "no"
    if grade is None:
        return "maybe" if category in max_grades or "any" in max_grades else "no"
    if category is None:
        if "any" in max_grades and grade <= max_grades["any"]:
            return "yes"
        return "maybe" if max_grades and grade <= max(max_grades.values()) else "no"
    limit = max_grades.get(category, max_grades.get("any", 0))
    return "yes" if grade <= limit else "no"


def _qualifying_disability(member: MemberFacts, max_grades: dict[str, int]) -> bool:
    return _disability_status(member, max_grades) == "yes"


@predicate("single_person_case")
def single_person_case(ctx: Context, params: dict[str, Any]) -> Result:
    """[DB] art. 8 (in a 低保边缘 family) and [22-83] (adult unemployed severely disabled)."""
    facts, s = ctx.facts, ctx.standards
    per_capita = facts.per_capita
    in_edge_band = per_capita is not None and s.dibao <= per_capita < s.edge_line
    grades: dict[str, int] = params.get("disability_max_grade", {"any": 2})
    adult_age = int(params.get("adult_age", 18))
    severe = int(params.get("severe_max_grade", 2))
    for member in facts.counted:
        special = member.serious_illness or _qualifying_disability(member, grades)
        alone_disabled = (
            member.age is not None
            and member.age >= adult_age
            and member.disability_grade is not None
            and member.disability_grade <= severe
            and not member.has_work_income
        )
        if not ((in_edge_band and special) or alone_disabled):
            continue
        if member.income < s.dibao:
            why = (
                "重度残疾且无业的成年人可按单人户"
                if alone_disabled
                else "低保边缘家庭中的重病、重度残疾成员可单独"
            )
            return Result(
                "met",
                f"{member.label}属于{why}申请低保的情形,本人月收入 {yuan(member.income)}"
                f"低于低保标准 {yuan(s.dibao)}{_tag(ctx, 'dibao_standard')}(需乡镇(街道)认定)",
            )
    return Result("not_met", "不属于可单独申请低保(单人保)的情形")


# Property ---------------------------------------------------------------------------------------
@predicate("property_within_limits")
def property_within_limits(ctx: Context, params: dict[str, Any]) -> Result:
    facts, s = ctx.facts, ctx.standards
    size = max(facts.size, 1)
    per_capita_limit = s.dibao * s.monetary_months_per_capita
    tag = _tag(ctx, "property_limits", "dibao_standard")
    assets = facts.monetary_assets / size
    if assets > per_capita_limit:
        return Result(
            "not_met",
            f"家庭存款等金融资产人均 {yuan(assets)},超过限额(人均 {yuan(per_capita_limit)},"
            f"即{s.monetary_months_per_capita.normalize()}个月低保标准){tag}",
        )
    vehicle_limit = s.vehicle_value_max if s.vehicle_value_max is not None else Decimal(0)
    if facts.vehicle_value > vehicle_limit:
        return Result(
            "unknown",
            f"家庭有机动车(价值 {yuan(facts.vehicle_value)}),"
            "需核实是否为生产生活必需(必需的可不计入)",
        )
    home = (
        ";唯一自住房属生活必需,不计入财产(《最低生活保障审核确认办法》第十四条,以核实为准)"
        if facts.only_home
        else ""
    )
    return Result(
        "met",
        f"家庭存款等金融资产人均 {yuan(assets)},在限额(人均 {yuan(per_capita_limit)})以内{tag}"
        f"{home}",
    )


# 特困 ------------------------------------------------------------------------------------------
@predicate("no_work_capacity")
def no_work_capacity(ctx: Context, params: dict[str, Any]) -> Result:
    member = ctx.need_member()
    elder_age = int(params.get("elder_age", 60))
    minor_age = int(params.get("minor_age", 18))
    grades: dict[str, int] = params.get("disability_max_grade", {})
    if member.age is not None and member.age >= elder_age:
        return Result("met", f"{member.label}年满{elder_age}周岁,视为无劳动能力")
    if member.age is not None and member.age < minor_age:
        return Result("met", f"{member.label}未满{minor_age}周岁,视为无劳动能力")
    status = _disability_status(member, grades)
    if status == "yes":
        return Result("met", f"{member.label}为{member.disability},视为无劳动能力")
    if status == "maybe":
        return Result("unknown", f"{member.label}为{member.disability},需补充残疾类别和等级后判断")
    if member.age is None:
        return Result("unknown", f"{member.label}未提供出生日期或年龄,无法判断是否无劳动能力")
    return Result(
        "not_met",
        f"{member.label}在{minor_age}至{elder_age - 1}周岁之间,"
        "且没有符合条件的残疾等级,不属于无劳动能力",
    )


@predicate("no_able_supporter")
def no_able_supporter(ctx: Context, params: dict[str, Any]) -> Result:
    able = ctx.facts.has_supporter_able
    if able is False:
        return Result("met", "没有有能力履行赡养、抚养、扶养义务的人")
    if able is True:
        return Result("not_met", "有有能力履行赡养、抚养、扶养义务的人")
    return Result(
        "unknown",
        "需核实赡养、抚养、扶养义务人(如子女、配偶、父母)是否有能力履行义务",
    )


# Program relations ------------------------------------------------------------------------------
def _labels(programs: list[Program]) -> str:
    return "、".join(p.label for p in programs)


@predicate("not_in_programs")
def not_in_programs(ctx: Context, params: dict[str, Any]) -> Result:
    programs = [Program(p) for p in params.get("programs", [])]
    likely = [p for p in programs if ctx.verdicts.get(p) == "likely"]
    possible = [p for p in programs if ctx.verdicts.get(p) == "possible"]
    if likely:
        return Result("not_met", f"您家更可能符合{_labels(likely)},请先看该项目")
    if possible:
        return Result("unknown", f"需先核实是否符合{_labels(possible)}")
    return Result("met", f"不属于{_labels(programs)}")


@predicate("in_programs")
def in_programs(ctx: Context, params: dict[str, Any]) -> Result:
    programs = [Program(p) for p in params.get("programs", [])]
    extended = [Program(p) for p in params.get("unknown_if", [])]
    likely = [p for p in programs if ctx.verdicts.get(p) == "likely"]
    if likely:
        return Result("met", f"家庭可能符合{_labels(likely)}")
    possible = [p for p in programs if ctx.verdicts.get(p) == "possible"]
    if possible:
        return Result("unknown", f"需先核实是否符合{_labels(possible)}")
    wider = [p for p in extended if ctx.verdicts.get(p) in ("likely", "possible")]
    if wider:
        note = params.get("unknown_note", "需当地确认")
        return Result("unknown", f"家庭可能符合{_labels(wider)};{note}")
    return Result("not_met", f"家庭暂不符合{_labels(programs)}")


# Expenditure ------------------------------------------------------------------------------------
def _over_share(ctx: Context) -> tuple[bool, str]:
    facts, s = ctx.facts, ctx.standards
    share_text = f"{(s.rigid_share * 100).normalize():f}%{_tag(ctx, 'rigid_expenditure_share')}"
    if facts.rigid_annual <= 0:
        return False, "未填写近12个月的医疗、教育、康复、基本生活等刚性支出"
    if facts.rigid_annual > facts.annual_income * s.rigid_share:
        return True, (
            f"近12个月刚性支出 {yuan(facts.rigid_annual)},"
            f"超过家庭年收入 {yuan(facts.annual_income)}的{share_text}"
        )
    return False, (
        f"近12个月刚性支出 {yuan(facts.rigid_annual)},未超过家庭年收入 {yuan(facts.annual_income)}"
        f"的{share_text}"
    )


@predicate("rigid_expenditure_over_share")
def rigid_expenditure_over_share(ctx: Context, params: dict[str, Any]) -> Result:
    over, text = _over_share(ctx)
    return Result("met" if over else "not_met", text)


@predicate("expenditure_hardship")
def expenditure_hardship(ctx: Context, params: dict[str, Any]) -> Result:
    line, line_text = _line(ctx, params.get("line", "disposable"))
    value, phrase = _income_phrase(ctx, deduct=False)
    over, text = _over_share(ctx)
    if value is None:
        return Result("not_met", "没有计入的家庭成员,无法计算人均收入")
    if value >= line:
        return Result("not_met", f"支出型:{phrase},不低于{line_text}")
    if not over:
        return Result("not_met", f"支出型:{text}")
    return Result("met", f"支出型:{phrase},低于{line_text};{text}")


@predicate("emergency_declared")
def emergency_declared(ctx: Context, params: dict[str, Any]) -> Result:
    if ctx.facts.emergency:
        return Result(
            "met",
            "正遭遇急难情况:可申请急难型临时救助,可先行救助、事后补齐材料,不受户籍地限制",
        )
    return Result("not_met", "未报告正遭遇火灾、事故、突发重病等急难情况")


@predicate("illness_hardship")
def illness_hardship(ctx: Context, params: dict[str, Any]) -> Result:
    facts = ctx.facts
    ill = [m for m in facts.counted if m.serious_illness]
    line, line_text = _line(ctx, params.get("line", "disposable"))
    value, phrase = _income_phrase(ctx, deduct=False)
    if not ill or facts.medical_annual <= 0:
        return Result("not_met", "未填写重病成员及自付医疗费用")
    if value is None or value >= line:
        return Result("not_met", f"{phrase},不低于{line_text}")
    return Result(
        "met",
        f"有重病成员,近12个月自付医疗费用 {yuan(facts.medical_annual)},{phrase}低于{line_text},"
        "可能属于因病致贫家庭(需当地认定)",
    )


@predicate("temporary_caps_info")
def temporary_caps_info(ctx: Context, params: dict[str, Any]) -> Result:
    s = ctx.standards
    usual, most = s.temporary_caps["usual"], s.temporary_caps["max"]
    tag = _tag(ctx, "dibao_standard")
    return Result(
        "info",
        f"一次性救助金额一般每人不超过{usual}个月低保标准(约 {yuan(s.dibao * usual)}){tag},"
        f"最高不超过{most}个月(约 {yuan(s.dibao * most)})",
    )


# Disability -------------------------------------------------------------------------------------
@predicate("member_disabled")
def member_disabled(ctx: Context, params: dict[str, Any]) -> Result:
    member = ctx.need_member()
    if not member.disabled:
        return Result("not_met", f"{member.label}未填写残疾类别和等级")
    return Result("met", f"{member.label}持有残疾人证({member.disability})")


@predicate("member_severely_disabled")
def member_severely_disabled(ctx: Context, params: dict[str, Any]) -> Result:
    member = ctx.need_member()
    max_grade = int(params.get("max_grade", 2))
    extend = set(params.get("extend_categories", []))
    if not member.disabled:
        return Result("not_met", f"{member.label}未填写残疾类别和等级")
    label = f"{member.label}为{member.disability}"
    if member.disability_grade is None:
        return Result("unknown", f"{label},请补充残疾等级(一级、二级可申请)")
    if member.disability_grade <= max_grade:
        return Result("met", f"{label},属于一级、二级重度残疾(需长期照护的可申请)")
    if member.disability_category in extend:
        return Result("unknown", f"{label};部分地方将非重度智力、精神残疾人纳入,需当地确认")
    return Result("not_met", f"{label},不属于一级、二级重度残疾")


# Age and elder care -----------------------------------------------------------------------------
@predicate("member_age_at_least")
def member_age_at_least(ctx: Context, params: dict[str, Any]) -> Result:
    member = ctx.need_member()
    age = int(params["age"])
    if member.age is None:
        return Result("unknown", f"{member.label}未提供出生日期或年龄")
    if member.age >= age:
        return Result("met", f"{member.label}年满{age}周岁")
    return Result("not_met", f"{member.label}未满{age}周岁")


@predicate("needs_assessed")
def needs_assessed(ctx: Context, params: dict[str, Any]) -> Result:
    member = ctx.need_member()
    min_level = int(params.get("min_level", 1))
    very_old = int(params.get("very_old_age", 80))
    level = member.needs_level
    if level is not None and level >= min_level:
        return Result("met", f"{member.label}能力评估为{NEEDS_LEVEL_LABELS[level]}")
    if member.dementia:  # [ZJYL] arts. 35–36 name 失智 beside 失能 and 高龄
        return Result("met", f"{member.label}有失智情况")
    if member.age is not None and member.age >= very_old:
        return Result("met", f"{member.label}年满{very_old}周岁,属于高龄老人")
    if level is None:
        return Result("unknown", f"{member.label}尚未提供老年人能力评估等级,需先做能力(需求)评估")
    return Result("not_met", f"{member.label}能力评估为{NEEDS_LEVEL_LABELS[level]}")


@predicate("elder_care_amount_info")
def elder_care_amount_info(ctx: Context, params: dict[str, Any]) -> Result:
    member = ctx.need_member()
    amounts = ctx.standards.elder_care_subsidy
    level = member.needs_level
    if level is None or not amounts.get(level):
        return Result("info", "补贴标准按能力评估等级确定,以当地公布为准")
    tag = _tag(ctx, "elder_care_subsidy_monthly")
    return Result(
        "info", f"按{NEEDS_LEVEL_LABELS[level]}等级,补贴约每月 {yuan(amounts[level])}{tag}"
    )


@predicate("elderly_allowance_amount_info")
def elderly_allowance_amount_info(ctx: Context, params: dict[str, Any]) -> Result:
    member = ctx.need_member()
    amount = None
    for min_age, value in ctx.standards.elderly_allowance:
        if member.age is not None and member.age >= min_age:
            amount = value
    if amount is None:
        return Result("info", "高龄津贴金额以当地公布为准")
    tag = _tag(ctx, "elderly_allowance_monthly")
    return Result("info", f"{member.label}对应的高龄津贴约每月 {yuan(amount)}{tag}")
