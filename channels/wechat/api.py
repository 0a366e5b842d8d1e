"""The WeChat 公众号 server API the bridge uses, async, with the access token in one place.

wechatpy 1.8's ``WeChatClient`` is synchronous (requests), fetches the token from a hard-coded
host and refreshes it without a lock, so the few calls the bridge makes are here on httpx; the
error codes are wechatpy's (``WeChatErrorCode``). ``base_url`` is ``HUIMIN_WECHAT_API_BASE_URL``
(tests point it at a local fake of WeChat's servers).

The access token is fetched only by :class:`AccessTokens`: cached in the store (Redis when
configured: shared by every process) until 5 minutes before it expires, refreshed by one caller
at a time (an asyncio lock in the process, a short Redis lock across processes), and dropped
when WeChat says it is invalid or expired (40001/40014/42001), after which the call is retried
once with a fresh token.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Any

import httpx
from wechatpy.constants import WeChatErrorCode

from channels.wechat.store import KeyValueStore

log = logging.getLogger(__name__)

TOKEN_EXPIRED = frozenset(
    {
        WeChatErrorCode.INVALID_CREDENTIAL.value,  # 40001
        WeChatErrorCode.INVALID_ACCESS_TOKEN.value,  # 40014
        WeChatErrorCode.EXPIRED_ACCESS_TOKEN.value,  # 42001
    }
)
API_DAILY_LIMIT = WeChatErrorCode.OUT_OF_API_FREQ_LIMIT.value  # 45009
CUSTOM_MESSAGE_LIMIT = 45047  # 客服接口下行条数超过上限
RESPONSE_OUT_OF_TIME = WeChatErrorCode.OUT_OF_RESPONSE_TIME_LIMIT.value  # 45015: > 48 h
RATE_LIMITED = frozenset({API_DAILY_LIMIT, CUSTOM_MESSAGE_LIMIT, 45011})  # 45011: per-minute
NOT_REACHABLE_USER = frozenset({40003, 43004, 43019})  # bad openid, unsubscribed, blocked
SYSTEM_BUSY = -1
TOKEN_MARGIN_SECONDS = 300  # refresh this long before WeChat's expiry
LOCK_SECONDS = 10.0


class WeChatApiError(Exception):
    """WeChat answered with a non-zero ``errcode``."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"wechat errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def rate_limited(self) -> bool:
        return self.errcode in RATE_LIMITED

    @property
    def outside_window(self) -> bool:
        return self.errcode == RESPONSE_OUT_OF_TIME

    @property
    def retryable(self) -> bool:
        return self.errcode == SYSTEM_BUSY or self.rate_limited


class WeChatUnavailableError(Exception):
    """WeChat's servers could not be reached, timed out or answered 5xx."""


class AccessTokens:
    """The one cached access token of an AppID (see the module docstring)."""

    def __init__(
        self,
        http: WeChatHttp,
        store: KeyValueStore,
        *,
        app_id: str,
        app_secret: str,
    ) -> None:
        self._http = http
        self._store = store
        self._app_id = app_id
        self._app_secret = app_secret
        self._lock = asyncio.Lock()
        self.fetches = 0  # how often WeChat was asked (tests, benchmarks)

    @property
    def _key(self) -> str:
        return f"token:{self._app_id}"

    async def get(self) -> str:
        token = await self._store.get(self._key)
        if token:
            return token
        async with self._lock:
            token = await self._store.get(self._key)
            if token:
                return token
            return await self._refresh_shared()

    async def invalidate(self, token: str) -> None:
        """Drop ``token`` (WeChat refused it) unless another caller already replaced it."""
        await self._store.delete(self._key, if_value=token)

    async def _refresh_shared(self) -> str:
        """Refresh holding the store's lock, or wait for the process that holds it."""
        lock_key, owner = f"{self._key}:lock", secrets.token_hex(8)
        deadline = time.monotonic() + LOCK_SECONDS
        while not await self._store.add(lock_key, owner, LOCK_SECONDS):
            await asyncio.sleep(0.05)
            token = await self._store.get(self._key)
            if token:
                return token
            if time.monotonic() > deadline:
                break  # the holder died: its lock expires; fetch ourselves
        try:
            return await self._fetch()
        finally:
            await self._store.delete(lock_key, if_value=owner)

    async def _fetch(self) -> str:
        self.fetches += 1
        body = await self._http.call(
            "GET",
            "/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": self._app_id,
                "secret": self._app_secret,
            },
        )
        token = str(body.get("access_token") or "")
        if not token:
            raise WeChatApiError(-2, "no access_token in the answer")
        expires_in = int(body.get("expires_in") or 7200)
        ttl = max(60, expires_in - TOKEN_MARGIN_SECONDS)
        await self._store.set(self._key, token, ttl)
        log.info("wechat access token refreshed (valid %ss)", expires_in)
        return token


