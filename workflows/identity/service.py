"""Verifications: record one, find a live one. Every adapter ends in :func:`record_verification`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin.settings import Settings
from workflows.identity import audit_events
from workflows.identity.enums import Method
from workflows.identity.hashing import id_number_hash
from workflows.identity.models import IdentityVerification


def live_verification(
    session: Session, settings: Settings, *, subject: str, id_number: str, now: dt.datetime
) -> IdentityVerification | None:
    """The newest verification of this subject for this ID number that has not expired."""
    return live_verification_by_hash(
        session,
        settings,
        subject=subject,
        id_hash=id_number_hash(settings, id_number),
        now=now,
    )


def live_verification_by_hash(
    session: Session, settings: Settings, *, subject: str, id_hash: str, now: dt.datetime
) -> IdentityVerification | None:
    oldest = now - dt.timedelta(hours=settings.identity_verification_ttl_hours)
    return session.scalars(
        select(IdentityVerification)
        .where(
            IdentityVerification.subject == subject,
            IdentityVerification.id_number_hash == id_hash,
            IdentityVerification.verified_at > oldest,
            IdentityVerification.verified_at <= now,
        )
        .order_by(IdentityVerification.verified_at.desc(), IdentityVerification.id.desc())
        .limit(1)
    ).first()


def record_verification(
    session: Session,
    settings: Settings,
    *,
    subject: str,
    id_hash: str,
    id_number_masked: str,
    id_audit_hash: str,
    method: Method,
    at: dt.datetime,
    actor: str,
    staff_username: str | None = None,
) -> IdentityVerification:
    """Store the verification and its audit event in the caller's transaction."""
    row = IdentityVerification(
        subject=subject,
        id_number_hash=id_hash,
        id_number_masked=id_number_masked,
        method=method.value,
        staff_username=staff_username,
        verified_at=at,
    )
    session.add(row)
    session.flush()
    extra: dict[str, object] = {"method": method.value}
    if staff_username:
        extra["staff_username"] = staff_username
        extra["checked"] = "窗口工作人员已查验居民身份证原件"
    audit_events.identity_event(
        session,
        settings,
        actor=actor,
        action="identity.verified",
        subject=subject,
        id_number=None,
        id_number_masked=id_number_masked,
        id_hash_for_audit=id_audit_hash,
        at=at,
        extra=extra,
    )
    return row
