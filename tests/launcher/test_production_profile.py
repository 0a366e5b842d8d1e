"""The production profile: it refuses to start without PostgreSQL, Redis and RabbitMQ; its
process table, generated nginx configuration and Rasa endpoints; the supervisor's pid files;
``python -m huimin``. The live start-up and the failover: tests/e2e/test_production_failover.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from huimin.settings import PROJECT_ROOT, Settings
from huimin.topology import amqp_address, redact_url, redis_address
from launcher.balancer import nginx_binary, nginx_conf, write_nginx_conf
from launcher.preflight import check_production_profile, run_checks
from launcher.processes import child_environment, endpoints_yaml, process_specs
from launcher.supervisor import Child, Supervisor

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RASA_PG = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/15"
AMQP = "amqp://guest:guest@127.0.0.1:5672/"
TOKEN = "a-chroma-token-for-tests-0123"


def production(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "var_dir": tmp_path,
        "profile": "production",
        "environment": "test",
        "database_url": PG,
        "tracker_store_url": RASA_PG,
        "redis_url": REDIS,
        "lock_store_url": "",
        "event_broker_url": AMQP,
        "event_broker_queue": "test_events",
        "chroma_token": TOKEN,
        "chroma_server_url": None,
        "rasa_port": 6101,
        "action_port": 6102,
        "chroma_port": 6103,
        "chroma_backend_port": 6104,
        "rasa_replica_base_port": 6110,
        "action_replica_base_port": 6120,
        "api_workers": 0,
        "telegram_token": None,
        "wechat_token": None,
        "sms_gateway_url": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def test_production_profile_without_postgresql_redis_rabbitmq_refuses_to_start(
    tmp_path: Path,
) -> None:
    settings = production(
        tmp_path, database_url="", tracker_store_url="", redis_url=None, event_broker_url=""
    )
    problems = check_production_profile(settings, reach=False)
    named = {problem.setting for problem in problems}
    assert {
        "HUIMIN_DATABASE_URL",
        "HUIMIN_TRACKER_STORE_URL",
        "HUIMIN_REDIS_URL",
        "HUIMIN_EVENT_BROKER_URL",
    } <= named
    for problem in problems:  # Chinese first, English after
        assert "/" in problem.message
    # run_checks (what `launcher run` calls) refuses on the same grounds
    assert named <= {p.setting for p in run_checks(settings, check_ports=False)}
    # a SQLite tracker store is not enough either
    sqlite = production(tmp_path, tracker_store_url="sqlite:///x.db")
    assert "HUIMIN_TRACKER_STORE_URL" in {
        p.setting for p in check_production_profile(sqlite, reach=False)
    }


def test_development_profile_needs_none_of_them(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, profile="development", database_url="", redis_url=None)
    assert not [p for p in run_checks(settings, check_ports=False) if "production" in p.message]
    names = [spec.name for spec in process_specs(settings)]
    assert names == ["api", "actions", "rasa"]
    assert "--workers" not in process_specs(settings)[0].command
    text = endpoints_yaml(settings)
    assert "lock_store" not in text
    assert "event_broker" not in text


def test_a_broker_that_refuses_the_log_in_is_named(tmp_path: Path) -> None:
    from workflows.probes import probe_amqp

    if not probe_amqp("broker", AMQP, 2.0, "x").ok:
        if os.environ.get("CI") == "true":
            pytest.fail("RabbitMQ is required under CI=true")
        pytest.skip("RabbitMQ not reachable at 127.0.0.1:5672")
    wrong = production(tmp_path, event_broker_url="amqp://guest:wrong@127.0.0.1:5672/")
    problems = check_production_profile(wrong)
    broker = [p for p in problems if p.setting == "HUIMIN_EVENT_BROKER_URL"]
    assert broker
    assert "ACCESS_REFUSED" in broker[0].message
    assert "wrong" not in broker[0].message  # the password is never shown
    closed = production(tmp_path, event_broker_url="amqp://guest:guest@127.0.0.1:1/")
    assert "HUIMIN_EVENT_BROKER_URL" in {p.setting for p in check_production_profile(closed)}


def test_the_process_table_has_workers_replicas_balancer_and_chroma(tmp_path: Path) -> None:
    settings = production(tmp_path)
    specs = {spec.name: spec for spec in process_specs(settings)}
    assert list(specs) == [
        "api",
        "actions1",
        "actions2",
        "rasa1",
        "rasa2",
        "nginx",
        "chroma",
        "analytics",  # the event broker's consumer
    ]
    api = specs["api"].command
    assert api[api.index("--workers") + 1] == "2"
    assert specs["rasa1"].command[specs["rasa1"].command.index("-p") + 1] == "6110"
    assert specs["rasa2"].command[specs["rasa2"].command.index("-p") + 1] == "6111"
    assert specs["actions2"].env == {"HUIMIN_ACTION_PORT": "6121"}
    assert specs["nginx"].command[-2:] == ["-g", "daemon off;"]
    chroma = specs["chroma"].command
    assert chroma[chroma.index("--host") + 1] == "127.0.0.1"
    assert chroma[chroma.index("--port") + 1] == "6104"
    # the bridges stay separate processes when configured (Telegram in webhook mode)
    with_telegram = production(
        tmp_path, telegram_token="123:abc", telegram_webhook_url="https://x.example/tg"
    )
    assert "telegram" in [spec.name for spec in process_specs(with_telegram)]


def test_endpoints_use_sql_tracker_redis_lock_and_pika_broker(tmp_path: Path) -> None:
    settings = production(
        tmp_path,
        lock_store_url="redis://:s3cret@127.0.0.1:6380/4",
        event_broker_url="amqp://huimin:p%40ss@127.0.0.1:5673/",
    )
    endpoints = yaml.safe_load(endpoints_yaml(settings))
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:6102/webhook"  # balancer
    assert endpoints["tracker_store"]["type"] == "rasa_addons.tracker_store.MaskingSQLTrackerStore"
    assert endpoints["tracker_store"]["url"] == "${HUIMIN_TRACKER_STORE_URL}"
    lock = endpoints["lock_store"]
    assert (lock["type"], lock["url"], lock["port"], lock["db"]) == ("redis", "127.0.0.1", 6380, 4)
    broker = endpoints["event_broker"]
    assert (broker["type"], broker["url"], broker["port"]) == ("pika", "127.0.0.1", 5673)
    assert broker["queues"] == ["test_events"]
    text = endpoints_yaml(settings)
    assert "s3cret" not in text
    assert "p@ss" not in text
    env = child_environment(settings)
    assert env["HUIMIN_LOCK_STORE_PASSWORD"] == "s3cret"
    assert env["HUIMIN_EVENT_BROKER_PASSWORD"] == "p@ss"
    assert env["HUIMIN_TRACKER_STORE_URL"] == RASA_PG


def test_nginx_configuration_balances_on_loopback_and_guards_chroma(tmp_path: Path) -> None:
    settings = production(tmp_path)
    text = nginx_conf(settings)
    listens = [line.strip() for line in text.splitlines() if line.strip().startswith("listen")]
    assert listens == [
        "listen 127.0.0.1:6101;",
        "listen 127.0.0.1:6102;",
        "listen 127.0.0.1:6103;",
    ]
    # Rasa servers are tried on every request (never marked down for a while: the survivor
    # of a kill must not be "unavailable" because it failed once while loading its model)
    assert "server 127.0.0.1:6110 max_fails=0;" in text
    assert "server 127.0.0.1:6111 max_fails=0;" in text
    assert "server 127.0.0.1:6121 max_fails=1 fail_timeout=10s;" in text
    rasa_block, actions_block = text.split("listen 127.0.0.1:6101;")[1].split(
        "listen 127.0.0.1:6102;"
    )
    # a killed Rasa server's reset is retried on the other, also for POST; a timeout is not
    assert "proxy_next_upstream error non_idempotent;" in rasa_block
    # an action call already sent is never re-sent (it may have changed data in the API)
    actions_block = actions_block.split("listen 127.0.0.1:6103;")[0]
    assert "proxy_next_upstream error timeout http_502 http_503;" in actions_block
    assert "non_idempotent" not in actions_block
    assert f'"{TOKEN}" 1;' in text
    assert "return 401" in text
    assert "daemon" not in text  # given on the command line (-g 'daemon off;')
    path = write_nginx_conf(settings)
    assert path.stat().st_mode & 0o077 == 0  # holds the Chroma token
    binary = nginx_binary(settings)
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is required under CI=true (scripts/ensure-system.sh)")
        pytest.skip("nginx not installed (scripts/ensure-system.sh installs it)")
    checked = subprocess.run(
        [binary, "-p", str(path.parent), "-e", "stderr", "-c", str(path), "-t"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr


def test_a_chroma_token_nginx_cannot_hold_verbatim_is_refused(tmp_path: Path) -> None:
    settings = production(tmp_path, chroma_token='short"; return 200;')
    assert "HUIMIN_CHROMA_TOKEN" in {
        p.setting for p in check_production_profile(settings, reach=False)
    }


def test_urls_are_shown_without_their_password() -> None:
    assert redact_url("amqp://huimin:secret@127.0.0.1:5672/") == "amqp://huimin:***@127.0.0.1:5672/"
    assert redact_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert redis_address("redis://:pw@10.0.0.1/3").redis_db == 3
    assert amqp_address("amqp://u:p@h/%2F").amqp_vhost == "/"


def test_supervisor_writes_and_removes_pid_files_and_passes_each_childs_env(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.txt"
    pid_dir = tmp_path / "run"
    script = "import os,sys,time; print(os.environ['ONLY_FOR_ME'], flush=True); time.sleep(30)"
    supervisor = Supervisor(
        [Child("one", [sys.executable, "-c", script], env={"ONLY_FOR_ME": "seen-1"})],
        cwd=tmp_path,
        env=dict(os.environ),
        out=out.open("w", encoding="utf-8"),
        pid_dir=pid_dir,
        grace_seconds=5,
    )
    supervisor.start()
    try:
        pid = int((pid_dir / "one.pid").read_text(encoding="utf-8"))
        assert pid == supervisor.processes["one"].pid
        deadline = time.monotonic() + 20
        while "seen-1" not in out.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "seen-1" in out.read_text(encoding="utf-8")
    finally:
        supervisor.stop()
    assert not (pid_dir / "one.pid").exists()


def test_python_m_huimin_hands_over_to_the_launcher() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "huimin", "run", "--help"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert "--profile" in shown.stdout
    assert "production" in shown.stdout


def test_ensure_system_installs_nginx_without_starting_a_system_one() -> None:
    text = (PROJECT_ROOT / "scripts" / "ensure-system.sh").read_text(encoding="utf-8")
    assert "missing+=(nginx)" in text
    assert "exit 101" in text
    assert "policy-rc.d" in text
