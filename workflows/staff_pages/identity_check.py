"""The case page's "核验身份证原件" button: POST /staff/cases/{id}/identity-check.

Same rules as ``POST /api/applications/{id}/identity-check`` (workflows/applications/identity.py):
counter/reviewer staff of the township that received or handles the application, or the
supervisor, record that they checked the applicant's physical ID card (audited).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from workflows.applications import identity
from workflows.applications import service as applications
from workflows.auth.capabilities import Capability
from workflows.cases import queries as cases
from workflows.cases.views import EnvDep
from workflows.deps import SessionDep, SettingsDep
from workflows.staff_pages.access import refusal
from workflows.staff_pages.rendering import error_page
from workflows.staff_pages.session import CSRF_REFUSED, PageStaff, caller_of, csrf_ok

router = APIRouter(include_in_schema=False)

NOT_FOUND = "案件不存在或不在您的辖区"
NOT_CONFIRMED = "请勾选确认已查验申请人居民身份证原件,且姓名、号码与申请一致"


@router.post("/staff/cases/{case_id}/identity-check", response_model=None)
def identity_check(
    case_id: int,
    request: Request,
    staff: PageStaff,
    session: SessionDep,
    env: EnvDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    confirmed: Annotated[str, Form()] = "",
) -> Response:
    if not csrf_ok(request, settings, csrf):
        return error_page(request, 403, CSRF_REFUSED)
    refused = refusal(request, staff, Capability.CASE_DATA)
    if refused is not None:
        return refused
    caller = caller_of(staff)
    case = cases.get_visible(session, case_id=case_id, caller=caller)
    application = (
        applications.get_visible(session, application_id=case.application_id, caller=caller)
        if case is not None
        else None
    )
    if case is None or application is None:
        return error_page(request, 404, NOT_FOUND)
    if not confirmed:
        return error_page(request, 422, NOT_CONFIRMED)
    try:
        identity.record_id_card_check(session, application, caller=caller, now=env.now)
    except identity.IdentityCheckRefusedError as exc:
        session.rollback()
        return error_page(request, 403, exc.message)
    except identity.AlreadyVerifiedError as exc:
        session.rollback()
        return error_page(request, 409, exc.message)
    session.commit()
    return RedirectResponse(f"/staff/cases/{case_id}#identity", status_code=303)
