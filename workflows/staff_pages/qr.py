"""/qr: the printable page of the 码上办 QR codes (channels.qr)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from channels.qr.page import render_page
from workflows.deps import SettingsDep

router = APIRouter(include_in_schema=False)


@router.get("/qr", response_class=HTMLResponse)
def qr_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return HTMLResponse(render_page(settings, nonce=getattr(request.state, "csp_nonce", None)))
