"""POST/GET /api/applications (internal callers and staff)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from workflows.applications import identity, service
from workflows.applications.schemas import ApplicationIn, ApplicationOut
from workflows.auth.deps import CaseReader, CaseStaff
from workflows.cases.views import EnvDep
from workflows.deps import IdPath, SessionDep
from workflows.read_audit import record_read

router = APIRouter(tags=["applications"])

NOT_FOUND = HTTPException(status_code=404, detail="申请不存在或不在您的辖区")


@router.post(
    "/api/applications",
    response_model=ApplicationOut,
    status_code=201,
    responses={200: {"description": "同一 Idempotency-Key 的重复提交:返回原申请"}},
)
def submit(
    body: ApplicationIn,
    caller: CaseReader,
    session: SessionDep,
    env: EnvDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> ApplicationOut | JSONResponse:
    try:
        application, created = service.submit(
            session, body=body, caller=caller, idempotency_key=idempotency_key, env=env
        )
        session.commit()
    except service.IdempotencyConflictError:
        raise HTTPException(
            status_code=409, detail="该 Idempotency-Key 已用于另一份内容不同的申请"
        ) from None
    except IntegrityError:
        # The same key committed by a concurrent request a moment ago: answer with that one.
        session.rollback()
        existing = service.get_by_key(session, key=idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        application, created = existing, False
    answer = service.describe(application, env, staff_names=True)
    if created:
        return answer
    return JSONResponse(status_code=200, content=answer.model_dump(mode="json"))


@router.get("/api/applications/{application_id}", response_model=ApplicationOut)
def get_application(
    application_id: IdPath, caller: CaseReader, session: SessionDep, env: EnvDep
) -> ApplicationOut:
    """The application; the read is audited (who, which application, this endpoint)."""
    application = service.get_visible(session, application_id=application_id, caller=caller)
    if application is None:
        raise NOT_FOUND
    full = service.full_id_numbers_for(caller, application)
    answer = service.describe(application, env, full_id_numbers=full, staff_names=True)
    record_read(
        session,
        caller=caller,
        entity_type="application",
        entity_id=application.id,
        view="api.application_detail",
        at=env.now,
    )
    session.commit()
    return answer


@router.post(
    "/api/applications/{application_id}/identity-check",
    response_model=ApplicationOut,
    responses={
        403: {"description": "角色或乡镇(街道)不能登记身份核验"},
        404: {"description": "申请不存在或不在您的辖区"},
        409: {"description": "申请人身份已核验"},
    },
)
def identity_check(
    application_id: IdPath, caller: CaseStaff, session: SessionDep, env: EnvDep
) -> ApplicationOut:
    """The staff member checked the applicant's physical ID card (method counter; audited)."""
    application = service.get_visible(session, application_id=application_id, caller=caller)
    if application is None:
        raise NOT_FOUND
    try:
        identity.record_id_card_check(session, application, caller=caller, now=env.now)
    except identity.IdentityCheckRefusedError as exc:
        session.rollback()
        raise HTTPException(status_code=403, detail=exc.message) from None
    except identity.AlreadyVerifiedError as exc:
        session.rollback()
        raise HTTPException(status_code=409, detail=exc.message) from None
    session.commit()
    full = service.full_id_numbers_for(caller, application)
    return service.describe(application, env, full_id_numbers=full, staff_names=True)
