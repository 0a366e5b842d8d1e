"""Start the production profile (``python -m launcher run --profile production``) on a block of
ports with databases of its own, wait until ``/api/health`` shows every server up, and stop it.
Used by the fault scripts in this folder, ``scripts/load_test.py`` and the failover test.

Needs PostgreSQL (``HUIMIN_TEST_POSTGRES_URL``, default postgres@127.0.0.1:5432/test: two
databases ``<prefix>_api`` / ``<prefix>_rasa`` are created and dropped), Redis
(``HUIMIN_TEST_REDIS_URL``, default redis://127.0.0.1:6379/15), RabbitMQ
(``HUIMIN_TEST_AMQP_URL``, default amqp://guest:guest@127.0.0.1:5672/), nginx and a trained
model in var/models (``python -m launcher train``), which is linked, not copied.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = ROOT / "var" / "models"
# a Chroma server folder from an earlier run: the ingest then embeds only changed documents
CHROMA_CACHE = ROOT / "var" / "chroma-server-cache"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
RASA_TOKEN = "fault-rasa-token-0123456789"
CHROMA_TOKEN = "fault-chroma-token-0123456789"


class NotAvailable(RuntimeError):  # noqa: N818 - names the condition
    """A service or file the production profile needs is missing (a skip, or a CI failure)."""


def _pg_admin_url() -> str:
    return os.environ.get("HUIMIN_TEST_POSTGRES_URL", DEFAULT_PG).split("?", 1)[0]


def _database_url(name: str, driver: str = "postgresql+psycopg") -> str:
    base = _pg_admin_url()
    rest = base.split("://", 1)[1].rsplit("/", 1)[0]
    return f"{driver}://{rest}/{name}"


def _admin_execute(statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@dataclass
class ProductionSystem:
    var_dir: Path
    base_port: int
    prefix: str
    rasa_replicas: int = 2
    action_replicas: int = 2
    api_workers: int = 2
    log_path: Path = field(init=False)
    process: subprocess.Popen[bytes] | None = None
    log_file: Any = None

    def __post_init__(self) -> None:
        self.log_path = self.var_dir / "launcher.log"

    # ports: api +0, rasa balancer +1, action balancer +2, chroma front +3, chroma +4,
    # Rasa replicas +10.., action replicas +20..
    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.base_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.base_port + 1}"

    @property
    def rasa_token(self) -> str:
        return RASA_TOKEN

    def environment(self) -> dict[str, str]:
        port = self.base_port
        env = dict(os.environ)
        env.update(
            {
                "HUIMIN_PROFILE": "production",
                "HUIMIN_ENVIRONMENT": "test",
                "HUIMIN_VAR_DIR": str(self.var_dir),
                "HUIMIN_DATABASE_URL": _database_url(f"{self.prefix}_api"),
                "HUIMIN_TRACKER_STORE_URL": _database_url(f"{self.prefix}_rasa", "postgresql"),
                "HUIMIN_REDIS_URL": os.environ.get("HUIMIN_TEST_REDIS_URL", DEFAULT_REDIS),
                "HUIMIN_LOCK_STORE_URL": "",
                "HUIMIN_EVENT_BROKER_URL": os.environ.get("HUIMIN_TEST_AMQP_URL", DEFAULT_AMQP),
                "HUIMIN_EVENT_BROKER_QUEUE": f"{self.prefix}_events",
                "HUIMIN_API_PORT": str(port),
                "HUIMIN_API_URL": self.api_url,
                "HUIMIN_PUBLIC_BASE_URL": self.api_url,
                "HUIMIN_RASA_PORT": str(port + 1),
                "HUIMIN_RASA_URL": self.rasa_url,
                "HUIMIN_ACTION_PORT": str(port + 2),
                "HUIMIN_CHROMA_PORT": str(port + 3),
                "HUIMIN_CHROMA_BACKEND_PORT": str(port + 4),
                "HUIMIN_RASA_REPLICA_BASE_PORT": str(port + 10),
                "HUIMIN_ACTION_REPLICA_BASE_PORT": str(port + 20),
                "HUIMIN_RASA_REPLICAS": str(self.rasa_replicas),
                "HUIMIN_ACTION_REPLICAS": str(self.action_replicas),
                "HUIMIN_API_WORKERS": str(self.api_workers),
                "HUIMIN_RASA_AUTH_TOKEN": RASA_TOKEN,
                "HUIMIN_CHROMA_TOKEN": CHROMA_TOKEN,
                "HUIMIN_CHROMA_SERVER_URL": "",
                "HUIMIN_TELEGRAM_TOKEN": "",
                "HUIMIN_WECHAT_TOKEN": "",
                "HUIMIN_SMS_GATEWAY_URL": "",
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "ANONYMIZED_TELEMETRY": "False",
                "RASA_TELEMETRY_ENABLED": "false",
                "PYTHONPATH": str(ROOT),
            }
        )
        return env

    def start(self, *, ready_within: float | None = None) -> dict[str, Any]:
        """Create the databases, link the model, start the launcher; the health payload."""
        model = MODEL_DIR / "huimin.tar.gz"
        if not model.exists():
            raise NotAvailable(f"no trained Rasa model at {model} (python -m launcher train)")
        self.var_dir.mkdir(parents=True, exist_ok=True)
        (self.var_dir / "models").mkdir(exist_ok=True)
        for name in ("huimin.tar.gz", "huimin.fingerprint"):
            target = self.var_dir / "models" / name
            if (MODEL_DIR / name).exists() and not target.exists():
                target.symlink_to(MODEL_DIR / name)
        chroma_dir = self.var_dir / "chroma-server"
        if CHROMA_CACHE.is_dir() and not chroma_dir.exists():
            shutil.copytree(CHROMA_CACHE, chroma_dir)
        try:
            for suffix in ("api", "rasa"):
                _admin_execute(f'DROP DATABASE IF EXISTS "{self.prefix}_{suffix}"')
                _admin_execute(f'CREATE DATABASE "{self.prefix}_{suffix}"')
        except Exception as exc:
            raise NotAvailable(f"PostgreSQL unavailable: {type(exc).__name__}: {exc}") from None
        self.log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "launcher", "run", "--profile", "production"],
            cwd=ROOT,
            env=self.environment(),
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # Rasa loads its model in ~1 min on a quiet machine, 5+ min on a crowded one
        within = ready_within or float(os.environ.get("HUIMIN_FAULT_READY_SECONDS", "900"))
        return self.wait_ready(within=within)

    def health(self) -> dict[str, Any]:
        answer = httpx.get(f"{self.api_url}/api/health", timeout=15)
        answer.raise_for_status()
        payload: dict[str, Any] = answer.json()
        return payload

    def wait_ready(self, *, within: float) -> dict[str, Any]:
        """Until every dependency /api/health lists is up (Rasa servers, balancer, ...)."""
        deadline = time.monotonic() + within
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"the launcher exited with {self.process.returncode}; "
                    f"see {self.log_path}:\n{self.log_tail()}"
                )
            try:
                last = self.health()
            except (httpx.HTTPError, ValueError):
                time.sleep(3)
                continue
            rows = last.get("dependencies", [])
            if rows and all(row["ok"] for row in rows):
                return last
            time.sleep(3)
        raise TimeoutError(
            f"not ready within {within:g}s: {json.dumps(last, ensure_ascii=False)[:1500]}\n"
            f"{self.log_tail()}"
        )

    def pid(self, name: str) -> int:
        """The pid of a supervised child, as the supervisor wrote it (var/run/<name>.pid)."""
        return int((self.var_dir / "run" / f"{name}.pid").read_text(encoding="utf-8").strip())

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self, *, drop: bool = True) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.log_file is not None:
            self.log_file.close()
        chroma_dir = self.var_dir / "chroma-server"
        if not CHROMA_CACHE.exists() and (chroma_dir / "chroma.sqlite3").exists():
            partial = CHROMA_CACHE.with_name(CHROMA_CACHE.name + f".{os.getpid()}")
            shutil.copytree(chroma_dir, partial)
            try:
                partial.rename(CHROMA_CACHE)
            except OSError:  # another run was first
                shutil.rmtree(partial, ignore_errors=True)
        if drop:
            from workflows.probes import amqp_login, delete_queue

            queue = f"{self.prefix}_events"
            try:  # Rasa's events of this run: nobody consumes them
                amqp_login(
                    os.environ.get("HUIMIN_TEST_AMQP_URL", DEFAULT_AMQP),
                    5.0,
                    then=lambda sock: delete_queue(sock, queue),
                )
            except Exception as exc:  # report, keep stopping
                print(f"could not delete the queue {queue}: {exc}", file=sys.stderr)
            for suffix in ("api", "rasa"):
                try:
                    _admin_execute(f'DROP DATABASE IF EXISTS "{self.prefix}_{suffix}" WITH (FORCE)')
                except Exception as exc:  # report, keep stopping
                    print(f"could not drop {self.prefix}_{suffix}: {exc}", file=sys.stderr)


def new_prefix(base: str = "huimin_prod") -> str:
    return f"{base}_{uuid.uuid4().hex[:8]}"


def latest_sms_code(var_dir: Path) -> str:
    """The newest one-time code in the development SMS sink (HUIMIN_ENVIRONMENT=test)."""
    import re

    lines = (var_dir / "dev-sms" / "outbox.txt").read_text(encoding="utf-8").splitlines()
    found = re.findall(r"(?<!\d)\d{6}(?!\d)", lines[-1].split("\t")[-1])
    if not found:
        raise AssertionError("no code in the last development SMS")
    return str(found[-1])
