"""/staff/adviser/plan: the adviser's workbench. An elder's profile (entered, or brought over from
a case the staff member may see) becomes a printable service plan: benefits with reasons, nearby
services with hours and phones, next steps and whom to contact. Nothing entered is stored; making
a plan and bringing a case over are audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from huimin import townships
from huimin.programs import Program
from workflows.audit import service as audit
from workflows.auth.capabilities import Capability, can
from workflows.cases import queries
from workflows.clock import local_today
from workflows.deps import ClockDep, SessionDep, SettingsDep
from workflows.eldercare.communities import SAMPLE_LABEL
from workflows.eldercare.plan import STATUS_PROGRAMS, ElderProfile, build_plan
from workflows.eldercare.service import communities, directory_cache, walk_model
from workflows.eligibility.from_application import household_from_application
from workflows.household.enums import NEEDS_LEVEL_LABELS, DisabilityCategory
from workflows.read_audit import record_read
from workflows.staff_pages.access import refusal
from workflows.staff_pages.rendering import elder_context, error_page, render
from workflows.staff_pages.session import CSRF_REFUSED, PageStaff, caller_of, csrf_ok
from workflows.validation import translate

router = APIRouter(include_in_schema=False)
CASE_REFUSED = "您的角色不能查看案件(养老顾问请直接填写老人情况)"
CASE_NOT_FOUND = "案件不存在,或不在您的乡镇(街道)范围内"


def _choices() -> dict[str, Any]:
    return {
        "levels": list(enumerate(NEEDS_LEVEL_LABELS)),
        "categories": [c.value for c in DisabilityCategory],
        "statuses": [(p.value, p.label) for p in STATUS_PROGRAMS],
        "townships": townships.all_townships(),
        "sample_label": SAMPLE_LABEL,
    }


def _page(request: Request, staff: Any, form: dict[str, Any], **extra: Any) -> HTMLResponse:
    context = {"staff": staff, "form": form, "plan": None, "errors": [], **_choices(), **extra}
    status = 422 if context["errors"] else 200
    return render(request, "adviser_plan.html", context, status_code=status)


@router.get("/staff/adviser/plan", response_class=HTMLResponse)
def plan_form(
    request: Request,
    staff: PageStaff,
    session: SessionDep,
    clock: ClockDep,
    case_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> HTMLResponse:
    refused = refusal(request, staff, Capability.ELDERCARE_DIRECTORY)
    if refused is not None:
        return refused
    form: dict[str, Any] = {"confirmed": []}
    if case_id is None:
        return _page(request, staff, form)
    caller = caller_of(staff)
    if not can(caller, Capability.CASE_DATA):
        return error_page(request, 403, CASE_REFUSED)
    case = queries.get_visible(session, case_id=case_id, caller=caller)
    if case is None:
        return error_page(request, 404, CASE_NOT_FOUND)
    today = local_today(clock)
    household = household_from_application(case.application, today=today)
    elders = [m for m in household.members if (m.age_on(today) or 0) >= 60]
    note = "" if elders else "该案件的家庭成员中没有60周岁以上的老人"
    eldest = max(elders or household.members, key=lambda m: m.age_on(today) or 0)
    size = len(household.members)
    total = sum((i.monthly_amount for m in household.members for i in m.incomes), Decimal(0))
    form = {
        "age": eldest.age_on(today),
        "level": "",
        "disability_category": eldest.disability_category or "",
        "disability_grade": eldest.disability_grade or "",
        "income": str((total / size).quantize(Decimal("0.01"))) if size else "",
        "township": household.hukou_township_code or household.residence_township_code or "",
        "confirmed": [],
        "case_id": case_id,
    }
    record_read(
        session,
        caller=caller,
        entity_type="application",
        entity_id=case.application.id,
        view="staff_pages.adviser_plan",
        at=clock.now(),
        case_id=case_id,
    )
    session.commit()
    return _page(request, staff, form, note=note)


def _profile(form: dict[str, Any]) -> tuple[ElderProfile | None, list[str]]:
    errors: list[str] = []
    try:
        income = Decimal(form["income"] or "0")
    except InvalidOperation:
        return None, ["家庭人均月收入应为数字(元)"]
    tri = {"yes": True, "no": False}
    raw = {
        "salutation": form["salutation"],
        "age": form["age"] or None,
        "needs_assessment_level": form["level"] or None,
        "dementia": tri.get(form["dementia"]),
        "lives_alone": tri.get(form["lives_alone"]),
        "disability_category": form["disability_category"] or None,
        "disability_grade": form["disability_grade"] or None,
        "confirmed_programs": form["confirmed"],
        "monthly_income_per_person": income,
        "township_code": form["township"] or None,
        "place": form["place"],
    }
    if raw["age"] is None:
        errors.append("请填写老人年龄")
    if form["township"] and townships.by_code(form["township"]) is None:
        errors.append("乡镇(街道)不正确")
    if errors:
        return None, errors
    try:
        return ElderProfile.model_validate(raw), []
    except ValidationError as exc:
        return None, [translate(e) for e in exc.errors()]


@router.post("/staff/adviser/plan", response_class=HTMLResponse)
def make_plan(
    request: Request,
    staff: PageStaff,
    settings: SettingsDep,
    session: SessionDep,
    clock: ClockDep,
    salutation: Annotated[str, Form(max_length=20)] = "",
    age: Annotated[str, Form(max_length=3)] = "",
    level: Annotated[str, Form(max_length=1)] = "",
    dementia: Annotated[str, Form(max_length=3)] = "",
    lives_alone: Annotated[str, Form(max_length=3)] = "",
    disability_category: Annotated[str, Form(max_length=4)] = "",
    disability_grade: Annotated[str, Form(max_length=1)] = "",
    confirmed: Annotated[list[str] | None, Form()] = None,
    income: Annotated[str, Form(max_length=12)] = "",
    township: Annotated[str, Form(max_length=12)] = "",
    place: Annotated[str, Form(max_length=200)] = "",
    case_id: Annotated[str, Form(max_length=12)] = "",
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    if not csrf_ok(request, settings, csrf):
        return error_page(request, 403, CSRF_REFUSED)
    refused = refusal(request, staff, Capability.ELDERCARE_DIRECTORY)
    if refused is not None:
        return refused
    form = {
        "salutation": salutation.strip(),
        "age": age.strip(),
        "level": level,
        "dementia": dementia,
        "lives_alone": lives_alone,
        "disability_category": disability_category,
        "disability_grade": disability_grade,
        "confirmed": [c for c in confirmed or [] if c in {p.value for p in STATUS_PROGRAMS}],
        "income": income.strip(),
        "township": township,
        "place": place.strip(),
        "case_id": case_id if case_id.isdigit() else "",
    }
    profile, errors = _profile(form)
    if profile is None:
        return _page(request, staff, form, errors=errors)
    today = local_today(clock)
    plan = build_plan(
        profile,
        today=today,
        settings=settings,
        directory=directory_cache(request).get(session),
        communities=communities(settings),
        walk=walk_model(settings),
    )
    audit.record(
        session,
        actor=caller_of(staff).audit_name,
        action="eldercare.plan_made",
        entity_type="eldercare_plan",
        entity_id=str(form["case_id"] or "entered"),
        data={
            "township_code": profile.township_code,
            "likely": [str(v.program) for v in plan.likely],
            "possible": [str(v.program) for v in plan.possible],
        },
        at=clock.now(),
    )
    session.commit()
    return _page(
        request,
        staff,
        form,
        plan=plan,
        today=today,
        minutes=settings.eldercare_circle_minutes,
        program_type=Program,
        **elder_context(settings),
    )
