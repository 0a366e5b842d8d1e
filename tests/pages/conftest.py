"""Fixtures for the page tests: the real API under uvicorn on a free 127.0.0.1 port, on a
migrated temporary SQLite database with staff created through ``workflows.auth.service``, and a
headless Chromium (Debian's, driven by Playwright).

The page parts that talk to Rasa (web chat, intake form, corrections, summary) are tested
against ``RasaStandIn``, a small local HTTP server speaking Rasa's REST channel and tracker
API. The full intake through the real dialogue is the ``e2e`` test (needs HUIMIN_E2E_RASA_URL).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from huimin.idcard import make_number
from huimin.settings import Settings
from workflows.app import create_app
from workflows.auth import service as auth_service
from workflows.auth.enums import Role
from workflows.migrate import upgrade_to_head

FUCHUN = "330111001000"  # 富春街道
CHUNJIANG = "330111002000"  # 春江街道
PASSWORD = "page-test-pass-1"
START = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday
STAFF = {
    "rev_fuchun": (Role.REVIEWER, FUCHUN, "富春街道审核员"),
    "counter_fuchun": (Role.COUNTER, FUCHUN, "富春街道窗口"),
    "rev_chunjiang": (Role.REVIEWER, CHUNJIANG, "春江街道审核员"),
    "super": (Role.SUPERVISOR, None, "区民政局督导"),
    "adviser": (Role.ADVISER, None, "养老顾问"),
}


class MovableClock:
    def __init__(self, start: dt.datetime = START) -> None:
        self.current = start

    def now(self) -> dt.datetime:
        return self.current


class LiveServer:
    """uvicorn serving an ASGI app on a free 127.0.0.1 port, in a thread."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


# --- Rasa stand-in ---------------------------------------------------------------------------
@dataclass
class RasaStandIn:
    messages: list[dict[str, Any]] = field(default_factory=list)
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)  # sender -> slots
    events: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    down: int = 0  # the next N REST calls answer 503

    def reset(self) -> None:
        self.down = 0
        self.messages.clear()
        self.slots.clear()
        self.events.clear()

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/webhooks/rest/webhook")
        def rest(body: dict[str, Any]) -> Any:
            self.messages.append(body)
            if self.down > 0:
                self.down -= 1
                return JSONResponse({"error": "loading model"}, status_code=503)
            sender, message = body["sender"], body["message"]
            if message == "/apply_assistance":
                self.slots.setdefault(sender, {}).update(
                    {"applicant_name": "张三", "programs": ["dibao"]}
                )
                return [
                    {
                        "text": "好的,我们开始办理申请。请问申请人的姓名?",
                        "buttons": [
                            {"title": "低保", "payload": '/inform{"programs":["dibao"]}'},
                            {"title": "取消", "payload": "/cancel"},
                        ],
                    }
                ]
            return [{"text": f"收到:{message}"}]

        @app.get("/conversations/{sender}/tracker")
        def tracker(sender: str) -> dict[str, Any]:
            return {"sender_id": sender, "slots": self.slots.get(sender, {})}

        @app.post("/conversations/{sender}/tracker/events")
        def events(sender: str, body: list[dict[str, Any]] | dict[str, Any]) -> dict[str, Any]:
            # Rasa takes one event or a list (the hand-off release sends {"event": "resume"}).
            body = body if isinstance(body, list) else [body]
            self.events.append((sender, body))
            for event in body:
                if event.get("event") == "slot":
                    self.slots.setdefault(sender, {})[event["name"]] = event["value"]
            return {"sender_id": sender, "slots": self.slots.get(sender, {})}

        return app


# --- The system under test --------------------------------------------------------------------
@dataclass
class Site:
    url: str
    app: FastAPI
    clock: MovableClock
    rasa: RasaStandIn
    applications: list[dict[str, Any]]

    def submit(self, **overrides: Any) -> dict[str, Any]:
        body = application_body(**overrides)
        token = self.app.state.settings.internal_token.get_secret_value()
        answer = httpx.post(
            f"{self.url}/api/applications", json=body, headers={"X-Internal-Token": token}
        )
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result


def application_body(**overrides: Any) -> dict[str, Any]:
    seq = overrides.pop("seq", 123)
    applicant_id = make_number("330111", dt.date(1970, 3, 14), seq)
    data: dict[str, Any] = {
        "channel": "telegram",
        "channel_user_id": f"9{seq}",
        "consent_verification": True,
        "consent_at": "2026-11-02T09:58:00+08:00",
        "applicant": {"name": "张三", "id_number": applicant_id, "phone": "13800000000"},
        "hukou_township_code": FUCHUN,
        "residence_township_code": FUCHUN,
        "programs": ["dibao"],
        "members": [
            {
                "relation": "本人",
                "name": "张三",
                "id_number": applicant_id,
                "incomes": [{"kind": "wage", "monthly_amount": 800.0}],
            },
            {
                "relation": "配偶",
                "name": "李四",
                "id_number": make_number("330111", dt.date(1972, 5, 1), seq + 1),
                "disability_category": "肢体",
                "disability_grade": 2,
                "incomes": [],
            },
        ],
        "property": [{"kind": "deposit", "value": 3000, "note": ""}],
        "expenditures": [{"kind": "medical", "annual_amount": 12000}],
        "documents_later": True,
    }
    data.update(overrides)
    return data


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("pages")
    rasa = RasaStandIn()
    with LiveServer(rasa.app()) as rasa_server:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="test",
            var_dir=folder,
            database_url=f"sqlite:///{folder / 'pages.db'}",
            password_hash_rounds=4,
            rasa_url=rasa_server.url,
            internal_token="pages-internal",
        )
        upgrade_to_head(settings)
        clock = MovableClock()
        app = create_app(settings, clock=clock)
        with app.state.session_factory() as session:
            for username, (role, township, name) in STAFF.items():
                auth_service.create_user(
                    session,
                    username=username,
                    password=PASSWORD,
                    role=role,
                    township_code=township,
                    display_name=name,
                    rounds=4,
                    now=clock.now(),
                )
            session.commit()
        with LiveServer(app) as server:
            yield Site(server.url, app, clock, rasa, applications=[])
        app.state.engine.dispose()


@pytest.fixture
def browser_page(browser: Any, site: Site) -> Iterator[Any]:
    site.rasa.reset()
    context = browser.new_context(
        base_url=site.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(browser_page: Any) -> Any:
    def go(username: str, next_path: str = "") -> Any:
        target = "/staff/login" + (f"?next={next_path}" if next_path else "")
        browser_page.goto(target)
        browser_page.fill("input[name=username]", username)
        browser_page.fill("input[name=password]", PASSWORD)
        browser_page.click("button[type=submit]")
        return browser_page

    return go


@pytest.fixture
def screenshots() -> Path:
    folder = Path(os.environ.get("HUIMIN_SCREENSHOT_DIR", "var/screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
