"""Benchmark live hand-offs: how fast a staff reply reaches the resident's web chat.

Starts the real API (``python -m workflows serve``, one uvicorn process) on a free 127.0.0.1 port
against a fresh database (SQLite file by default, or ``--database-url``), then:

1. N web residents (default 50) each get a chat cookie (``GET /chat``) and a hand-off opened for
   them (``POST /api/handoffs``, as the assistant's action does), all in 富春街道;
2. one reviewer claims all of them (``POST /api/handoffs/{id}/claim``);
3. every resident's page long-polls ``GET /chat/api/updates?wait=20`` as chat-page.js does,
   while the reviewer sends R replies (default 5) to each hand-off, concurrently, at random
   intervals; each resident also answers every reply (``POST /chat/api/message``);
4. reports p50/p95/max from the moment a reply is sent (before ``POST
   /api/handoffs/{id}/messages``) to the moment the resident's long poll returns it.

Run:
    .venv/bin/python scripts/bench_handoff.py
    .venv/bin/python scripts/bench_handoff.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test   # a schema of its own
Results are printed as Markdown (docs/BENCHMARKS.md, section "Live hand-off").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
FUCHUN = "330111001000"
INTERNAL_TOKEN = "bench-internal-token-0123456789abcdef"
STAFF_PASSWORD = "bench-pass-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)  # reply sent -> resident has it
    after_answer: list[float] = field(default_factory=list)  # POST answered -> resident has it
    posts: list[float] = field(default_factory=list)  # the reply POST itself
    sent_at: dict[str, float] = field(default_factory=dict)
    answered_at: dict[str, float] = field(default_factory=dict)
    errors: int = 0


def start_api(
    var_dir: Path, database_url: str
) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    port = free_port()
    env = {
        **os.environ,
        "HUIMIN_ENVIRONMENT": "test",  # no knowledge warm-up competing for the 2 cores
        "HUIMIN_VAR_DIR": str(var_dir),
        "HUIMIN_DATABASE_URL": database_url,
        "HUIMIN_INTERNAL_TOKEN": INTERNAL_TOKEN,
        "HUIMIN_PASSWORD_HASH_ROUNDS": "4",
        "HUIMIN_CHAT_MESSAGES_PER_ADDRESS_PER_MINUTE": "100000",
        "HUIMIN_API_PORT": str(port),
    }
    py = sys.executable
    subprocess.run([py, "-m", "workflows", "migrate"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [
            py,
            "-m",
            "workflows",
            "create-user",
            "--username",
            "bench-reviewer",
            "--role",
            "reviewer",
            "--township",
            FUCHUN,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        input=f"{STAFF_PASSWORD}\n{STAFF_PASSWORD}\n".encode(),
        stdout=subprocess.DEVNULL,
    )
    log = (var_dir / "api.log").open("wb")
    process = subprocess.Popen(
        [py, "-m", "workflows", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code < 500:
                return process, url, env
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError("the API did not start; see " + str(var_dir / "api.log"))


async def resident_loop(
    client: httpx.AsyncClient, expected: int, results: Results, answer: bool
) -> None:
    received = 0
    cursor: int | None = None
    while received < expected:
        params: dict[str, str | int] = {"wait": 20}
        if cursor is not None:
            params["after"] = cursor
        response = await client.get("/chat/api/updates", params=params, timeout=40)
        now = time.perf_counter()
        if response.status_code != 200:
            results.errors += 1
            continue
        data = response.json()
        cursor = data["cursor"]
        for message in data["messages"]:
            sent = results.sent_at.get(message["text"])
            if message["from"] == "staff" and sent is not None:
                results.latencies.append(now - sent)
                answered = results.answered_at.get(message["text"])
                if answered is not None:
                    results.after_answer.append(max(0.0, now - answered))
                received += 1
                if answer:
                    await client.post("/chat/api/message", json={"text": f"收到:{message['text']}"})


async def staff_loop(
    staff: httpx.AsyncClient, handoff_id: int, replies: int, results: Results
) -> None:
    for n in range(replies):
        await asyncio.sleep(random.uniform(0.2, 1.5))
        text = f"工作人员回复 {handoff_id}-{n}"
        results.sent_at[text] = time.perf_counter()
        response = await staff.post(f"/api/handoffs/{handoff_id}/messages", json={"text": text})
        results.answered_at[text] = time.perf_counter()
        results.posts.append(results.answered_at[text] - results.sent_at[text])
        if response.status_code != 201:
            results.errors += 1


async def run(url: str, residents: int, replies: int, answer: bool) -> tuple[Results, float]:
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    internal = {"X-Internal-Token": INTERNAL_TOKEN}
    clients = [httpx.AsyncClient(base_url=url, limits=limits) for _ in range(residents)]
    async with httpx.AsyncClient(base_url=url, timeout=30) as staff:
        token = (
            await staff.post(
                "/api/auth/token", data={"username": "bench-reviewer", "password": STAFF_PASSWORD}
            )
        ).json()["access_token"]
        staff.headers["Authorization"] = f"Bearer {token}"
        ids = []
        for client in clients:
            await client.get("/chat")
            web_id = client.cookies["huimin_web_id"]
            opened = await client.post(
                "/api/handoffs",
                json={
                    "channel": "web",
                    "channel_user_id": web_id,
                    "reason": "resident_request",
                    "conversation_id": f"web:{web_id}",
                    "township_code": FUCHUN,
                },
                headers=internal,
            )
            opened.raise_for_status()
            ids.append(opened.json()["id"])
        for handoff_id in ids:
            (await staff.post(f"/api/handoffs/{handoff_id}/claim")).raise_for_status()
        results = Results()
        started = time.perf_counter()
        receivers = [
            asyncio.create_task(resident_loop(c, replies, results, answer)) for c in clients
        ]
        await asyncio.sleep(1.0)  # every page is polling
        await asyncio.gather(*(staff_loop(staff, i, replies, results) for i in ids))
        await asyncio.wait_for(asyncio.gather(*receivers), timeout=120)
        elapsed = time.perf_counter() - started
    for client in clients:
        await client.aclose()
    return results, elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


@contextlib.contextmanager
def fresh_database(url: str, folder: Path) -> Iterator[str]:
    """A SQLite file in ``folder``, or a schema of its own in the PostgreSQL database (dropped
    afterwards)."""
    if not url:
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_handoff_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in url else "?"
    try:
        yield f"{url}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--replies", type=int, default=5, help="staff replies per hand-off")
    parser.add_argument("--database-url", default="", help="default: a SQLite file in a temp dir")
    parser.add_argument("--no-answers", action="store_true", help="residents do not answer")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-handoff-") as folder:
        var_dir = Path(folder)
        with fresh_database(args.database_url, var_dir) as database_url:
            process, url, _env = start_api(var_dir, database_url)
            try:
                results, elapsed = asyncio.run(
                    run(url, args.residents, args.replies, not args.no_answers)
                )
            finally:
                process.terminate()
                process.wait(timeout=20)
    latencies = results.latencies
    engine = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(f"### Live hand-off: staff reply -> resident web chat ({engine}, one API process)\n")
    print("| hand-offs | replies | delivered | errors | p50 (ms) | p95 (ms) | max (ms) | run (s) |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.residents} | {args.residents * args.replies} | {len(latencies)} | "
        f"{results.errors} | {statistics.median(latencies) * 1000:.0f} | "
        f"{percentile(latencies, 0.95) * 1000:.0f} | {max(latencies) * 1000:.0f} | {elapsed:.1f} |"
    )
    print()
    print("| part | p50 (ms) | p95 (ms) |")
    print("|---|---|---|")
    for label, values in (
        ("the staff reply POST (store, outbox, audit, commit)", results.posts),
        ("POST answered -> the resident's long poll returns it", results.after_answer),
    ):
        if values:
            print(
                f"| {label} | {statistics.median(values) * 1000:.0f} | "
                f"{percentile(values, 0.95) * 1000:.0f} |"
            )
    load = os.getloadavg()
    print(f"\nload average during the run: {load[0]:.1f} (1 min), {load[1]:.1f} (5 min)")
    return 0 if latencies and percentile(latencies, 0.95) <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
