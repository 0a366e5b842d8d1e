"""Whether an application's applicant proved who they are.

At submission the API looks the verification up itself (workflows/identity): the submitting
channel identity (the Rasa sender id) must hold a live verification for the applicant's ID
number. Nothing in the request body can claim it. Later, a staff member of the township that
received or handles the application may record that they checked the physical ID card.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from huimin import idcard
from huimin.settings import Settings
from workflows.applications.enums import Channel
from workflows.applications.models import Application
from workflows.audit import service as audit
from workflows.auth.actor import Caller
from workflows.auth.enums import Role
from workflows.identity.enums import Method
from workflows.identity.service import live_verification

METHOD_LABELS: dict[str, str] = {
    Method.SMS.value: "短信验证码",
    Method.COUNTER.value: "窗口核验身份证原件",
    Method.OIDC.value: "政务服务网",
}
UNVERIFIED_LABEL = "申请人身份:未核验 —— 受理时请核验身份证原件"
CHECK_ROLES = frozenset({Role.COUNTER, Role.REVIEWER, Role.SUPERVISOR})
CHECKED_ACTION = "application.identity_checked"


class IdentityCheckRefusedError(Exception):
    """The staff member may see the application but not record an identity check on it."""

    message = "只有受理或办理该申请的乡镇(街道)窗口、审核人员或区级督导可以登记身份核验"


class AlreadyVerifiedError(Exception):
    def __init__(self, label: str) -> None:
        super().__init__(label)
        self.message = f"{label},无需重复登记"


def subject_of(
    channel: str, channel_user_id: str | None, entered_by_staff: str | None
) -> str | None:
    """The Rasa sender id of the submitting conversation, as workflows/identity knows it:
    ``telegram:<id>``, ``wechat:<openid>``, ``web:<id>``,
    ``counter:<staff username>:<session>``; None without one."""
    if not channel_user_id:
        return None
    if channel == Channel.COUNTER.value:
        return f"counter:{entered_by_staff}:{channel_user_id}" if entered_by_staff else None
    if channel in (Channel.TELEGRAM.value, Channel.WECHAT.value, Channel.WEB.value):
        return f"{channel}:{channel_user_id}"
    return None


def record_at_submission(
    session: Session, settings: Settings, application: Application, *, now: dt.datetime
) -> None:
    """Fill the identity fields from the live verification of the submitting conversation."""
    subject = subject_of(
        application.channel, application.channel_user_id, application.entered_by_staff
    )
    live = (
        live_verification(
            session,
            settings,
            subject=subject,
            id_number=application.applicant_id_number,
            now=now,
        )
        if subject
        else None
    )
    if live is None:
        application.identity_verified_method = None
        application.identity_verified_at = None
        application.identity_verified_by = None
        return
    application.identity_verified_method = live.method
    application.identity_verified_at = live.verified_at
    application.identity_verified_by = (
        live.staff_username if live.method == Method.COUNTER.value else None
    )


def is_verified(application: Application) -> bool:
    return application.identity_verified_method is not None


def label(application: Application, *, staff_names: bool = True) -> str:
    """申请人身份:已核验(…) or the 未核验 warning, as the case page and the API show it."""
    method = application.identity_verified_method
    if method is None:
        return UNVERIFIED_LABEL
    how = METHOD_LABELS.get(method, method)
    if method == Method.COUNTER.value and application.identity_verified_by and staff_names:
        how += f",工作人员 {application.identity_verified_by}"
    return f"申请人身份:已核验({how})"


def may_check(caller: Caller, application: Application) -> bool:
    """Counter/reviewer staff of the township that received or handles it; the supervisor."""
    if caller.staff is None or caller.role not in CHECK_ROLES:
        return False
    scope = caller.township_scope
    if scope is None:
        return True
    places = {application.submitted_township_code}
    places.update(case.handling_township_code for case in application.cases)
    return scope in places


def record_id_card_check(
    session: Session, application: Application, *, caller: Caller, now: dt.datetime
) -> None:
    """The staff member checked the applicant's physical ID card: method counter, audited."""
    if not may_check(caller, application) or caller.staff is None:
        raise IdentityCheckRefusedError
    if is_verified(application):
        raise AlreadyVerifiedError(label(application))
    username = caller.staff.username
    application.identity_verified_method = Method.COUNTER.value
    application.identity_verified_at = now
    application.identity_verified_by = username
    audit.record(
        session,
        actor=caller.audit_name,
        action=CHECKED_ACTION,
        entity_type="application",
        entity_id=application.id,
        data={
            "number": application.number,
            "method": Method.COUNTER.value,
            "staff_username": username,
            "checked": "工作人员已查验申请人居民身份证原件",
            "applicant_id_number": idcard.mask(application.applicant_id_number),
        },
        at=now,
    )
