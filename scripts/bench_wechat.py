"""The WeChat bridge's own cost per callback, over real HTTP on 127.0.0.1.

Starts three servers on private ports: a stand-in for Rasa and the API (answers at once, or
after ``--dialogue-delay`` seconds), a stand-in for WeChat's API servers (token, 客服消息), and
the bridge's web app under uvicorn. Then posts signed callbacks, plain and 安全模式 (AES, with
wechatpy), ``--concurrency`` at a time, and reports the time to the HTTP answer (p50/p95/max),
how many answers were passive replies vs ``success`` + 客服消息, and how often the access
token was fetched.

    .venv/bin/python scripts/bench_wechat.py                       # quick dialogue
    .venv/bin/python scripts/bench_wechat.py --dialogue-delay 6    # slower than the budget
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import xmltodict
from fastapi import FastAPI
from wechatpy.crypto import WeChatCrypto

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from channels.api import ApiClient
from channels.wechat.app import build_components, make_web_app
from channels.wechat.bridge import BridgeOptions
from channels.wechat.callback import sign
from channels.wechat.store import MemoryStore
from huimin.rasa_client import RasaClient
from huimin.settings import Settings

TOKEN, APP_ID, AES_KEY = "bench-token", "wxbench", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


class Server:
    def __init__(self, app: Any) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> Server:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def backends(delay: float) -> FastAPI:
    app = FastAPI()

    @app.post("/webhooks/rest/webhook")
    async def rest(body: dict[str, Any]) -> Any:
        await asyncio.sleep(delay)
        return [
            {
                "text": f"已收到:{body['message']}",
                "buttons": [{"title": "好", "payload": "/affirm"}],
            }
        ]

    @app.get("/api/residents/applications")
    async def applications() -> Any:
        return []

    return app


def fake_wechat(counts: dict[str, int]) -> FastAPI:
    app = FastAPI()

    @app.get("/cgi-bin/token")
    async def token() -> Any:
        counts["token"] += 1
        return {"access_token": "BENCH", "expires_in": 7200}

    @app.post("/cgi-bin/message/custom/send")
    async def custom() -> Any:
        counts["custom"] += 1
        return {"errcode": 0, "errmsg": "ok"}

    return app


async def run(args: argparse.Namespace) -> None:
    counts = {"token": 0, "custom": 0}
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    ids = itertools.count(1)
    with Server(backends(args.dialogue_delay)) as back, Server(fake_wechat(counts)) as wx:
        settings = Settings(
            _env_file=None,
            rasa_url=back.url,
            api_url=back.url,
            wechat_token=TOKEN,
            wechat_app_id=APP_ID,
            wechat_app_secret="s",
            wechat_encoding_aes_key=AES_KEY,
            wechat_api_base_url=wx.url,
        )
        components = build_components(
            settings,
            rasa=RasaClient(back.url),
            api=ApiClient(back.url, "t"),
            store=MemoryStore(),
            bridge_options=BridgeOptions(reply_budget_seconds=args.budget),
            run_notifier=False,
        )
        with Server(make_web_app(components)) as bridge:
            expected = 0
            async with httpx.AsyncClient(timeout=30) as client:
                for mode in ("plain", "aes"):
                    latencies: list[float] = []
                    passive = 0
                    semaphore = asyncio.Semaphore(args.concurrency)

                    async def one(
                        mode: str = mode,
                        semaphore: asyncio.Semaphore = semaphore,
                        latencies: list[float] = latencies,
                    ) -> None:
                        nonlocal passive
                        n = next(ids)
                        ts, nonce = str(int(time.time())), f"n{n}"
                        params = {
                            "signature": sign(TOKEN, ts, nonce),
                            "timestamp": ts,
                            "nonce": nonce,
                        }
                        xml = (
                            "<xml><ToUserName>gh_b</ToUserName>"
                            f"<FromUserName>o{n % 50}</FromUserName>"
                            f"<CreateTime>{ts}</CreateTime><MsgType>text</MsgType>"
                            f"<Content>低保怎么申请{n}</Content><MsgId>{n}</MsgId></xml>"
                        )
                        body = xml
                        if mode == "aes":
                            env = xmltodict.parse(crypto.encrypt_message(xml, nonce, ts))["xml"]
                            params |= {"encrypt_type": "aes", "msg_signature": env["MsgSignature"]}
                            body = f"<xml><Encrypt>{env['Encrypt']}</Encrypt></xml>"
                        async with semaphore:
                            started = time.perf_counter()
                            answer = await client.post(
                                f"{bridge.url}/wechat/callback", params=params, content=body
                            )
                            latencies.append(time.perf_counter() - started)
                        assert answer.status_code == 200, answer.text
                        passive += answer.text != "success"

                    started = time.perf_counter()
                    await asyncio.gather(*(one() for _ in range(args.requests)))
                    wall = time.perf_counter() - started
                    expected += args.requests - passive  # answered later as 客服消息
                    deadline = time.monotonic() + args.dialogue_delay * 4 + 30
                    while counts["custom"] < expected and time.monotonic() < deadline:
                        await asyncio.sleep(0.1)
                    q = statistics.quantiles(latencies, n=100)
                    print(
                        f"{mode:>5}: {args.requests} callbacks, concurrency {args.concurrency}, "
                        f"dialogue delay {args.dialogue_delay}s, budget {args.budget}s: "
                        f"p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, "
                        f"max {max(latencies) * 1000:.1f} ms, {args.requests / wall:.0f}/s; "
                        f"passive {passive}, success+客服 {args.requests - passive}"
                    )
    # the bridge's lifespan (in its server's thread) stopped its components
    print(f"token fetches: {counts['token']}, 客服 messages sent: {counts['custom']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--dialogue-delay", type=float, default=0.0)
    parser.add_argument("--budget", type=float, default=4.0)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
