"""The factory of the bridge's one asyncio ``Application``."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application
from telegram.request import BaseRequest

from channels.api import ApiClient
from channels.telegram.bridge import Bridge
from channels.telegram.notifier import NotifierOptions, OutboxNotifier
from channels.telegram.retry import RetryPolicy
from channels.telegram.uploads import PendingFiles
from huimin.rasa_client import RasaClient
from huimin.settings import Settings

TelegramApp = Application[Any, Any, Any, Any, Any, Any]
BRIDGE_KEY = "huimin.bridge"
NOTIFIER_KEY = "huimin.notifier"
CONCURRENT_UPDATES = 32  # per user, the retrier keeps messages in order


class MissingTokenError(RuntimeError):
    """No bot token configured."""


@dataclass(frozen=True)
class BridgeOptions:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    notifier: NotifierOptions = field(default_factory=NotifierOptions)
    run_notifier: bool = True  # start the outbox worker with the application


def telegram_file_url(base_url: str) -> str:
    """Where files are downloaded from: ``…/bot`` becomes ``…/file/bot`` (Telegram's layout)."""
    root, _, last = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/{last}"


def build_application(
    settings: Settings,
    rasa: RasaClient,
    api: ApiClient,
    *,
    request: BaseRequest | None = None,
    options: BridgeOptions | None = None,
) -> TelegramApp:
    """Build the Application; it owns ``rasa`` and ``api`` and closes them at shutdown.

    ``request`` replaces the HTTP layer towards Telegram's servers (tests pass a recorder).
    """
    if settings.telegram_token is None:
        raise MissingTokenError("HUIMIN_TELEGRAM_TOKEN is not set")
    options = options or BridgeOptions()
    builder = (
        Application.builder()
        .token(settings.telegram_token.get_secret_value())
        .concurrent_updates(CONCURRENT_UPDATES)  # one slow reply must not hold up everyone
        .base_url(settings.telegram_api_base_url)
        .base_file_url(telegram_file_url(settings.telegram_api_base_url))
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    builder = (
        builder.post_init(_start_background)
        .post_stop(_stop_background)
        .post_shutdown(_close_clients)
    )
    application: TelegramApp = builder.build()

    bridge = Bridge(
        rasa=rasa,
        api=api,
        max_upload_bytes=settings.max_upload_bytes,
        pending=PendingFiles(settings.var_dir / "telegram" / "pending_files.json"),
        retry_policy=options.retry,
    )
    bridge.register(application)
    application.bot_data[BRIDGE_KEY] = bridge
    application.bot_data[NOTIFIER_KEY] = _NotifierRunner(
        OutboxNotifier(application.bot, api, options.notifier), enabled=options.run_notifier
    )
    return application


def bridge_of(application: TelegramApp) -> Bridge:
    bridge: Bridge = application.bot_data[BRIDGE_KEY]
    return bridge


def notifier_of(application: TelegramApp) -> OutboxNotifier:
    runner: _NotifierRunner = application.bot_data[NOTIFIER_KEY]
    return runner.notifier


class _NotifierRunner:
    """Runs the outbox notifier as an asyncio task beside the update handling."""

    def __init__(self, notifier: OutboxNotifier, *, enabled: bool) -> None:
        self.notifier = notifier
        self.enabled = enabled
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.enabled and self._task is None:
            self._stop = asyncio.Event()
            self._task = asyncio.create_task(self.notifier.run_forever(self._stop))

    async def stop(self) -> None:
        if self._task is not None:
            self._stop.set()
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None


async def _start_background(application: TelegramApp) -> None:
    runner: _NotifierRunner = application.bot_data[NOTIFIER_KEY]
    runner.start()


async def _stop_background(application: TelegramApp) -> None:
    runner: _NotifierRunner = application.bot_data[NOTIFIER_KEY]
    await runner.stop()
    await bridge_of(application).retrier.close()


async def _close_clients(application: TelegramApp) -> None:
    bridge = bridge_of(application)
    await bridge.rasa.aclose()
    await bridge.api.aclose()
