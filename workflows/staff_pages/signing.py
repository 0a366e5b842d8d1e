"""Signed button payloads: a web page may send a "/intent{...}" message only if the bot offered
it as a button to that same sender (typed text starting with "/" is refused)."""

from __future__ import annotations

import hashlib
import hmac

from huimin.settings import Settings


def sign(settings: Settings, sender: str, payload: str) -> str:
    key = settings.secret_key.get_secret_value().encode("utf-8")
    message = f"button\x00{sender}\x00{payload}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def verify(settings: Settings, sender: str, payload: str, signature: str) -> bool:
    return hmac.compare_digest(sign(settings, sender, payload), signature or "")