class WeChatHttp:
    """JSON calls to WeChat's API host; errcode != 0 raises :class:`WeChatApiError`."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport
        )

    async def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self.raw(method, path, **kwargs)
        return decode(response)

    async def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise WeChatUnavailableError(f"{type(exc).__name__} calling {path}") from exc
        if response.status_code >= 500:
            raise WeChatUnavailableError(f"WeChat answered {response.status_code} for {path}")
        return response

    async def aclose(self) -> None:
        await self._client.aclose()


def decode(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise WeChatUnavailableError(f"non-JSON answer ({response.status_code})") from exc
    if not isinstance(body, dict):
        raise WeChatUnavailableError("unexpected answer shape")
    errcode = int(body.get("errcode") or 0)
    if errcode:
        raise WeChatApiError(errcode, str(body.get("errmsg") or ""))
    return body


class WeChatApi:
    """The calls the bridge makes; each carries the cached token and survives one expiry."""

    def __init__(self, http: WeChatHttp, tokens: AccessTokens) -> None:
        self._http = http
        self.tokens = tokens

    async def _with_token(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        params = dict(kwargs.pop("params", {}))
        for attempt in (1, 2):
            token = await self.tokens.get()
            response = await self._http.raw(
                method, path, params={**params, "access_token": token}, **kwargs
            )
            content_type = response.headers.get("content-type", "")
            if "json" not in content_type and not content_type.startswith("text/"):
                return response  # a media download
            try:
                decode(response)
            except WeChatApiError as exc:
                if exc.errcode in TOKEN_EXPIRED and attempt == 1:
                    log.info("wechat token refused (%s); refreshing once", exc.errcode)
                    await self.tokens.invalidate(token)
                    continue
                raise
            return response
        raise AssertionError("unreachable")

    async def _json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._with_token("POST", path, json=body)
        return decode(response)

    # 客服消息 (within 48 h of the resident's last message) -------------------------------
    async def send_text(self, openid: str, text: str) -> None:
        await self._json(
            "/cgi-bin/message/custom/send",
            {"touser": openid, "msgtype": "text", "text": {"content": text}},
        )

    # 模板消息 (outside the window) -------------------------------------------------------
    async def send_template(
        self, openid: str, template_id: str, data: dict[str, str], url: str | None = None
    ) -> None:
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if url:
            body["url"] = url
        await self._json("/cgi-bin/message/template/send", body)

    # 自定义菜单 and 带参数二维码 --------------------------------------------------------
    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self._json("/cgi-bin/menu/create", menu)

    async def create_scene_qrcode(self, scene: str) -> dict[str, Any]:
        """A permanent string-scene code (QR_LIMIT_STR_SCENE): ``ticket`` and ``url``."""
        return await self._json(
            "/cgi-bin/qrcode/create",
            {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}},
        )

    # 临时素材 (a resident's photo) --------------------------------------------------------
    async def download_media(self, media_id: str) -> tuple[bytes, str]:
        """The content and its content type (WeChat keeps temporary media for 3 days)."""
        response = await self._with_token(
            "GET", "/cgi-bin/media/get", params={"media_id": media_id}
        )
        return response.content, response.headers.get("content-type", "").split(";")[0].strip()

    async def aclose(self) -> None:
        await self._http.aclose()
