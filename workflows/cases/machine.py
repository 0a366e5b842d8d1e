"""The one place that says which action may follow which status (a declarative table).

Each row: the action, the statuses it may start from, the status it leads to (None: stays),
the roles that may take it, the body fields it needs, and an optional guard that returns a
Chinese reason when the action is not possible right now. An action from a status its row does
not declare is refused (TransitionNotAllowedError, 409 with the allowed actions).

What each action does to the case and what the resident is told are declared beside this
table, keyed by action: workflows/cases/effects.py (``EFFECTS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from workflows.auth.enums import Role
from workflows.cases.enums import DECIDED, Action, CaseStatus
from workflows.cases.errors import RoleNotAllowedError, TransitionNotAllowedError
from workflows.cases.profiles import Stage
from workflows.deadlines.policy import PUBLIC_NOTICE_DAYS

__all__ = [
    "TRANSITIONS",
    "GuardContext",
    "RoleNotAllowedError",
    "Transition",
    "TransitionNotAllowedError",
    "allowed_actions",
    "check",
    "roles_for",
    "transition_for",
]

S = CaseStatus


@dataclass(frozen=True)
class GuardContext:
    today: dt.date
    extendable: bool  # the program's deadline may be extended
    extended: bool  # and it has been already
    public_notice_ends_on: dt.date | None
    # the county (district) decides this case: approve/reject after the township's opinion is
    # the district supervisor's ([DB] art. 20), unless 审核确认 is delegated to the township
    county_decides: bool = False
    # From the program's process profile (workflows/cases/profiles.py): the stages its case
    # passes (default: the full 低保-like process), 先行救助, direct grant, referral.
    stages: frozenset[Stage] = frozenset(Stage)
    urgent_grant: bool = False  # 先行救助 is possible for this program
    urgent_granted: bool = False  # and was given already
    direct_grant: bool = False  # the household holds a certificate that grants it directly
    referral: bool = False  # another department handles the program


Guard = Callable[[GuardContext, CaseStatus], str | None]


def _notice_over(ctx: GuardContext) -> str | None:
    """The public notice's last day is public_notice_ends_on; a decision comes after it."""
    if ctx.public_notice_ends_on is not None and ctx.today <= ctx.public_notice_ends_on:
        return (
            f"公示期{PUBLIC_NOTICE_DAYS}天未满(至 {ctx.public_notice_ends_on.isoformat()} 结束),"
            "期满后方可作出决定"
        )
    return None


def _decision_ok(ctx: GuardContext, status: CaseStatus) -> str | None:
    """Approve/reject only once the stages the program's profile requires are done."""
    if status is S.PUBLIC_NOTICE:
        return _notice_over(ctx)
    if status is S.TOWNSHIP_OPINION and Stage.PUBLIC_NOTICE in ctx.stages:
        return f"该项目须公示{PUBLIC_NOTICE_DAYS}天,公示期满后方可作出决定"
    if status is S.ACCEPTED and (Stage.INVESTIGATION in ctx.stages or ctx.referral):
        return (
            "该项目须转主管部门办理,不能直接作出决定"
            if ctx.referral
            else "该项目须经入户调查和乡镇(街道)审核后方可作出决定"
        )
    return None


def _reject_ok(ctx: GuardContext, status: CaseStatus) -> str | None:
    """Refusing an incomplete application stays possible; from 已受理 only where the profile has
    no investigation (the decision is then taken on the application itself)."""
    return _decision_ok(ctx, status) if status is S.ACCEPTED else None


def _investigation(ctx: GuardContext, status: CaseStatus) -> str | None:
    if Stage.INVESTIGATION not in ctx.stages or ctx.referral:
        return "该项目的办理流程不包括入户调查"
    if ctx.direct_grant:
        return "申请家庭持有低保、特困或低保边缘证明,凭证直接给予,无需入户调查"
    return None


def _public_notice(ctx: GuardContext, status: CaseStatus) -> str | None:
    if Stage.PUBLIC_NOTICE not in ctx.stages:
        return "该项目的办理流程不包括公示"
    return None


def _urgent(ctx: GuardContext, status: CaseStatus) -> str | None:
    if not ctx.urgent_grant:
        return "该项目不适用先行救助"
    if ctx.urgent_granted:
        return "本案件已经先行救助过"
    return None


def _direct(ctx: GuardContext, status: CaseStatus) -> str | None:
    if not ctx.direct_grant:
        return "申请家庭未持有可直接给予救助的低保、特困或低保边缘证明,须按程序审核"
    return None


def _refer(ctx: GuardContext, status: CaseStatus) -> str | None:
    return None if ctx.referral else "该项目由民政部门办理,无需转交主管部门"


def _can_extend(ctx: GuardContext, status: CaseStatus) -> str | None:
    if not ctx.extendable:
        return "该项目的办理时限不能延长"
    if ctx.extended:
        return "办理时限已经延长过"
    return None


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[CaseStatus]
    target: CaseStatus | None
    roles: frozenset[Role]
    requires: tuple[str, ...] = ()
    guard: Guard | None = None


