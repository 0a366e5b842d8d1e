"""The review queue (/staff/cases) and the case page (/staff/cases/{id}) with its actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from huimin import townships
from huimin.programs import Program
from workflows.applications.models import Application
from workflows.auth.capabilities import Capability
from workflows.auth.enums import Role
from workflows.cases import commands, queries, responses
from workflows.cases.enums import Action, CaseStatus
from workflows.cases.env import township_name
from workflows.cases.errors import CaseError, CaseNotFoundError
from workflows.cases.schemas import TransitionIn
from workflows.cases.views import EnvDep
from workflows.deps import SessionDep, SettingsDep
from workflows.read_audit import record_read
from workflows.staff_pages import case_facts
from workflows.staff_pages.access import refusal
from workflows.staff_pages.rendering import error_page, render
from workflows.staff_pages.session import CSRF_REFUSED, PageStaff, caller_of, csrf_ok
from workflows.validation import translate

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
ALL_STATUSES = "all"  # status filter value: the whole history, closed cases included


def _enum_or_none(kind: Any, raw: str | None) -> Any:
    try:
        return kind(raw) if raw else None
    except ValueError:
        return None


@router.get("/staff/cases", response_class=HTMLResponse)
def queue(
    request: Request,
    staff: PageStaff,
    session: SessionDep,
    env: EnvDep,
    status: str | None = None,
    program: str | None = None,
    township: str | None = None,
    overdue: str | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    refused = refusal(request, staff, Capability.CASE_DATA)
    if refused is not None:
        return refused
    page_no = page
    township_code = township if township and townships.by_code(township) else None
    listing = queries.list_cases(
        session,
        caller=caller_of(staff),
        today=env.today,
        status=_enum_or_none(CaseStatus, status),
        include_closed=status == ALL_STATUSES,
        program=_enum_or_none(Program, program),
        township_code=township_code,
        overdue={"yes": True, "no": False}.get(overdue or ""),
        page=page_no,
        page_size=PAGE_SIZE,
    )
    rows = [responses.list_item(case, env) for case in listing.items]
    total = listing.total
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    # above the count cap the last page is unknown: offer "next" while pages come back full
    has_next = page_no < pages or (listing.total_capped and len(rows) == PAGE_SIZE)
    filters = {
        "status": status or "",
        "program": program or "",
        "township": township_code or "",
        "overdue": overdue or "",
    }
    return render(
        request,
        "cases.html",
        {
            "staff": staff,
            "rows": rows,
            "total": total,
            "total_capped": listing.total_capped,
            "has_next": has_next,
            "all_statuses": ALL_STATUSES,
            "page": page_no,
            "pages": pages,
            "filters": filters,
            "statuses": list(CaseStatus),
            "programs": list(Program),
            "townships": townships.all_townships(),
            "query_without_page": "&".join(f"{k}={v}" for k, v in filters.items() if v),
        },
    )


CASE_NOT_FOUND = CaseNotFoundError.MESSAGE
UNKNOWN_ACTION = "未知的操作"
READ_VIEW = "staff_page.case"


def _case_context(
    staff: Any, session: Any, env: Any, settings: Any, case_id: int
) -> dict[str, Any] | None:
    """What the case page shows; the read is audited (committed here)."""
    caller = caller_of(staff)
    case = queries.get_visible(session, case_id=case_id, caller=caller)
    if case is None:
        return None
    # Full numbers for the 一键核对 and the prescreen; the template masks every one it shows.
    detail = responses.detail(
        session, case=case, env=env, role=Role(staff.role), full_id_numbers=True
    )
    record_read(
        session, caller=caller, entity_type="case", entity_id=case.id, view=READ_VIEW, at=env.now
    )
    session.commit()
    application = session.get(Application, case.application_id)
    return {
        "staff": staff,
        "case": detail,
        "may_act": commands.may_act(case, staff),
        "awaits_district": responses.awaits_district(case, env, role=Role(staff.role)),
        "entered_by": application.entered_by_staff if application else None,
        "documents": case_facts.documents(session, case.application_id),
        "identity": case_facts.applicant_identity(application, staff),
        "verification": case_facts.verification(settings, detail, application),
        "eligibility": case_facts.eligibility(settings, detail, application, env.today),
        "timeline": [_timeline_entry(h) for h in detail.history],
        "townships": [
            t for t in townships.all_townships() if t.code != case.handling_township_code
        ],
        "error": None,
        "done": None,
    }


@router.get("/staff/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: int,
    request: Request,
    staff: PageStaff,
    session: SessionDep,
    env: EnvDep,
    settings: SettingsDep,
    done: str | None = None,
) -> HTMLResponse:
    refused = refusal(request, staff, Capability.CASE_DATA)
    if refused is not None:
        return refused
    context = _case_context(staff, session, env, settings, case_id)
    if context is None:
        return error_page(request, 404, CASE_NOT_FOUND)
    action = _enum_or_none(Action, done)
    context["done"] = f"已完成:{action.label}" if action else None
    return render(request, "case.html", context)


@router.post("/staff/cases/{case_id}/actions", response_model=None)
def take_action(
    case_id: int,
    request: Request,
    staff: PageStaff,
    session: SessionDep,
    env: EnvDep,
    settings: SettingsDep,
    action: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    missing_materials: Annotated[str, Form()] = "",
    to_township_code: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    certificate_ref: Annotated[str, Form()] = "",
) -> Response:
    """Take one action: one call of the service (the API's checks, effects and errors); a
    refusal re-renders the page with the error's Chinese message and HTTP status."""
    if not csrf_ok(request, settings, csrf):
        return error_page(request, 403, CSRF_REFUSED)
    refused = refusal(request, staff, Capability.CASE_DATA)
    if refused is not None:
        return refused
    case = queries.get_visible(session, case_id=case_id, caller=caller_of(staff))
    if case is None:
        return error_page(request, 404, CASE_NOT_FOUND)
    chosen = _enum_or_none(Action, action)
    error, status_code = UNKNOWN_ACTION, 409
    if chosen is not None:
        try:
            body = TransitionIn(
                action=chosen,
                reason=reason.strip() or None,
                note=note.strip() or None,
                missing_materials=[m for m in missing_materials.splitlines() if m.strip()] or None,
                to_township_code=to_township_code or None,
                amount=amount.strip() or None,
                certificate_ref=certificate_ref.strip() or None,
            )
            commands.act(session, case=case, body=body, staff=staff, env=env)
            return RedirectResponse(f"/staff/cases/{case_id}?done={chosen.value}", status_code=303)
        except CaseError as exc:
            error, status_code = exc.message, exc.status_code
        except ValidationError as exc:
            error, status_code = ";".join(translate(e) for e in exc.errors()), 422
    context = _case_context(staff, session, env, settings, case_id)
    if context is None:
        return error_page(request, 404, CASE_NOT_FOUND)
    context["error"] = error
    return render(request, "case.html", context, status_code=status_code)


def _timeline_entry(event: Any) -> dict[str, Any]:
    name = str(event.action)
    label = name
    if name.startswith("case."):
        action = _enum_or_none(Action, name.removeprefix("case."))
        label = action.label if action else {"case.opened": "案件生成"}.get(name, name)
    data = event.data or {}
    details = []
    if data.get("from") and data.get("to") and data["from"] != data["to"]:
        details.append(f"{_status_label(data['from'])} → {_status_label(data['to'])}")
    for key, title in (("reason", "理由"), ("note", "备注")):
        if data.get(key):
            details.append(f"{title}:{data[key]}")
    if data.get("missing_materials"):
        details.append("需补充:" + "、".join(map(str, data["missing_materials"])))
    if data.get("amount"):
        details.append(
            f"先行救助金额:{data['amount']}元,补办手续期限 {data.get('paperwork_due_date')}"
        )
    if data.get("certificate_ref"):
        details.append(f"凭证:{data['certificate_ref']}({data.get('certificate_source', '')})")
    if data.get("referred_to"):
        details.append(f"转交:{data['referred_to']},答复期限 {data.get('referral_due_date')}")
    if data.get("to_township_code"):
        details.append(f"转交至:{township_name(str(data['to_township_code']))}")
    actor = str(event.actor).removeprefix("staff:")
    return {"at": event.at, "actor": actor, "label": label, "details": details}


def _status_label(value: str) -> str:
    status = _enum_or_none(CaseStatus, value)
    return status.label if status else value
