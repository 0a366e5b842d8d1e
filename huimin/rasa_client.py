"""Async client for Rasa's HTTP interfaces (REST channel and the tracker API), used by the
Telegram bridge, the API's web chat and counter pages and the hand-off release.

Every failure, a refusal included (Rasa refuses only a wrong token or a malformed call: our
mistake, not the resident's), is ``ServiceUnavailableError``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from huimin.http_client import ServiceClient, ServiceRejectedError, ServiceUnavailableError
from huimin.settings import Settings

RasaReply = dict[str, Any]
# Rasa's Sanic router matches the raw path and does not percent-decode ``<conversation_id>``:
# ``telegram%3A42`` would be another (empty) conversation than ``telegram:42``. So the characters
# a path segment may hold as they are (RFC 3986 pchar) stay as they are; only the others
# (``/``, ``?``, ``#``, space, non-ASCII) are encoded.
PATH_SEGMENT_SAFE = ":@!$&'()*+,;="


def conversation_segment(sender: str) -> str:
    """The sender id as one path segment of Rasa's ``/conversations/<id>/...`` endpoints."""
    return quote(sender, safe=PATH_SEGMENT_SAFE)


class RasaClient:
    """Talks to the Rasa server, which listens on 127.0.0.1 only.

    The REST channel (``send``) needs no token; Rasa's HTTP API (trackers, events) is behind
    ``--auth-token``, so those calls carry ``?token=`` when a token is given.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = ServiceClient(base_url, service="Rasa", timeout=timeout, transport=transport)
        self._api_params = {"token": token} if token else {}

    @classmethod
    def from_settings(cls, settings: Settings, *, timeout: float = 30.0) -> RasaClient:
        return cls(
            settings.rasa_url, token=settings.rasa_auth_token.get_secret_value(), timeout=timeout
        )

    async def send(self, sender: str, message: str) -> list[RasaReply]:
        """Send one user message through the REST channel; return Rasa's replies."""
        payload = {"sender": sender, "message": message}
        data = await self._request("POST", "/webhooks/rest/webhook", json=payload)
        if not isinstance(data, list):
            raise ServiceUnavailableError("unexpected reply shape from the REST channel")
        return [reply for reply in data if isinstance(reply, dict)]

    async def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation tracker (slots, latest events) of one sender."""
        path = f"/conversations/{conversation_segment(sender)}/tracker"
        data = await self._request("GET", path, params=self._api_params)
        return data if isinstance(data, dict) else {}

    async def append_events(self, sender: str, events: list[dict[str, Any]]) -> dict[str, Any]:
        """Append events (e.g. ``{"event": "slot", "name": ..., "value": ...}``) to a tracker."""
        path = f"/conversations/{conversation_segment(sender)}/tracker/events"
        data = await self._request("POST", path, json=events, params=self._api_params)
        return data if isinstance(data, dict) else {}

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            return await self._http.request(method, path, **kwargs)
        except ServiceRejectedError as exc:
            raise ServiceUnavailableError(
                f"Rasa answered {exc.status_code} for {method} {path}"
            ) from exc

    async def aclose(self) -> None:
        await self._http.aclose()
