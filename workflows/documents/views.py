"""POST /api/applications/{id}/documents (multipart file, kind, optional case_id)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile

from huimin.uploads import read_head
from workflows.applications import service as applications
from workflows.auth.deps import CaseReader
from workflows.deps import ClockDep, IdPath, SessionDep, SettingsDep, kept_on_app
from workflows.documents import service
from workflows.documents.schemas import DocumentOut
from workflows.storage import DocumentStorage, UploadRejected, make_storage, validate_upload
from workflows.validation import field_errors

router = APIRouter(tags=["documents"])


def _storage(request: Request) -> DocumentStorage:
    return kept_on_app(request, "storage", lambda: make_storage(request.app.state.settings))


@router.post(
    "/api/applications/{application_id}/documents", response_model=DocumentOut, status_code=201
)
def upload(
    application_id: IdPath,
    request: Request,
    caller: CaseReader,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(min_length=1, max_length=40)],
    case_id: Annotated[int | None, Form(ge=1, le=2_147_483_647)] = None,
) -> DocumentOut:
    application = applications.get_visible(session, application_id=application_id, caller=caller)
    if application is None:
        raise HTTPException(status_code=404, detail="申请不存在或不在您的辖区")
    if case_id is not None and case_id not in {c.id for c in application.cases}:
        raise field_errors([(("case_id",), "该案件不属于这份申请")])
    stream = file.file
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    head = read_head(stream)  # the magic bytes, so a renamed file is refused
    filename = file.filename or ""
    content_type = file.content_type or "application/octet-stream"
    try:
        validate_upload(filename, content_type, size, settings.max_upload_bytes, head=head)
        document = service.add_document(
            session,
            storage=_storage(request),
            data=stream,
            application_id=application.id,
            case_id=case_id,
            kind=kind,
            filename=filename,
            content_type=content_type,
            actor=caller.audit_name,
            now=clock.now(),
        )
    except UploadRejected as exc:
        session.rollback()
        raise field_errors([(("file",), exc.message_zh)]) from None
    session.commit()
    return DocumentOut(
        id=document.id,
        kind=document.kind,
        size=document.size,
        sha256=document.sha256,
        case_id=document.case_id,
    )
