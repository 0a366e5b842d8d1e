"""Fixtures and doubles for the channel tests (pytest runs in importlib mode: tests get
these through fixtures, not imports).

Two borders are stood in for:
- Telegram's servers, by ``RecordingRequest`` (a python-telegram-bot ``BaseRequest``) that records
  every Bot API call and answers like the Bot API would. No network is touched.
- Rasa and the API service, by a real FastAPI app served by uvicorn on 127.0.0.1 in a thread,
  which records what it was sent (``Backends``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from telegram import Update
from telegram.request import BaseRequest, RequestData

from channels.api import ApiClient
from channels.telegram.app import BridgeOptions, TelegramApp, build_application
from channels.telegram.notifier import NotifierOptions
from channels.telegram.retry import RetryPolicy
from huimin.rasa_client import RasaClient
from huimin.settings import Settings

BOT_TOKEN = "123456:TEST-token"
USER_ID = 424242


# --- Rasa and the API: a real local HTTP server --------------------------------------------
@dataclass
class Backends:
    rasa_calls: list[dict[str, Any]] = field(default_factory=list)
    rasa_replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rasa_down: int = 0  # the next N REST calls answer 503
    rasa_delays: dict[str, float] = field(default_factory=dict)  # message -> seconds
    api_calls: list[tuple[str, str]] = field(default_factory=list)
    applications: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    upload_refusal: str | None = None
    api_down: int = 0  # the next N /api calls answer 503
    outbox: list[dict[str, Any]] = field(default_factory=list)
    leased_until: dict[str, float] = field(default_factory=dict)
    delivered: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    delivered_down: int = 0  # the next N delivered calls answer 503
    handoff_users: set[str] = field(default_factory=set)  # user ids with an open hand-off
    handoff_messages: list[dict[str, Any]] = field(default_factory=list)

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


def make_backends_app(state: Backends) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def api_down(request: Request, call_next: Any) -> Any:
        if request.url.path.startswith("/api/"):
            state.api_calls.append((request.method, request.url.path))
            if state.api_down > 0:
                state.api_down -= 1
                return JSONResponse({"detail": "down"}, status_code=503)
        return await call_next(request)

    @app.post("/webhooks/rest/webhook")
    async def rest(body: dict[str, Any]) -> Any:
        state.rasa_calls.append(body)
        if state.rasa_down > 0:
            state.rasa_down -= 1
            return JSONResponse({"error": "starting"}, status_code=503)
        message = body["message"]
        await asyncio.sleep(state.rasa_delays.get(message, 0))
        default = [{"recipient_id": body["sender"], "text": f"已收到:{message}"}]
        return state.rasa_replies.get(message, default)

    @app.get("/api/residents/applications")
    async def applications(channel: str, channel_user_id: str) -> Any:
        assert channel in ("telegram", "wechat")
        return state.applications.get(channel_user_id, [])

    @app.post("/api/applications/{application_id}/documents", status_code=201)
    async def upload(
        application_id: int, request: Request, file: UploadFile = File(), kind: str = Form()
    ) -> Any:
        content = await file.read()
        if state.upload_refusal:
            return JSONResponse({"detail": state.upload_refusal}, status_code=422)
        state.uploads.append(
            {
                "application_id": application_id,
                "filename": file.filename,
                "content_type": file.content_type,
                "kind": kind,
                "content": content,
                "internal_token": request.headers.get("x-internal-token"),
            }
        )
        return {"id": len(state.uploads), "kind": kind, "size": len(content), "sha256": "x"}

    @app.post("/api/handoffs/resident-messages")
    async def resident_message(body: dict[str, Any]) -> Any:
        if body["channel_user_id"] not in state.handoff_users:
            return {"accepted": False, "handoff": None}
        state.handoff_messages.append(body)
        return {"accepted": True, "handoff": {"status": "waiting", "staff_display_name": None}}

    @app.post("/api/outbox/claim")
    async def claim(body: dict[str, Any]) -> Any:
        now = time.monotonic()
        offered = []
        for message in state.outbox:
            mid = str(message["id"])
            if mid in state.delivered or state.leased_until.get(mid, 0) > now:
                continue
            state.leased_until[mid] = now + body["lease_seconds"]
            offered.append(message)
            if len(offered) >= body["limit"]:
                break
        return offered

    @app.post("/api/outbox/{message_id}/delivered")
    async def delivered(message_id: str) -> Any:
        if state.delivered_down > 0:
            state.delivered_down -= 1
            return JSONResponse({"detail": "down"}, status_code=503)
        if message_id not in state.delivered:
            state.delivered.append(message_id)
        return {"id": message_id, "status": "delivered"}

    @app.post("/api/outbox/{message_id}/failed")
    async def failed(message_id: str, body: dict[str, Any]) -> Any:
        state.failed.append({"id": message_id, **body})
        state.leased_until[message_id] = time.monotonic() + body.get("retry_after_seconds", 0)
        return {"id": message_id, "status": "pending", "next_attempt_at": None}

    return app


class LiveServer:
    """uvicorn serving an ASGI app on a free 127.0.0.1 port, in a thread."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


