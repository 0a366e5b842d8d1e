"""The bridge process's web app: ``GET/POST /wechat/callback`` and ``GET /healthz`` (Starlette
under uvicorn, as the Telegram webhook), with the outbox notifier running beside it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from channels.api import ApiClient
from channels.wechat.api import AccessTokens, WeChatApi, WeChatHttp
from channels.wechat.bridge import BridgeOptions, WeChatBridge
from channels.wechat.callback import CallbackCodec, CallbackQuery, ForgedRequestError
from channels.wechat.notifier import NotifierOptions, Template, WeChatNotifier
from channels.wechat.store import KeyValueStore, make_store
from huimin.rasa_client import RasaClient
from huimin.settings import Settings

log = logging.getLogger(__name__)
CALLBACK_PATH = "/wechat/callback"
MAX_BODY_BYTES = 64 * 1024  # WeChat's callback XML is a few hundred bytes


class MissingSettingsError(RuntimeError):
    """The bridge needs the token, AppID and AppSecret."""


def missing_settings(settings: Settings) -> list[str]:
    names = []
    if settings.wechat_token is None:
        names.append("HUIMIN_WECHAT_TOKEN")
    if not settings.wechat_app_id:
        names.append("HUIMIN_WECHAT_APP_ID")
    if settings.wechat_app_secret is None:
        names.append("HUIMIN_WECHAT_APP_SECRET")
    return names


def make_wechat_api(
    settings: Settings,
    store: KeyValueStore,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> WeChatApi:
    if missing_settings(settings):
        raise MissingSettingsError(", ".join(missing_settings(settings)))
    assert settings.wechat_app_secret is not None
    assert settings.wechat_app_id
    http = WeChatHttp(settings.wechat_api_base_url, transport=transport)
    tokens = AccessTokens(
        http,
        store,
        app_id=settings.wechat_app_id,
        app_secret=settings.wechat_app_secret.get_secret_value(),
    )
    return WeChatApi(http, tokens)


@dataclass
class Components:
    bridge: WeChatBridge
    notifier: WeChatNotifier
    run_notifier: bool = True
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.run_notifier and self._task is None:
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
        bridge = self.bridge
        await bridge.close()
        await bridge.rasa.aclose()
        await bridge.api.aclose()
        await bridge.wechat.aclose()
        await bridge.store.aclose()


def build_components(
    settings: Settings,
    *,
    rasa: RasaClient | None = None,
    api: ApiClient | None = None,
    store: KeyValueStore | None = None,
    bridge_options: BridgeOptions | None = None,
    notifier_options: NotifierOptions | None = None,
    run_notifier: bool = True,
) -> Components:
    if missing_settings(settings):
        raise MissingSettingsError(", ".join(missing_settings(settings)))
    assert settings.wechat_token is not None
    store = store or make_store(settings.redis_url)
    wechat = make_wechat_api(settings, store)
    aes_key = settings.wechat_encoding_aes_key
    codec = CallbackCodec(
        settings.wechat_token.get_secret_value(),
        settings.wechat_app_id,
        aes_key.get_secret_value() if aes_key is not None else None,
    )
    api = api or ApiClient.from_settings(settings)
    options = bridge_options or BridgeOptions(
        reply_budget_seconds=settings.wechat_reply_budget_seconds,
        dedup_ttl_seconds=settings.wechat_dedup_ttl_seconds,
    )
    bridge = WeChatBridge(
        codec=codec,
        rasa=rasa or RasaClient.from_settings(settings),
        api=api,
        wechat=wechat,
        store=store,
        max_upload_bytes=settings.max_upload_bytes,
        options=options,
    )
    template = Template.parse(
        settings.wechat_notice_template_id, settings.wechat_notice_template_data
    )
    notifier = WeChatNotifier(wechat, api, bridge.window, template, notifier_options)
    return Components(bridge, notifier, run_notifier)


def make_web_app(components: Components) -> Starlette:
    bridge = components.bridge

    async def verify_url(request: Request) -> Response:
        """服务器配置: WeChat checks the URL with a signed GET and expects ``echostr`` back."""
        query = CallbackQuery.of(request.query_params)
        try:
            bridge.codec.verify(query)
        except ForgedRequestError as exc:
            log.warning("wechat URL check refused: %s", exc)
            return PlainTextResponse("forbidden", status_code=403)
        return PlainTextResponse(str(request.query_params.get("echostr") or ""))

    async def receive(request: Request) -> Response:
        query = CallbackQuery.of(request.query_params)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return PlainTextResponse("too large", status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return PlainTextResponse("too large", status_code=413)
        try:
            message = bridge.codec.parse(query, body)
        except ForgedRequestError as exc:
            log.warning("wechat callback refused: %s", exc)
            return PlainTextResponse("forbidden", status_code=403)
        if message is None:
            return PlainTextResponse("forbidden", status_code=403)
        answer = await bridge.handle(query, message)
        media = "text/plain" if answer == "success" else "application/xml"
        return Response(answer, media_type=media)

    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await components.start()
        try:
            yield
        finally:
            await components.stop()

    return Starlette(
        routes=[
            Route(CALLBACK_PATH, verify_url, methods=["GET"]),
            Route(CALLBACK_PATH, receive, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
