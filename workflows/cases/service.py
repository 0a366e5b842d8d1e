"""Program cases: open, find (scoped to the caller's township), list, move through the machine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, literal, not_, or_, select, true, union_all
from sqlalchemy.orm import Session, selectinload

from huimin import idcard, townships
from huimin.programs import Program
from huimin.settings import Settings
from workflows.applications.models import Application, HouseholdMember
from workflows.audit import service as audit
from workflows.auth.actor import Caller
from workflows.auth.capabilities import sees_full_id_numbers
from workflows.auth.enums import Role
from workflows.auth.models import StaffUser
from workflows.cases import flows, machine
from workflows.cases.enums import DECIDED, Action, CaseStatus
from workflows.cases.models import CaseForward, ProgramCase
from workflows.cases.schemas import (
    AllowedActionOut,
    CaseDetailOut,
    CaseListItemOut,
    CaseSummaryOut,
    ForwardOut,
    HistoryOut,
    MemberOut,
    TransitionIn,
)
from workflows.clock import LOCAL_TZ
from workflows.deadlines.calendar import WorkingDays
from workflows.deadlines.clock import ClockReading, due_date, paused_days, read_clock
from workflows.deadlines.policy import (
    FORWARD_WORKING_DAYS,
    PUBLIC_NOTICE_DAYS,
    DeadlinePolicy,
    county_decides,
    policy_for,
)
from workflows.read_audit import is_read
from workflows.routing.service import Routing

_DECIDED_VALUES = tuple(s.value for s in DECIDED)


@dataclass(frozen=True)
class CaseEnv:
    """What case logic needs from the running service."""

    calendar: WorkingDays
    settings: Settings
    now: dt.datetime

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(LOCAL_TZ).date()


class TransitionInputError(Exception):
    """The action needs fields the request lacks: (location, Chinese message) pairs."""

    def __init__(self, problems: list[tuple[tuple[str, ...], str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


class CaseForbiddenError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def township_name(code: str | None) -> str:
    if code is None:
        return townships.DISTRICT_NAME
    township = townships.by_code(code)
    return township.name if township else code


def policy_of(program: str, settings: Settings) -> DeadlinePolicy:
    return policy_for(Program(program), dibao_review_delegated=settings.dibao_review_delegated)


def _set_due(case: ProgramCase, calendar: WorkingDays) -> None:
    due = due_date(
        calendar,
        started_on=case.started_on,
        working_days=case.allowed_working_days,
        paused_working_days=case.paused_working_days,
    )
    case.due_date = due.date
    case.due_date_provisional = due.provisional


def open_case(
    session: Session, *, application: Application, program: Program, routing: Routing, env: CaseEnv
) -> ProgramCase:
    policy = policy_of(program.value, env.settings)
    case = ProgramCase(
        application=application,
        program=program.value,
        status=CaseStatus.SUBMITTED.value,
        submitted_township_code=application.submitted_township_code,
        handling_township_code=routing.township_code,
        routing_reason=routing.reason,
        started_on=env.today,
        allowed_working_days=policy.working_days,
        extended=False,
        paused_working_days=0,
        created_at=env.now,
        updated_at=env.now,
    )
    _set_due(case, env.calendar)
    session.add(case)
    return case


# Visibility ----------------------------------------------------------------------------------
def visible_to(township_code: str) -> ColumnElement[bool]:
    """Cases a township sees: handled or received there, or forwarded to or from it."""
    forwarded = select(CaseForward.case_id).where(
        or_(
            CaseForward.from_township_code == township_code,
            CaseForward.to_township_code == township_code,
        )
    )
    return or_(
        ProgramCase.handling_township_code == township_code,
        ProgramCase.submitted_township_code == township_code,
        ProgramCase.id.in_(forwarded),
    )


def get_visible(session: Session, *, case_id: int, caller: Caller) -> ProgramCase | None:
    query = (
        select(ProgramCase)
        .where(ProgramCase.id == case_id)
        .options(selectinload(ProgramCase.application), selectinload(ProgramCase.forwards))
    )
    if caller.township_scope is not None:
        query = query.where(visible_to(caller.township_scope))
    return session.scalar(query)


def _not_decided() -> ColumnElement[bool]:
    """status NOT IN (decided), with the values inlined so PostgreSQL matches the open-only
    partial indexes (their predicate is the same literal list) even for a prepared statement."""
    return ProgramCase.status.not_in([literal(v, literal_execute=True) for v in _DECIDED_VALUES])


def overdue_clause(today: dt.date) -> ColumnElement[bool]:
    return and_(
        ProgramCase.due_date < today,
        _not_decided(),
        ProgramCase.paused_since.is_(None),
    )


def _visibility_branches(
    session: Session, township_code: str, filters: Sequence[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    """visible_to() as disjoint conditions, each walkable on its own (township, due_date) index.

    Cases that only a forward makes visible are few: their ids (with the caller's filters) are
    read first, so they are fetched by key instead of scanning every case in due-date order
    (scripts/bench_workflows.py).
    """
    handled_here = ProgramCase.handling_township_code == township_code
    received_here = and_(
        ProgramCase.submitted_township_code == township_code,
        ProgramCase.handling_township_code != township_code,
    )
    branches: list[ColumnElement[bool]] = [handled_here, received_here]
    forwarded_only = session.scalars(
        select(CaseForward.case_id)
        .join(ProgramCase, ProgramCase.id == CaseForward.case_id)
        .where(
            or_(
                CaseForward.from_township_code == township_code,
                CaseForward.to_township_code == township_code,
            ),
            ProgramCase.handling_township_code != township_code,
            ProgramCase.submitted_township_code != township_code,
            *filters,
        )
        .distinct()
    ).all()
    if forwarded_only:
        branches.append(ProgramCase.id.in_(forwarded_only))
    return branches


COUNT_CAP = 1000
"""Queue totals are counted up to this many; above it the API says total_capped (shown "1000+")."""


@dataclass(frozen=True)
class CaseListing:
    items: Sequence[ProgramCase]
    total: int
    """Exact when total_capped is false; otherwise the cap (there are more)."""
    total_capped: bool


def list_cases(
    session: Session,
    *,
    caller: Caller,
    today: dt.date,
    status: CaseStatus | None = None,
    program: Program | None = None,
    township_code: str | None = None,
    overdue: bool | None = None,
    include_closed: bool = False,
    page: int = 1,
    page_size: int = 20,
    count_cap: int = COUNT_CAP,
) -> CaseListing:
    """One page of the cases the caller may see, by due date, and how many there are.

    Without a status filter only open cases are listed unless include_closed is set (a queue
    is work to do; the whole history is an explicit choice). The total is exact up to
    count_cap; beyond it total_capped is set and total is count_cap.
    """
    filters: list[ColumnElement[bool]] = []
    if status is not None:
        filters.append(ProgramCase.status == status.value)
    elif not include_closed:
        filters.append(_not_decided())
    if program is not None:
        filters.append(ProgramCase.program == program.value)
    if township_code is not None:
        filters.append(ProgramCase.handling_township_code == township_code)
    if overdue is True:
        filters.append(overdue_clause(today))
    elif overdue is False:
        filters.append(not_(overdue_clause(today)))
    scope = caller.township_scope
    branches = _visibility_branches(session, scope, filters) if scope is not None else [true()]
    counts = session.execute(
        select(
            *(
                select(func.count())
                .select_from(
                    select(ProgramCase.id).where(branch, *filters).limit(count_cap + 1).subquery()
                )
                .scalar_subquery()
                for branch in branches
            )
        )
    ).one()
    counted = int(sum(counts))
    window = page * page_size
    walked = [
        select(ProgramCase.id, ProgramCase.due_date)
        .where(branch, *filters)
        .order_by(ProgramCase.due_date, ProgramCase.id)
        .limit(window)
        .subquery()
        for branch in branches[:2]
    ]
    # visible only through a forward: few ids, read by key (no ORDER BY/LIMIT to walk an index)
    by_key = [
        select(ProgramCase.id, ProgramCase.due_date).where(branch, *filters).subquery()
        for branch in branches[2:]
    ]
    parts = walked + by_key
    if len(parts) == 1:
        only = parts[0]
        ids = session.scalars(
            select(only.c.id)
            .order_by(only.c.due_date, only.c.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
    else:
        merged = union_all(*(select(part.c.id, part.c.due_date) for part in parts)).subquery()
        ids = session.scalars(
            select(merged.c.id)
            .order_by(merged.c.due_date, merged.c.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
    items = session.scalars(
        select(ProgramCase)
        .where(ProgramCase.id.in_(ids))
        .options(selectinload(ProgramCase.application))
        .order_by(ProgramCase.due_date, ProgramCase.id)
    ).all()
    return CaseListing(items=items, total=min(counted, count_cap), total_capped=counted > count_cap)


# The machine -------------------------------------------------------------------------------
def guard_context(case: ProgramCase, env: CaseEnv) -> machine.GuardContext:
    policy = policy_of(case.program, env.settings)
    return machine.GuardContext(
        today=env.today,
        extendable=policy.extended_working_days is not None,
        extended=case.extended,
        public_notice_ends_on=case.public_notice_ends_on,
        county_decides=county_decides(
            Program(case.program), dibao_review_delegated=env.settings.dibao_review_delegated
        ),
    )


def awaits_district(case: ProgramCase, env: CaseEnv, *, role: Role | None) -> bool:
    """The township's part is done: the decision is the district supervisor's (not this role's)."""
    return (
        role is not Role.SUPERVISOR
        and CaseStatus(case.status) in machine.COUNTY_DECISION_STAGE
        and guard_context(case, env).county_decides
    )


def allowed_actions(case: ProgramCase, env: CaseEnv, *, role: Role | None) -> list[Action]:
    return machine.allowed_actions(CaseStatus(case.status), guard_context(case, env), role=role)


def body_problems(case: ProgramCase, body: TransitionIn) -> list[tuple[tuple[str, ...], str]]:
    """Fields the chosen action needs, each with a Chinese message."""
    spec = machine.transition_for(body.action)
    problems: list[tuple[tuple[str, ...], str]] = []
    if "reason" in spec.requires and not body.reason:
        problems.append((("reason",), f"“{body.action.label}”须填写理由"))
    if "missing_materials" in spec.requires:
        items = [m.strip() for m in body.missing_materials or [] if m.strip()]
        if not items:
            problems.append((("missing_materials",), "请一次性列出需要补充的全部材料(至少一项)"))
    if "to_township_code" in spec.requires:
        code = body.to_township_code
        if not code:
            problems.append((("to_township_code",), "请选择转交的乡镇(街道)"))
        elif townships.by_code(code) is None:
            problems.append((("to_township_code",), f"乡镇(街道)代码不存在:{code}"))
        elif code == case.handling_township_code:
            problems.append((("to_township_code",), "不能转交给本乡镇(街道)"))
    return problems


def check_may_act(case: ProgramCase, staff: StaffUser) -> None:
    if staff.township_code is not None and staff.township_code != case.handling_township_code:
        raise CaseForbiddenError(
            f"本案件由{township_name(case.handling_township_code)}办理,您只能查看"
        )


def transition(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> ProgramCase:
    """Take one action, audit it and notify the resident.

    Raises CaseForbiddenError (another township's case), machine.RoleNotAllowedError,
    machine.TransitionNotAllowedError (with the allowed actions), TransitionInputError.
    """
    check_may_act(case, staff)
    previous = CaseStatus(case.status)
    spec = machine.check(previous, body.action, guard_context(case, env), role=Role(staff.role))
    problems = body_problems(case, body)
    if problems:
        raise TransitionInputError(problems)
    target = spec.target or previous
    today = env.today
    data: dict[str, object] = {"from": previous.value, "to": target.value}
    if body.reason:
        data["reason"] = body.reason
    if body.note:
        data["note"] = body.note

    if previous is CaseStatus.MATERIALS_NEEDED and target is not previous:
        case.paused_working_days += paused_days(
            env.calendar, since=case.paused_since or today, until=today
        )
        case.paused_since = None
    action = body.action
    if action is Action.REQUEST_MATERIALS:
        case.missing_materials = [m.strip() for m in body.missing_materials or [] if m.strip()]
        case.paused_since = today
        data["missing_materials"] = case.missing_materials
    elif action is Action.SUPPLY_MATERIALS:
        case.missing_materials = None
    elif action is Action.ACCEPT:
        case.forward_due_date = None
    elif action is Action.START_PUBLIC_NOTICE:
        case.public_notice_started_on = today
        case.public_notice_ends_on = today + dt.timedelta(days=PUBLIC_NOTICE_DAYS - 1)
        data["public_notice_ends_on"] = case.public_notice_ends_on.isoformat()
    elif action is Action.RECORD_OBJECTION:
        case.public_notice_started_on = None
        case.public_notice_ends_on = None
    elif action in (Action.APPROVE, Action.REJECT):
        case.decision_reason = body.reason if action is Action.REJECT else body.note
        case.decided_at = env.now
    elif action is Action.FORWARD:
        assert body.to_township_code is not None
        assert body.reason is not None
        _forward(
            session,
            case=case,
            to_code=body.to_township_code,
            reason=body.reason,
            staff=staff,
            env=env,
        )
        data["from_township_code"] = case.forwards[-1].from_township_code
        data["to_township_code"] = body.to_township_code
        data["forward_due_date"] = case.forward_due_date
    elif action is Action.EXTEND:
        extended = policy_of(case.program, env.settings).extended_working_days
        assert extended is not None  # the machine's guard checked it
        case.extended = True
        case.allowed_working_days = extended

    case.status = target.value
    case.updated_at = env.now
    _set_due(case, env.calendar)
    data["due_date"] = case.due_date.isoformat()
    session.flush()
    audit.record(
        session,
        actor=f"staff:{staff.username}",
        action=f"case.{action.value}",
        entity_type="case",
        entity_id=case.id,
        data=data,
        at=env.now,
    )
    flows.after_transition(session, case=case, action=action, now=env.now)
    return case


def _forward(
    session: Session,
    *,
    case: ProgramCase,
    to_code: str,
    reason: str,
    staff: StaffUser,
    env: CaseEnv,
) -> None:
    due = env.calendar.add_working_days(env.today, FORWARD_WORKING_DAYS)
    forward = CaseForward(
        case_id=case.id,
        from_township_code=case.handling_township_code,
        to_township_code=to_code,
        reason=reason,
        by_username=staff.username,
        at=env.now,
        due_date=due.date,
    )
    session.add(forward)
    case.forwards.append(forward)
    case.routing_reason = (
        f"由{township_name(case.handling_township_code)}转交{township_name(to_code)}:{reason}"
    )
    case.handling_township_code = to_code
    case.forward_due_date = due.date
    case.missing_materials = None


# Views of a case -----------------------------------------------------------------------------
def clock_reading(case: ProgramCase, env: CaseEnv) -> ClockReading:
    return read_clock(
        env.calendar,
        today=env.today,
        started_on=case.started_on,
        due_on=case.due_date,
        allowed_working_days=case.allowed_working_days,
        paused_working_days=case.paused_working_days,
        paused_since=case.paused_since,
        finished=CaseStatus(case.status) in DECIDED,
    )


def needs_from_resident(case: ProgramCase) -> str | None:
    if case.status == CaseStatus.MATERIALS_NEEDED.value and case.missing_materials:
        return "请补充以下材料:" + "、".join(case.missing_materials)
    return None


def summary(case: ProgramCase, env: CaseEnv) -> CaseSummaryOut:
    reading = clock_reading(case, env)
    return CaseSummaryOut(**_summary_fields(case, reading))


def _summary_fields(case: ProgramCase, reading: ClockReading) -> dict[str, object]:
    return {
        "id": case.id,
        "program": case.program,
        "program_label": Program(case.program).label,
        "status": case.status,
        "status_label": CaseStatus(case.status).label,
        "submitted_township_code": case.submitted_township_code,
        "handling_township_code": case.handling_township_code,
        "handling_township_name": township_name(case.handling_township_code),
        "routing_reason": case.routing_reason,
        "due_date": case.due_date,
        "due_date_provisional": case.due_date_provisional,
        "deadline_state": reading.state.value,
        "deadline_label": reading.label,
        "needs_from_resident": needs_from_resident(case),
    }


def _applicant_fields(application: Application) -> dict[str, object]:
    """The application's identity as lists and case pages show it (ID number masked)."""
    return {
        "application_id": application.id,
        "application_number": application.number,
        "applicant_name": application.applicant_name,
        "applicant_id_number_masked": idcard.mask(application.applicant_id_number),
    }


def list_item(case: ProgramCase, env: CaseEnv) -> CaseListItemOut:
    return CaseListItemOut(
        **_summary_fields(case, clock_reading(case, env)),
        **_applicant_fields(case.application),
        created_at=case.created_at,
    )


def full_id_numbers_for(caller: Caller, case: ProgramCase) -> bool:
    """The caller sees this case's ID numbers unmasked (workflows/auth/capabilities.py)."""
    return sees_full_id_numbers(caller, (case.handling_township_code, case.submitted_township_code))


def detail(
    session: Session,
    *,
    case: ProgramCase,
    env: CaseEnv,
    role: Role | None,
    full_id_numbers: bool,
) -> CaseDetailOut:
    """The case as a reviewer reads it; ID numbers masked unless ``full_id_numbers``."""
    application = session.scalar(
        select(Application)
        .where(Application.id == case.application_id)
        .options(
            selectinload(Application.members).selectinload(HouseholdMember.incomes),
            selectinload(Application.property_items),
            selectinload(Application.expenditures),
        )
    )
    assert application is not None
    reading = clock_reading(case, env)
    actions = allowed_actions(case, env, role=role)
    history = [
        h
        for h in audit.history(session, entity_type="case", entity_id=case.id)
        if not is_read(h.action)
    ]
    shown = (lambda number: number) if full_id_numbers else idcard.mask
    policy = policy_of(case.program, env.settings)
    return CaseDetailOut(
        **_summary_fields(case, reading),
        **_applicant_fields(application),
        applicant_id_number=application.applicant_id_number if full_id_numbers else None,
        id_numbers_masked=not full_id_numbers,
        channel=application.channel,
        used_working_days=reading.used_working_days,
        allowed_working_days=case.allowed_working_days,
        deadline_source=policy.source,
        deadline_is_sample=policy.sample,
        extended=case.extended,
        paused_since=case.paused_since,
        missing_materials=case.missing_materials,
        forward_due_date=case.forward_due_date,
        public_notice_started_on=case.public_notice_started_on,
        public_notice_ends_on=case.public_notice_ends_on,
        decision_reason=case.decision_reason,
        allowed_actions=[
            AllowedActionOut(
                action=a.value,
                label=a.label,
                requires=list(machine.transition_for(a).requires),
            )
            for a in actions
        ],
        forwards=[
            ForwardOut(
                from_township_code=f.from_township_code,
                to_township_code=f.to_township_code,
                reason=f.reason,
                by=f.by_username,
                at=f.at,
                due_date=f.due_date,
            )
            for f in case.forwards
        ],
        members=[
            MemberOut(
                relation=m.relation,
                name=m.name,
                id_number=shown(m.id_number),
                birth_date=m.birth_date,
                sex=m.sex,
                disability_category=m.disability_category,
                disability_grade=m.disability_grade,
                serious_illness=m.serious_illness,
                in_school=m.in_school,
                incomes=[
                    {"kind": i.kind, "monthly_amount": i.monthly_amount, "exempt": i.exempt}
                    for i in m.incomes
                ],
            )
            for m in application.members
        ],
        property=[
            {"kind": p.kind, "value": p.value, "note": p.note} for p in application.property_items
        ],
        expenditures=[
            {"kind": e.kind, "annual_amount": e.annual_amount} for e in application.expenditures
        ],
        history=[
            HistoryOut(seq=h.seq, at=h.at, actor=h.actor, action=h.action, data=h.data)
            for h in history
        ],
    )
