"""Verification methods, OTP states and why the registry is looked up."""

from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    SMS = "sms"  # a one-time code to the mobile number on record in the registry
    COUNTER = "counter"  # the physical ID card checked by a staff member at the counter
    OIDC = "oidc"  # OpenID Connect against the government single sign-on


class OtpStatus(StrEnum):
    OPEN = "open"  # may still be entered
    USED = "used"  # entered correctly once
    FAILED = "failed"  # too many wrong attempts
    SUPERSEDED = "superseded"  # a newer code was sent


class LookupPurpose(StrEnum):
    APPLICATION = "application"  # filling in an application (dialogue or counter)
    REVIEW = "review"  # staff checking a case
    IDENTITY_VERIFICATION = "identity_verification"  # finding the mobile number on record


PURPOSE_LABELS: dict[LookupPurpose, str] = {
    LookupPurpose.APPLICATION: "办理申请",
    LookupPurpose.REVIEW: "审核核对",
    LookupPurpose.IDENTITY_VERIFICATION: "身份核验(查询登记手机号)",
}
