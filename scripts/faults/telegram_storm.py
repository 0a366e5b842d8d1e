"""Fault: the Telegram Bot API answers in storms of 429 (flood control, ``retry_after``) and 5xx.

Real processes: the API (``python -m workflows serve``, own PostgreSQL database) holds N queued
notifications in its outbox; the Telegram bridge (``python -m channels.telegram``, whose outbox
notifier claims, sends and acknowledges them) talks to a fake Telegram Bot API served over HTTP
by this script (``HUIMIN_TELEGRAM_API_BASE_URL``), which answers ``sendMessage`` in bursts:
a few accepted, a burst of 429 with ``retry_after``, a few accepted, a burst of 500/502/503/504,
for the first ``--storm-requests`` sends; then everything is accepted.
Judged: every notification reached the fake Telegram exactly once (counted there by its text),
the outbox is drained (all ``delivered``, none ``dead``), and the time to drain.

Run from the repository root:
    .venv/bin/python -m scripts.faults.telegram_storm --short     # make test: 20 notifications
    .venv/bin/python -m scripts.faults.telegram_storm             # full: 200 notifications
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from scripts.faults.common import (
    DEFAULT_ADMIN_URL,
    PYTHON,
    RESULTS_DIR,
    FaultResult,
    child_env,
    log,
    query,
    recreate_database,
    run_checked,
    start,
    stop,
    tail,
    wait_url,
)

FAULT = "telegram_storm"
TOKEN = "123456:fault-script-token"
SERVER_ERRORS = (500, 502, 503, 504)
# One storm cycle over sendMessage requests: (how many, answer) with answer "ok", "429" or "5xx".
CYCLE = (("ok", 4), ("429", 3), ("ok", 3), ("5xx", 4))


@dataclass
class FakeTelegram:
    """Bot API answers by request count; records every accepted sendMessage."""

    storm_requests: int
    retry_after: int = 1
    requests: int = 0
    answers: Counter[str] = field(default_factory=Counter)
    delivered: Counter[str] = field(default_factory=Counter)  # text -> accepted sends
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def plan(self, number: int) -> str:
        if number >= self.storm_requests:
            return "ok"
        position = number % sum(n for _, n in CYCLE)
        for answer, n in CYCLE:
            if position < n:
                return answer
            position -= n
        return "ok"

    def send_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            number = self.requests
            self.requests += 1
            answer = self.plan(number)
            self.answers[answer] += 1
            if answer == "429":
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {self.retry_after}",
                    "parameters": {"retry_after": self.retry_after},
                }
            if answer == "5xx":
                status = SERVER_ERRORS[number % len(SERVER_ERRORS)]
                return status, {"ok": False, "error_code": status, "description": "Server error"}
            text = str(params.get("text", ""))
            self.delivered[text] += 1
            return 200, {
                "ok": True,
                "result": {
                    "message_id": next(self._ids),
                    "date": int(time.time()),
                    "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                    "text": text,
                },
            }

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/bot{token}/{method}")
        async def bot_api(token: str, method: str, request: Request) -> JSONResponse:
            if token != TOKEN:
                return JSONResponse({"ok": False, "error_code": 401}, status_code=401)
            params = await _params(request)
            if method == "sendMessage":
                status, body = self.send_message(params)
                return JSONResponse(body, status_code=status)
            if method == "getMe":
                me = {"id": 999, "is_bot": True, "first_name": "惠民联办", "username": "huimin_bot"}
                return JSONResponse({"ok": True, "result": me})
            if method == "getUpdates":  # long polling: nothing new
                await asyncio.sleep(min(float(params.get("timeout") or 0), 1.0))
                return JSONResponse({"ok": True, "result": []})
            return JSONResponse({"ok": True, "result": True})

        return app


async def _params(request: Request) -> dict[str, Any]:
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    form = await request.form()
    params: dict[str, Any] = {}
    for key, value in form.items():
        text = value if isinstance(value, str) else ""
        try:
            params[key] = json.loads(text)
        except ValueError:
            params[key] = text
    return params


class ServerThread:
    """uvicorn on 127.0.0.1:``port`` in a daemon thread."""

    def __init__(self, app: FastAPI, port: int) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake Telegram did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


def notification_text(run: str, index: int) -> str:
    return f"【示例通知 {run}-{index}】您的申请需要补充材料:户口本复印件。"


def enqueue(database_url: str, run: str, count: int) -> None:
    """Queue ``count`` Telegram notifications with the API's own outbox service."""
    from workflows.models_registry import import_all_models
    from workflows.outbox import service as outbox

    import_all_models()  # every table, for the foreign keys
    engine = create_engine(database_url)
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        for index in range(count):
            outbox.enqueue(
                session,
                channel="telegram",
                channel_user_id=str(700000 + index % 17),
                text=notification_text(run, index),
                now=now,
            )
        session.commit()
    engine.dispose()


