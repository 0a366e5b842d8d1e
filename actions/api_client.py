"""The one HTTP client the custom actions use to reach the API service (docs/API.md).

Every call sends ``X-Internal-Token`` and has a timeout; connections are pooled by
``huimin.http_client`` (one ``httpx.AsyncClient`` per process). Failures surface as two error types:
``ApiUnavailableError`` (network down, timeout, 5xx: say sorry, keep the conversation) and
``ApiRejectedError`` (4xx: the API refused the input; carries the status and a Chinese message).
Tests inject an ``httpx`` transport (e.g. ``httpx.MockTransport``) and a base URL.
"""

from __future__ import annotations

from typing import Any

import httpx

from huimin.http_client import (
    DEFAULT_TIMEOUT,
    ServiceClient,
    ServiceError,
    ServiceRejectedError,
    ServiceUnavailableError,
)
from huimin.settings import CONVERSATION_HEADER, get_settings

KNOWLEDGE_TIMEOUT = httpx.Timeout(30.0, connect=3.0)

_transport_override: httpx.AsyncBaseTransport | None = None
_base_url_override: str | None = None


# The one error hierarchy (huimin/http_client.py), under the names the actions use.
ApiError = ServiceError
ApiUnavailableError = ServiceUnavailableError
ApiRejectedError = ServiceRejectedError


