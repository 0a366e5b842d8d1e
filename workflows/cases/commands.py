"""Changing cases: open one, take an action through the machine (audited, resident notified).

``act`` is what the API and the case page call: it takes the action and commits, or rolls back
and raises a CaseError (workflows/cases/errors.py) the caller answers with its status and message.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from huimin import townships
from huimin.programs import Program
from workflows.applications.models import Application
from workflows.audit import service as audit
from workflows.auth.enums import Role
from workflows.auth.models import StaffUser
from workflows.cases import effects, flows, machine
from workflows.cases.enums import CaseStatus
from workflows.cases.env import CaseEnv, guard_context, policy_of, set_due, township_name
from workflows.cases.errors import (
    CaseChangedError,
    CaseError,
    CaseForbiddenError,
    TransitionInputError,
)
from workflows.cases.models import ProgramCase
from workflows.cases.schemas import TransitionIn
from workflows.routing.service import Routing

Problems = list[tuple[tuple[str, ...], str]]


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
    set_due(case, env.calendar)
    session.add(case)
    return case


def may_act(case: ProgramCase, staff: StaffUser) -> bool:
    """District staff act on every case; township staff on the cases their township handles."""
    return staff.township_code is None or staff.township_code == case.handling_township_code


def check_may_act(case: ProgramCase, staff: StaffUser) -> None:
    if not may_act(case, staff):
        raise CaseForbiddenError(
            f"本案件由{township_name(case.handling_township_code)}办理,您只能查看"
        )


def body_problems(case: ProgramCase, body: TransitionIn) -> Problems:
    """Fields the chosen action needs (its row's ``requires``), each with a Chinese message."""
    spec = machine.transition_for(body.action)
    problems: Problems = []
    if "reason" in spec.requires and not body.reason:
        problems.append((("reason",), f"“{body.action.label}”须填写理由"))
    if "missing_materials" in spec.requires:
        items = [m.strip() for m in body.missing_materials or [] if m.strip()]
        if not items:
            problems.append((("missing_materials",), "请一次性列出需要补充的全部材料(至少一项)"))
    if "amount" in spec.requires:
        if body.amount is None:
            problems.append((("amount",), "请填写先行救助金额(元)"))
        elif body.amount <= 0:
            problems.append((("amount",), "先行救助金额应大于0元"))
    if "certificate_ref" in spec.requires and not body.certificate_ref:
        problems.append((("certificate_ref",), "请填写所出示的低保、特困或低保边缘证明的证号"))
    if "to_township_code" in spec.requires:
        code = body.to_township_code
        if not code:
            problems.append((("to_township_code",), "请选择转交的乡镇(街道)"))
        elif townships.by_code(code) is None:
            problems.append((("to_township_code",), f"乡镇(街道)代码不存在:{code}"))
        elif code == case.handling_township_code:
            problems.append((("to_township_code",), "不能转交给本乡镇(街道)"))
    return problems


def transition(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> ProgramCase:
    """Take one action: the machine's checks, the action's declared effect, the status change,
    the audit record and the resident's notice (declared in effects.EFFECTS); not committed.

    Raises CaseForbiddenError (another township's case), RoleNotAllowedError,
    TransitionNotAllowedError (with the allowed actions), TransitionInputError.
    """
    check_may_act(case, staff)
    previous = CaseStatus(case.status)
    spec = machine.check(
        previous, body.action, guard_context(session, case, env), role=Role(staff.role)
    )
    problems = body_problems(case, body)
    if problems:
        raise TransitionInputError(problems)
    current = spec.target or previous
    declared = effects.effect_of(body.action)

    data: dict[str, object] = {"from": previous.value, "to": current.value}
    if body.reason:
        data["reason"] = body.reason
    if body.note:
        data["note"] = body.note
    effects.on_status_change(case, previous=previous, current=current, env=env)
    data.update(declared.change(session, case=case, body=body, staff=staff, env=env))
    case.status = current.value
    case.updated_at = env.now
    set_due(case, env.calendar)
    data["due_date"] = case.due_date.isoformat()
    session.flush()
    audit.record(
        session,
        actor=f"staff:{staff.username}",
        action=f"case.{body.action.value}",
        entity_type="case",
        entity_id=case.id,
        data=data,
        at=env.now,
    )
    if declared.notice is not None:
        flows.notify_resident(session, case=case, text=declared.notice(case), now=env.now)
    return case


def act(
    session: Session, *, case: ProgramCase, body: TransitionIn, staff: StaffUser, env: CaseEnv
) -> ProgramCase:
    """``transition`` and commit; on a refusal roll back and raise it (a CaseError).

    A concurrent transition of the same case that committed first is CaseChangedError (409).
    """
    try:
        transition(session, case=case, body=body, staff=staff, env=env)
        session.commit()
    except CaseError:
        session.rollback()
        raise
    except StaleDataError:
        session.rollback()
        raise CaseChangedError() from None
    return case
