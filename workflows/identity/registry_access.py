"""Every registry lookup goes through here, so every one is audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from huimin.settings import Settings
from workflows.identity import audit_events
from workflows.identity.enums import LookupPurpose
from workflows.registry import HouseholdRegistry, RegistryHousehold, RegistryUnavailableError


def refuse_lookup(
    session: Session,
    settings: Settings,
    *,
    actor: str,
    subject: str | None,
    id_number: str,
    purpose: LookupPurpose,
    reason: str,
    at: dt.datetime,
) -> None:
    audit_events.registry_lookup(
        session,
        settings,
        actor=actor,
        subject=subject,
        id_number=id_number,
        purpose=purpose,
        allowed=False,
        outcome=reason,
        at=at,
    )


def lookup_audited(
    session: Session,
    settings: Settings,
    registry: HouseholdRegistry,
    *,
    actor: str,
    subject: str | None,
    id_number: str,
    purpose: LookupPurpose,
    at: dt.datetime,
) -> RegistryHousehold | None:
    """Look up and record the event in the caller's transaction (also when the source is down:
    the caller commits before answering 503)."""

    def note(outcome: str) -> None:
        audit_events.registry_lookup(
            session,
            settings,
            actor=actor,
            subject=subject,
            id_number=id_number,
            purpose=purpose,
            allowed=True,
            outcome=outcome,
            at=at,
        )

    try:
        household = registry.lookup(id_number)
    except RegistryUnavailableError:
        note("unavailable")
        raise
    note("found" if household is not None else "not_found")
    return household
