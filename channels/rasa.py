"""Async client for Rasa's HTTP interfaces (REST channel and the tracker API)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from channels.errors import RasaUnavailableError
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
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport
        )
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
            raise RasaUnavailableError("unexpected reply shape from the REST channel")
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
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RasaUnavailableError(f"{type(exc).__name__} calling Rasa {path}") from exc
        if response.status_code >= 400:
            raise RasaUnavailableError(f"Rasa answered {response.status_code} for {path}")
        try:
            return response.json()
        except ValueError as exc:
            raise RasaUnavailableError(f"Rasa answered non-JSON for {path}") from exc

    async def aclose(self) -> None:
        await self._client.aclose()
