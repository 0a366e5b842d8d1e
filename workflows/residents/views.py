"""A resident's applications by channel identity; status lookup by number + ID number."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from workflows.applications import service as applications
from workflows.applications.schemas import ApplicationOut
from workflows.auth.deps import InternalCaller
from workflows.cases.views import EnvDep
from workflows.deps import SessionDep
from workflows.residents.schemas import StatusLookupIn

router = APIRouter(tags=["residents"])


@router.get("/api/residents/applications", response_model=list[ApplicationOut])
def my_applications(
    _: InternalCaller,
    session: SessionDep,
    env: EnvDep,
    channel: Annotated[str, Query(min_length=1, max_length=20)],
    channel_user_id: Annotated[str, Query(min_length=1, max_length=100)],
) -> list[ApplicationOut]:
    found = applications.for_identity(session, channel=channel, channel_user_id=channel_user_id)
    return [applications.describe(a, env) for a in found]


@router.post("/api/status-lookup", response_model=ApplicationOut)
def status_lookup(body: StatusLookupIn, session: SessionDep, env: EnvDep) -> ApplicationOut:
    application = applications.by_number_and_id(
        session, number=body.number, id_number=body.id_number
    )
    if application is None:
        raise HTTPException(
            status_code=404, detail="未找到匹配的申请,请核对申请编号和申请人身份证号码"
        )
    return applications.describe(application, env)
