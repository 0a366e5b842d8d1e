"""POST /api/leads/{id}/temporary-application; GET /api/township-alerts,
POST /api/township-alerts/{id}/ack (township case staff; 404 outside the township)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from workflows.applications.models import Application
from workflows.auth.deps import CaseStaff
from workflows.cases.views import EnvDep
from workflows.deps import ClockDep, IdPath, SessionDep
from workflows.followups import alerts, convert
from workflows.followups.models import TownshipAlert
from workflows.followups.schemas import AlertListOut, AlertOut, ConversionOut, ConvertIn
from workflows.handoffs.live import get_hub

router = APIRouter(tags=["visit follow-ups"])


def conversion_out(lead_id: int, application: Application, created: bool) -> ConversionOut:
    case = application.cases[0]
    return ConversionOut(
        lead_id=lead_id,
        application_id=application.id,
        application_number=application.number,
        case_id=case.id,
        case_status=case.status,
        handling_township_code=case.handling_township_code,
        created=created,
    )


@router.post(
    "/api/leads/{lead_id}/temporary-application",
    response_model=ConversionOut,
    status_code=201,
    responses={
        200: {"description": "该线索已转为临时救助申请:返回原申请"},
        404: {"description": "线索不存在或不在您的辖区"},
        409: {"description": "不是探访线索"},
        422: {"description": "探访对象信息不全或未取得核对授权(附窗口接待地址)"},
    },
)
def to_temporary_application(
    lead_id: IdPath, body: ConvertIn, caller: CaseStaff, session: SessionDep, env: EnvDep
) -> ConversionOut | JSONResponse:
    """转临时救助申请: a 临时救助 (急难型) application from the visit target's roster data."""
    result = convert.convert_once(
        session,
        lead_id=lead_id,
        caller=caller,
        consent_verification=body.consent_verification,
        env=env,
    )
    answer = conversion_out(lead_id, result.application, result.created)
    if result.created:
        return answer
    return JSONResponse(status_code=200, content=answer.model_dump(mode="json"))


def alert_out(alert: TownshipAlert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        township_code=alert.township_code,
        text=alert.text,
        shown_to=alert.shown_to,
        shown_at=alert.shown_at,
        acknowledged_by=alert.acknowledged_by,
        acknowledged_at=alert.acknowledged_at,
    )


@router.get("/api/township-alerts", response_model=AlertListOut)
def township_alerts(caller: CaseStaff, session: SessionDep, clock: ClockDep) -> AlertListOut:
    """Delivers the township's waiting alerts (outbox channel ``township``) and lists the open
    ones; district staff get an empty list."""
    found = alerts.pending_for(session, caller=caller, now=clock.now())
    session.commit()
    return AlertListOut(count=len(found), alerts=[alert_out(a) for a in found])


@router.post("/api/township-alerts/{alert_id}/ack", response_model=AlertOut)
def acknowledge(
    alert_id: IdPath, caller: CaseStaff, session: SessionDep, clock: ClockDep, request: Request
) -> AlertOut:
    alert = alerts.acknowledge(session, alert_id=alert_id, caller=caller, now=clock.now())
    session.commit()
    get_hub(request).notify(alerts.township_key(alert.township_code))  # other open pages
    return alert_out(alert)
