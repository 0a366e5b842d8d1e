"""Keyed hashes: ID numbers in the identity tables and audit events, and one-time codes."""

from __future__ import annotations

import hashlib
import hmac

from huimin.settings import Settings


def _hmac(key: str, purpose: str, *parts: str) -> str:
    message = "\x00".join((purpose, *parts)).encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def id_number_hash(settings: Settings, id_number: str) -> str:
    """How the identity tables find a (canonical) ID number without storing it."""
    return _hmac(settings.secret_key.get_secret_value(), "identity-id-number", id_number)


def audit_id_hash(settings: Settings, id_number: str) -> str:
    """The ID number in audit events: keyed with the audit key, so an auditor holding the key
    can find every event about one person, and nobody without it can."""
    return _hmac(settings.audit_hmac_key.get_secret_value(), "audit-id-number", id_number)


def code_hash(settings: Settings, *, salt: str, code: str) -> str:
    return _hmac(settings.secret_key.get_secret_value(), "identity-otp", salt, code)


def same(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode("ascii"), right.encode("ascii"))
