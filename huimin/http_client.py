"""The one async HTTP client base of the project's callers (custom actions, Telegram bridge, the
Rasa client) and its one error hierarchy.

- ``ServiceUnavailableError``: the service could not be reached, timed out, answered 5xx or
  answered something that is not JSON — worth retrying later, the user is told "sorry".
- ``ServiceRejectedError``: the service refused the request (4xx); carries ``status_code``, the
  Chinese ``message`` (FastAPI ``detail``) and the parsed ``body``.

Connections are pooled: every ``ServiceClient`` of a process shares one ``httpx.AsyncClient``,
created on first use (per event loop) and closed by :func:`close_shared_client` on shutdown.
Tests inject an ``httpx`` transport; a client with its own transport opens a short-lived
``AsyncClient`` per request on it (never the shared pool).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
GENERIC_REFUSAL = "请求未被接受"

_shared: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None


class ServiceError(Exception):
    """Base class of the errors of a call to another of our services."""


class ServiceUnavailableError(ServiceError):
    """Network failure, timeout, 5xx or a reply that is not JSON: worth retrying later."""


class ServiceRejectedError(ServiceError):
    """The service refused the request (4xx)."""

    def __init__(self, status_code: int, message: str, body: Any = None) -> None:
        super().__init__(f"{status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.body = body

    @property
    def reason(self) -> str:
        """The resident-readable Chinese reason, never empty."""
        return self.message or GENERIC_REFUSAL


def rejection_message(body: Any) -> str:
    """The Chinese message of a 4xx answer: FastAPI's ``detail`` string, or the ``msg`` of each
    422 item joined by ";"; empty when the body has none."""
    if not isinstance(body, dict):
        return ""
    detail = body.get("detail")
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        return ";".join(str(item.get("msg")) for item in detail if isinstance(item, dict))
    return ""


def shared_client() -> httpx.AsyncClient:
    """The process's pooled client (one per running event loop), created on first use."""
    global _shared
    loop = asyncio.get_running_loop()
    if _shared is None or _shared[0] is not loop or _shared[1].is_closed:
        _shared = (loop, httpx.AsyncClient())
    return _shared[1]


async def close_shared_client() -> None:
    """Close the pooled client (on shutdown); the next call creates a new one."""
    global _shared
    if _shared is not None:
        loop, client = _shared
        _shared = None
        if loop is asyncio.get_running_loop():
            await client.aclose()


class ServiceClient:
    """Calls one service at ``base_url`` with fixed headers; JSON in, JSON out."""

    def __init__(
        self,
        base_url: str,
        *,
        service: str,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.service = service
        self._headers = dict(headers or {})
        self._timeout = timeout
        self._transport = transport

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | float | None = None,
        **kwargs: Any,
    ) -> Any:
        """The decoded JSON body (None when empty); raises the errors above."""
        all_headers = {"Accept": "application/json", **self._headers, **(headers or {})}
        url = self.base_url + path
        wait = timeout if timeout is not None else self._timeout
        try:
            if self._transport is not None:
                async with httpx.AsyncClient(transport=self._transport) as client:
                    response = await client.request(
                        method, url, headers=all_headers, timeout=wait, **kwargs
                    )
            else:
                response = await shared_client().request(
                    method, url, headers=all_headers, timeout=wait, **kwargs
                )
        except httpx.HTTPError as exc:
            raise ServiceUnavailableError(
                f"{type(exc).__name__} calling {self.service} {method} {path}"
            ) from exc
        if response.status_code >= 500:
            raise ServiceUnavailableError(
                f"{self.service} answered {response.status_code} for {method} {path}"
            )
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError as exc:
                if response.status_code < 400:
                    raise ServiceUnavailableError(
                        f"{self.service} answered non-JSON for {method} {path}"
                    ) from exc
        if response.status_code >= 400:
            raise ServiceRejectedError(response.status_code, rejection_message(body), body)
        return body

    async def aclose(self) -> None:
        """Release the pooled connections (the process is shutting down)."""
        await close_shared_client()
