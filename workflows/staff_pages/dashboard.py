"""/staff/dashboard: counts by status, program and township; time to decision; overdue rate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from workflows.analytics.funnel import Funnel, funnel
from workflows.auth.capabilities import Capability, sees_conversation_analytics
from workflows.cases.views import EnvDep
from workflows.clock import local_today
from workflows.deps import CalendarDep, ClockDep, SessionDep
from workflows.handoffs.measures import HandoffMeasures, measures
from workflows.staff_pages.access import refusal
from workflows.staff_pages.charts import Bar, bar_chart
from workflows.staff_pages.rendering import render
from workflows.staff_pages.session import PageStaff, caller_of
from workflows.staff_pages.stats import dashboard

router = APIRouter(include_in_schema=False)


def minutes_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.0f}秒"
    return f"{seconds / 60:.1f}分钟"


def handoff_charts(figures: HandoffMeasures) -> dict[str, Any]:
    """The hand-off section: first-response time and waiting residents per township."""
    response = [
        Bar(
            r.township,
            r.median_first_response_seconds or 0.0,
            minutes_text(r.median_first_response_seconds),
        )
        for r in figures.rows
        if r.median_first_response_seconds is not None
    ]
    waiting = [Bar(r.township, r.waiting, f"{r.waiting} 人") for r in figures.rows if r.waiting]
    return {
        "h": figures,
        "h_median": minutes_text(figures.median_first_response_seconds),
        "h_response_chart": bar_chart(response, title="首次回复用时中位数(按镇街)"),
        "h_waiting_chart": bar_chart(waiting, title="正在等待的人工服务(按镇街)", color="#1f6feb"),
    }


FUNNEL_WEEKS = 8


def funnel_chart(figures: Funnel) -> dict[str, Any]:
    """The dialogue's funnel: one bar per step, its count and share of conversations started;
    questions asked only in some households are marked (部分)."""
    started = figures.steps[0].count if figures.steps else 0

    def text(count: int) -> str:
        return f"{count}({count / started:.0%})" if started else str(count)

    bars = [
        Bar(f"{s.label}{'(部分)' if s.conditional else ''}", s.count, text(s.count))
        for s in (*figures.steps, *figures.outcomes)
    ]
    return {
        "f": figures,
        "f_chart": bar_chart(
            bars, title=f"对话漏斗(近 {figures.weeks} 周)", width=640, color="#2f7d32"
        ),
    }


@router.get("/staff/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    staff: PageStaff,
    session: SessionDep,
    env: EnvDep,
    calendar: CalendarDep,
    clock: ClockDep,
) -> HTMLResponse:
    refused = refusal(request, staff, Capability.CASE_DATA)
    if refused is not None:
        return refused
    figures = dashboard(session, caller=caller_of(staff), today=env.today, calendar=calendar)
    handoffs = measures(session, caller=caller_of(staff), now=clock.now())
    context = {"staff": staff, "d": figures, **handoff_charts(handoffs)}
    if sees_conversation_analytics(caller_of(staff)):
        context |= funnel_chart(
            funnel(session, weeks=FUNNEL_WEEKS, channel=None, today=local_today(clock))
        )
    return render(request, "dashboard.html", context)
