"""``GET /api/health`` tells the truth about every dependency: real probes of PostgreSQL (the
tracker store), Redis (lock store, rate limits), RabbitMQ (event broker) and each Rasa and
action server; a dependency on a wrong port is reported down and the status degraded."""

from __future__ import annotations

import http.server
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from huimin.settings import Settings
from workflows.app import create_app
from workflows.probes import probe_amqp, probe_redis, probe_sql

PG = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/15"
AMQP = "amqp://guest:guest@127.0.0.1:5672/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require(ok: bool, what: str) -> None:
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true")
    pytest.skip(f"{what} not reachable")


@pytest.fixture(scope="module")
def services() -> None:
    require(probe_sql("pg", PG, 2).ok, "PostgreSQL")
    require(probe_redis("redis", REDIS, 2).ok, "Redis")
    require(probe_amqp("amqp", AMQP, 2, "q").ok, "RabbitMQ")


class _Status(http.server.BaseHTTPRequestHandler):
    """Answers like a Rasa server's root (once its model is loaded) and an action server's
    /health; anything else is 404."""

    def do_GET(self) -> None:
        if self.path == "/":
            body = b"Hello from Rasa: 3.6.21"
        elif self.path == "/health":
            body = b'{"status": "ok"}'
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def live_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()


def settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "var_dir": tmp_path,
        "database_url": f"sqlite:///{tmp_path / 'h.db'}",
        "tracker_store_url": PG,
        "redis_url": REDIS,
        "lock_store_url": "",
        "event_broker_url": AMQP,
        "event_broker_queue": "health_events",
        "chroma_server_url": None,
        "handoff_sweep_seconds": 0,
        "health_probe_timeout_seconds": 1.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def health(s: Settings) -> dict[str, Any]:
    with TestClient(create_app(s)) as client:
        answer = client.get("/api/health")
    assert answer.status_code == 200
    payload: dict[str, Any] = answer.json()
    return payload


def rows(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in payload["dependencies"]}


def test_every_dependency_is_probed_and_reported_with_kind_and_state(
    tmp_path: Path, services: None, live_server: int
) -> None:
    payload = health(settings(tmp_path, rasa_port=live_server, action_port=live_server))
    assert {"status", "database", "knowledge", "dependencies", "profile"} <= set(payload)
    found = rows(payload)
    assert found["database"]["kind"] == "sql"
    assert found["database"]["detail"] == "sqlite"
    assert (found["tracker_store"]["kind"], found["tracker_store"]["state"]) == ("sql", "up")
    assert found["tracker_store"]["detail"] == "postgresql"
    assert (found["lock_store"]["kind"], found["lock_store"]["state"]) == ("redis", "up")
    assert (found["event_broker"]["kind"], found["event_broker"]["state"]) == ("rabbitmq", "up")
    assert (found["rate_limits"]["kind"], found["rate_limits"]["state"]) == ("redis", "up")
    assert found["chroma"]["kind"] == "embedded"
    assert (found["rasa1"]["kind"], found["rasa1"]["state"]) == ("rasa", "up")
    assert (found["actions1"]["kind"], found["actions1"]["state"]) == ("action_server", "up")
    assert all(row["ok"] is (row["state"] != "down") for row in found.values())
    assert "guest:guest" not in str(payload)


def test_a_dependency_on_a_wrong_port_is_down_and_the_status_degraded(
    tmp_path: Path, services: None, live_server: int
) -> None:
    closed = free_port()
    payload = health(
        settings(
            tmp_path,
            event_broker_url=f"amqp://guest:guest@127.0.0.1:{closed}/",
            lock_store_url=f"redis://127.0.0.1:{closed}/0",
            tracker_store_url=f"postgresql://postgres@127.0.0.1:{closed}/test",
            rasa_port=live_server,
            action_port=closed,
        )
    )
    found = rows(payload)
    for name in ("event_broker", "lock_store", "tracker_store", "actions1"):
        assert found[name]["state"] == "down", found[name]
        assert found[name]["ok"] is False
    assert found["rasa1"]["state"] == "up"
    assert payload["status"] == "degraded"


def test_something_else_than_rasa_on_rasas_port_is_down(tmp_path: Path, services: None) -> None:
    """An HTTP server that is not Rasa (here: an empty 200 from the probe's own tiny server)
    does not count as a Rasa server up."""

    class _NotRasa(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>nginx</html>")

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        payload = health(settings(tmp_path, rasa_port=int(server.server_address[1])))
    finally:
        server.shutdown()
    assert rows(payload)["rasa1"]["state"] == "down"
    assert "unexpected answer" in rows(payload)["rasa1"]["detail"]


def test_production_profile_lists_each_replica_and_the_balancer(tmp_path: Path) -> None:
    payload = health(
        settings(
            tmp_path,
            profile="production",
            redis_url=None,
            event_broker_url="",
            rasa_replicas=2,
            action_replicas=2,
            rasa_replica_base_port=free_port(),
            action_replica_base_port=free_port(),
            chroma_port=free_port(),
            chroma_token="a-chroma-token-for-tests-0123",
        )
    )
    found = rows(payload)
    assert {"rasa1", "rasa2", "actions1", "actions2", "balancer"} <= set(found)
    assert found["rasa2"]["kind"] == "rasa"
    assert found["rasa2"]["state"] == "down"
    assert (found["chroma"]["kind"], found["chroma"]["state"]) == ("server", "down")
    assert (found["lock_store"]["kind"], found["event_broker"]["kind"]) == ("in_memory", "none")
    assert payload["profile"] == "production"
    assert "a-chroma-token" not in str(payload)
