"""Audit events of this package: registry lookups (allowed or refused) and verifications.

ID numbers appear masked and as a keyed hash (``audit_id_hash``), never in clear.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from huimin import idcard
from huimin.settings import Settings
from workflows.audit import service as audit
from workflows.identity.enums import LookupPurpose
from workflows.identity.hashing import audit_id_hash

REGISTRY_ENTITY = "registry_lookup"
IDENTITY_ENTITY = "identity"


def _who_and_whom(settings: Settings, id_number: str) -> tuple[str, dict[str, Any]]:
    digest = audit_id_hash(settings, id_number)
    return digest[:40], {"id_number_masked": idcard.mask(id_number), "id_number_hmac": digest}


def registry_lookup(
    session: Session,
    settings: Settings,
    *,
    actor: str,
    id_number: str,
    purpose: LookupPurpose,
    allowed: bool,
    at: dt.datetime,
    outcome: str,
    subject: str | None = None,
) -> None:
    """One lookup of the household registry, whether it went ahead or not.

    ``outcome``: found / not_found / unavailable when allowed; the reason when refused.
    """
    entity_id, data = _who_and_whom(settings, id_number)
    data.update(
        {"purpose": purpose.value, "allowed": allowed, "subject": subject, "outcome": outcome}
    )
    audit.record(
        session,
        actor=actor,
        action="registry.lookup" if allowed else "registry.lookup_refused",
        entity_type=REGISTRY_ENTITY,
        entity_id=entity_id,
        data=data,
        at=at,
    )


def identity_event(
    session: Session,
    settings: Settings,
    *,
    actor: str,
    action: str,
    subject: str,
    id_number: str | None,
    at: dt.datetime,
    extra: dict[str, Any] | None = None,
    id_number_masked: str | None = None,
    id_hash_for_audit: str | None = None,
) -> None:
    """identity.sms_sent, identity.verified, identity.oidc_refused, ...

    Pass the ID number when known; the OIDC callback knows only the masked form and the
    audit hash computed when the ticket was issued.
    """
    if id_number is not None:
        entity_id, data = _who_and_whom(settings, id_number)
    else:
        digest = id_hash_for_audit or ""
        entity_id, data = (
            digest[:40] or "unknown",
            {
                "id_number_masked": id_number_masked,
                "id_number_hmac": digest,
            },
        )
    data["subject"] = subject
    data.update(extra or {})
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type=IDENTITY_ENTITY,
        entity_id=entity_id,
        data=data,
        at=at,
    )
