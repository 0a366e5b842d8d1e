"""GET /api/townships and GET /api/registry/households/{id_number} (gated by identity)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query

from huimin import townships
from workflows.auth.deps import AnyCaller
from workflows.auth.enums import Role
from workflows.deps import ClockDep, SessionDep, SettingsDep
from workflows.fields import IdNumber
from workflows.identity.deps import RegistryDep
from workflows.identity.enums import LookupPurpose
from workflows.identity.registry_access import lookup_audited, refuse_lookup
from workflows.identity.schemas import Subject
from workflows.identity.service import live_verification
from workflows.registry import RegistryUnavailableError

router = APIRouter(tags=["reference"])

NOT_VERIFIED = "身份未核验,不能查询登记信息"
STAFF_NOT_ALLOWED = "当前账号的角色不能查询登记信息"
LOOKUP_ROLES = frozenset({Role.COUNTER, Role.REVIEWER, Role.SUPERVISOR})


@router.get("/api/townships")
def list_townships() -> list[dict[str, str]]:
    return [{"code": t.code, "name": t.name, "kind": t.kind} for t in townships.all_townships()]


@router.get(
    "/api/registry/households/{id_number}",
    responses={403: {"description": NOT_VERIFIED}, 503: {"description": "登记信息系统不可用"}},
)
def registry_household(
    id_number: IdNumber,
    caller: AnyCaller,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    registry: RegistryDep,
    subject: Subject | None = Query(None, description="对话标识(内部调用时必填,须已核验身份)"),
    purpose: LookupPurpose = Query(LookupPurpose.APPLICATION, description="查询目的"),
) -> dict[str, Any]:
    """The household of this ID number: for a chat identity verified for exactly this number
    (internal caller with ``subject``), or for counter/reviewer/supervisor staff. Every lookup,
    allowed or refused, is audited; members' mobile numbers are never returned."""
    now = clock.now()
    actor = subject if caller.is_internal and subject else caller.audit_name
    refusal: str | None = None
    if caller.is_internal:
        if subject is None:
            refusal = "no_subject"
        elif (
            live_verification(session, settings, subject=subject, id_number=id_number, now=now)
            is None
        ):
            refusal = "not_verified"
    elif caller.role not in LOOKUP_ROLES:
        refusal = "role"
    if refusal is not None:
        refuse_lookup(
            session,
            settings,
            actor=actor,
            subject=subject,
            id_number=id_number,
            purpose=purpose,
            reason=refusal,
            at=now,
        )
        session.commit()
        raise HTTPException(
            status_code=403, detail=STAFF_NOT_ALLOWED if refusal == "role" else NOT_VERIFIED
        )
    try:
        household = lookup_audited(
            session,
            settings,
            registry,
            actor=actor,
            subject=subject,
            id_number=id_number,
            purpose=purpose,
            at=now,
        )
    except RegistryUnavailableError as exc:
        session.commit()
        raise HTTPException(status_code=503, detail=exc.message_zh) from None
    session.commit()
    if household is None:
        return {"found": False, "household": None}
    return {"found": True, "household": household.public_dump()}
