"""Start the whole system (API, action server, Rasa) as real processes on free ports, from the
same argument lists, endpoints file and environment as `make run` (launcher/processes.py).

A pytest plugin (loaded by the root conftest) so that end-to-end tests in any folder share one
running system per session; only tests marked ``e2e`` ask for it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "var" / "models" / "huimin.tar.gz"
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningSystem:
    api_url: str
    rasa_url: str
    internal_token: str
    var_dir: Path
    rasa_token: str = ""  # Rasa's HTTP API (?token=); the REST channel needs none
    action_url: str = ""
    action_secret: str = ""
    pids: dict[str, int] = field(default_factory=dict)  # process name -> pid
    tracker_store_url: str = ""

    def latest_sms_code(self) -> str:
        """The newest one-time code the API "sent": the development SMS sink is the demo's phone
        (var/dev-sms/outbox.txt; production has a gateway instead)."""
        outbox = self.var_dir / "dev-sms" / "outbox.txt"
        lines = outbox.read_text(encoding="utf-8").splitlines()
        found = re.findall(r"(?<!\d)\d{6}(?!\d)", lines[-1].split("\t")[-1])
        assert found, "no code in the last development SMS"
        return found[-1]

    def say(self, sender: str, message: str) -> list[dict]:
        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        response.raise_for_status()
        return list(response.json())


def _wait(url: str, process: subprocess.Popen, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early with code {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{name} did not answer at {url} within {timeout}s")


@pytest.fixture(scope="session")
def running_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    if not MODEL.exists():
        reason = "no trained Rasa model: run `make test` (it trains before the e2e step)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from huimin.settings import Settings
    from launcher.processes import child_environment, process_specs, write_endpoints

    var_dir = tmp_path_factory.mktemp("e2e-var")
    api_port, action_port, rasa_port = free_port(), free_port(), free_port()
    overrides = {
        "HUIMIN_VAR_DIR": str(var_dir),
        "HUIMIN_DATABASE_URL": "",
        "HUIMIN_ENVIRONMENT": "development",
        "HUIMIN_API_PORT": str(api_port),
        "HUIMIN_API_URL": f"http://127.0.0.1:{api_port}",
        "HUIMIN_RASA_PORT": str(rasa_port),
        "HUIMIN_RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "HUIMIN_ACTION_PORT": str(action_port),
    }
    settings = Settings(
        var_dir=var_dir,
        database_url="",
        tracker_store_url="",
        environment="development",
        api_port=api_port,
        api_url=f"http://127.0.0.1:{api_port}",
        rasa_port=rasa_port,
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_port=action_port,
    )
    # as the launcher: child_environment also exports the secret and the tracker store URL
    # (SQLite under var_dir) that the generated endpoints file refers to
    env = {**child_environment(settings), **overrides}
    (var_dir / "models").mkdir()
    (var_dir / "models" / MODEL.name).symlink_to(MODEL)
    write_endpoints(settings)
    py = sys.executable
    for args in (["workflows", "migrate"], ["workflows", "seed-demo"], ["knowledge", "ingest"]):
        subprocess.run([py, "-m", *args], cwd=ROOT, env=env, check=True, timeout=600)
    logs = var_dir / "logs"
    logs.mkdir()
    # what `make run` starts without Telegram and SMS settings: api, actions, rasa
    commands = {spec.name: spec.command for spec in process_specs(settings)}
    processes = {
        name: subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=(logs / f"{name}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for name, cmd in commands.items()
    }
    try:
        _wait(f"http://127.0.0.1:{api_port}/api/health", processes["api"], "api", 120)
        _wait(f"http://127.0.0.1:{action_port}/health", processes["actions"], "actions", 60)
        token = settings.rasa_auth_token.get_secret_value()
        _wait(f"http://127.0.0.1:{rasa_port}/status?token={token}", processes["rasa"], "rasa", 240)
        yield RunningSystem(
            api_url=f"http://127.0.0.1:{api_port}",
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            internal_token=settings.internal_token.get_secret_value(),
            var_dir=var_dir,
            rasa_token=settings.rasa_auth_token.get_secret_value(),
            action_url=f"http://127.0.0.1:{action_port}",
            action_secret=settings.action_secret.get_secret_value(),
            pids={name: process.pid for name, process in processes.items()},
            tracker_store_url=settings.effective_tracker_store_url,
        )
    except Exception:
        for name in processes:
            print(
                f"--- {name} log ---\n{(logs / f'{name}.log').read_text(errors='replace')[-4000:]}"
            )
        raise
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(var_dir / "chroma", ignore_errors=True)
