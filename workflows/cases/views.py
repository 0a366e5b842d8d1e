"""HTTP API of program cases (staff; internal callers may read).

Refusals are CaseErrors (workflows/cases/errors.py), answered by the app's one handler
(workflows/errors.py): 404/403/409 with a Chinese ``detail``, 409 with the allowed actions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from huimin import townships
from huimin.programs import Program
from workflows.auth.actor import Caller
from workflows.auth.deps import CaseReader, CaseStaff
from workflows.cases import commands, queries, responses
from workflows.cases.enums import CaseStatus
from workflows.cases.env import CaseEnv
from workflows.cases.models import ProgramCase
from workflows.cases.schemas import CaseDetailOut, CasePageOut, TransitionIn
from workflows.deps import CalendarDep, ClockDep, IdPath, SessionDep, SettingsDep
from workflows.read_audit import record_read
from workflows.validation import field_errors

router = APIRouter(tags=["cases"])
READ_VIEW = "api.case_detail"


def case_env(settings: SettingsDep, clock: ClockDep, calendar: CalendarDep) -> CaseEnv:
    return CaseEnv(calendar=calendar, settings=settings, now=clock.now())


EnvDep = Annotated[CaseEnv, Depends(case_env)]


@router.get("/api/cases", response_model=CasePageOut)
def list_cases(
    env: EnvDep,
    session: SessionDep,
    caller: CaseReader,
    status: CaseStatus | None = None,
    program: Program | None = None,
    township: Annotated[str | None, Query(max_length=12)] = None,
    overdue: bool | None = None,
    include_closed: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CasePageOut:
    if township is not None and townships.by_code(township) is None:
        raise field_errors([(("township",), f"乡镇(街道)代码不存在:{township}")], where="query")
    listing = queries.list_cases(
        session,
        caller=caller,
        today=env.today,
        status=status,
        program=program,
        township_code=township,
        overdue=overdue,
        include_closed=include_closed,
        page=page,
        page_size=page_size,
    )
    return CasePageOut(
        items=[responses.list_item(case, env) for case in listing.items],
        total=listing.total,
        total_capped=listing.total_capped,
        page=page,
        page_size=page_size,
    )


@router.get("/api/cases/{case_id}", response_model=CaseDetailOut)
def get_case(
    case_id: IdPath, env: EnvDep, session: SessionDep, caller: CaseReader
) -> CaseDetailOut:
    """The case with its household; the read is audited (who, which case, this endpoint)."""
    case = queries.visible_case(session, case_id=case_id, caller=caller)
    answer = _detail(session, case, env, caller)
    record_read(
        session, caller=caller, entity_type="case", entity_id=case.id, view=READ_VIEW, at=env.now
    )
    session.commit()
    return answer


def _detail(session: SessionDep, case: ProgramCase, env: CaseEnv, caller: Caller) -> CaseDetailOut:
    return responses.detail(
        session,
        case=case,
        env=env,
        role=caller.role,
        full_id_numbers=responses.full_id_numbers_for(caller, case),
    )


@router.post("/api/cases/{case_id}/transitions", response_model=CaseDetailOut)
def transition(
    case_id: IdPath,
    body: TransitionIn,
    env: EnvDep,
    session: SessionDep,
    caller: CaseStaff,
) -> CaseDetailOut:
    staff = caller.staff
    assert staff is not None  # CaseStaff is a logged-in staff member
    case = queries.visible_case(session, case_id=case_id, caller=caller)
    commands.act(session, case=case, body=body, staff=staff, env=env)
    return _detail(session, case, env, caller)
