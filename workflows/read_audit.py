"""Audit events for reads of personal data: who read which record, through which view.

One event per read, appended with the ordinary audit service in the caller's transaction (the
caller commits). Reads are not steps of a case: ``is_read`` lets timelines leave them out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from workflows.audit import service as audit
from workflows.auth.actor import Caller

READ_SUFFIX = ".read"


def read_action(entity_type: str) -> str:
    return f"{entity_type}{READ_SUFFIX}"


def is_read(action: str) -> bool:
    return action.endswith(READ_SUFFIX)


def record_read(
    session: Session,
    *,
    caller: Caller,
    entity_type: str,
    entity_id: int,
    view: str,
    at: dt.datetime,
    action: str | None = None,
    **data: Any,
) -> None:
    """``view`` names the screen or endpoint (why it was read), e.g. ``api.case_detail``."""
    audit.record(
        session,
        actor=caller.audit_name,
        action=action or read_action(entity_type),
        entity_type=entity_type,
        entity_id=entity_id,
        data={"view": view, **data},
        at=at,
    )
