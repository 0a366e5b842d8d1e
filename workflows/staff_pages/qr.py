"""/qr: the printable page of the 码上办 QR codes (workflows.qr)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from workflows.deps import SettingsDep
from workflows.qr.page import render_page

router = APIRouter(include_in_schema=False)


@router.get("/qr", response_class=HTMLResponse)
def qr_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return HTMLResponse(render_page(settings, nonce=getattr(request.state, "csp_nonce", None)))
