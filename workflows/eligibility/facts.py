"""Household facts the rules look at, computed once per pre-screening ([DB] arts. 7, 13, 14).

- Members with an ``excluded_reason`` (clergy apart 3+ years, in prison or compulsory drug
  rehabilitation, declared missing, other provincial cases: [DB] art. 7) are not counted: neither
  their person nor their income.
- Income counts wages, business, property and transfer income (incl. employee pensions); the kinds
  listed as excluded in the rule table (抚恤金, government relief, 城乡居民基础养老金; for 特困 also
  高龄津贴) are left out ([DB] art. 13; [TK] art. 6).
- A member's own income for 特困 is the figure the resident gave for that person
  (``own_income_monthly``, asked when the household's income was one figure) when there is one,
  else the member's incomes without the kinds 特困 leaves out.
- The only self-occupied home (``only_home``) is not counted as property: property essential to
  living may be exempted ([DB] art. 14); any value given for it is kept but left out of
  ``house_value``.
- Rigid costs of illness and disability (the expenditure kinds listed as deductible) are deducted
  from the monthly income used against the 低保 / 低保边缘 lines ([DB] art. 13), never below zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from huimin.programs import Program
from workflows.eligibility.rule_models import RuleTable
from workflows.eligibility.schemas import HouseholdIn, MemberIn
from workflows.household.enums import (
    MONETARY_PROPERTY_KINDS,
    WORK_INCOME_KINDS,
    DisabilityCategory,
    ExcludedReason,
    ExpenditureKind,
    PropertyKind,
    Relation,
)

ZERO = Decimal(0)
TWELVE = Decimal(12)


@dataclass(frozen=True)
class MemberFacts:
    relation: Relation
    age: int | None
    disability_category: DisabilityCategory | None
    disability_grade: int | None
    serious_illness: bool
    in_school: bool
    needs_level: int | None
    excluded_reason: ExcludedReason | None
    income: Decimal  # monthly, kinds counted for 低保
    income_tekun: Decimal  # monthly, kinds counted for 特困
    has_work_income: bool  # wage or business income declared
    dementia: bool | None = None  # elder care: 失智 declared (None: not asked)
    lives_alone: bool | None = None  # elder care: 独居/空巢 declared

    @property
    def counted(self) -> bool:
        return self.excluded_reason is None

    @property
    def disabled(self) -> bool:
        return self.disability_category is not None or self.disability_grade is not None

    @property
    def disability(self) -> str:
        """How the declared disability reads: 肢体残疾2级, 肢体残疾(等级未填), 残疾2级(类别未填)."""
        category, grade = self.disability_category, self.disability_grade
        if category and grade:
            return f"{category}残疾{grade}级"
        if category:
            return f"{category}残疾(等级未填)"
        if grade:
            return f"残疾{grade}级(类别未填)"
        return "无残疾信息"

    @property
    def label(self) -> str:
        return self.relation if self.age is None else f"{self.relation}({self.age}岁)"


@dataclass(frozen=True)
class HouseholdFacts:
    on: dt.date
    members: tuple[MemberFacts, ...]
    income: Decimal  # monthly counted income of counted members, before deductions
    deductions: Decimal  # monthly rigid costs of illness/disability deducted ([DB] art. 13)
    rigid_annual: Decimal  # 刚性支出 of the last 12 months
    medical_annual: Decimal
    monetary_assets: Decimal  # deposits and other financial assets
    vehicle_value: Decimal
    house_value: Decimal  # houses other than the only self-occupied home
    hukou_township_code: str | None
    residence_township_code: str | None
    has_residence_permit: bool
    has_supporter_able: bool | None
    emergency: bool
    confirmed: frozenset[Program] = frozenset()  # assistance status already confirmed (持证)
    only_home: bool = False  # the household declared its only self-occupied home (唯一自住房)

    @cached_property
    def counted(self) -> tuple[MemberFacts, ...]:
        return tuple(m for m in self.members if m.counted)

    @cached_property
    def size(self) -> int:
        return len(self.counted)

    @property
    def net_income(self) -> Decimal:
        return max(self.income - self.deductions, ZERO)

    @property
    def per_capita(self) -> Decimal | None:
        """Monthly per-capita income after deductions (None for a household with nobody counted)."""
        return self.net_income / self.size if self.size else None

    @property
    def per_capita_gross(self) -> Decimal | None:
        """Monthly per-capita counted income before the illness/disability deduction."""
        return self.income / self.size if self.size else None

    @property
    def annual_income(self) -> Decimal:
        return self.income * TWELVE


def _member(member: MemberIn, on: dt.date, rules: RuleTable) -> MemberFacts:
    excluded = rules.income.excluded
    excluded_tekun = rules.income.excluded_tekun
    income = sum((i.monthly_amount for i in member.incomes if i.kind not in excluded), ZERO)
    income_tekun = (
        member.own_income_monthly
        if member.own_income_monthly is not None
        else sum((i.monthly_amount for i in member.incomes if i.kind not in excluded_tekun), ZERO)
    )
    return MemberFacts(
        relation=member.relation,
        age=member.age_on(on),
        disability_category=member.disability_category,
        disability_grade=member.disability_grade,
        serious_illness=member.serious_illness,
        in_school=member.in_school,
        needs_level=member.needs_assessment_level,
        excluded_reason=member.excluded_reason,
        income=income,
        income_tekun=income_tekun,
        has_work_income=any(
            i.kind in WORK_INCOME_KINDS and i.monthly_amount > 0 for i in member.incomes
        ),
        dementia=member.dementia,
        lives_alone=member.lives_alone,
    )


def household_facts(household: HouseholdIn, *, on: dt.date, rules: RuleTable) -> HouseholdFacts:
    members = tuple(_member(m, on, rules) for m in household.members)
    income = sum((m.income for m in members if m.counted), ZERO)
    deductible = rules.income.deductible_expenditures
    rigid_kinds = rules.rigid_expenditure_kinds
    deductions = (
        sum((e.annual_amount for e in household.expenditures if e.kind in deductible), ZERO)
        / TWELVE
    )
    return HouseholdFacts(
        on=on,
        members=members,
        income=income,
        deductions=deductions,
        rigid_annual=sum(
            (e.annual_amount for e in household.expenditures if e.kind in rigid_kinds), ZERO
        ),
        medical_annual=sum(
            (e.annual_amount for e in household.expenditures if e.kind == ExpenditureKind.MEDICAL),
            ZERO,
        ),
        monetary_assets=sum(
            (p.value for p in household.property if p.kind in MONETARY_PROPERTY_KINDS), ZERO
        ),
        vehicle_value=sum(
            (p.value for p in household.property if p.kind == PropertyKind.VEHICLE), ZERO
        ),
        house_value=sum(
            (
                p.value
                for p in household.property
                if p.kind == PropertyKind.HOUSE and not p.only_home
            ),
            ZERO,
        ),
        hukou_township_code=household.hukou_township_code,
        residence_township_code=household.residence_township_code,
        has_residence_permit=household.has_residence_permit,
        has_supporter_able=household.has_supporter_able,
        emergency=household.emergency,
        confirmed=frozenset(household.confirmed_programs),
        only_home=any(p.only_home for p in household.property),
    )
