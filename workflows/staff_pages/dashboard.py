"""/staff/dashboard: counts by status, program and township; time to decision; overdue rate."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from workflows.auth.capabilities import Capability
from workflows.cases.views import EnvDep
from workflows.deps import CalendarDep, SessionDep
from workflows.staff_pages.access import refusal
from workflows.staff_pages.rendering import render
from workflows.staff_pages.session import PageStaff, caller_of
from workflows.staff_pages.stats import dashboard

router = APIRouter(include_in_schema=False)


@router.get("/staff/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, staff: PageStaff, session: SessionDep, env: EnvDep, calendar: CalendarDep
) -> HTMLResponse:
    refused = refusal(request, staff, Capability.CASE_DATA)
    if refused is not None:
        return refused
    figures = dashboard(session, caller=caller_of(staff), today=env.today, calendar=calendar)
    return render(request, "dashboard.html", {"staff": staff, "d": figures})
