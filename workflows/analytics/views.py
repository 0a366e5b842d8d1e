"""GET /api/analytics/funnel: the dialogue's funnel per channel and week (district staff)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from workflows.analytics.funnel import MAX_WEEKS, Funnel, funnel
from workflows.analytics.schemas import FunnelOut
from workflows.auth.actor import Caller
from workflows.auth.capabilities import REFUSALS, Capability, sees_conversation_analytics
from workflows.auth.deps import CurrentStaff
from workflows.clock import local_today
from workflows.deps import ClockDep, SessionDep

router = APIRouter(tags=["analytics"])

SCOPE = "全区:对话统计只记录环节计数,不含住户、镇街或任何个人信息,因此不按镇街划分"


def analytics_staff(staff: CurrentStaff) -> Caller:
    caller = Caller(staff=staff)
    if not sees_conversation_analytics(caller):
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail=REFUSALS[Capability.CONVERSATION_ANALYTICS],
        )
    return caller


AnalyticsStaff = Annotated[Caller, Depends(analytics_staff)]


def funnel_out(figures: Funnel) -> FunnelOut:
    return FunnelOut.model_validate({**asdict(figures), "scope": SCOPE})


@router.get(
    "/api/analytics/funnel",
    response_model=FunnelOut,
    responses={403: {"description": "只有区级督导和区级工作人员可以查看对话统计"}},
)
def get_funnel(
    _caller: AnalyticsStaff,
    session: SessionDep,
    clock: ClockDep,
    weeks: Annotated[
        int, Query(ge=1, le=MAX_WEEKS, description="最近几周(按亚洲/上海时区的ISO周)")
    ] = 8,
    channel: Annotated[
        str | None,
        Query(
            max_length=32, pattern=r"^[a-z_]*$", description="渠道:telegram、wechat、web、counter"
        ),
    ] = None,
) -> FunnelOut:
    """对话漏斗:开始对话 → 开始申请 → 申请表各问题 → 提交成功,另计转人工;含流失最多的环节。"""
    return funnel_out(
        funnel(session, weeks=weeks, channel=channel or None, today=local_today(clock))
    )
