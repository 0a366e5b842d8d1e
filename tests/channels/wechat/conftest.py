"""Fixtures of the WeChat bridge tests.

Borders stood in for, each by a real HTTP server on 127.0.0.1 that records what it was sent:
- WeChat's API servers (``FakeWeChat``): token, 客服/模板 messages, menu, QR codes, media. The
  bridge reaches it through ``HUIMIN_WECHAT_API_BASE_URL``.
- Rasa and the API (``backends`` from tests/channels/conftest.py).
Callbacks are built and encrypted with wechatpy's own code (``Callbacks``), as WeChat would send
them, and fed to the bridge's real Starlette app over httpx.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from channels.api import ApiClient
from channels.wechat.app import Components, build_components, make_web_app
from channels.wechat.bridge import BridgeOptions
from channels.wechat.callback import sign
from channels.wechat.notifier import NotifierOptions
from channels.wechat.store import MemoryStore
from huimin.rasa_client import RasaClient
from huimin.settings import Settings

TOKEN = "huimin-test-token"
APP_ID = "wx1234567890abcdef"
APP_SECRET = "test-app-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters
ACCOUNT = "gh_huimin_fuyang"
OPENID = "oHuimin_Resident-0001"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200


# --- WeChat's API servers ----------------------------------------------------------------------
@dataclass
class FakeWeChat:
    token_fetches: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (path, body)
    errors: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # path -> scripted
    media: dict[str, bytes] = field(default_factory=dict)
    token_delay: float = 0.0

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def fail_next(self, path: str, errcode: int, errmsg: str = "scripted") -> None:
        self.errors.setdefault(path, []).append((errcode, errmsg))

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def sent(self, path: str) -> list[dict[str, Any]]:
        return [body for p, body in self.calls if p == path]

    def custom_texts(self, openid: str = OPENID) -> list[str]:
        return [
            b["text"]["content"]
            for b in self.sent("/cgi-bin/message/custom/send")
            if b["touser"] == openid
        ]


def make_fake_wechat_app(state: FakeWeChat) -> FastAPI:
    app = FastAPI()

    def refused(path: str, token: str | None) -> JSONResponse | None:
        if token not in state.valid_tokens:
            return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
        if state.errors.get(path):
            errcode, errmsg = state.errors[path].pop(0)
            return JSONResponse({"errcode": errcode, "errmsg": errmsg})
        return None

    @app.get("/cgi-bin/token")
    async def token(grant_type: str, appid: str, secret: str) -> Any:
        import asyncio

        assert (grant_type, appid, secret) == ("client_credential", APP_ID, APP_SECRET)
        await asyncio.sleep(state.token_delay)
        state.token_fetches += 1
        value = f"ACCESS_TOKEN_{state.token_fetches}"
        state.valid_tokens.add(value)
        return {"access_token": value, "expires_in": 7200}

    async def record(path: str, request: Request) -> Any:
        body = await request.json()
        answer = refused(path, request.query_params.get("access_token"))
        if answer is not None:
            return answer
        state.calls.append((path, body))
        return None

    for path in (
        "/cgi-bin/message/custom/send",
        "/cgi-bin/message/template/send",
        "/cgi-bin/menu/create",
    ):

        async def endpoint(request: Request, _path: str = path) -> Any:
            answer = await record(_path, request)
            return answer or {"errcode": 0, "errmsg": "ok"}

        app.add_api_route(path, endpoint, methods=["POST"])

    @app.post("/cgi-bin/qrcode/create")
    async def qrcode(request: Request) -> Any:
        answer = await record("/cgi-bin/qrcode/create", request)
        if answer is not None:
            return answer
        scene = state.calls[-1][1]["action_info"]["scene"]["scene_str"]
        return {"ticket": f"TICKET-{scene}", "url": f"http://weixin.qq.com/q/{scene}"}

    @app.get("/cgi-bin/media/get")
    async def media(media_id: str, access_token: str) -> Any:
        answer = refused("/cgi-bin/media/get", access_token)
        if answer is not None:
            return answer
        state.calls.append(("/cgi-bin/media/get", {"media_id": media_id}))
        if media_id not in state.media:
            return JSONResponse({"errcode": 40007, "errmsg": "invalid media_id"})
        return Response(state.media[media_id], media_type="image/jpeg")

    return app


@pytest.fixture(scope="session")
def wechat_server(live_server_class: Any) -> Iterator[tuple[FakeWeChat, str]]:
    state = FakeWeChat()
    with live_server_class(make_fake_wechat_app(state)) as server:
        yield state, server.url


@pytest.fixture
def wechat(wechat_server: tuple[FakeWeChat, str]) -> FakeWeChat:
    state, _ = wechat_server
    state.reset()
    return state


# --- Callbacks as WeChat sends them --------------------------------------------------------------
_ids = itertools.count(int(time.time()) * 1000)


class Callbacks:
    """Signed (and, for ``encrypted=True``, AES-encrypted) callback requests, built with
    wechatpy; replies are read back with wechatpy too."""

    def __init__(self, client: httpx.AsyncClient, openid: str = OPENID) -> None:
        self.client = client
        self.openid = openid
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)

    @staticmethod
    def query(timestamp: str | None = None, nonce: str = "nonce123") -> dict[str, str]:
        timestamp = timestamp or str(int(time.time()))
        return {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}

    def xml(self, msg_type: str, *, msg_id: int | None = None, **fields: Any) -> str:
        nodes = [
            f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>",
            f"<FromUserName><![CDATA[{fields.pop('openid', self.openid)}]]></FromUserName>",
            f"<CreateTime>{fields.pop('create_time', int(time.time()))}</CreateTime>",
            f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
        ]
        for name, value in fields.items():
            nodes.append(
                f"<{name}>{value}</{name}>"
                if isinstance(value, int | float)
                else f"<{name}><![CDATA[{value}]]></{name}>"
            )
        if msg_type != "event":
            nodes.append(f"<MsgId>{msg_id if msg_id is not None else next(_ids)}</MsgId>")
        return "<xml>" + "".join(nodes) + "</xml>"

    def text(self, content: str, **kw: Any) -> str:
        return self.xml("text", Content=content, **kw)

    def event(self, event: str, key: str | None = None, **kw: Any) -> str:
        fields: dict[str, Any] = {"Event": event}
        if key is not None:
            fields["EventKey"] = key
        return self.xml("event", **fields, **kw)

    async def post(
        self, xml: str, *, encrypted: bool = False, query: dict[str, str] | None = None
    ) -> httpx.Response:
        params = dict(query or self.query())
        body = xml
        if encrypted:
            params["encrypt_type"] = "aes"
            envelope = self.crypto.encrypt_message(xml, params["nonce"], params["timestamp"])
            parsed = parse_envelope(envelope)
            params["msg_signature"] = parsed["MsgSignature"]
            body = (
                f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                f"<Encrypt><![CDATA[{parsed['Encrypt']}]]></Encrypt></xml>"
            )
        return await self.client.post(
            "/wechat/callback", params=params, content=body.encode("utf-8")
        )

    def reply(self, response: httpx.Response, *, encrypted: bool = False) -> Any:
        """The passive reply as a wechatpy message (decrypted first in 安全模式)."""
        assert response.status_code == 200, response.text
        xml = response.text
        if encrypted:
            envelope = parse_envelope(xml)
            xml = self.crypto.decrypt_message(
                xml, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
            )
        return parse_message(xml)


def parse_envelope(xml: str) -> dict[str, str]:
    import xmltodict

    return dict(xmltodict.parse(xml)["xml"])


# --- The bridge under test ------------------------------------------------------------------
def wechat_settings(
    tmp_path: Path, backends_url: str, wechat_url: str, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "var_dir": tmp_path,
        "rasa_url": backends_url,
        "api_url": backends_url,
        "internal_token": "test-internal",
        "wechat_token": TOKEN,
        "wechat_app_id": APP_ID,
        "wechat_app_secret": APP_SECRET,
        "wechat_encoding_aes_key": AES_KEY,
        "wechat_api_base_url": wechat_url,
        "max_upload_bytes": 10 * 1024 * 1024,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


# A budget that a loaded 2-core machine still meets for the instant stand-in dialogue; the tests
# of slow turns shorten it (``short_budget``).
FAST = BridgeOptions(
    reply_budget_seconds=2.0,
    dedup_ttl_seconds=60,
    retry_delays=(0.05, 0.05, 0.05),
    custom_retry_delays=(0.05, 0.05),
)
FAST_NOTIFIER = NotifierOptions(idle_seconds=0.05, api_down_seconds=0.05)


@pytest.fixture(name="wechat_settings")
def wechat_settings_fixture(
    tmp_path: Path,
    backends_server: tuple[Any, str],
    wechat_server: tuple[FakeWeChat, str],
) -> Settings:
    return wechat_settings(tmp_path, backends_server[1], wechat_server[1])


@pytest.fixture
async def components(
    wechat_settings: Settings, backends: Any, wechat: FakeWeChat
) -> AsyncIterator[Components]:
    settings = wechat_settings
    built = build_components(
        settings,
        rasa=RasaClient(settings.rasa_url),
        api=ApiClient(settings.api_url, "test-internal"),
        store=MemoryStore(),
        bridge_options=FAST,
        notifier_options=FAST_NOTIFIER,
        run_notifier=False,
    )
    yield built
    await built.stop()


@pytest.fixture
def callbacks_factory() -> type[Callbacks]:
    return Callbacks


@pytest.fixture
async def wx(components: Components) -> AsyncIterator[Callbacks]:
    transport = httpx.ASGITransport(app=make_web_app(components))
    async with httpx.AsyncClient(transport=transport, base_url="http://wechat.local") as client:
        yield Callbacks(client)
