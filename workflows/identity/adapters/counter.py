"""counter: a staff member checked the physical ID card at the counter (一证通办窗口)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from huimin import idcard
from huimin.settings import Settings
from workflows.auth import service as staff_service
from workflows.auth.enums import Role
from workflows.identity.enums import Method
from workflows.identity.errors import IdentityError
from workflows.identity.hashing import audit_id_hash, id_number_hash
from workflows.identity.schemas import CounterMethodOut
from workflows.identity.service import record_verification

COUNTER_ROLES = frozenset({Role.COUNTER, Role.REVIEWER, Role.SUPERVISOR})


def staff_of_counter_subject(subject: str) -> str | None:
    """The staff username in ``counter:<username>:<uuid>``, or None for other subjects."""
    parts = subject.split(":")
    if len(parts) < 3 or parts[0] != "counter" or not parts[1]:
        return None
    return parts[1]


class CounterVerification:
    method = Method.COUNTER

    def __init__(self, session: Session, settings: Settings, *, now: dt.datetime) -> None:
        self.session = session
        self.settings = settings
        self.now = now

    def availability(self, *, subject: str, id_number: str) -> CounterMethodOut:
        return CounterMethodOut(available=staff_of_counter_subject(subject) is not None)

    def confirm(self, *, subject: str, id_number: str, staff_username: str) -> None:
        """Record that ``staff_username`` checked the card; the subject must be their intake."""
        if staff_of_counter_subject(subject) != staff_username:
            raise IdentityError(403, "只有接待该居民的窗口工作人员本人才能登记窗口核验")
        user = staff_service.get_by_username(self.session, username=staff_username)
        if user is None or not user.active or user.role not in COUNTER_ROLES:
            raise IdentityError(
                403, "工作人员账号不存在、已停用,或不是窗口、审核或督导人员,不能登记窗口核验"
            )
        record_verification(
            self.session,
            self.settings,
            subject=subject,
            id_hash=id_number_hash(self.settings, id_number),
            id_number_masked=idcard.mask(id_number),
            id_audit_hash=audit_id_hash(self.settings, id_number),
            method=Method.COUNTER,
            at=self.now,
            actor=f"staff:{user.username}",
            staff_username=user.username,
        )