_ALL = frozenset({Role.REVIEWER, Role.SUPERVISOR})
_INTAKE = frozenset({Role.REVIEWER, Role.COUNTER, Role.SUPERVISOR})
_OPEN = frozenset(set(CaseStatus) - DECIDED)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.ACCEPT, frozenset({S.SUBMITTED}), S.ACCEPTED, _INTAKE),
    Transition(
        Action.REQUEST_MATERIALS,
        frozenset({S.SUBMITTED, S.ACCEPTED}),
        S.MATERIALS_NEEDED,
        _INTAKE,
        requires=("missing_materials",),
    ),
    Transition(Action.SUPPLY_MATERIALS, frozenset({S.MATERIALS_NEEDED}), S.ACCEPTED, _INTAKE),
    Transition(
        Action.START_INVESTIGATION,
        frozenset({S.ACCEPTED}),
        S.INVESTIGATING,
        _ALL,
        guard=_investigation,
    ),
    Transition(Action.SUBMIT_OPINION, frozenset({S.INVESTIGATING}), S.TOWNSHIP_OPINION, _ALL),
    Transition(
        Action.START_PUBLIC_NOTICE,
        frozenset({S.TOWNSHIP_OPINION}),
        S.PUBLIC_NOTICE,
        _ALL,
        guard=_public_notice,
    ),
    Transition(
        Action.RECORD_OBJECTION,
        frozenset({S.PUBLIC_NOTICE}),
        S.INVESTIGATING,
        _ALL,
        requires=("reason",),
    ),
    Transition(
        Action.APPROVE,
        frozenset({S.PUBLIC_NOTICE, S.TOWNSHIP_OPINION, S.ACCEPTED, S.REFERRED}),
        S.APPROVED,
        _ALL,
        guard=_decision_ok,
    ),
    Transition(
        Action.REJECT,
        frozenset(
            {
                S.SUBMITTED,
                S.MATERIALS_NEEDED,
                S.ACCEPTED,
                S.TOWNSHIP_OPINION,
                S.PUBLIC_NOTICE,
                S.REFERRED,
            }
        ),
        S.REJECTED,
        _ALL,
        requires=("reason",),
        guard=_reject_ok,
    ),
    Transition(Action.CLOSE, frozenset({S.APPROVED, S.REJECTED}), S.CLOSED, _ALL),
    Transition(
        Action.FORWARD,
        frozenset({S.SUBMITTED, S.ACCEPTED, S.MATERIALS_NEEDED}),
        S.SUBMITTED,
        _INTAKE,
        requires=("to_township_code", "reason"),
    ),
    Transition(Action.EXTEND, _OPEN, None, _ALL, requires=("reason",), guard=_can_extend),
    # 先行救助: the township helps the same day; the case then gathers its paperwork
    Transition(
        Action.GRANT_URGENT,
        frozenset({S.SUBMITTED, S.ACCEPTED}),
        S.ACCEPTED,
        _ALL,
        requires=("amount", "reason"),
        guard=_urgent,
    ),
    # 医疗救助 on showing a 低保/特困/低保边缘 certificate: no investigation, no 公示
    Transition(
        Action.GRANT_DIRECT,
        frozenset({S.ACCEPTED}),
        S.APPROVED,
        _ALL,
        requires=("certificate_ref",),
        guard=_direct,
    ),
    Transition(Action.REFER, frozenset({S.ACCEPTED}), S.REFERRED, _ALL, guard=_refer),
)

_BY_ACTION: dict[Action, Transition] = {t.action: t for t in TRANSITIONS}

# Where the county decides, the township's last steps are its opinion and the 公示; refusing to
# accept an incomplete application (reject from submitted/materials_needed) stays with it.
COUNTY_DECISION_STAGE = frozenset({S.TOWNSHIP_OPINION, S.PUBLIC_NOTICE})
_DISTRICT_ONLY = frozenset({Role.SUPERVISOR})
COUNTY_DECIDES_MESSAGE = (
    "该项目由区民政部门审核确认:乡镇(街道)提交审核意见(须公示的项目公示期满)后,"
    "由区级督导作出批准或不予批准的决定"
)


def roles_for(spec: Transition, status: CaseStatus, ctx: GuardContext) -> frozenset[Role]:
    """Who may take this transition from this status for this case."""
    if (
        ctx.county_decides
        and spec.action in (Action.APPROVE, Action.REJECT)
        and status in COUNTY_DECISION_STAGE
    ):
        return _DISTRICT_ONLY
    return spec.roles


def transition_for(action: Action) -> Transition:
    return _BY_ACTION[action]


def allowed_actions(
    status: CaseStatus, ctx: GuardContext, *, role: Role | None = None
) -> list[Action]:
    """Actions possible now from this status (for this role, when one is given)."""
    return [
        t.action
        for t in TRANSITIONS
        if status in t.sources
        and (role is None or role in roles_for(t, status, ctx))
        and (t.guard is None or t.guard(ctx, status) is None)
    ]


def check(status: CaseStatus, action: Action, ctx: GuardContext, *, role: Role) -> Transition:
    """The transition to take, or raise TransitionNotAllowedError / RoleNotAllowedError."""
    spec = _BY_ACTION[action]
    if status not in spec.sources:
        raise TransitionNotAllowedError(
            f"案件当前状态为“{status.label}”,不能执行“{action.label}”",
            allowed_actions(status, ctx, role=role),
            status=status,
        )
    if role not in roles_for(spec, status, ctx):
        if role in spec.roles:  # allowed elsewhere, but this decision is the district's
            raise RoleNotAllowedError(COUNTY_DECIDES_MESSAGE)
        raise RoleNotAllowedError(f"您的角色({role.label})不能执行“{action.label}”")
    if spec.guard is not None:
        reason = spec.guard(ctx, status)
        if reason is not None:
            raise TransitionNotAllowedError(
                reason, allowed_actions(status, ctx, role=role), status=status
            )
    return spec