# --- Telegram's servers: a recording request layer ------------------------------------------
class RecordingRequest(BaseRequest):
    """Answers Bot API calls like Telegram would and records them; never opens a socket."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.scripted: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.files: dict[str, bytes] = {}  # file_id -> content
        self.reported_sizes: dict[str, int] = {}  # file_id -> size getFile reports
        self._ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def fail_next(self, method: str, status: int, body: dict[str, Any]) -> None:
        self.scripted.setdefault(method, []).append((status, body))

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file download
            file_id = url.rsplit("/", 1)[-1]
            self.calls.append(("downloadFile", {"file_id": file_id}))
            return 200, self.files[file_id]
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        self.calls.append((name, params))
        if self.scripted.get(name):
            status, body = self.scripted[name].pop(0)
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return {"id": 999, "is_bot": True, "first_name": "惠民联办", "username": "huimin_bot"}
        if name == "getFile":
            file_id = params["file_id"]
            size = self.reported_sizes.get(file_id, len(self.files.get(file_id, b"")))
            return {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": size,
                "file_path": f"documents/{file_id}",
            }
        if name in {"sendMessage", "sendPhoto", "editMessageReplyMarkup"}:
            return {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": params.get("chat_id", USER_ID), "type": "private"},
                "text": params.get("text", ""),
            }
        return True

    def sent(self, *methods: str) -> list[tuple[str, dict[str, Any]]]:
        """Calls other than housekeeping (getMe, typing), optionally only some methods."""
        skip = {"getMe", "sendChatAction"}
        return [(n, p) for n, p in self.calls if n not in skip and (not methods or n in methods)]

    def texts(self) -> list[str]:
        return [str(p["text"]) for n, p in self.calls if n == "sendMessage"]


# --- The Application under test -------------------------------------------------------------
def make_settings(tmp_path: Path, url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "var_dir": tmp_path,
        "telegram_token": BOT_TOKEN,
        "rasa_url": url,
        "api_url": url,
        "internal_token": "test-internal",
        "max_upload_bytes": 10 * 1024 * 1024,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


FAST = BridgeOptions(
    retry=RetryPolicy(delays=(0.05, 0.05, 0.05)),
    notifier=NotifierOptions(idle_seconds=0.05, api_down_seconds=0.05),
    run_notifier=False,
)


@pytest.fixture(scope="session")
def backends_server() -> Iterator[tuple[Backends, str]]:
    state = Backends()
    with LiveServer(make_backends_app(state)) as server:
        yield state, server.url


@pytest.fixture
def backends(backends_server: tuple[Backends, str]) -> Backends:
    state, _ = backends_server
    state.reset()
    return state


@pytest.fixture(scope="session")
def live_server_class() -> type[LiveServer]:
    """uvicorn-in-a-thread for other fakes (the WeChat tests' fake of WeChat's servers)."""
    return LiveServer


@pytest.fixture(name="make_settings")
def make_settings_fixture() -> Any:
    return make_settings


@pytest.fixture
def telegram() -> RecordingRequest:
    return RecordingRequest()


@pytest.fixture
async def application(
    tmp_path: Path,
    backends: Backends,
    backends_server: tuple[Backends, str],
    telegram: RecordingRequest,
) -> AsyncIterator[TelegramApp]:
    _, url = backends_server
    settings = make_settings(tmp_path, url)
    app = build_application(
        settings,
        RasaClient(settings.rasa_url),
        ApiClient(settings.api_url, settings.internal_token.get_secret_value()),
        request=telegram,
        options=FAST,
    )
    await app.initialize()
    yield app
    await app.post_stop(app)  # type: ignore[misc]
    await app.shutdown()
    await app.post_shutdown(app)  # type: ignore[misc]


# --- Update payloads as Telegram sends them -------------------------------------------------
_update_ids = itertools.count(1)


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "居民", "language_code": "zh-hans"}


def message_update(user_id: int = USER_ID, **content: Any) -> dict[str, Any]:
    message = {
        "message_id": next(_update_ids),
        "date": int(dt.datetime.now().timestamp()),
        "chat": {"id": user_id, "type": "private", "first_name": "居民"},
        "from": _user(user_id),
        **content,
    }
    return {"update_id": next(_update_ids), "message": message}


def text_update(text: str, user_id: int = USER_ID) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split()[0]
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return message_update(user_id, **content)


def callback_update(
    data: str, keyboard: list[list[dict[str, Any]]], user_id: int = USER_ID
) -> dict[str, Any]:
    message = {
        "message_id": 77,
        "date": int(dt.datetime.now().timestamp()),
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": 999, "is_bot": True, "first_name": "惠民联办"},
        "text": "请选择:",
        "reply_markup": {"inline_keyboard": keyboard},
    }
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cb{next(_update_ids)}",
            "from": _user(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": message,
        },
    }


class Updates:
    """Builds update payloads as Telegram sends them (given to tests as the ``tg`` fixture)."""

    user_id = USER_ID
    sender = f"telegram:{USER_ID}"
    text = staticmethod(text_update)
    message = staticmethod(message_update)
    callback = staticmethod(callback_update)

    def __init__(self, application: TelegramApp) -> None:
        self.application = application

    def update(self, data: dict[str, Any]) -> Update:
        return Update.de_json(data, self.application.bot)

    async def feed(self, data: dict[str, Any]) -> None:
        """Run one update through the Application's real handler chain."""
        await self.application.process_update(self.update(data))


@pytest.fixture
def tg(application: TelegramApp) -> Updates:
    return Updates(application)


@pytest.fixture
def tg_factory() -> Any:
    """Updates for an Application a test built itself."""
    return Updates


# --- The real API (for the contract tests) ---------------------------------------------------
@pytest.fixture(scope="module")
def real_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The real API service (workflows) under uvicorn, on a migrated temporary SQLite file."""
    from workflows.app import create_app
    from workflows.migrate import upgrade_to_head

    folder = tmp_path_factory.mktemp("real_api")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        var_dir=folder,
        database_url=f"sqlite:///{folder / 'api.db'}",
        password_hash_rounds=4,
        internal_token="test-internal",
    )
    upgrade_to_head(settings)
    app = create_app(settings)
    with LiveServer(app) as server:
        yield server.url, app
    app.state.engine.dispose()
