"""Hand-off statuses and message senders.

``waiting`` (the resident waits for a person; also after a transfer) -> ``active`` (a staff
member claimed it) -> ``closed`` (released: the assistant answers again). A waiting hand-off
may be closed directly (staff, or the resident choosing to continue with the assistant).
"""

from __future__ import annotations

from enum import StrEnum


class HandoffStatus(StrEnum):
    WAITING = "waiting"
    ACTIVE = "active"
    CLOSED = "closed"


OPEN_STATUSES = (HandoffStatus.WAITING.value, HandoffStatus.ACTIVE.value)


class Sender(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    SYSTEM = "system"


MAX_MESSAGE_CHARS = 1000
