"""Async client for the API service, as an internal caller (the Telegram bridge); the base and
the errors are ``huimin.http_client``."""

from __future__ import annotations

from typing import Any

import httpx

from huimin.http_client import ServiceClient
from huimin.settings import Settings

# Application (bundle) statuses after which no more documents are taken: every case decided
# (workflows.applications.enums.BundleStatus.COMPLETED).
CLOSED_APPLICATION_STATUSES = frozenset({"completed"})


class ApiClient:
    """The API calls the bridge and its notifier make, with ``X-Internal-Token``."""

    def __init__(
        self,
        base_url: str,
        internal_token: str,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = ServiceClient(
            base_url,
            service="API",
            headers={"X-Internal-Token": internal_token},
            timeout=timeout,
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiClient:
        return cls(settings.api_url, settings.internal_token.get_secret_value())

    # Residents' applications and documents ---------------------------------------------------
    async def newest_open_application(
        self, channel: str, channel_user_id: str
    ) -> dict[str, Any] | None:
        """The newest application of this identity that still takes documents, if any."""
        params = {"channel": channel, "channel_user_id": channel_user_id}
        data = await self._request("GET", "/api/residents/applications", params=params)
        for application in data if isinstance(data, list) else []:
            if str(application.get("status", "")) not in CLOSED_APPLICATION_STATUSES:
                return dict(application)
        return None

    async def upload_document(
        self,
        application_id: int | str,
        *,
        filename: str,
        content: bytes,
        content_type: str,
        kind: str,
    ) -> dict[str, Any]:
        files = {"file": (filename, content, content_type)}
        data = await self._request(
            "POST",
            f"/api/applications/{application_id}/documents",
            files=files,
            data={"kind": kind},
        )
        return dict(data) if isinstance(data, dict) else {}

    # Live hand-off (人工服务) ---------------------------------------------------------------
    async def resident_message(
        self, channel: str, channel_user_id: str, text: str
    ) -> dict[str, Any]:
        """Give a resident's message to their open hand-off: ``{"accepted": bool, "handoff"}``;
        not accepted: no hand-off is open, the message is for the assistant."""
        body = {"channel": channel, "channel_user_id": channel_user_id, "text": text}
        data = await self._request("POST", "/api/handoffs/resident-messages", json=body)
        return dict(data) if isinstance(data, dict) else {"accepted": False, "handoff": None}

    # Notification outbox ---------------------------------------------------------------------
    async def claim_outbox(
        self, channel: str, *, limit: int = 20, lease_seconds: int = 60
    ) -> list[dict[str, Any]]:
        body = {"channel": channel, "limit": limit, "lease_seconds": lease_seconds}
        data = await self._request("POST", "/api/outbox/claim", json=body)
        return [dict(item) for item in data] if isinstance(data, list) else []

    async def mark_delivered(self, message_id: int | str) -> None:
        await self._request("POST", f"/api/outbox/{message_id}/delivered")

    async def mark_failed(
        self, message_id: int | str, *, error: str, retry_after_seconds: int | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"error": error[:500]}
        if retry_after_seconds is not None:
            body["retry_after_seconds"] = retry_after_seconds
        data = await self._request("POST", f"/api/outbox/{message_id}/failed", json=body)
        return dict(data) if isinstance(data, dict) else {}

    # -----------------------------------------------------------------------------------------
    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Raises ``ServiceUnavailableError`` / ``ServiceRejectedError`` (huimin/http_client.py)."""
        return await self._http.request(method, path, **kwargs)

    async def aclose(self) -> None:
        await self._http.aclose()
