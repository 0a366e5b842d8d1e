"""sms: a one-time code sent to the mobile number the REGISTRY holds for the person.

The code is six random digits; only HMAC(secret_key, salt, code) is stored. It lives
``otp_ttl_seconds``, allows ``otp_max_attempts`` wrong entries, and at most
``otp_sends_per_hour`` codes go out per ID number and per chat identity. The code is never
logged and never returned; the phone appears masked.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from huimin import idcard
from huimin.settings import Settings
from workflows.identity import audit_events
from workflows.identity.adapters.dev_sms import DevSmsSink
from workflows.identity.enums import LookupPurpose, Method, OtpStatus
from workflows.identity.errors import IdentityError
from workflows.identity.hashing import audit_id_hash, code_hash, id_number_hash, same
from workflows.identity.models import OtpChallenge
from workflows.identity.registry_access import lookup_audited
from workflows.identity.schemas import SmsMethodOut, SmsSentOut
from workflows.identity.service import record_verification
from workflows.notifications.sms import SmsError, SmsSender, make_sms_sender, mask_phone
from workflows.registry import HouseholdRegistry, RegistryUnavailableError

log = logging.getLogger(__name__)

DEV_OUTBOX = ("dev-sms", "outbox.txt")
NO_MOBILE = (
    "登记信息中没有可接收验证码的手机号码,请选择其他核验方式(如携带居民身份证到乡镇(街道)窗口办理)"
)
EXPIRED = "验证码已失效,请重新获取"
HOUR = dt.timedelta(hours=1)


def make_otp_sender(settings: Settings) -> SmsSender | None:
    """The SMS gateway when configured; in development and tests without one, a file sink
    (var/dev-sms/outbox.txt); in production without one, None (the sms method is unavailable)."""
    gateway = make_sms_sender(settings)
    if gateway is not None:
        return gateway
    if settings.is_production:
        return None
    return DevSmsSink(settings.var_dir.joinpath(*DEV_OUTBOX))


def message_text(code: str, ttl_seconds: int) -> str:
    minutes = max(1, ttl_seconds // 60)
    return (
        f"【惠民联办】您的身份核验码为{code},{minutes}分钟内有效。"
        "请勿告诉他人,工作人员不会向您索要验证码。"
    )


class SmsVerification:
    method = Method.SMS

    def __init__(
        self,
        session: Session,
        settings: Settings,
        *,
        registry: HouseholdRegistry,
        sender: SmsSender | None,
        now: dt.datetime,
    ) -> None:
        self.session = session
        self.settings = settings
        self.registry = registry
        self.sender = sender
        self.now = now

    # status -----------------------------------------------------------------------------
    def availability(self, *, subject: str, id_number: str) -> SmsMethodOut:
        if self.sender is None:
            return SmsMethodOut(available=False, phone_masked=None)
        try:
            phone = self._registered_mobile(subject, id_number)
        except RegistryUnavailableError:
            return SmsMethodOut(available=False, phone_masked=None)
        return SmsMethodOut(
            available=phone is not None, phone_masked=mask_phone(phone) if phone else None
        )

    def _registered_mobile(self, subject: str, id_number: str) -> str | None:
        household = lookup_audited(
            self.session,
            self.settings,
            self.registry,
            actor=subject,
            subject=subject,
            id_number=id_number,
            purpose=LookupPurpose.IDENTITY_VERIFICATION,
            at=self.now,
        )
        member = household.member(id_number) if household else None
        return member.mobile if member else None

    # send -------------------------------------------------------------------------------
    def send(self, *, subject: str, id_number: str) -> SmsSentOut:
        id_hash = id_number_hash(self.settings, id_number)
        self._check_send_rate(subject, id_hash)
        if self.sender is None:
            raise IdentityError(503, "短信验证码暂不可用,请选择其他核验方式")
        try:
            phone = self._registered_mobile(subject, id_number)
        except RegistryUnavailableError as exc:
            self.session.commit()  # the audit event of the attempted lookup
            raise IdentityError(503, exc.message_zh) from None
        if phone is None:
            self.session.commit()
            raise IdentityError(404, NO_MOBILE)
        self.session.execute(
            update(OtpChallenge)
            .where(
                OtpChallenge.subject == subject,
                OtpChallenge.id_number_hash == id_hash,
                OtpChallenge.status == OtpStatus.OPEN.value,
            )
            .values(status=OtpStatus.SUPERSEDED.value)
        )
        code = f"{secrets.randbelow(1_000_000):06d}"
        salt = secrets.token_hex(16)
        ttl = self.settings.otp_ttl_seconds
        self.session.add(
            OtpChallenge(
                subject=subject,
                id_number_hash=id_hash,
                phone_masked=mask_phone(phone),
                salt=salt,
                code_hash=code_hash(self.settings, salt=salt, code=code),
                attempts=0,
                status=OtpStatus.OPEN.value,
                created_at=self.now,
                expires_at=self.now + dt.timedelta(seconds=ttl),
            )
        )
        audit_events.identity_event(
            self.session,
            self.settings,
            actor=subject,
            action="identity.sms_sent",
            subject=subject,
            id_number=id_number,
            at=self.now,
            extra={"phone_masked": mask_phone(phone)},
        )
        self.session.flush()
        try:
            self.sender.send(phone, message_text(code, ttl))
        except SmsError:
            self.session.rollback()
            raise IdentityError(503, "验证码短信发送失败,请稍后重试或选择其他核验方式") from None
        self.session.commit()
        return SmsSentOut(sent=True, phone_masked=mask_phone(phone), expires_in_seconds=ttl)

    def _check_send_rate(self, subject: str, id_hash: str) -> None:
        since = self.now - HOUR
        limit = self.settings.otp_sends_per_hour
        for column, value in (
            (OtpChallenge.id_number_hash, id_hash),
            (OtpChallenge.subject, subject),
        ):
            count, oldest = self.session.execute(
                select(func.count(), func.min(OtpChallenge.created_at)).where(
                    column == value, OtpChallenge.created_at > since
                )
            ).one()
            if count >= limit:
                oldest_at = _aware(oldest)
                wait = max(1, math.ceil((oldest_at + HOUR - self.now).total_seconds()))
                minutes = max(1, math.ceil(wait / 60))
                raise IdentityError(
                    429,
                    f"验证码发送过于频繁(每小时最多{limit}次),请约{minutes}分钟后再试",
                    headers={"Retry-After": str(wait)},
                )

    # verify ------------------------------------------------------------------------------
    def verify(self, *, subject: str, id_number: str, code: str) -> None:
        id_hash = id_number_hash(self.settings, id_number)
        challenge = self.session.scalars(
            select(OtpChallenge)
            .where(OtpChallenge.subject == subject, OtpChallenge.id_number_hash == id_hash)
            .order_by(OtpChallenge.created_at.desc(), OtpChallenge.id.desc())
            .limit(1)
            .with_for_update()
        ).first()
        if (
            challenge is None
            or challenge.status != OtpStatus.OPEN.value
            or challenge.expires_at <= self.now
        ):
            raise IdentityError(410, EXPIRED)
        entered = "".join(code.split())
        if not same(
            challenge.code_hash, code_hash(self.settings, salt=challenge.salt, code=entered)
        ):
            challenge.attempts += 1
            left = self.settings.otp_max_attempts - challenge.attempts
            if left <= 0:
                challenge.status = OtpStatus.FAILED.value
                self.session.commit()
                raise IdentityError(410, EXPIRED)
            self.session.commit()
            raise IdentityError(
                400, f"验证码不正确,还可以再试 {left} 次", extra={"attempts_left": left}
            )
        challenge.status = OtpStatus.USED.value
        record_verification(
            self.session,
            self.settings,
            subject=subject,
            id_hash=id_hash,
            id_number_masked=idcard.mask(id_number),
            id_audit_hash=audit_id_hash(self.settings, id_number),
            method=Method.SMS,
            at=self.now,
            actor=subject,
        )
        self.session.commit()


def _aware(value: dt.datetime) -> dt.datetime:
    """func.min() bypasses the column type: SQLite hands back a naive UTC datetime (or text)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
