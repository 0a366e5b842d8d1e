"""Outbox notifier: the API's queued notifications (channel ``wechat``, ``channel_user_id`` the
openid) delivered to WeChat users.

Any outbox message whose channel is ``wechat`` reaches the resident this way (case notices, and
staff replies once hand-offs write them to the outbox): the sender is found by channel name.
Inside the 48-hour window (the resident wrote within 48 h, seen by this bridge) it is a 客服消息;
outside it, or when WeChat answers 45015 (reply window over), a 模板消息 with the configured
template (``HUIMIN_WECHAT_NOTICE_TEMPLATE_ID``). Without a template a 客服消息 is always tried
(the window may be open though this process did not see the message, e.g. after a restart
without Redis); WeChat's 45015 is then reported and the API retries with backoff.

Errors: 40001/42001 are handled in :mod:`channels.wechat.api` (token refreshed, call retried
once); 45009 (daily API quota), 45011 and 45047 (客服 message limit) are reported with
``retry_after_seconds`` and pause this worker; an unsubscribed or unknown user (43004, 40003) is
reported without a retry time; WeChat unreachable: 30 s. Each message is sent once and
acknowledged once (a lost acknowledgement is remembered, as in the Telegram notifier).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from channels.api import ApiClient
from channels.wechat.api import (
    API_DAILY_LIMIT,
    WeChatApi,
    WeChatApiError,
    WeChatUnavailableError,
)
from channels.wechat.bridge import Window
from channels.wechat.render import CUSTOM_LIMIT_BYTES, split
from huimin.http_client import ServiceRejectedError, ServiceUnavailableError
from huimin.local_time import LOCAL_TZ
from huimin.masking import mask_id_text

log = logging.getLogger(__name__)
CHANNEL = "wechat"
TEMPLATE_VALUE_LIMIT = 200  # characters; "thing" fields take 20
THING_LIMIT = 20


@dataclass(frozen=True)
class NotifierOptions:
    batch_size: int = 20
    lease_seconds: int = 60
    idle_seconds: float = 5.0
    api_down_seconds: float = 15.0
    network_retry_seconds: int = 30
    daily_limit_seconds: int = 3600  # 45009: the quota resets at midnight; look again hourly
    custom_limit_seconds: int = 600  # 45047 / 45011


@dataclass(frozen=True)
class Template:
    template_id: str
    data: dict[str, str]  # key -> value pattern with {number}, {text}, {time}

    @classmethod
    def parse(cls, template_id: str | None, data_json: str) -> Template | None:
        if not template_id:
            return None
        data = json.loads(data_json)
        if not isinstance(data, dict):
            raise ValueError("HUIMIN_WECHAT_NOTICE_TEMPLATE_DATA must be a JSON object")
        return cls(template_id, {str(k): str(v) for k, v in data.items()})

    def fill(self, message: dict[str, Any], now: dt.datetime) -> dict[str, str]:
        values = {
            "number": str(message.get("application_number") or ""),
            "text": str(message.get("text") or ""),
            "time": now.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
        }
        filled = {}
        for key, pattern in self.data.items():
            value = pattern.format_map(values)
            limit = THING_LIMIT if key.startswith("thing") else TEMPLATE_VALUE_LIMIT
            filled[key] = value if len(value) <= limit else value[: limit - 1] + "…"
        return filled


class WeChatNotifier:
    def __init__(
        self,
        wechat: WeChatApi,
        api: ApiClient,
        window: Window,
        template: Template | None,
        options: NotifierOptions | None = None,
    ) -> None:
        self._wechat = wechat
        self._api = api
        self._window = window
        self._template = template
        self._options = options or NotifierOptions()
        self._sent_not_acknowledged: set[str] = set()
        self.pause_seconds = 0.0

    async def run_once(self) -> int:
        for message_id in sorted(self._sent_not_acknowledged):
            await self._acknowledge(message_id)
        options = self._options
        batch = await self._api.claim_outbox(
            CHANNEL, limit=options.batch_size, lease_seconds=options.lease_seconds
        )
        handled = 0
        for message in batch:
            handled += 1
            if not await self._deliver(message):
                break  # a quota was hit: leave the rest to their lease
        return handled

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            wait = self._options.idle_seconds
            try:
                if await self.run_once():
                    wait = 0.0
            except ServiceUnavailableError as exc:
                log.warning("outbox: API unavailable: %s", exc)
                wait = self._options.api_down_seconds
            except Exception:
                log.exception("wechat outbox round failed")
                wait = self._options.api_down_seconds
            if self.pause_seconds:
                wait, self.pause_seconds = max(wait, self.pause_seconds), 0.0
            if wait:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait)

    async def _deliver(self, message: dict[str, Any]) -> bool:
        """Send one notification; False when a quota asks the worker to pause."""
        message_id = str(message["id"])
        if message_id in self._sent_not_acknowledged:
            await self._acknowledge(message_id)
            return True
        openid = str(message.get("channel_user_id") or "")
        if not openid:
            await self._fail(message_id, "no openid", None)
            return True
        try:
            how = await self._send(openid, message)
        except WeChatUnavailableError as exc:
            await self._fail(
                message_id, f"wechat unreachable: {exc}", self._options.network_retry_seconds
            )
            return True
        except WeChatApiError as exc:
            if exc.rate_limited:
                seconds = (
                    self._options.daily_limit_seconds
                    if exc.errcode == API_DAILY_LIMIT
                    else self._options.custom_limit_seconds
                )
                log.warning(
                    "outbox %s: wechat limit %s, pausing %ss", message_id, exc.errcode, seconds
                )
                self.pause_seconds = float(seconds)
                await self._fail(message_id, f"wechat {exc.errcode} {exc.errmsg}", seconds)
                return False
            await self._fail(message_id, f"wechat {exc.errcode} {exc.errmsg}", None)
            return True
        log.info("outbox %s delivered to wechat by %s", message_id, how)
        self._sent_not_acknowledged.add(message_id)
        await self._acknowledge(message_id)
        return True

    async def _send(self, openid: str, message: dict[str, Any]) -> str:
        """'custom' or 'template'; raises the WeChat errors."""
        # Unknown window without a template (e.g. memory store after a restart): 客服 is the
        # only way, WeChat's 45015 says when it is really closed.
        if self._template is None or await self._window.is_open(openid):
            try:
                for piece in split(str(message["text"]), CUSTOM_LIMIT_BYTES):
                    await self._wechat.send_text(openid, piece)
                return "custom"
            except WeChatApiError as exc:
                if not exc.outside_window:
                    raise
        if self._template is None:
            raise WeChatApiError(45015, "outside the 48-hour window and no template configured")
        data = self._template.fill(message, dt.datetime.now(dt.UTC))
        await self._wechat.send_template(openid, self._template.template_id, data)
        return "template"

    async def _acknowledge(self, message_id: str) -> None:
        try:
            await self._api.mark_delivered(message_id)
        except ServiceUnavailableError as exc:
            log.warning("outbox %s sent but not yet acknowledged: %s", message_id, exc)
            return
        except ServiceRejectedError as exc:
            log.warning("outbox %s acknowledgement refused: %s", message_id, mask_id_text(str(exc)))
        self._sent_not_acknowledged.discard(message_id)

    async def _fail(self, message_id: str, error: str, retry_after: int | None) -> None:
        try:
            await self._api.mark_failed(
                message_id, error=mask_id_text(error), retry_after_seconds=retry_after
            )
        except (ServiceUnavailableError, ServiceRejectedError) as exc:
            log.warning("outbox %s failure not recorded: %s", message_id, mask_id_text(str(exc)))
