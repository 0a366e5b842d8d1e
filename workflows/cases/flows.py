"""Side effects of a status change: the resident's notification, in the same transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from huimin import townships
from huimin.programs import Program
from workflows.applications.enums import Channel
from workflows.applications.models import Application
from workflows.cases.enums import Action
from workflows.cases.models import ProgramCase
from workflows.notifications.sms import SMS_CHANNEL, is_mobile
from workflows.outbox import service as outbox

_NOTIFIED = frozenset(
    {
        Action.REQUEST_MATERIALS,
        Action.START_PUBLIC_NOTICE,
        Action.APPROVE,
        Action.REJECT,
        Action.FORWARD,
    }
)


def resident_text(case: ProgramCase, action: Action) -> str | None:
    """What the resident is told after this action, or None when they need not be told."""
    number = case.application.number
    label = Program(case.program).label
    if action is Action.REQUEST_MATERIALS:
        items = ";".join(f"{i}. {m}" for i, m in enumerate(case.missing_materials or [], 1))
        return (
            f"您的申请 {number}({label})需要补充以下材料:{items}。"
            "请一次补齐后交给受理窗口或在线上传;补齐前办理时限暂停计算。"
        )
    if action is Action.START_PUBLIC_NOTICE:
        ends = case.public_notice_ends_on.isoformat() if case.public_notice_ends_on else ""
        return f"您的申请 {number}({label})已进入公示,公示期7天,至 {ends} 结束。"
    if action is Action.FORWARD:
        township = townships.by_code(case.handling_township_code)
        where = township.name if township else case.handling_township_code
        return f"您的申请 {number}({label})已转交{where}办理,无需重新申请。"
    if action is Action.APPROVE:
        return f"您的申请 {number}({label})已审核通过,救助待遇自批准的次月起发放。"
    if action is Action.REJECT:
        return (
            f"您的申请 {number}({label})未予批准。理由:{case.decision_reason}。"
            "如有异议,可依法申请行政复议或提起行政诉讼。"
        )
    return None


def recipient(application: Application) -> tuple[str, str | None]:
    """Where the resident hears from us: their chat channel, or an SMS to the phone given at the
    counter (no chat identity there). A counter applicant without a mobile number stays on
    "counter", which no worker delivers: staff tell them in person."""
    if application.channel == Channel.COUNTER.value and is_mobile(application.applicant_phone):
        assert application.applicant_phone is not None
        return SMS_CHANNEL, application.applicant_phone.strip()
    return application.channel, application.channel_user_id


def after_transition(
    session: Session, *, case: ProgramCase, action: Action, now: dt.datetime
) -> None:
    if action not in _NOTIFIED:
        return
    text = resident_text(case, action)
    if text is None:
        return
    application = case.application
    channel, user_id = recipient(application)
    outbox.enqueue(
        session,
        channel=channel,
        channel_user_id=user_id,
        text=text,
        now=now,
        application_id=application.id,
        application_number=application.number,
        case_id=case.id,
    )
