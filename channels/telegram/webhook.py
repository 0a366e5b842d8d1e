"""Webhook mode: a small Starlette app under uvicorn feeding Telegram's POSTs to the Application.

Follows python-telegram-bot's "custom webhook bot" example, so no extra web server package is
needed. TLS is terminated by the reverse proxy that owns ``telegram_webhook_url``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from urllib.parse import urlparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from channels.telegram.app import TelegramApp
from huimin.settings import Settings

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_secret(settings: Settings) -> str:
    """A stable secret Telegram echoes in every webhook call (derived from the secret key)."""
    key = settings.secret_key.get_secret_value().encode("utf-8")
    return hmac.new(key, b"telegram-webhook", hashlib.sha256).hexdigest()[:48]


def webhook_path(settings: Settings) -> str:
    return urlparse(settings.telegram_webhook_url or "").path or "/telegram/webhook"


def make_web_app(application: TelegramApp, settings: Settings) -> Starlette:
    secret = webhook_secret(settings)

    async def receive(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return PlainTextResponse("forbidden", status_code=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.update_queue.put(update)
        return Response()

    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(webhook_path(settings), receive, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )


async def _initialize_with_retries(application: TelegramApp) -> None:
    """Initialize (getMe) until Telegram answers; a refused token is not retried."""
    delay = 1.0
    while True:
        try:
            await application.initialize()
            return
        except InvalidToken:
            raise
        except NetworkError as exc:
            log.warning("Telegram unreachable (%s); retrying in %.0fs", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)


async def run_webhook(application: TelegramApp, settings: Settings) -> None:
    """Register the webhook with Telegram and serve it until interrupted."""
    server = uvicorn.Server(
        uvicorn.Config(
            make_web_app(application, settings),
            host=settings.telegram_webhook_listen_host,
            port=settings.telegram_webhook_listen_port,
            log_level="info",
        )
    )
    await _initialize_with_retries(application)
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.bot.set_webhook(
            url=settings.telegram_webhook_url or "",
            secret_token=webhook_secret(settings),
            allowed_updates=Update.ALL_TYPES,
        )
        await application.start()
        try:
            await server.serve()
        finally:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
