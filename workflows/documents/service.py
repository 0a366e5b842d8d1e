"""Record an uploaded document against its application (and case)."""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

from sqlalchemy.orm import Session

from workflows.audit import service as audit
from workflows.documents.models import Document
from workflows.storage import DocumentStorage


def add_document(
    session: Session,
    *,
    storage: DocumentStorage,
    data: BinaryIO,
    application_id: int,
    case_id: int | None,
    kind: str,
    filename: str,
    content_type: str,
    actor: str,
    now: dt.datetime,
) -> Document:
    stored = storage.save(data, filename=filename, content_type=content_type)
    document = Document(
        application_id=application_id,
        case_id=case_id,
        kind=kind,
        filename=filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by=actor,
        created_at=now,
    )
    session.add(document)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="document.added",
        entity_type="application",
        entity_id=application_id,
        data={
            "document_id": document.id,
            "case_id": case_id,
            "kind": kind,
            "size": stored.size,
            "sha256": stored.sha256,
        },
        at=now,
    )
    return document
