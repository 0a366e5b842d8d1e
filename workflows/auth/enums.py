"""Staff roles."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REVIEWER = "reviewer"  # township reviewer (审核人员): intake to opinion and 公示; decides
    # where the township may (低保/低保边缘/特困: see workflows/deadlines/policy.py)
    COUNTER = "counter"  # counter staff (窗口人员): intake, 受理, materials, forwarding
    SUPERVISOR = "supervisor"  # district supervisor (区级): sees every case, makes county decisions
    ADVISER = "adviser"  # elder-care adviser (养老顾问): reads, never decides
    GRID_WORKER = "grid_worker"  # village/community or grid worker (村社/网格员): visits in
    # the villages assigned to them (workflows/visits/areas.py), time-bank confirmations

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.REVIEWER: "审核人员",
    Role.COUNTER: "窗口人员",
    Role.SUPERVISOR: "区级督导",
    Role.ADVISER: "养老顾问",
    Role.GRID_WORKER: "村社/网格员",
}
