"""Case statuses and the actions that move a case between them."""

from __future__ import annotations

from enum import StrEnum

from workflows.deadlines.policy import PUBLIC_NOTICE_DAYS


class CaseStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    MATERIALS_NEEDED = "materials_needed"
    INVESTIGATING = "investigating"
    TOWNSHIP_OPINION = "township_opinion"
    PUBLIC_NOTICE = "public_notice"
    REFERRED = "referred"
    APPROVED = "approved"
    REJECTED = "rejected"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.SUBMITTED: "已提交,等待受理",
    CaseStatus.ACCEPTED: "已受理",
    CaseStatus.MATERIALS_NEEDED: "需要补充材料",
    CaseStatus.INVESTIGATING: "入户调查和信息核对中",
    CaseStatus.TOWNSHIP_OPINION: "乡镇(街道)审核中",
    CaseStatus.PUBLIC_NOTICE: "公示中",
    CaseStatus.REFERRED: "已转交主管部门办理,等待答复",
    CaseStatus.APPROVED: "已批准",
    CaseStatus.REJECTED: "未予批准",
    CaseStatus.CLOSED: "已办结",
}

DECIDED = frozenset({CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.CLOSED})


class Action(StrEnum):
    ACCEPT = "accept"
    REQUEST_MATERIALS = "request_materials"
    SUPPLY_MATERIALS = "supply_materials"
    START_INVESTIGATION = "start_investigation"
    SUBMIT_OPINION = "submit_opinion"
    START_PUBLIC_NOTICE = "start_public_notice"
    RECORD_OBJECTION = "record_objection"
    APPROVE = "approve"
    REJECT = "reject"
    CLOSE = "close"
    FORWARD = "forward"
    EXTEND = "extend"
    GRANT_URGENT = "grant_urgent"
    GRANT_DIRECT = "grant_direct"
    REFER = "refer"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[Action, str] = {
    Action.ACCEPT: "受理",
    Action.REQUEST_MATERIALS: "一次性告知需补充的材料",
    Action.SUPPLY_MATERIALS: "材料已补齐",
    Action.START_INVESTIGATION: "开始入户调查和信息核对",
    Action.SUBMIT_OPINION: "提出乡镇(街道)审核意见",
    Action.START_PUBLIC_NOTICE: f"开始公示({PUBLIC_NOTICE_DAYS}天)",
    Action.RECORD_OBJECTION: "记录公示异议,重新调查",
    Action.APPROVE: "批准",
    Action.REJECT: "不予批准",
    Action.CLOSE: "办结归档",
    Action.FORWARD: "转交其他乡镇(街道)",
    Action.EXTEND: "延长办理时限",
    Action.GRANT_URGENT: "先行救助(当日发放,事后补办手续)",
    Action.GRANT_DIRECT: "凭证直接给予救助",
    Action.REFER: "转主管部门办理并跟踪答复",
}
