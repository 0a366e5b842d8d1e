"""Sending one SMS: the adapter interface, the HTTP gateway adapter, phone masking.

The HTTP adapter POSTs ``{"phone", "text"}`` as JSON with ``Authorization: Bearer <token>`` to
``sms_gateway_url``; any 2xx is sent. 429 and 5xx are worth retrying (``Retry-After`` honoured),
other answers are not. Phones never appear unmasked in logs.
"""

from __future__ import annotations

import logging
import re
from typing import Protocol

import httpx

from huimin.settings import Settings

log = logging.getLogger(__name__)

SMS_CHANNEL = "sms"
_PHONE = re.compile(r"^1\d{10}$")


def mask_phone(phone: str) -> str:
    """138****1234; anything shorter than 7 characters is fully masked."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def is_mobile(phone: str | None) -> bool:
    return phone is not None and _PHONE.match(phone.strip()) is not None


class SmsError(Exception):
    """The message was not sent. ``retryable``: try again later (after retry_after_seconds)."""

    def __init__(
        self, message: str, *, retryable: bool, retry_after_seconds: int | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_seconds = retry_after_seconds


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send or raise SmsError."""


class HttpSmsGateway:
    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        timeout_seconds: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self.timeout_seconds = timeout_seconds
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._transport = transport

    def send(self, phone: str, text: str) -> None:
        masked = mask_phone(phone)
        try:
            with httpx.Client(
                timeout=self.timeout_seconds, headers=self._headers, transport=self._transport
            ) as client:
                response = client.post(self.url, json={"phone": phone, "text": text})
        except httpx.HTTPError as exc:
            log.warning("sms to %s: gateway unreachable (%s)", masked, type(exc).__name__)
            raise SmsError(f"gateway unreachable: {type(exc).__name__}", retryable=True) from None
        if 200 <= response.status_code < 300:
            log.info("sms to %s: sent", masked)
            return
        retryable = response.status_code == 429 or response.status_code >= 500
        log.warning("sms to %s: gateway answered HTTP %d", masked, response.status_code)
        raise SmsError(
            f"gateway answered HTTP {response.status_code}",
            retryable=retryable,
            retry_after_seconds=_retry_after(response),
        )


def _retry_after(response: httpx.Response) -> int | None:
    raw = response.headers.get("Retry-After", "")
    return int(raw) if raw.isdigit() else None


def make_sms_sender(settings: Settings) -> SmsSender | None:
    """The configured gateway, or None while sms_gateway_url is unset (SMS off)."""
    if not settings.sms_gateway_url:
        return None
    token = settings.sms_gateway_token.get_secret_value() if settings.sms_gateway_token else None
    return HttpSmsGateway(
        settings.sms_gateway_url, token or None, timeout_seconds=settings.sms_timeout_seconds
    )
