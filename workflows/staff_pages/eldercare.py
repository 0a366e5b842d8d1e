"""/staff/eldercare: the service directory for staff — nearby search, coverage table and map, and
(for the district supervisor) the CSV import. Every row of the shipped sample is shown with
"示例数据(虚构)"."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.orm import Session

from huimin.eldercare import FacilityKind, Service
from huimin.settings import Settings
from workflows.auth.capabilities import Capability, can
from workflows.auth.models import StaffUser
from workflows.deps import ClockDep, SessionDep, SettingsDep
from workflows.eldercare import coverage, importer
from workflows.eldercare.communities import SAMPLE_LABEL
from workflows.eldercare.service import communities, directory_cache, walk_model
from workflows.eldercare.views import origin, parse_filters
from workflows.staff_pages.access import refusal
from workflows.staff_pages.rendering import error_page, render
from workflows.staff_pages.session import CSRF_REFUSED, PageStaff, caller_of, csrf_ok

router = APIRouter(include_in_schema=False)


def _context(
    request: Request, staff: StaffUser, settings: Settings, session: Session
) -> dict[str, Any]:
    directory = directory_cache(request).get(session)
    rows = coverage.community_coverage(
        directory,
        communities(settings),
        minutes=settings.eldercare_circle_minutes,
        walk=walk_model(settings),
    )
    map_file = settings.effective_eldercare_map_file
    return {
        "staff": staff,
        "sample_label": SAMPLE_LABEL,
        "directory_sample": directory.any_sample,
        "facility_count": len(directory.entries),
        "minutes": settings.eldercare_circle_minutes,
        "walk": walk_model(settings),
        "services": list(Service),
        "kinds": list(FacilityKind),
        "summary": coverage.summary(rows),
        "gaps": [row.as_dict() for row in rows if row.missing],
        "map_ready": map_file.is_file(),
        "may_import": can(caller_of(staff), Capability.MANAGE_ELDERCARE_DIRECTORY),
        "hits": None,
        "search": {},
        "errors": [],
        "report": None,
    }


@router.get("/staff/eldercare", response_class=HTMLResponse)
def eldercare_page(
    request: Request,
    staff: PageStaff,
    settings: SettingsDep,
    session: SessionDep,
    place: Annotated[str | None, Query(max_length=200)] = None,
    service: Annotated[str | None, Query(max_length=20)] = None,
    kind: Annotated[str | None, Query(max_length=30)] = None,
) -> HTMLResponse:
    refused = refusal(request, staff, Capability.ELDERCARE_DIRECTORY)
    if refused is not None:
        return refused
    context = _context(request, staff, settings, session)
    if place:
        context["search"] = {"place": place, "service": service or "", "kind": kind or ""}
        chosen_service, chosen_kind, errors = parse_filters(service, kind)
        start, place_errors = origin(settings, None, None, place)
        errors.extend(place_errors)
        context["errors"] = [message for _, message in errors]
        if start is not None and not errors:
            directory = directory_cache(request).get(session)
            hits = directory.nearby(
                start.lat,
                start.lon,
                minutes=settings.eldercare_circle_minutes,
                walk=walk_model(settings),
                service=chosen_service,
                kind=chosen_kind,
            )
            context["hits"] = [hit.as_dict() for hit in hits]
            context["origin"] = start.label
    return render(request, "eldercare.html", context)


@router.get("/staff/eldercare/coverage.svg")
def coverage_map(request: Request, staff: PageStaff, settings: SettingsDep) -> Response:
    refused = refusal(request, staff, Capability.ELDERCARE_DIRECTORY)
    if refused is not None:
        return refused
    path = settings.effective_eldercare_map_file
    if not path.is_file():
        return error_page(
            request, 404, "覆盖图尚未生成:请运行 python -m workflows eldercare coverage-map"
        )
    return FileResponse(path, media_type="image/svg+xml")


@router.post("/staff/eldercare/import", response_class=HTMLResponse)
async def import_page(
    request: Request,
    staff: PageStaff,
    settings: SettingsDep,
    session: SessionDep,
    clock: ClockDep,
    file: Annotated[UploadFile, File()],
    mode: Annotated[Literal["all", "partial"], Form()] = "all",
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    if not csrf_ok(request, settings, csrf):
        return error_page(request, 403, CSRF_REFUSED)
    refused = refusal(request, staff, Capability.MANAGE_ELDERCARE_DIRECTORY)
    if refused is not None:
        return refused
    data = await file.read(importer.MAX_BYTES + 1)
    status = 200
    try:
        report = await run_in_threadpool(
            importer.import_csv,
            session,
            data,
            mode=mode,
            actor=caller_of(staff).audit_name,
            now=clock.now(),
            source=file.filename or "",
        )
        outcome: dict[str, Any] = report.as_dict()
        if report.written:
            session.commit()
            directory_cache(request).invalidate()
        else:
            session.rollback()
            status = 422
    except importer.ImportRefusedError as exc:
        outcome = {"summary": f"导入被拒绝:{exc}", "errors": [], "written": False}
        status = 422
    context = _context(request, staff, settings, session)
    context["report"] = outcome
    return render(request, "eldercare.html", context, status_code=status)
