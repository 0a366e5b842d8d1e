"""Outbox notifier: delivers the API's queued notifications to Telegram chats.

Each claimed message is sent once and acknowledged once. A message whose send succeeded but
whose acknowledgement did not reach the API is remembered, acknowledged on the next round, and
never sent again (if the API offers it again after its lease expired, it is only acknowledged).
Telegram's flood control (429, ``RetryAfter``) pauses the worker for ``retry_after`` and the same
message is sent again in place, while its lease has time left (``flood_waits`` times at most);
only then is it reported to the API as ``retry_after_seconds``, with the rest of the batch
released at once instead of held until its lease runs out. A 5xx or a connection error towards
Telegram is retried in place after ``network_retry_delays``, then reported (the API retries it
with back-off). A long message goes out in pieces; pieces already sent are not sent again when
the message is retried. A timeout is reported at once: Telegram may have delivered it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import warnings
from dataclasses import dataclass
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from channels.api import ApiClient
from channels.telegram.replies import split_text
from huimin.http_client import ServiceRejectedError, ServiceUnavailableError
from huimin.masking import mask_id_text

log = logging.getLogger(__name__)
CHANNEL = "telegram"


@dataclass(frozen=True)
class NotifierOptions:
    batch_size: int = 20
    lease_seconds: int = 60
    # wait between rounds when there was nothing to send; short, as staff replies of a live
    # hand-off (人工服务) come through the outbox too (one small claim request per round)
    idle_seconds: float = 2.0
    api_down_seconds: float = 15.0  # wait after the API could not be reached
    network_retry_seconds: int = 30  # asked of the API after a network error towards Telegram
    flood_waits: int = 3  # 429s waited out in place per message before reporting it
    network_retry_delays: tuple[float, ...] = (1.0, 3.0)  # in-place retries after a 5xx
    lease_margin_seconds: float = 10.0  # never wait in place into the last seconds of a lease


def retry_after_seconds(exc: RetryAfter) -> int:
    with warnings.catch_warnings():  # PTB 22 warns that int will become timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = exc.retry_after
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    return max(1, round(seconds))


class OutboxNotifier:
    def __init__(self, bot: Bot, api: ApiClient, options: NotifierOptions | None = None) -> None:
        self._bot = bot
        self._api = api
        self._options = options or NotifierOptions()
        self._sent_not_acknowledged: set[str] = set()
        self._pieces_sent: dict[str, int] = {}  # message id -> pieces of it already sent
        self.pause_seconds = 0.0  # set after a RetryAfter; the loop sleeps this long once

    async def run_once(self) -> int:
        """One round: acknowledge leftovers, claim a batch, send it. Returns messages handled."""
        await self._acknowledge_leftovers()
        options = self._options
        batch = await self._api.claim_outbox(
            CHANNEL, limit=options.batch_size, lease_seconds=options.lease_seconds
        )
        lease_ends = time.monotonic() + options.lease_seconds - options.lease_margin_seconds
        handled = 0
        for position, message in enumerate(batch):
            handled += 1
            if not await self._deliver(message, lease_ends):
                # flood control: the rest of the batch is offered again after the pause
                pause = round(self.pause_seconds)
                for later in batch[position + 1 :]:
                    await self._fail(str(later["id"]), "not sent: telegram flood control", pause)
                break
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
                log.exception("outbox round failed")
                wait = self._options.api_down_seconds
            if self.pause_seconds:
                wait, self.pause_seconds = max(wait, self.pause_seconds), 0.0
            if wait:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait)

    async def _deliver(self, message: dict[str, Any], lease_ends: float) -> bool:
        """Send one message; False when Telegram asked us to slow down for longer than the
        lease allows."""
        message_id = str(message["id"])
        if message_id in self._sent_not_acknowledged:
            await self._acknowledge(message_id)  # sent before: never send twice
            return True
        try:
            chat_id = int(str(message["channel_user_id"]))
        except ValueError:
            await self._fail(message_id, "channel_user_id is not a Telegram chat id", None)
            return True
        pieces = split_text(str(message["text"]))
        flood_waits = network_retries = 0
        while self._pieces_sent.get(message_id, 0) < len(pieces):
            piece = pieces[self._pieces_sent.get(message_id, 0)]
            try:
                await self._bot.send_message(chat_id=chat_id, text=piece)
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                if flood_waits < self._options.flood_waits and _fits(seconds, lease_ends):
                    flood_waits += 1
                    log.warning(
                        "outbox %s: Telegram flood control, waiting %ss", message_id, seconds
                    )
                    await asyncio.sleep(seconds)
                    continue
                log.warning(
                    "outbox %s: Telegram flood control, retry after %ss", message_id, seconds
                )
                self.pause_seconds = float(seconds)
                await self._fail(message_id, f"telegram 429 retry after {seconds}s", seconds)
                return False
            except Forbidden as exc:  # the user blocked the bot: retrying will not help
                await self._fail(message_id, f"telegram forbidden: {exc.message}", None)
                return True
            except BadRequest as exc:  # e.g. chat not found (a subclass of NetworkError)
                await self._fail(message_id, f"telegram bad request: {exc.message}", None)
                return True
            except TimedOut as exc:  # perhaps delivered: not sent again at once
                seconds = self._options.network_retry_seconds
                await self._fail(message_id, f"telegram TimedOut: {exc.message}", seconds)
                return True
            except NetworkError as exc:  # 5xx or no connection: not delivered
                delays = self._options.network_retry_delays
                if network_retries < len(delays) and _fits(delays[network_retries], lease_ends):
                    await asyncio.sleep(delays[network_retries])
                    network_retries += 1
                    continue
                seconds = self._options.network_retry_seconds
                await self._fail(message_id, f"telegram NetworkError: {exc.message}", seconds)
                return True
            except TelegramError as exc:
                await self._fail(message_id, f"telegram {type(exc).__name__}: {exc.message}", None)
                return True
            self._pieces_sent[message_id] = self._pieces_sent.get(message_id, 0) + 1
        self._pieces_sent.pop(message_id, None)
        self._sent_not_acknowledged.add(message_id)
        await self._acknowledge(message_id)
        return True

    async def _acknowledge(self, message_id: str) -> None:
        try:
            await self._api.mark_delivered(message_id)
        except ServiceUnavailableError as exc:
            log.warning("outbox %s sent but not yet acknowledged: %s", message_id, exc)
            return
        except ServiceRejectedError as exc:
            log.warning("outbox %s acknowledgement refused: %s", message_id, mask_id_text(str(exc)))
        self._sent_not_acknowledged.discard(message_id)

    async def _acknowledge_leftovers(self) -> None:
        for message_id in sorted(self._sent_not_acknowledged):
            await self._acknowledge(message_id)

    async def _fail(self, message_id: str, error: str, retry_after: int | None) -> None:
        try:
            await self._api.mark_failed(
                message_id, error=mask_id_text(error), retry_after_seconds=retry_after
            )
        except (ServiceUnavailableError, ServiceRejectedError) as exc:
            # The lease expires and the API offers the message again: nothing is lost.
            log.warning("outbox %s failure not recorded: %s", message_id, mask_id_text(str(exc)))


def _fits(seconds: float, lease_ends: float) -> bool:
    """A wait of ``seconds`` ends before the lease's safety margin."""
    return time.monotonic() + seconds < lease_ends
