"""`make run` prints what ``GET /api/health`` says about each dependency, once the API answers
and every dependency is up (the Rasa servers have loaded their model), or after a time limit,
showing what is down."""

from __future__ import annotations

import time
from typing import Any, TextIO

import httpx

from huimin.settings import Settings
from huimin.topology import reachable_host

READY_WITHIN_SECONDS = 600.0


def format_health(payload: dict[str, Any]) -> str:
    lines = [f"依赖状态 / dependencies (GET /api/health): {payload.get('status', '?')}"]
    for row in payload.get("dependencies", []):
        mark = "✓" if row.get("ok") else "✗"
        lines.append(
            f"  {mark} {row.get('name', ''):<14} {row.get('kind', ''):<14} "
            f"{row.get('state', ''):<9} {row.get('detail', '')}"
        )
    return "\n".join(lines)


def _all_up(payload: dict[str, Any]) -> bool:
    rows = payload.get("dependencies", [])
    return bool(rows) and all(row.get("ok") for row in rows)


def print_health_when_ready(
    settings: Settings,
    out: TextIO,
    *,
    within: float = READY_WITHIN_SECONDS,
    interval: float = 3.0,
) -> dict[str, Any] | None:
    url = f"http://{reachable_host(settings.api_host)}:{settings.api_port}/api/health"
    deadline = time.monotonic() + within
    payload: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(url, timeout=10)
            if answer.status_code == 200:
                payload = answer.json()
                if _all_up(payload):
                    break
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(interval)
    if payload is None:
        out.write(f"依赖状态 / dependencies: the API did not answer at {url}\n")
    else:
        out.write("\n" + format_health(payload) + "\n\n")
    out.flush()
    return payload
