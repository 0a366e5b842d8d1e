"""The audit HMAC key for a session: taken from the settings its engine was built with.

The audit service keeps its signatures (``record(session, ...)``); the key travels with the
engine (``workflows.db.make_engine`` remembers the settings), never through the database.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.db import settings_of


class AuditKeyMissingError(RuntimeError):
    """The session's engine was not built by workflows.db.make_engine."""


def audit_key(session: Session) -> bytes:
    settings = settings_of(session)
    if settings is None:
        raise AuditKeyMissingError(
            "audit HMAC key unknown: build the engine with workflows.db.make_engine(settings)"
        )
    return settings.audit_hmac_key.get_secret_value().encode("utf-8")
