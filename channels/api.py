"""Async client for the API service, as an internal caller (the Telegram bridge)."""

from __future__ import annotations

from typing import Any

import httpx

from channels.errors import ApiRefusedError, ApiUnavailableError
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
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            transport=transport,
            headers={"X-Internal-Token": internal_token},
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
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiUnavailableError(f"{type(exc).__name__} calling the API {path}") from exc
        if response.status_code >= 500:
            raise ApiUnavailableError(f"API answered {response.status_code} for {path}")
        if response.status_code >= 400:
            raise ApiRefusedError(response.status_code, _reason(response))
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ApiUnavailableError(f"API answered non-JSON for {path}") from exc

    async def aclose(self) -> None:
        await self._client.aclose()


def _reason(response: httpx.Response) -> str:
    """The Chinese reason of a refusal (``detail`` as a string or a list of ``msg``)."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and detail:
        return detail
    if isinstance(detail, list):
        messages = [str(item.get("msg")) for item in detail if isinstance(item, dict)]
        if messages:
            return ";".join(messages)
    return "请求未被接受"
