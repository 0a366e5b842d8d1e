"""What the resident is told after an action: one text template per notified action.

The registry saying which action sends which notice is workflows/cases/effects.py (``EFFECTS``).
"""

from __future__ import annotations

from collections.abc import Callable

from huimin.programs import Program
from workflows.cases.env import township_name
from workflows.cases.models import ProgramCase
from workflows.cases.profiles import SAMPLE_LABEL, profile_of
from workflows.deadlines.policy import PUBLIC_NOTICE_DAYS

Notice = Callable[[ProgramCase], str]


def _subject(case: ProgramCase) -> str:
    return f"您的申请 {case.application.number}({Program(case.program).label})"


def materials_needed(case: ProgramCase) -> str:
    items = ";".join(f"{i}. {m}" for i, m in enumerate(case.missing_materials or [], 1))
    return (
        f"{_subject(case)}需要补充以下材料:{items}。"
        "请一次补齐后交给受理窗口或在线上传;补齐前办理时限暂停计算。"
    )


def public_notice_started(case: ProgramCase) -> str:
    ends = case.public_notice_ends_on.isoformat() if case.public_notice_ends_on else ""
    return f"{_subject(case)}已进入公示,公示期{PUBLIC_NOTICE_DAYS}天,至 {ends} 结束。"


def forwarded(case: ProgramCase) -> str:
    where = township_name(case.handling_township_code)
    return f"{_subject(case)}已转交{where}办理,无需重新申请。"


def approved(case: ProgramCase) -> str:
    """What the approval says about payment comes from the program's profile: 次月起发放 holds
    for 低保 ([DB] art. 21) and 特困 ([TK] art. 17), not for one-off or certificate grants."""
    return f"{_subject(case)}已审核通过。{profile_of(case.program).payment}"


def urgent_granted(case: ProgramCase) -> str:
    urgent = profile_of(case.program).urgent_grant
    due = case.paperwork_due_date.isoformat() if case.paperwork_due_date else ""
    sample = f"({SAMPLE_LABEL})" if urgent is not None and urgent.paperwork_sample else ""
    return (
        f"{_subject(case)}已先行救助 {case.urgent_amount} 元,今日发放。"
        f"请在 {due} 前补齐申请材料{sample},工作人员会继续按程序办理。"
    )


def referred(case: ProgramCase) -> str:
    referral = profile_of(case.program).referral
    department = case.referred_to or ""
    due = case.referral_due_date.isoformat() if case.referral_due_date else ""
    sample = f"({SAMPLE_LABEL})" if referral is not None and referral.answer_sample else ""
    return (
        f"{_subject(case)}已转交{department}办理。乡镇(街道)会跟踪办理情况,"
        f"预计 {due} 前答复{sample}。"
    )


def rejected(case: ProgramCase) -> str:
    return (
        f"{_subject(case)}未予批准。理由:{case.decision_reason}。"
        "如有异议,可依法申请行政复议或提起行政诉讼。"
    )
