"""A service plan for one elder (养老顾问工作台): what they may get, what is near, what to do next.

The profile is what the adviser enters (or what is brought over from a case the staff member may
see); nothing of it is stored. The plan combines the elder-care verdicts
(:mod:`workflows.eldercare.benefits`), the nearest facility per service within the circle, and
next steps with whom to contact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from huimin import townships
from huimin.eldercare import CIRCLE_TARGET_SERVICES, FacilityKind, Service
from huimin.programs import ElderBenefit, Program
from huimin.settings import Settings
from workflows.eldercare.benefits import ElderBenefitsResult, elder_benefits
from workflows.eldercare.communities import Community
from workflows.eldercare.directory import Directory, Hit, Place, resolve_place, township_point
from workflows.eldercare.geo import WalkModel
from workflows.eligibility.schemas import HouseholdIn
from workflows.household.enums import DisabilityCategory
from workflows.validation import validation_context

STATUS_PROGRAMS = (Program.TEKUN, Program.DIBAO, Program.DIBAO_EDGE)
PLAN_SERVICES: tuple[Service, ...] = (*CIRCLE_TARGET_SERVICES, Service.DAY_CARE)
CONTACT_KINDS = (FacilityKind.ADVISER_POINT, FacilityKind.ASSISTANCE_STATION)


class ElderProfile(BaseModel):
    """What the adviser knows about the elder (not stored)."""

    salutation: str = Field(default="", max_length=20, description="称呼,只用于打印,如“王奶奶”")
    age: int = Field(ge=0, le=130)
    needs_assessment_level: int | None = Field(default=None, ge=0, le=4)
    dementia: bool | None = None
    lives_alone: bool | None = None
    disability_category: DisabilityCategory | None = None
    disability_grade: int | None = Field(default=None, ge=1, le=4)
    confirmed_programs: list[Program] = Field(default_factory=list, max_length=3)
    monthly_income_per_person: Decimal = Field(default=Decimal(0), ge=0, le=1_000_000)
    township_code: str | None = None
    place: str = Field(default="", max_length=200, description="村(社区)或地址")

    def household(self, today: dt.date) -> HouseholdIn:
        member: dict[str, Any] = {
            "relation": "本人",
            "age": self.age,
            "needs_assessment_level": self.needs_assessment_level,
            "dementia": self.dementia,
            "lives_alone": self.lives_alone,
            "disability_category": self.disability_category,
            "disability_grade": self.disability_grade,
            "incomes": (
                [{"kind": "pension", "monthly_amount": self.monthly_income_per_person}]
                if self.monthly_income_per_person
                else []
            ),
        }
        body = {
            "members": [member],
            "hukou_township_code": self.township_code,
            "residence_township_code": self.township_code,
            "confirmed_programs": [p for p in self.confirmed_programs if p in STATUS_PROGRAMS],
        }
        return HouseholdIn.model_validate(body, context=validation_context(today))


@dataclass
class Step:
    text: str
    contact: Hit | None = None


@dataclass
class ServicePlan:
    profile: ElderProfile
    benefits: ElderBenefitsResult
    origin: Place | None
    nearest: dict[Service, Hit | None]
    contacts: list[Hit]
    steps: list[Step] = field(default_factory=list)

    @property
    def likely(self) -> list[Any]:
        return [v for v in self.benefits.verdicts if v.verdict == "likely"]

    @property
    def possible(self) -> list[Any]:
        return [v for v in self.benefits.verdicts if v.verdict == "possible"]

    @property
    def unlikely(self) -> list[Any]:
        return [v for v in self.benefits.verdicts if v.verdict == "unlikely"]

    @property
    def sample(self) -> bool:
        hits = [h for h in (*self.nearest.values(), *self.contacts) if h is not None]
        return any(h.entry.sample for h in hits) or bool(self.origin and self.origin.sample)


def _origin(profile: ElderProfile, communities: tuple[Community, ...]) -> Place | None:
    if profile.place.strip():
        found = resolve_place(profile.place, communities)
        if found is not None:
            return found
    if profile.township_code:
        point = township_point(profile.township_code, communities)
        if point is not None:
            name = townships.township_name(profile.township_code)
            sample = any(c.sample for c in communities if c.township_code == profile.township_code)
            return Place(point[0], point[1], name, profile.township_code, sample)
    return None


def _steps(plan: ServicePlan) -> list[Step]:
    contact = plan.contacts[0] if plan.contacts else None
    station = next(
        (h for h in plan.contacts if h.entry.kind is FacilityKind.ASSISTANCE_STATION), contact
    )
    steps: list[Step] = []
    if plan.profile.needs_assessment_level is None:
        steps.append(Step("先申请老年人能力评估:多项补贴以评估等级为依据", station))
    by_code = {v.program: v for v in plan.benefits.verdicts}
    for verdict in (*plan.likely, *plan.possible):
        program = verdict.program
        if program is Program.ABILITY_ASSESSMENT:
            continue
        if program is ElderBenefit.CARE_CONSUMPTION_SUBSIDY:
            steps.append(Step("在“民政通”平台申请养老服务消费补贴(按月发放电子消费券)", contact))
        elif program is ElderBenefit.MEAL_SUBSIDY:
            canteen = plan.nearest.get(Service.MEAL)
            where = f"到{canteen.entry.name}" if canteen else "到就近老年食堂"
            steps.append(Step(f"{where}就餐,出示身份证按助餐补贴结算", canteen))
        else:
            materials = "、".join(verdict.materials[:3])
            steps.append(
                Step(f"申请{verdict.program_label}:带上{materials},到社会救助服务站办理", station)
            )
    if not steps and by_code:
        steps.append(Step("如情况有变化(失能、收入、独居等),请重新评估或咨询养老顾问", contact))
    return steps


def build_plan(
    profile: ElderProfile,
    *,
    today: dt.date,
    settings: Settings,
    directory: Directory,
    communities: tuple[Community, ...],
    walk: WalkModel,
) -> ServicePlan:
    benefits = elder_benefits(profile.household(today), on=today, settings=settings)
    origin = _origin(profile, communities)
    nearest: dict[Service, Hit | None] = dict.fromkeys(PLAN_SERVICES)
    contacts: list[Hit] = []
    if origin is not None:
        minutes = settings.eldercare_circle_minutes
        hits = directory.nearby(origin.lat, origin.lon, minutes=minutes, walk=walk, limit=500)
        for service in PLAN_SERVICES:
            nearest[service] = next((h for h in hits if service in h.entry.services), None)
        wide = directory.nearby(origin.lat, origin.lon, minutes=240, walk=walk, limit=2000)
        for kind in CONTACT_KINDS:
            hit = next((h for h in wide if h.entry.kind is kind), None)
            if hit is not None:
                contacts.append(hit)
    plan = ServicePlan(profile, benefits, origin, nearest, contacts)
    plan.steps = _steps(plan)
    return plan
