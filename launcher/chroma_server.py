"""The production profile's knowledge ingest: into the Chroma server's folder, through a Chroma
server the launcher starts for the ingest and stops afterwards (the supervised one starts
with the other processes)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import httpx

from huimin.settings import PROJECT_ROOT, Settings
from launcher.environment import child_environment
from launcher.processes import CHROMA_ENV, chroma_command, chroma_server_path

HEARTBEAT = "/api/v2/heartbeat"


def wait_for_chroma(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma exited early with code {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{HEARTBEAT}", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"chroma did not answer on port {port} within {timeout:g}s")


def ingest_into_server(settings: Settings, run_ingest: Callable[[dict[str, str]], None]) -> None:
    """Start ``chroma run`` on the backend port, ingest straight into it, stop it."""
    chroma_server_path(settings).mkdir(parents=True, exist_ok=True)
    log = (settings.var_dir / "chroma-ingest.log").open("wb")
    process = subprocess.Popen(
        chroma_command(settings),
        cwd=PROJECT_ROOT,
        env={**child_environment(settings), **CHROMA_ENV},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_chroma(settings.chroma_backend_port, process)
        direct = f"http://127.0.0.1:{settings.chroma_backend_port}"
        run_ingest({"HUIMIN_CHROMA_SERVER_URL": direct})
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
