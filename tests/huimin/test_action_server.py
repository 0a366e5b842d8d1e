"""The action server (``python -m actions.server``) as a real process: it listens on loopback,
refuses /webhook and /actions without the shared secret, runs actions with it, serves TLS when a
certificate is configured, and refuses to start in production on the demo secret."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from huimin.settings import ACTION_SECRET_HEADER, PROJECT_ROOT
from tests.huimin.listening import is_loopback, listening_addresses

SECRET = "test-action-secret-7c1d"
ACTION_CALL = {
    "next_action": "action_decline_offer",
    "sender_id": "telegram:42",
    "tracker": {"sender_id": "telegram:42", "slots": {"offer": "apply"}, "events": []},
    "domain": {},
    "version": "3.6.21",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ActionServer:
    process: subprocess.Popen[bytes]
    url: str


def start(tmp_path: Path, scheme: str = "http", **env: str) -> ActionServer:
    port = free_port()
    environment = {
        **os.environ,
        "HUIMIN_ENVIRONMENT": "development",
        "HUIMIN_VAR_DIR": str(tmp_path),
        "HUIMIN_ACTION_PORT": str(port),
        "HUIMIN_ACTION_SECRET": SECRET,
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.server"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=(tmp_path / "actions.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"{scheme}://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            httpx.get(f"{url}/health", timeout=2, verify=False)
            return ActionServer(process, url)
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    log = (tmp_path / "actions.log").read_text(errors="replace")
    raise AssertionError(f"action server did not start:\n{log[-3000:]}")


def stop(server: ActionServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture
def action_server(tmp_path: Path) -> Iterator[ActionServer]:
    server = start(tmp_path)
    yield server
    stop(server)


def test_listens_on_loopback_only(action_server: ActionServer) -> None:
    addresses = listening_addresses(action_server.process.pid)
    port = int(action_server.url.rsplit(":", 1)[1])
    assert addresses, "the action server listens on no TCP socket"
    assert port in {p for _a, p in addresses}
    assert all(is_loopback(address) for address, _port in addresses), addresses


def test_webhook_without_the_secret_is_refused(action_server: ActionServer) -> None:
    missing = httpx.post(f"{action_server.url}/webhook", json=ACTION_CALL, timeout=10)
    wrong = httpx.post(
        f"{action_server.url}/webhook",
        json=ACTION_CALL,
        headers={ACTION_SECRET_HEADER: SECRET + "x"},
        timeout=10,
    )
    listing = httpx.get(f"{action_server.url}/actions", timeout=10)
    assert missing.status_code == 401
    assert wrong.status_code == 401
    assert listing.status_code == 401
    assert "events" not in missing.text
    assert "未授权" in missing.json()["error"]


def test_webhook_with_the_secret_runs_the_action(action_server: ActionServer) -> None:
    answer = httpx.post(
        f"{action_server.url}/webhook",
        json=ACTION_CALL,
        headers={ACTION_SECRET_HEADER: SECRET},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["events"][0] == {
        "event": "slot",
        "timestamp": None,
        "name": "offer",
        "value": None,
    }
    assert httpx.get(f"{action_server.url}/health", timeout=10).status_code == 200


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_serves_tls_with_a_certificate(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = start(
        tmp_path,
        scheme="https",
        HUIMIN_ACTION_SSL_CERTIFICATE=str(cert),
        HUIMIN_ACTION_SSL_KEYFILE=str(key),
    )
    try:
        answer = httpx.post(
            f"{server.url}/webhook",
            json=ACTION_CALL,
            headers={ACTION_SECRET_HEADER: SECRET},
            verify=ssl.create_default_context(cafile=str(cert)),
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        with pytest.raises(httpx.HTTPError):
            httpx.get(server.url.replace("https", "http") + "/health", timeout=5)
    finally:
        stop(server)


def test_production_refuses_the_demo_secret(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HUIMIN_ENVIRONMENT": "production",
        "HUIMIN_VAR_DIR": str(tmp_path),
        "HUIMIN_ACTION_PORT": str(free_port()),
        "HUIMIN_ACTION_SECRET": "dev-only-action-secret",
    }
    result = subprocess.run(
        [sys.executable, "-m", "actions.server"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 78
    assert "HUIMIN_ACTION_SECRET" in result.stderr
