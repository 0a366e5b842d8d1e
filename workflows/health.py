"""``GET /api/health``: the database and the knowledge index (as before), and every dependency
of the running topology with its kind and state (``dependencies``), probed now with a short
timeout: the API's database, Rasa's tracker store, lock store and event broker, the Chroma
store, the rate-limit counters, each Rasa server and each action server (directly at its own
port, not through the balancer) and the balancer itself. The topology comes from the same
settings the launcher starts the processes from (``huimin.topology``). No secret is shown.
``analytics`` reports the conversation-analytics consumer's progress (it never degrades the
status: the dialogue works without analytics, which catch up)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text

from huimin.settings import Settings
from huimin.topology import action_servers, rasa_servers, reachable_host, redact_url
from workflows.analytics.status import broker_status
from workflows.probes import (
    Dependency,
    probe_amqp,
    probe_http,
    probe_redis,
    probe_sql,
)

router = APIRouter(tags=["health"])
CHROMA_HEARTBEAT = "/api/v2/heartbeat"
RASA_GREETING = "Hello from Rasa"


def dependency_probes(settings: Settings) -> list[Any]:
    """One callable per dependency, each returning a :class:`Dependency`."""
    timeout = settings.health_probe_timeout_seconds
    probes: list[Any] = []
    tracker = settings.effective_tracker_store_url
    probes.append(partial(probe_sql, "tracker_store", tracker, timeout))
    lock = settings.effective_lock_store_url
    if lock:
        probes.append(partial(probe_redis, "lock_store", lock, timeout))
    else:
        probes.append(lambda: Dependency("lock_store", "in_memory", "local", "one Rasa server"))
    if settings.event_broker_url:
        probes.append(
            partial(
                probe_amqp,
                "event_broker",
                settings.event_broker_url,
                timeout,
                settings.event_broker_queue,
            )
        )
    else:
        probes.append(lambda: Dependency("event_broker", "none", "off", "not configured"))
    if settings.redis_url:
        probes.append(partial(probe_redis, "rate_limits", settings.redis_url, timeout))
    else:
        probes.append(lambda: Dependency("rate_limits", "in_memory", "local", "per process"))
    chroma = settings.effective_chroma_server_url
    if chroma:
        probes.append(
            partial(
                probe_http,
                "chroma",
                "server",
                chroma.rstrip("/") + CHROMA_HEARTBEAT,
                timeout,
                headers={"X-Chroma-Token": settings.chroma_token.get_secret_value()},
                shown=redact_url(chroma),
            )
        )
    else:
        probes.append(
            lambda: Dependency("chroma", "embedded", "local", str(settings.effective_chroma_path))
        )
    # Rasa's root answers "Hello from Rasa" only once the server has loaded its model (it binds
    # its port after loading); it needs no token, so none lands in a log line
    rasa_verify: str | bool = str(settings.rasa_ssl_certificate or "") or True
    for replica in rasa_servers(settings):
        probes.append(
            partial(
                probe_http,
                replica.name,
                "rasa",
                f"{replica.base_url}/",
                timeout,
                shown=f"{replica.host}:{replica.port}",
                verify=rasa_verify,
                expect=RASA_GREETING,
            )
        )
    action_verify: str | bool = str(settings.action_ssl_certificate or "") or True
    for replica in action_servers(settings):
        probes.append(
            partial(
                probe_http,
                replica.name,
                "action_server",
                f"{replica.base_url}/health",
                timeout,
                shown=f"{replica.host}:{replica.port}",
                verify=action_verify,
            )
        )
    if settings.is_production_profile:
        host = reachable_host(settings.rasa_host)
        probes.append(
            partial(
                probe_http,
                "balancer",
                settings.balancer,
                f"http://{host}:{settings.rasa_port}/",
                timeout,
                expect=RASA_GREETING,
                shown=f"127.0.0.1:{settings.rasa_port} :{settings.action_port} "
                f":{settings.chroma_port}",
            )
        )
    return probes


def probe_all(settings: Settings) -> list[Dependency]:
    """Every probe at once (threads), so the slowest bounds the answer's time."""
    probes = dependency_probes(settings)
    with ThreadPoolExecutor(max_workers=min(16, len(probes))) as pool:
        return list(pool.map(lambda probe: probe(), probes))


@router.get("/api/health")
def health(request: Request) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    engine = request.app.state.engine
    database: dict[str, Any]
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = {"ok": True, "dialect": engine.dialect.name}
    except Exception as exc:  # report, never raise from a health check
        database = {"ok": False, "error": type(exc).__name__}
    knowledge = request.app.state.knowledge_status()
    rows = [
        Dependency(
            "database",
            "sql",
            "up" if database["ok"] else "down",
            database.get("dialect") or database.get("error", ""),
        ),
        *probe_all(settings),
    ]
    dependencies = [row.as_dict() for row in rows]
    healthy = database["ok"] and knowledge.get("ok") and all(row.ok for row in rows)
    return {
        "status": "ok" if healthy else "degraded",
        "profile": settings.profile,
        "database": database,
        "knowledge": knowledge,
        "dependencies": dependencies,
        "analytics": broker_status(request.app.state.settings, request.app.state.engine),
    }
