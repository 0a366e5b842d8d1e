"""Elder-care directory API (every role and the internal caller read; the supervisor imports).

- ``GET /api/eldercare/services/nearby?lat=&lon=&minutes=15&service=&kind=`` (or ``place=`` a
  village/community, an address or a township instead of ``lat``/``lon``): nearest first.
- ``GET /api/eldercare/coverage?township=``: per community, target services out of reach.
- ``POST /api/eldercare/facilities/import`` (CSV upload, ``mode=all|partial``): the supervisor.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from huimin import townships
from huimin.eldercare import FacilityKind, Service, kind_from_text, service_from_text
from huimin.settings import Settings
from workflows.auth.actor import Caller
from workflows.auth.capabilities import Capability
from workflows.auth.deps import caller_with, staff_with
from workflows.clock import local_today
from workflows.deps import ClockDep, SessionDep, SettingsDep
from workflows.eldercare import coverage, importer
from workflows.eldercare.benefits import ElderBenefitsResult, elder_benefits
from workflows.eldercare.communities import SAMPLE_LABEL
from workflows.eldercare.directory import Place, resolve_place
from workflows.eldercare.service import communities, directory_cache, walk_model
from workflows.eligibility.schemas import HouseholdIn
from workflows.eligibility.standards import StandardsError

router = APIRouter(prefix="/api/eldercare", tags=["eldercare"])
Reader = Annotated[Caller, Depends(caller_with(Capability.ELDERCARE_DIRECTORY))]
Manager = Annotated[Caller, Depends(staff_with(Capability.MANAGE_ELDERCARE_DIRECTORY))]


def _unprocessable(errors: list[tuple[str, str]]) -> HTTPException:
    return HTTPException(
        status_code=422,
        detail=[
            {"loc": ["query", name], "msg": msg, "type": "value_error"} for name, msg in errors
        ],
    )


def parse_filters(
    service: str | None, kind: str | None
) -> tuple[Service | None, FacilityKind | None, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    chosen_service = service_from_text(service) if service else None
    if service and chosen_service is None:
        names = "、".join(s.label for s in Service)
        errors.append(("service", f"无法识别服务“{service}”,可选:{names}"))
    chosen_kind = kind_from_text(kind) if kind else None
    if kind and chosen_kind is None:
        errors.append(("kind", f"无法识别机构类型“{kind}”"))
    return chosen_service, chosen_kind, errors


def origin(
    settings: Settings, lat: float | None, lon: float | None, place: str | None
) -> tuple[Place | None, list[tuple[str, str]]]:
    """The search's starting point from coordinates or a named place, or field errors."""
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            return None, [("lat" if lat is None else "lon", "经纬度需同时提供")]
        return Place(lat, lon, "所在位置", None, False), []
    if place and place.strip():
        found = resolve_place(place[:200], communities(settings))
        if found is None:
            return None, [("place", f"没有找到“{place[:50]}”,请说乡镇(街道)或村(社区)的名称")]
        return found, []
    return None, [("lat", "请提供经纬度(lat、lon)或地点名称(place)")]


@router.get("/services/nearby", summary="附近的养老服务(15分钟养老服务圈)")
def nearby(
    request: Request,
    _: Reader,
    settings: SettingsDep,
    session: SessionDep,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="纬度(WGS-84)")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="经度(WGS-84)")] = None,
    place: Annotated[
        str | None, Query(max_length=200, description="村(社区)、地址或乡镇(街道)名称")
    ] = None,
    minutes: Annotated[float | None, Query(gt=0, le=60, description="步行分钟数")] = None,
    service: Annotated[str | None, Query(max_length=20, description="服务,如 meal/助餐")] = None,
    kind: Annotated[str | None, Query(max_length=30, description="机构类型,如 老年食堂")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[dict[str, Any]]:
    """Facilities within walking reach, nearest first; ``sample: true`` marks FICTITIOUS rows."""
    chosen_service, chosen_kind, errors = parse_filters(service, kind)
    start, place_errors = origin(settings, lat, lon, place)
    errors.extend(place_errors)
    if errors or start is None:
        raise _unprocessable(errors)
    directory = directory_cache(request).get(session)
    hits = directory.nearby(
        start.lat,
        start.lon,
        minutes=minutes or settings.eldercare_circle_minutes,
        walk=walk_model(settings),
        service=chosen_service,
        kind=chosen_kind,
        limit=limit,
    )
    return [hit.as_dict() for hit in hits]


@router.get("/coverage", summary="15分钟养老服务圈覆盖情况(按村社区)")
def coverage_table(
    request: Request,
    _: Reader,
    settings: SettingsDep,
    session: SessionDep,
    township: Annotated[str | None, Query(max_length=30, description="乡镇(街道)")] = None,
    only_missing: bool = False,
) -> dict[str, Any]:
    chosen = communities(settings)
    if township:
        found = townships.from_text(township)
        if found is None:
            raise _unprocessable([("township", f"“{township}”不是富阳区的乡镇(街道)")])
        chosen = tuple(c for c in chosen if c.township_code == found.code)
    directory = directory_cache(request).get(session)
    rows = coverage.community_coverage(
        directory,
        chosen,
        minutes=settings.eldercare_circle_minutes,
        walk=walk_model(settings),
    )
    sample = directory.any_sample or any(c.sample for c in chosen)
    return {
        "minutes": settings.eldercare_circle_minutes,
        "target_services": [s.value for s in coverage.CIRCLE_TARGET_SERVICES],
        "sample": sample,
        "sample_label": SAMPLE_LABEL if sample else "",
        "summary": coverage.summary(rows),
        "communities": [row.as_dict() for row in rows if row.missing or not only_missing],
    }


@router.post(
    "/benefits", response_model=ElderBenefitsResult, summary="老年人可享受的养老服务与补贴(预审)"
)
def benefits(
    household: HouseholdIn,
    settings: SettingsDep,
    clock: ClockDep,
    on: Annotated[str | None, Query(description="日期 YYYY-MM-DD,默认今天")] = None,
) -> ElderBenefitsResult:
    """Like /api/eligibility/prescreen (open, no personal data kept): the elder-care verdicts."""
    day = local_today(clock)
    if on:
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            raise _unprocessable([("on", "日期格式应为 YYYY-MM-DD")]) from None
    try:
        return elder_benefits(household, on=day, settings=settings)
    except StandardsError as exc:
        raise _unprocessable([("on", str(exc))]) from None


@router.post("/facilities/import", summary="导入养老服务目录(CSV)")
async def import_facilities(
    request: Request,
    staff: Manager,
    session: SessionDep,
    clock: ClockDep,
    file: Annotated[UploadFile, File(description="CSV(UTF-8),列名见导入模板")],
    mode: Annotated[Literal["all", "partial"], Form()] = "all",
) -> dict[str, Any]:
    data = await file.read(importer.MAX_BYTES + 1)
    try:
        report = await run_in_threadpool(
            importer.import_csv,
            session,
            data,
            mode=mode,
            actor=staff.audit_name,
            now=clock.now(),
            source=file.filename or "",
        )
    except importer.ImportRefusedError as exc:
        raise HTTPException(
            status_code=422,
            detail=[{"loc": ["body", "file"], "msg": str(exc), "type": "value_error"}],
        ) from None
    if not report.written:
        session.rollback()
        raise HTTPException(status_code=422, detail=report.as_dict())
    session.commit()
    directory_cache(request).invalidate()
    return report.as_dict()
