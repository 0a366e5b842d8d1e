"""/staff/documents/{id}: a staff member opens an uploaded document of a case they may see
(every opening is written to the audit log)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from workflows.applications import service as applications
from workflows.auth.capabilities import Capability
from workflows.deps import ClockDep, SessionDep
from workflows.documents.models import Document
from workflows.read_audit import record_read
from workflows.staff_pages.access import refusal
from workflows.staff_pages.rendering import error_page
from workflows.staff_pages.session import PageStaff, caller_of

router = APIRouter(include_in_schema=False)
INLINE_TYPES = {"image/jpeg", "image/png", "application/pdf"}
NOT_FOUND = "材料不存在或不在您的辖区"
READ_VIEW = "staff_page.document"


def _storage(request: Request) -> Any:
    storage = getattr(request.app.state, "storage", None)
    if storage is None:
        from workflows.storage import make_storage

        storage = make_storage(request.app.state.settings)
        request.app.state.storage = storage
    return storage


@router.get("/staff/documents/{document_id}", response_model=None)
def open_document(
    document_id: int, request: Request, staff: PageStaff, session: SessionDep, clock: ClockDep
) -> Response:
    from workflows.storage import StoredFileNotFoundError

    refused = refusal(request, staff, Capability.CASE_DATA)
    if refused is not None:
        return refused
    document = session.get(Document, document_id)
    visible = document is not None and applications.get_visible(
        session, application_id=document.application_id, caller=caller_of(staff)
    )
    if document is None or not visible:
        return error_page(request, 404, NOT_FOUND)
    try:
        stream = _storage(request).open(document.storage_key)
    except StoredFileNotFoundError:
        return error_page(request, 404, "材料文件已不在存储中,请联系管理员")
    record_read(
        session,
        caller=caller_of(staff),
        action="document.opened",
        entity_type="document",
        entity_id=document.id,
        view=READ_VIEW,
        at=clock.now(),
        application_id=document.application_id,
        case_id=document.case_id,
    )
    session.commit()
    disposition = "inline" if document.content_type in INLINE_TYPES else "attachment"
    headers = {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(document.filename)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(stream, media_type=document.content_type, headers=headers)
