"""Security headers for the HTML pages (a pure ASGI middleware).

Every request gets a fresh CSP nonce in ``request.state.csp_nonce`` (templates put it on their
few inline ``<style>``/``<script>`` blocks); every ``text/html`` response gets:

- ``Content-Security-Policy``: same origin only, inline code only with that nonce, no framing;
- ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: same-origin``.

FastAPI's interactive docs (which load Swagger UI from a CDN) keep the other headers but no CSP.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NONCE_KEY = "csp_nonce"
CSP_EXEMPT_PATHS = ("/docs", "/redoc")


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


HTML_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        state: dict[str, Any] = scope.setdefault("state", {})
        state[NONCE_KEY] = nonce
        exempt = scope.get("path", "").startswith(CSP_EXEMPT_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in HTML_HEADERS.items():
                        headers.setdefault(name, value)
                    if not exempt:
                        headers["Content-Security-Policy"] = content_security_policy(nonce)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: Any) -> None:
    app.add_middleware(SecurityHeaders)