def outbox_counts(database_url: str, run: str) -> dict[str, int]:
    rows = query(
        database_url,
        "SELECT status, count(*) FROM outbox_messages WHERE text LIKE %s GROUP BY status",
        (f"%{run}-%",),
    )
    return {str(status): int(n) for status, n in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the make test form")
    parser.add_argument("--notifications", type=int, default=None)
    parser.add_argument("--storm-requests", type=int, default=None)
    parser.add_argument("--retry-after", type=int, default=1, help="seconds in each 429")
    parser.add_argument("--telegram-port", type=int, default=5230)
    parser.add_argument("--api-port", type=int, default=5231)
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--database-name", default="f_faults_tg")
    parser.add_argument("--timeout", type=float, default=None, help="seconds to wait for a drain")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    count = args.notifications or (20 if args.short else 200)
    storm = args.storm_requests or (28 if args.short else 280)
    timeout = args.timeout or (150.0 if args.short else 600.0)
    mode = "short" if args.short else "full"
    result = FaultResult(fault=FAULT, mode=mode, sent=count)
    run = uuid.uuid4().hex[:8]
    log_dir = args.results_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    database_url = recreate_database(args.admin_url, args.database_name)
    api_url = f"http://127.0.0.1:{args.api_port}"
    internal_token = "f-faults-internal-token"
    env = child_env(
        HUIMIN_ENVIRONMENT="development",
        HUIMIN_DATABASE_URL=database_url,
        HUIMIN_VAR_DIR=str(args.results_dir / "var-telegram"),
        HUIMIN_API_PORT=str(args.api_port),
        HUIMIN_API_URL=api_url,
        HUIMIN_RASA_URL="http://127.0.0.1:5239",  # nothing listens: no resident writes here
        HUIMIN_INTERNAL_TOKEN=internal_token,
        HUIMIN_TELEGRAM_TOKEN=TOKEN,
        HUIMIN_TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{args.telegram_port}/bot",
    )
    api_log, bridge_log = log_dir / f"{FAULT}-api.log", log_dir / f"{FAULT}-bridge.log"
    for path in (api_log, bridge_log):
        path.write_text("", encoding="utf-8")
    log(f"migrating {args.database_name}")
    run_checked([PYTHON, "-m", "workflows", "migrate"], env=env, log=api_log, timeout=300)
    enqueue(database_url, run, count)
    fake = FakeTelegram(storm_requests=storm, retry_after=args.retry_after)
    api = start(
        [PYTHON, "-m", "workflows", "serve", "--port", str(args.api_port)], env=env, log=api_log
    )
    bridge = None
    try:
        with ServerThread(fake.app(), args.telegram_port):
            wait_url(f"{api_url}/api/health", timeout=120, process=api)
            log(f"{count} notifications queued; storm over the first {storm} sends; bridge starts")
            drain_started = time.monotonic()
            bridge = start([PYTHON, "-m", "channels.telegram"], env=env, log=bridge_log)
            drained_after: float | None = None
            counts: dict[str, int] = {}
            while time.monotonic() - drain_started < timeout:
                counts = outbox_counts(database_url, run)
                if counts.get("pending", 0) == 0:
                    drained_after = time.monotonic() - drain_started
                    break
                if bridge.poll() is not None:
                    raise RuntimeError(f"the bridge exited:\n{tail(bridge_log)}")
                time.sleep(0.5)
            # a little longer: a late duplicate send would show up at the fake now
            time.sleep(3.0)
            counts = outbox_counts(database_url, run)
            log(f"outbox: {counts}; fake Telegram answers: {dict(fake.answers)}")
    finally:
        if bridge is not None:
            stop(bridge)
        stop(api)
    expected = [notification_text(run, index) for index in range(count)]
    delivered_once = sum(1 for text in expected if fake.delivered[text] == 1)
    result.accepted = counts.get("delivered", 0)
    result.lost = sum(1 for text in expected if fake.delivered[text] == 0)
    result.duplicated = sum(n - 1 for n in fake.delivered.values() if n > 1)
    result.faults_injected = fake.answers["429"] + fake.answers["5xx"]
    if drained_after is not None:
        result.recover_seconds = [round(drained_after, 1)]
    result.details.update(
        {
            "time to drain (s)": round(drained_after, 1) if drained_after else "not drained",
            "delivered exactly once (at the fake)": delivered_once,
            "outbox rows by status": counts,
            "sendMessage answers": dict(fake.answers),
            "unexpected texts at the fake": sum(1 for t in fake.delivered if t not in expected),
        }
    )
    result.notes.append(
        "time to recover = time to drain the outbox from the bridge's start; the API retries a "
        "failed send after max(retry_after, 30 s doubling) (workflows/outbox/enums.py)"
    )
    result.seconds = time.monotonic() - started
    if counts.get("dead"):
        result.lost = max(result.lost, counts["dead"])
    path = result.report(results_dir=args.results_dir)
    log(f"result written to {path}")
    if not result.ok:
        print(tail(bridge_log), file=sys.stderr)
    return 0 if result.ok and drained_after is not None else 1


if __name__ == "__main__":
    sys.exit(main())