class ApiClient:
    """Thin async wrapper over the endpoints the dialogue uses."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = ServiceClient(
            self.base_url,
            service="API",
            headers={"X-Internal-Token": token},
            timeout=timeout,
            transport=transport,
        )

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> Any:
        return await self._http.request(
            method, path, json=json, params=params, headers=headers, timeout=timeout
        )

    # Knowledge and eligibility -------------------------------------------------------------
    async def ask(
        self,
        question: str,
        audience: str = "resident",
        conversation_id: str | None = None,
        passage: str | None = None,
    ) -> dict[str, Any]:
        """A cited answer; with ``conversation_id`` the API limits questions per conversation;
        ``passage``: the suggested passage the resident picked (answered from it alone)."""
        body: dict[str, Any] = {"question": question, "audience": audience}
        if passage:
            body["passage"] = passage
        headers = {CONVERSATION_HEADER: conversation_id} if conversation_id else None
        result: dict[str, Any] = await self._request(
            "POST", "/api/knowledge/ask", json=body, timeout=KNOWLEDGE_TIMEOUT, headers=headers
        )
        return result

    async def prescreen(self, household: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._request(
            "POST", "/api/eligibility/prescreen", json=household
        )
        return result

    async def nearby_services(self, params: dict[str, str]) -> list[dict[str, Any]]:
        """``GET /api/eldercare/services/nearby`` (lat/lon or place, service or kind, limit)."""
        result: list[dict[str, Any]] = await self._request(
            "GET", "/api/eldercare/services/nearby", params=params
        )
        return result

    async def parse_household(
        self, field: str, text: str, members: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """The resident's words read as household facts: ``field`` is income, property,
        members or expenses; ``members`` (relation, name) are the ones incomes may belong to."""
        body = {"field": field, "text": text, "members": members or []}
        result: dict[str, Any] = await self._request("POST", "/api/household/parse", json=body)
        return result

    # Registry and applications -------------------------------------------------------------
    async def registry_household(
        self, id_number: str, subject: str, purpose: str = "application"
    ) -> dict[str, Any]:
        """The registry household; the API answers 403 unless ``subject`` verified this ID."""
        result: dict[str, Any] = await self._request(
            "GET",
            f"/api/registry/households/{id_number}",
            params={"subject": subject, "purpose": purpose},
        )
        return result

    # Identity verification (docs: the identity-verification contract) ------------------------
    async def identity_status(self, subject: str, id_number: str) -> dict[str, Any]:
        body = {"subject": subject, "id_number": id_number}
        result: dict[str, Any] = await self._request("POST", "/api/identity/status", json=body)
        return result

    async def identity_sms_send(self, subject: str, id_number: str) -> dict[str, Any]:
        body = {"subject": subject, "id_number": id_number}
        result: dict[str, Any] = await self._request("POST", "/api/identity/sms/send", json=body)
        return result

    async def identity_sms_verify(self, subject: str, id_number: str, code: str) -> dict[str, Any]:
        body = {"subject": subject, "id_number": id_number, "code": code}
        result: dict[str, Any] = await self._request(
            "POST", "/api/identity/sms/verify", json=body
        )
        return result

    async def identity_counter(
        self, subject: str, id_number: str, staff_username: str
    ) -> dict[str, Any]:
        body = {"subject": subject, "id_number": id_number, "staff_username": staff_username}
        result: dict[str, Any] = await self._request("POST", "/api/identity/counter", json=body)
        return result

    async def submit_application(
        self, application: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self._request(
            "POST",
            "/api/applications",
            json=application,
            headers={"Idempotency-Key": idempotency_key},
        )
        return result

    async def resident_applications(
        self, channel: str, channel_user_id: str
    ) -> list[dict[str, Any]]:
        params = {"channel": channel, "channel_user_id": channel_user_id}
        result = await self._request("GET", "/api/residents/applications", params=params)
        return list(result or [])

    async def status_lookup(
        self, number: str, id_number: str, conversation_id: str
    ) -> dict[str, Any]:
        """``conversation_id``: the Rasa sender id; the API limits lookups per conversation."""
        body = {"number": number, "id_number": id_number}
        result: dict[str, Any] = await self._request(
            "POST",
            "/api/status-lookup",
            json=body,
            headers={CONVERSATION_HEADER: conversation_id},
        )
        return result

    # Time bank and reviews (the resident's own, by verified chat identity) ------------------
    async def timebank_accounts(self, channel: str, channel_user_id: str) -> list[dict[str, Any]]:
        params = {"channel": channel, "channel_user_id": channel_user_id}
        result = await self._request("GET", "/api/timebank/balance", params=params)
        return list(result or [])

    async def timebank_statement(self, account_id: int) -> dict[str, Any]:
        result: dict[str, Any] = await self._request(
            "GET", f"/api/timebank/accounts/{int(account_id)}"
        )
        return result

    async def my_reviews(self, channel: str, channel_user_id: str) -> list[dict[str, Any]]:
        params = {"channel": channel, "channel_user_id": channel_user_id}
        result = await self._request("GET", "/api/reviews/mine", params=params)
        return list(result or [])

    async def report_review_change(
        self, channel: str, channel_user_id: str, note: str
    ) -> list[dict[str, Any]]:
        body = {"channel": channel, "channel_user_id": channel_user_id, "note": note}
        result = await self._request("POST", "/api/reviews/report-change", json=body)
        return list(result or [])

    # Handoffs and hardship leads -----------------------------------------------------------
    async def open_handoff(
        self,
        channel: str,
        channel_user_id: str,
        reason: str,
        transcript: list[dict[str, str]],
        conversation_id: str | None = None,
        township_code: str | None = None,
    ) -> dict[str, Any]:
        """``conversation_id``: the Rasa sender id, which the API resumes on release;
        ``township_code``: the township whose staff take it (None: the district queue)."""
        body: dict[str, Any] = {
            "channel": channel,
            "channel_user_id": channel_user_id,
            "reason": reason,
            "transcript": transcript,
            "conversation_id": conversation_id,
            "township_code": township_code,
        }
        result: dict[str, Any] = await self._request("POST", "/api/handoffs", json=body)
        return result

    async def create_lead(self, lead: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._request("POST", "/api/leads", json=lead)
        return result


def use_transport(transport: httpx.AsyncBaseTransport | None, base_url: str | None = None) -> None:
    """Route every client made by :func:`get_client` through ``transport`` (tests)."""
    global _transport_override, _base_url_override
    _transport_override = transport
    _base_url_override = base_url


def get_client() -> ApiClient:
    """A client configured from settings (read when called, never at import time)."""
    settings = get_settings()
    return ApiClient(
        _base_url_override or settings.api_url,
        settings.internal_token.get_secret_value(),
        transport=_transport_override,
    )
