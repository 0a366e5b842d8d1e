"""The pages' router (included by workflows.app) and its login redirect."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

from workflows.staff_pages import (
    adviser,
    adviser_plan,
    cases,
    chat,
    dashboard,
    documents,
    eldercare,
    followups,
    handoff_stream,
    handoffs,
    identity_check,
    intake,
    login,
    qr,
    visits,
)
from workflows.staff_pages.rendering import STATIC_DIR, STATIC_TYPES

router = APIRouter(include_in_schema=False)
for _module in (
    chat,
    login,
    cases,
    documents,
    dashboard,
    intake,
    adviser,
    handoffs,
    qr,
    eldercare,
    visits,
    followups,
):
    router.include_router(_module.router)
router.include_router(handoff_stream.router)  # the console's live conversation
router.include_router(adviser_plan.router)
router.include_router(identity_check.router)  # the case page's ID card check


@router.get("/staff")
def staff_home() -> RedirectResponse:
    return RedirectResponse("/staff/cases", status_code=303)


@router.get("/staff/static/{name}")
def static_file(name: str) -> FileResponse:
    path = STATIC_DIR / name
    if "/" in name or path.suffix not in STATIC_TYPES or not path.is_file():
        raise HTTPException(status_code=404, detail="文件不存在")
    return FileResponse(path, media_type=STATIC_TYPES[path.suffix])
