"""The production profile started as `make run-production` starts it (launcher, supervisor,
nginx, two Rasa servers, two action servers, the Chroma server, PostgreSQL, Redis, RabbitMQ),
its /api/health, and the fault "a Rasa server killed mid-form": the next message is answered by
the other one and the form goes on (scripts/faults/rasa_killed_mid_form.py --short)."""

from __future__ import annotations

import os
import random
import socket
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _block_is_free(base: int, size: int = 30) -> bool:
    for port in range(base, base + size):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def _free_block() -> int:
    for _ in range(50):
        base = random.randrange(20000, 30000, 50)
        if _block_is_free(base):
            return base
    raise RuntimeError("no free block of 30 ports")


def _missing() -> list[str]:
    from huimin.settings import Settings
    from launcher.balancer import nginx_binary
    from workflows.probes import probe_amqp, probe_redis, probe_sql

    missing = []
    if not (ROOT / "var" / "models" / "huimin.tar.gz").exists():
        missing.append("a trained Rasa model (python -m launcher train)")
    if nginx_binary(Settings()) is None:
        missing.append("nginx (scripts/ensure-system.sh)")
    if not probe_sql("pg", "postgresql://postgres@127.0.0.1:5432/test", 3).ok:
        missing.append("PostgreSQL")
    if not probe_redis("redis", "redis://127.0.0.1:6379/15", 3).ok:
        missing.append("Redis")
    if not probe_amqp("amqp", "amqp://guest:guest@127.0.0.1:5672/", 3, "q").ok:
        missing.append("RabbitMQ")
    return missing


def test_a_rasa_server_killed_mid_form_is_survived(tmp_path: Path) -> None:
    missing = _missing()
    if missing:
        reason = "the production profile needs " + ", ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from scripts.faults.production_system import ProductionSystem
    from scripts.faults.rasa_killed_mid_form import run

    system = ProductionSystem(tmp_path / "var", _free_block(), f"e2e_prod_{uuid.uuid4().hex[:8]}")
    try:
        report = run(system, short=True)
    finally:
        system.stop()
    health = report["health"]
    assert health["tracker_store"].startswith("sql up postgresql")
    assert health["lock_store"].startswith("redis up")
    assert health["event_broker"].startswith("rabbitmq up")
    assert health["rasa1"].startswith("rasa up")
    assert health["rasa2"].startswith("rasa up")
    assert health["chroma"].startswith("server up")
    assert health["balancer"].startswith("nginx up")
    event = report["events"][0]
    assert event["killed"] == "rasa1"
    assert len(event["answers"]) == 2
    for answer in event["answers"]:  # each message after the kill moved the form on
        assert answer["asked_after"] != answer["asked_before"]
    assert event["balancer_skipped_the_dead_server"] is True
    assert report["survived"] is True
