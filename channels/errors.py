"""Errors the channels tell apart: a service being down (retry) and a refusal (tell the user)."""

from __future__ import annotations


class ServiceUnavailableError(Exception):
    """Rasa or the API could not be reached or answered 5xx: worth retrying later."""


class RasaUnavailableError(ServiceUnavailableError):
    pass


class ApiUnavailableError(ServiceUnavailableError):
    pass


class ApiRefusedError(Exception):
    """The API refused a request (4xx); ``reason`` is resident-readable Chinese."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(f"{status_code}: {reason}")
        self.status_code = status_code
        self.reason = reason
