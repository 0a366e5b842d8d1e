"""Fuzz every operation of the API's OpenAPI schema with schemathesis; report any 5xx.

Starts a real API process on a temporary SQLite database with the demo staff, then runs
`schemathesis run` twice over all operations: once with the internal token (the action server's
identity) and once with a staff bearer token (the district supervisor). The check is
`not_a_server_error`: every answer must be a 2xx-4xx, never a 5xx.

Usage:
    .venv/bin/python scripts/fuzz_api.py [--max-time 120] [--out var/fuzz]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo-pass-2026"  # printed by `python -m workflows seed-demo` (development only)
INTERNAL_TOKEN = "dev-only-internal-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the API exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"no answer from {url}")


def run_schemathesis(
    base: str, header: str, label: str, out: Path, max_time: int
) -> tuple[int, str]:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "not_a_server_error",
        "--header",
        header,
        "--max-time",
        str(max_time),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--continue-on-failure",
        "--report",
        "junit",
        "--report-dir",
        str(out / label),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    (out / f"{label}.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    return result.returncode, result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-time", type=int, default=120, help="seconds per run")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "fuzz")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    var_dir = Path(tempfile.mkdtemp(prefix="huimin-fuzz-"))
    port = free_port()
    env = dict(os.environ)
    env.update(
        HUIMIN_VAR_DIR=str(var_dir),
        HUIMIN_DATABASE_URL="",
        HUIMIN_ENVIRONMENT="development",
        HUIMIN_API_PORT=str(port),
        HUIMIN_INTERNAL_TOKEN=INTERNAL_TOKEN,
        HUIMIN_PASSWORD_HASH_ROUNDS="4",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
    )
    python = sys.executable
    for step in (["workflows", "migrate"], ["workflows", "seed-demo"], ["knowledge", "ingest"]):
        subprocess.run([python, "-m", *step], cwd=ROOT, env=env, check=True, capture_output=True)
    log = (args.out / "api.log").open("wb")
    api = subprocess.Popen(
        [python, "-m", "workflows", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    failures = 0
    try:
        wait_for(f"{base}/api/health", api)
        answer = httpx.post(
            f"{base}/api/auth/token",
            data={"username": "supervisor", "password": DEMO_PASSWORD},
            timeout=30,
        )
        answer.raise_for_status()
        staff_token = answer.json()["access_token"]
        runs = (
            ("internal", f"X-Internal-Token: {INTERNAL_TOKEN}"),
            ("staff", f"Authorization: Bearer {staff_token}"),
        )
        for label, header in runs:
            code, stdout = run_schemathesis(base, header, label, args.out, args.max_time)
            tail = "\n".join(stdout.strip().splitlines()[-12:])
            print(f"--- {label}: schemathesis exit {code}\n{tail}\n")
            failures += code != 0
    finally:
        api.terminate()
        api.wait(timeout=30)
        log.close()
    server_errors = (args.out / "api.log").read_text(errors="replace").count(" 500 ")
    print(f"API log lines with a 500: {server_errors}; logs in {args.out}")
    return 1 if failures or server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
