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


Guard = Callable[[GuardContext], str | None]


def _notice_over(ctx: GuardContext) -> str | None:
    """The public notice's last day is public_notice_ends_on; a decision comes after it."""
    if ctx.public_notice_ends_on is not None and ctx.today <= ctx.public_notice_ends_on:
        return (
            f"公示期{PUBLIC_NOTICE_DAYS}天未满(至 {ctx.public_notice_ends_on.isoformat()} 结束),"
            "期满后方可作出决定"
        )
    return None


def _can_extend(ctx: GuardContext) -> str | None:
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
    Transition(Action.START_INVESTIGATION, frozenset({S.ACCEPTED}), S.INVESTIGATING, _ALL),
    Transition(Action.SUBMIT_OPINION, frozenset({S.INVESTIGATING}), S.TOWNSHIP_OPINION, _ALL),
    Transition(Action.START_PUBLIC_NOTICE, frozenset({S.TOWNSHIP_OPINION}), S.PUBLIC_NOTICE, _ALL),
    Transition(
        Action.RECORD_OBJECTION,
        frozenset({S.PUBLIC_NOTICE}),
        S.INVESTIGATING,
        _ALL,
        requires=("reason",),
    ),
    Transition(Action.APPROVE, frozenset({S.PUBLIC_NOTICE}), S.APPROVED, _ALL, guard=_notice_over),
    Transition(
        Action.REJECT,
        frozenset({S.SUBMITTED, S.MATERIALS_NEEDED, S.TOWNSHIP_OPINION, S.PUBLIC_NOTICE}),
        S.REJECTED,
        _ALL,
        requires=("reason",),
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
)

_BY_ACTION: dict[Action, Transition] = {t.action: t for t in TRANSITIONS}

# Where the county decides, the township's last steps are its opinion and the 公示; refusing to
# accept an incomplete application (reject from submitted/materials_needed) stays with it.
COUNTY_DECISION_STAGE = frozenset({S.TOWNSHIP_OPINION, S.PUBLIC_NOTICE})
_DISTRICT_ONLY = frozenset({Role.SUPERVISOR})
COUNTY_DECIDES_MESSAGE = (
    "该项目由区民政部门审核确认:乡镇(街道)提交审核意见并公示后,由区级督导作出批准或不予批准的决定"
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
        and (t.guard is None or t.guard(ctx) is None)
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
        reason = spec.guard(ctx)
        if reason is not None:
            raise TransitionNotAllowedError(
                reason, allowed_actions(status, ctx, role=role), status=status
            )
    return spec
