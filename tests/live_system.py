"""Start the whole system (API, action server, Rasa) as real processes on free ports.

A pytest plugin (loaded by the root conftest) so that end-to-end tests in any folder share one
running system per session; only tests marked ``e2e`` ask for it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
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
    var_dir = tmp_path_factory.mktemp("e2e-var")
    api_port, action_port, rasa_port = free_port(), free_port(), free_port()
    env = dict(os.environ)
    env.update(
        HUIMIN_VAR_DIR=str(var_dir),
        HUIMIN_DATABASE_URL="",
        HUIMIN_ENVIRONMENT="development",
        HUIMIN_API_PORT=str(api_port),
        HUIMIN_API_URL=f"http://127.0.0.1:{api_port}",
        HUIMIN_RASA_PORT=str(rasa_port),
        HUIMIN_RASA_URL=f"http://127.0.0.1:{rasa_port}",
        HUIMIN_ACTION_PORT=str(action_port),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        PYTHONUNBUFFERED="1",
    )
    endpoints = var_dir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n', encoding="utf-8"
    )
    py = sys.executable
    for args in (["workflows", "migrate"], ["workflows", "seed-demo"], ["knowledge", "ingest"]):
        subprocess.run([py, "-m", *args], cwd=ROOT, env=env, check=True, timeout=600)
    logs = var_dir / "logs"
    logs.mkdir()
    commands = {
        "api": [py, "-m", "workflows", "serve", "--port", str(api_port)],
        "actions": [py, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
        "rasa": [
            str(RASA_BIN),
            "run",
            "--enable-api",
            "-i",
            "127.0.0.1",
            "-p",
            str(rasa_port),
            "--model",
            str(MODEL),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(ROOT / "bot" / "credentials.yml"),
        ],
    }
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
        _wait(f"http://127.0.0.1:{rasa_port}/status", processes["rasa"], "rasa", 240)
        yield RunningSystem(
            api_url=f"http://127.0.0.1:{api_port}",
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            internal_token=env.get("HUIMIN_INTERNAL_TOKEN", "dev-only-internal-token"),
            var_dir=var_dir,
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
