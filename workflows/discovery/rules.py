"""The rules of 主动发现: each finds candidates among known people (applicants and household
members of applications, visit targets). A candidate names the person, the program the rule
points to, where they can be told (an application's channel) and their township."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.applications.models import Application, HouseholdMember
from workflows.cases.enums import CaseStatus
from workflows.cases.models import ProgramCase
from workflows.reviews.rules import add_months
from workflows.visits.enums import TargetCategory
from workflows.visits.models import TargetCategoryRow, VisitTarget


@dataclass(frozen=True)
class Candidate:
    id_number: str
    name: str
    township_code: str
    application: Application | None
    visit_target_id: int | None


@dataclass(frozen=True)
class Rule:
    code: str
    program: str
    label: str  # what staff read in the list
    find: Callable[[Session, dt.date, int], Iterator[Candidate]]


def _age(birth: dt.date, day: dt.date) -> int:
    years = day.year - birth.year
    return years - 1 if (day.month, day.day) < (birth.month, birth.day) else years


def _township_of(application: Application) -> str:
    return application.residence_township_code or application.submitted_township_code


def turned_80(session: Session, today: dt.date, lookback_days: int) -> Iterator[Candidate]:
    """Reached 80 in the last ``lookback_days`` days (today included): 高龄津贴.

    《老年人权益保障法》 art. 33 encourages it for low-income people aged 80+; the local
    conditions were not found, so staff or the resident's application settle the income test.
    """
    since = today - dt.timedelta(days=lookback_days)
    earliest_birth = add_months(since, -80 * 12) - dt.timedelta(days=1)
    latest_birth = add_months(today, -80 * 12)

    def newly(birth: dt.date) -> bool:
        return _age(birth, today) >= 80 > _age(birth, since)

    seen: set[str] = set()
    members = session.execute(
        select(HouseholdMember, Application)
        .join(Application, Application.id == HouseholdMember.application_id)
        .where(HouseholdMember.birth_date.between(earliest_birth, latest_birth))
        .order_by(Application.id.desc())
    ).all()
    for member, application in members:
        if member.id_number in seen or not newly(member.birth_date):
            continue
        seen.add(member.id_number)
        yield Candidate(member.id_number, member.name, _township_of(application), application, None)
    targets = session.scalars(
        select(VisitTarget).where(
            VisitTarget.birth_date.between(earliest_birth, latest_birth),
            VisitTarget.removed_on.is_(None),
        )
    ).all()
    for target in targets:
        if target.id_number in seen or not newly(target.birth_date):
            continue
        seen.add(target.id_number)
        yield Candidate(target.id_number, target.name, target.township_code, None, target.id)


def _approved_members(session: Session, programs: tuple[str, ...]):  # type: ignore[no-untyped-def]
    return (
        select(HouseholdMember, Application)
        .join(Application, Application.id == HouseholdMember.application_id)
        .join(ProgramCase, ProgramCase.application_id == Application.id)
        .where(ProgramCase.program.in_(programs), ProgramCase.status == CaseStatus.APPROVED.value)
        .order_by(Application.id.desc(), HouseholdMember.position)
    )


def disabled_dibao_elder(
    session: Session, today: dt.date, lookback_days: int
) -> Iterator[Candidate]:
    """A member aged 60+ of an approved 低保/低边 household who is on the roster as 失能:
    养老服务补贴 ([ZJYL] arts. 35–36: disabled, cognitively impaired or very old people in 低保
    and 低保边缘 families; FACTS.md)."""
    disabled = set(
        session.scalars(
            select(VisitTarget.id_number)
            .join(TargetCategoryRow, TargetCategoryRow.target_id == VisitTarget.id)
            .where(
                TargetCategoryRow.category == TargetCategory.DISABLED.value,
                VisitTarget.removed_on.is_(None),
            )
        ).all()
    )
    if not disabled:
        return
    seen: set[str] = set()
    for member, application in session.execute(_approved_members(session, ("dibao", "dibao_edge"))):
        if member.id_number in seen or member.id_number not in disabled:
            continue
        if _age(member.birth_date, today) < 60:
            continue
        seen.add(member.id_number)
        yield Candidate(member.id_number, member.name, _township_of(application), application, None)


def dibao_serious_illness(
    session: Session, today: dt.date, lookback_days: int
) -> Iterator[Candidate]:
    """A member with a serious illness in an approved 低保 household whose application has no
    医疗救助 case: 医疗救助 ([ZJ] arts. 21–23: 低保 members get it on showing their certificate;
    FACTS.md)."""
    with_medical = set(
        session.scalars(select(ProgramCase.application_id).where(ProgramCase.program == "medical"))
    )
    seen: set[str] = set()
    for member, application in session.execute(_approved_members(session, ("dibao",))):
        if not member.serious_illness or member.id_number in seen:
            continue
        if application.id in with_medical:
            continue
        seen.add(member.id_number)
        yield Candidate(member.id_number, member.name, _township_of(application), application, None)


RULES: tuple[Rule, ...] = (
    Rule("turned_80", "elderly_allowance", "年满80周岁(高龄津贴)", turned_80),
    Rule(
        "disabled_dibao_elder",
        "elder_care_subsidy",
        "低保/低边家庭60岁以上失能老人(养老服务补贴)",
        disabled_dibao_elder,
    ),
    Rule(
        "dibao_serious_illness",
        "medical",
        "低保家庭成员患重大疾病(医疗救助)",
        dibao_serious_illness,
    ),
)
RULE_BY_CODE = {r.code: r for r in RULES}
