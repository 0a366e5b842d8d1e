"""One callback, one resident message: de-duplicated, forwarded to the dialogue, answered within
WeChat's 5-second limit — passively when the dialogue is quick, else ``success`` at once and the
answer as a 客服消息 when it is ready.

- **De-duplication**: WeChat retries a callback it got no answer for (3 tries, 5 s apart). The
  key (``MsgId``; ``FromUserName`` + ``CreateTime`` + event for events) is claimed in the store
  (Redis ``SET NX`` when configured, else the process's bounded map) for
  ``HUIMIN_WECHAT_DEDUP_TTL_SECONDS``; a retry is never processed again — it gets the passive
  reply already given (WeChat did not receive it) or ``success``.
- **Order**: one resident's messages run one at a time, in arrival order (a lock per openid).
- **Budget**: ``HUIMIN_WECHAT_REPLY_BUDGET_SECONDS`` (4 s). A turn not done by then, or one
  whose dialogue is down (then the resident is told "繁忙" passively and the turn is retried
  after each delay of the policy), is delivered later by the 客服消息 API.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from wechatpy.events import ClickEvent, ScanEvent, SubscribeEvent, SubscribeScanEvent
from wechatpy.messages import ImageMessage, LocationMessage, TextMessage, VoiceMessage

from channels.api import ApiClient
from channels.wechat import texts
from channels.wechat.api import WeChatApi, WeChatApiError, WeChatUnavailableError
from channels.wechat.callback import CallbackCodec, CallbackQuery
from channels.wechat.menu import click_message, scene_message
from channels.wechat.render import CUSTOM_LIMIT_BYTES, PASSIVE_LIMIT_BYTES, Choices, render, split
from channels.wechat.store import KeyValueStore
from channels.wechat.uploads import MediaUploader
from huimin.http_client import ServiceUnavailableError
from huimin.masking import mask_id_text
from huimin.rasa_client import RasaClient
from huimin.townships import from_text

log = logging.getLogger(__name__)
CHANNEL = "wechat"
SUCCESS = "success"  # WeChat's "received, no passive reply"
_PENDING = "pending"
WINDOW_SECONDS = 48 * 3600 - 600  # 客服消息 allowed 48 h after the resident's last message


@dataclass(frozen=True)
class BridgeOptions:
    reply_budget_seconds: float = 4.0
    dedup_ttl_seconds: float = 600.0
    retry_delays: tuple[float, ...] = (3.0, 10.0, 30.0, 60.0)  # when Rasa or the API is down
    custom_retry_delays: tuple[float, ...] = (1.0, 5.0, 15.0)  # when WeChat is unreachable


@dataclass(frozen=True)
class Forward:
    text: str  # to Rasa
    typed: bool = False  # typed by the resident: "1", "2" … may pick an offered choice


@dataclass(frozen=True)
class Attach:
    media_id: str


@dataclass(frozen=True)
class Say:
    text: str  # answered by the bridge itself


Incoming = Forward | Attach | Say


@dataclass
class _Turn:
    busy: asyncio.Event = field(default_factory=asyncio.Event)


def dedup_key(message: Any) -> str:
    if getattr(message, "id", 0):
        return f"msg:{message.id}"
    # WeChat's rule is FromUserName + CreateTime; the event and its key are added so two
    # different clicks within one second are not taken for a retry (a retry repeats both).
    event = getattr(message, "event", "") or message.type
    raw = getattr(message, "_data", {}) or {}
    return f"evt:{message.source}:{message.time}:{event}:{raw.get('EventKey') or ''}"


def location_message(label: str | None) -> str:
    """A shared location: the township it names as a slot, else the address as typed text."""
    township = from_text(label or "")
    if township is not None:
        return "/inform" + json.dumps({"township": township.name}, ensure_ascii=False)
    return (label or "").strip()


class Window:
    """When each openid last wrote (the 48-hour 客服消息 window), in the store."""

    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    async def touch(self, openid: str) -> None:
        await self._store.set(f"window:{openid}", "1", WINDOW_SECONDS)

    async def is_open(self, openid: str) -> bool:
        return await self._store.get(f"window:{openid}") is not None


class WeChatBridge:
    def __init__(
        self,
        *,
        codec: CallbackCodec,
        rasa: RasaClient,
        api: ApiClient,
        wechat: WeChatApi,
        store: KeyValueStore,
        max_upload_bytes: int,
        options: BridgeOptions | None = None,
    ) -> None:
        self.codec = codec
        self.rasa = rasa
        self.api = api
        self.wechat = wechat
        self.store = store
        self.options = options or BridgeOptions()
        self.choices = Choices(store)
        self.window = Window(store)
        self.uploads = MediaUploader(api, wechat, store, max_upload_bytes)
        self._locks: dict[str, asyncio.Lock] = {}
        self._lock_users: dict[str, int] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    # The callback ---------------------------------------------------------------------------
    async def handle(self, query: CallbackQuery, message: Any) -> str:
        """The HTTP body answering one verified callback."""
        key = f"seen:{dedup_key(message)}"
        ttl = self.options.dedup_ttl_seconds
        openid = str(message.source)
        try:
            if not await self.store.add(key, _PENDING, ttl):
                previous = await self.store.get(key)
                log.info("wechat retry of %s not processed again", key)
                return previous if previous and previous != _PENDING else SUCCESS
            await self.window.touch(openid)
            incoming = await self.interpret(openid, message)
            if incoming is None:
                answer = SUCCESS
            elif isinstance(incoming, Say):
                answer = self.codec.text_reply(query, message, incoming.text)
            else:
                answer = await self._within_budget(query, message, openid, incoming)
        except Exception as exc:  # e.g. Redis down. Never a 500: WeChat would then tell the
            # resident "该公众号暂时无法提供服务"; unprocessed (a retry may get through)
            log.error("wechat callback failed: %s", mask_id_text(repr(exc)))
            return self.codec.text_reply(query, message, texts.INTERNAL_ERROR)
        try:  # what a retry of this callback gets
            await self.store.set(key, answer, ttl)
        except Exception as exc:
            log.warning("wechat answer of %s not stored: %s", key, type(exc).__name__)
        return answer

    async def interpret(self, openid: str, message: Any) -> Incoming | None:
        """What a message means; None for events that need no answer (unsubscribe, view, …)."""
        if isinstance(message, TextMessage):
            text = str(message.content or "").strip()
            if not text:
                return None
            if text.startswith("/"):  # Rasa would read it as "/intent{...}"
                return Say(texts.COMMAND_REFUSED)
            return Forward(text, typed=True)
        if isinstance(message, VoiceMessage):
            recognition = str(message.recognition or "").strip()
            if recognition and not recognition.startswith("/"):
                return Forward(recognition)
            return Say(texts.UNSUPPORTED_MEDIA)
        if isinstance(message, ImageMessage):
            return Attach(str(message.media_id))
        if isinstance(message, LocationMessage):
            text = location_message(message.label)
            return Forward(text) if text else Say(texts.UNSUPPORTED_MEDIA)
        if isinstance(message, ClickEvent):
            target = click_message(str(message.key or ""))
            return Forward(target) if target else None
        if isinstance(message, SubscribeScanEvent | ScanEvent):
            return Forward(scene_message(message.scene_id))
        if isinstance(message, SubscribeEvent):
            return Forward(scene_message(None))
        if message.type == "event":
            return None  # unsubscribe, menu links, location reports, template receipts, …
        return Say(texts.UNSUPPORTED_MEDIA)

    async def _within_budget(
        self, query: CallbackQuery, message: Any, openid: str, incoming: Forward | Attach
    ) -> str:
        turn = _Turn()
        task = self._spawn(self._produce(openid, incoming, turn))
        busy = asyncio.create_task(turn.busy.wait())
        try:
            await asyncio.wait(
                {task, busy},
                timeout=self.options.reply_budget_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            busy.cancel()
        if task.done() and not turn.busy.is_set():
            error = task.exception()
            if error is not None:
                log.error("wechat turn failed: %s", mask_id_text(repr(error)))
                return self.codec.text_reply(query, message, texts.INTERNAL_ERROR)
            text = str(task.result())
            if not text:
                return SUCCESS
            if len(text.encode("utf-8")) <= PASSIVE_LIMIT_BYTES:
                return self.codec.text_reply(query, message, text)
        # Late, busy or too long for one passive reply: the rest goes as 客服消息, in order.
        self._spawn(self._deliver_later(openid, task))
        if turn.busy.is_set():
            return self.codec.text_reply(query, message, texts.BUSY_RETRYING)
        return SUCCESS

    # The turn -------------------------------------------------------------------------------
    async def _produce(self, openid: str, incoming: Forward | Attach, turn: _Turn) -> str:
        """The turn's whole answer as text; one resident's turns run one at a time."""
        async with self._user_lock(openid):
            for delay in (0.0, *self.options.retry_delays):
                if delay:
                    await asyncio.sleep(delay)
                try:
                    return await self._once(openid, incoming)
                except ServiceUnavailableError as exc:
                    log.warning("wechat:%s service unavailable, will retry: %s", openid, exc)
                    turn.busy.set()
            return texts.BUSY_GIVE_UP

    async def _once(self, openid: str, incoming: Forward | Attach) -> str:
        if isinstance(incoming, Attach):
            return await self.uploads.attach(openid, incoming.media_id)
        if incoming.typed:
            # During a hand-off (人工服务) what the resident typed goes to the staff member (stored
            # on the hand-off; the assistant is paused); staff answer as 客服消息 through the
            # outbox. The API down raises ServiceUnavailableError: retried in order, never lost.
            taken = await self.api.resident_message(CHANNEL, openid, incoming.text)
            if taken.get("accepted"):
                return ""
        # Resolved here, under the resident's lock: after the previous turn offered its choices.
        text = incoming.text
        if incoming.typed:
            text = await self.choices.resolve(openid, text)
        replies = await self.rasa.send(f"{CHANNEL}:{openid}", text)
        rendered = render(replies)
        await self.choices.offer(openid, rendered.choices)
        extra = await self.uploads.attach_pending(openid)
        return "\n\n".join(part for part in (rendered.text, extra) if part)

    async def _deliver_later(self, openid: str, task: asyncio.Task[str]) -> None:
        try:
            text = await task
        except Exception as exc:
            log.error("wechat turn failed: %s", mask_id_text(repr(exc)))
            text = texts.INTERNAL_ERROR
        for piece in split(text, CUSTOM_LIMIT_BYTES):
            await self.send_custom(openid, piece)

    async def send_custom(self, openid: str, text: str) -> bool:
        """One 客服 text message, retried while WeChat is unreachable; False if not sent."""
        for delay in (0.0, *self.options.custom_retry_delays):
            if delay:
                await asyncio.sleep(delay)
            try:
                await self.wechat.send_text(openid, text)
                return True
            except WeChatUnavailableError as exc:
                log.warning("客服消息 to wechat:%s not sent yet: %s", openid, exc)
            except WeChatApiError as exc:
                if not exc.retryable:
                    log.warning("客服消息 to wechat:%s refused: %s", openid, exc)
                    return False
                log.warning("客服消息 to wechat:%s limited: %s", openid, exc)
        return False

    # Plumbing -------------------------------------------------------------------------------
    def _user_lock(self, openid: str) -> _UserLock:
        return _UserLock(self, openid)

    def _spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def wait_idle(self) -> None:
        """Wait until every turn and late delivery finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)


class _UserLock:
    """A per-openid asyncio lock, dropped when no turn of that resident is waiting."""

    def __init__(self, bridge: WeChatBridge, openid: str) -> None:
        self._bridge = bridge
        self._openid = openid

    async def __aenter__(self) -> None:
        bridge, openid = self._bridge, self._openid
        self._lock = bridge._locks.setdefault(openid, asyncio.Lock())
        bridge._lock_users[openid] = bridge._lock_users.get(openid, 0) + 1
        try:
            await self._lock.acquire()
        except BaseException:  # cancelled while waiting
            self._forget()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()
        self._forget()

    def _forget(self) -> None:
        bridge, openid = self._bridge, self._openid
        bridge._lock_users[openid] -= 1
        if not bridge._lock_users[openid]:
            del bridge._lock_users[openid], bridge._locks[openid]
