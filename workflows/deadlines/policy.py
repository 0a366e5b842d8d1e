"""The shape of a case's time limit, and the constants of the case clock.

Each program's time limits, with their citations or sample labels, are its process profile
(workflows/cases/data/profiles.yaml, read by workflows/cases/profiles.py).
"""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC_NOTICE_DAYS = 7  # 公示 7 days ([DB] art. 19; [TK] art. 15; [ZJ] art. 11)
FORWARD_WORKING_DAYS = (
    3  # sample: the receiving township 受理s a forwarded case within 3 working days
)
WARN_FRACTION = 0.75  # a case warns when 75% of its working days are used


@dataclass(frozen=True)
class DeadlinePolicy:
    working_days: int
    extended_working_days: int | None  # None: the deadline cannot be extended
    source: str  # the regulation the time limit comes from, or the sample label
    sample: bool = False  # True: no regulation found, a labelled sample value
