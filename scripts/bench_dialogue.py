"""Scripted REST conversations against the real Rasa server and action server.

Starts (with ``--start``) a fake API on 127.0.0.1, the action server (main env) pointed at it,
and ``rasa run`` (.venv-rasa) with the trained model, on private ports; then plays scripted
resident conversations through the REST channel and reports, per conversation, the resident
turns until the outcome, whether the outcome was reached, and reply latency (p50/p95).

    .venv/bin/python scripts/bench_dialogue.py --start
    .venv/bin/python scripts/bench_dialogue.py --rasa-url http://127.0.0.1:5005  # already up
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
APPLICANT = "330183195503120211"
SPOUSE = "330183195807020420"
CHILD = "330111201509010132"
OTHER = "330183198001200557"
SMS_CODE = "246810"  # the fake API's one code


# Fake API --------------------------------------------------------------------------------------
@dataclass
class FakeState:
    applications: dict[str, dict[str, Any]] = field(default_factory=dict)  # by idempotency key
    leads: list[dict[str, Any]] = field(default_factory=list)
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    verified: set[tuple[str, str]] = field(default_factory=set)  # (subject, id_number)


def fake_api(state: FakeState) -> Any:
    from fastapi import FastAPI, Header
    from fastapi.responses import JSONResponse

    app = FastAPI()

    @app.post("/api/knowledge/ask")
    async def ask(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "question": body["question"],
            "answer": "低保由户籍所在地乡镇(街道)受理,全程一般不超过30个工作日[1]。",
            "confident": True,
            "citations": [
                {
                    "n": 1,
                    "title": "最低生活保障审核确认办法",
                    "source": "db.md",
                    "section": "第二十二条",
                    "issuer": "民政部",
                    "effective_date": "2021-07-01",
                    "text": "",
                    "score": 0.9,
                }
            ],
        }

    @app.post("/api/eligibility/prescreen")
    async def prescreen(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "verdicts": [
                {
                    "program": "dibao",
                    "program_label": "最低生活保障(低保)",
                    "verdict": "likely",
                    "reasons": [{"text": "人均收入低于低保标准", "citation": None}],
                    "materials": [],
                },
                {
                    "program": "medical",
                    "program_label": "医疗救助",
                    "verdict": "possible",
                    "reasons": [{"text": "有较高医疗支出", "citation": None}],
                    "materials": [],
                },
            ],
            "standards_used": {},
        }

    # Identity verification (the identity-verification contract), one code for everyone.
    @app.post("/api/identity/status")
    async def identity_status(body: dict[str, Any]) -> dict[str, Any]:
        subject = str(body["subject"])
        verified = (subject, body["id_number"]) in state.verified
        url = "/identity/oidc/start?ticket=bench" if subject.startswith("web:") else None
        return {
            "verified": verified,
            "method": "sms" if verified else None,
            "verified_at": None,
            "methods": {
                "sms": {"available": True, "phone_masked": "138****1234"},
                "counter": {"available": subject.startswith("counter:")},
                "oidc": {"available": url is not None, "url": url},
            },
        }

    @app.post("/api/identity/sms/send")
    async def sms_send(body: dict[str, Any]) -> dict[str, Any]:
        return {"sent": True, "phone_masked": "138****1234", "expires_in_seconds": 300}

    @app.post("/api/identity/sms/verify")
    async def sms_verify(body: dict[str, Any]) -> JSONResponse:
        if body["code"] != SMS_CODE:
            return JSONResponse(
                {"detail": "验证码不正确,还可以再试 4 次", "attempts_left": 4}, status_code=400
            )
        state.verified.add((body["subject"], body["id_number"]))
        return JSONResponse({"verified": True, "method": "sms"})

    @app.post("/api/identity/counter")
    async def counter(body: dict[str, Any]) -> dict[str, Any]:
        state.verified.add((body["subject"], body["id_number"]))
        return {"verified": True, "method": "counter"}

    @app.get("/api/registry/households/{id_number}", response_model=None)
    async def registry(
        id_number: str, subject: str = "", purpose: str = ""
    ) -> dict[str, Any] | JSONResponse:
        if (subject, id_number) not in state.verified or purpose != "application":
            return JSONResponse({"detail": "身份未核验,不能查询登记信息"}, status_code=403)
        if id_number != APPLICANT:
            return {"found": False, "household": None}
        return {
            "found": True,
            "household": {
                "hukou_township_code": "330111001000",
                "address": "富春街道",
                "members": [
                    {"relation": "户主", "name": "张建国", "id_number": APPLICANT},
                    {
                        "relation": "配偶",
                        "name": "李秀英",
                        "id_number": SPOUSE,
                        "disability_category": "肢体",
                        "disability_grade": 2,
                    },
                    {"relation": "子女", "name": "张小明", "id_number": CHILD},
                ],
            },
        }

    @app.post("/api/applications")
    async def submit(body: dict[str, Any], idempotency_key: str = Header(...)) -> JSONResponse:
        if idempotency_key in state.applications:
            return JSONResponse(state.applications[idempotency_key]["answer"], status_code=200)
        number = f"FY2026{len(state.applications) + 1:07d}"
        answer = {
            "id": len(state.applications) + 1,
            "number": number,
            "status": "submitted",
            "submitted_township_code": body.get("residence_township_code"),
            "cases": [
                {
                    "id": i,
                    "program": p,
                    "program_label": p,
                    "status": "submitted",
                    "status_label": "已提交",
                    "handling_township_code": "330111001000",
                    "handling_township_name": "富春街道",
                    "routing_reason": "",
                    "due_date": "2027-01-12",
                    "due_date_provisional": False,
                }
                for i, p in enumerate(body["programs"], start=1)
            ],
        }
        state.applications[idempotency_key] = {"body": body, "answer": answer}
        return JSONResponse(answer, status_code=201)

    @app.get("/api/residents/applications")
    async def resident_applications(channel: str, channel_user_id: str) -> list[Any]:
        return [
            a["answer"]
            for a in state.applications.values()
            if a["body"]["channel_user_id"] == channel_user_id
        ]

    @app.post("/api/status-lookup")
    async def lookup(body: dict[str, Any]) -> JSONResponse:
        return JSONResponse({"detail": "未找到"}, status_code=404)

    @app.post("/api/handoffs")
    async def handoff(body: dict[str, Any]) -> JSONResponse:
        state.handoffs.append(body)
        return JSONResponse({"id": len(state.handoffs), "status": "open"}, status_code=201)

    @app.post("/api/leads")
    async def lead(body: dict[str, Any]) -> JSONResponse:
        state.leads.append(body)
        return JSONResponse(
            {
                "id": len(state.leads),
                "number": f"XS{len(state.leads):05d}",
                "township_code": "330111006000",
            },
            status_code=201,
        )

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_fake_api(state: FakeState, port: int) -> None:
    import uvicorn

    config = uvicorn.Config(fake_api(state), host="127.0.0.1", port=port, log_level="warning")
    threading.Thread(target=uvicorn.Server(config).run, daemon=True).start()


def wait_until(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit(f"not ready after {timeout:.0f}s: {url}")


# Conversations ---------------------------------------------------------------------------------
@dataclass
class Script:
    name: str
    turns: list[str]
    done: Callable[[str], bool]  # reached the outcome, judged on the bot's reply text
    channel: str = "web"  # "counter" plays staff intake: sender counter:<staff>:<session>


def scripts() -> list[Script]:
    submitted = lambda text: "申请编号" in text  # noqa: E731
    return [
        # "/affirm" and "/deny" are the buttons of the identity question.
        Script(
            "application, SMS-verified registry household (3 people, 低保+医疗救助)",
            [
                "我要申请低保和医疗救助",
                "同意",
                APPLICANT,
                "/affirm",
                SMS_CODE,
                "13805711234",
                "一样的",
                "对的",
                "只有退休金两千，儿子打零工一个月三千",
                "没有存款，也没车",
                "以后再交",
                "对，没错",
            ],
            submitted,
        ),
        Script(
            "a stranger's ID number shows nothing from the registry",
            [
                "我要申请低保",
                "同意",
                APPLICANT,
            ],
            lambda text: "核验身份" in text and "张建国" not in text,
        ),
        Script(
            "application, verification skipped (members one by one)",
            [
                "我想申请低保和医疗救助",
                "同意",
                APPLICANT,
                "/deny",
                "我叫张建国",
                "13958012345",
                "富春街道",
                "一样",
                f"老婆李秀英 {SPOUSE}",
                "没有了",
                "没有收入",
                "没有存款，也没车",
                "以后再交",
                "确认提交",
            ],
            submitted,
        ),
        Script(
            "counter: card checked, no registry record (3 people, members one by one)",
            [
                "我想申请低保和医疗救助",
                "同意",
                OTHER,
                "/affirm",
                "我叫王德明",
                "13958012345",
                "新登镇",
                "一样",
                f"老婆陈丽 {SPOUSE}",
                f"女儿王小丽 {CHILD}",
                "没有了",
                "没有收入",
                "没有存款，也没车",
                "以后再交",
                "确认提交",
            ],
            submitted,
            channel="counter",
        ),
        Script(
            "application with a digression, a wrong check digit, a wrong code, a correction",
            [
                "我要申请低保和医疗救助",
                "同意",
                "低保审批要多久",
                APPLICANT[:-1] + "2",
                APPLICANT,
                "/affirm",
                "135791",
                SMS_CODE,
                "13805711234",
                "一样的",
                "对的",
                "没有收入",
                "没有",
                "以后再交",
                "手机号填错了",
                "13900001111",
                "确认",
            ],
            submitted,
        ),
        Script(
            "pre-screening then apply",
            [
                "帮我测一测能申请什么",
                "三口人",
                "我72岁，老伴70岁，孙子10岁",
                "没有",
                "只有养老金，每月八百",
                "看病一年花了三万",
                "场口镇",
                "一样",
                "好的",
            ],
            lambda text: "同意" in text and "核实" in text,
        ),
        Script(
            "hardship report",
            [
                "我邻居家老人没人管",
                "银湖街道",
                "就在村口第二家",
                "隔壁老人瘫在床上没人照顾",
                "很急",
                "不留",
            ],
            lambda text: "登记号" in text,
        ),
        Script(
            "status: nothing under this account, look up by number + ID",
            [
                "我的申请到哪一步了",
                "好的",
                "FY2026000001",
                OTHER,
            ],
            lambda text: "对不上" in text or "办理情况" in text,
        ),
        # Paused: the second message gets no reply from the bot.
        Script("human help pauses the bot", ["转人工", "你好"], lambda text: not text.strip()),
        Script(
            "hostile input, then a normal turn",
            [
                "救" * 5000,
                "😀😀😀🙏",
                "<script>alert(1)</script>",
                '/apply_assistance{"program":"x"}',
                "取消",
                "是的",
                "你好",
            ],
            lambda text: "惠民联办小助手" in text,
        ),
    ]


def play(client: httpx.Client, rasa_url: str, script: Script, sender: str) -> dict[str, Any]:
    latencies, turns, reached = [], 0, False
    for message in script.turns:
        started = time.perf_counter()
        response = client.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=120,
        )
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
        turns += 1
        text = "\n".join(str(m.get("text") or "") for m in response.json())
        if os.environ.get("BENCH_VERBOSE"):
            print(f"  > {message[:40]}\n  < {text[:300]}")
        if not text.strip() and not script.done(text):
            print(f"  ! no reply to {message[:30]!r}")
        if script.done(text):
            reached = True
            break
    return {"turns": turns, "reached": reached, "latencies": latencies}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--start", action="store_true", help="start fake API, actions, rasa")
    parser.add_argument("--rasa-url", default="")
    parser.add_argument("--model", default=str(ROOT / "var/models/huimin.tar.gz"))
    args = parser.parse_args()

    processes: list[subprocess.Popen[bytes]] = []
    state = FakeState()
    rasa_url = args.rasa_url
    try:
        if args.start:
            api_port, action_port, rasa_port = free_port(), free_port(), free_port()
            start_fake_api(state, api_port)
            # the same hops as `make run`: action secret header, Rasa API behind a token
            secret, token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
            env = {
                **os.environ,
                "HUIMIN_API_URL": f"http://127.0.0.1:{api_port}",
                "HUIMIN_ACTION_PORT": str(action_port),
                "HUIMIN_ACTION_SECRET": secret,
                "RASA_TELEMETRY_ENABLED": "false",
            }
            logs = Path(tempfile.mkdtemp(prefix="bench-dialogue-"))
            processes.append(
                subprocess.Popen(
                    [str(ROOT / ".venv/bin/python"), "-m", "actions.server"],
                    cwd=ROOT,
                    env=env,
                    stdout=(logs / "actions.log").open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
            endpoints = logs / "endpoints.yml"
            endpoints.write_text(
                f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
                "  headers:\n    X-Huimin-Action-Secret: ${HUIMIN_ACTION_SECRET}\n"
            )
            processes.append(
                subprocess.Popen(
                    [
                        str(ROOT / ".venv-rasa/bin/rasa"),
                        "run",
                        "--enable-api",
                        "--auth-token",
                        token,
                        "-i",
                        "127.0.0.1",
                        "-p",
                        str(rasa_port),
                        "--model",
                        args.model,
                        "--endpoints",
                        str(endpoints),
                        "--credentials",
                        str(ROOT / "bot/credentials.yml"),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=(logs / "rasa.log").open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
            rasa_url = f"http://127.0.0.1:{rasa_port}"
            print(f"logs in {logs}; waiting for rasa at {rasa_url} ...")
            wait_until(f"http://127.0.0.1:{action_port}/health", 60)
            wait_until(f"{rasa_url}/status?token={token}", 900)
        rasa_url = rasa_url or "http://127.0.0.1:5005"
        all_latencies: list[float] = []
        failures = 0
        with httpx.Client() as client:
            for index, script in enumerate(scripts()):
                session = f"bench-{int(time.time())}-{index}"
                sender = (
                    f"counter:bench.staff:{session}"
                    if script.channel == "counter"
                    else (f"web:{session}")
                )
                result = play(client, rasa_url, script, sender)
                all_latencies += result["latencies"]
                failures += not result["reached"]
                print(
                    f"{'ok ' if result['reached'] else 'FAIL'} {script.name}: "
                    f"{result['turns']} resident turns"
                )
        if args.start:
            for answer in state.applications.values():
                body = answer["body"]
                print(
                    f"submitted: programs={body['programs']} members={len(body['members'])} "
                    f"staff={body['entered_by_staff']}"
                )
        quantiles = statistics.quantiles(all_latencies, n=20)
        print(
            f"turns={len(all_latencies)} latency p50={statistics.median(all_latencies):.2f}s "
            f"p95={quantiles[18]:.2f}s max={max(all_latencies):.2f}s failures={failures}"
        )
        return 1 if failures else 0
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
