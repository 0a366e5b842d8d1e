"""Small helpers shared by the fault scripts: processes from argument lists, waiting for a URL,
killing by pid, fresh PostgreSQL databases, timings and the result table + JSON.

Nothing here kills by name: every process is started here and ended by the pid recorded then.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
RESULTS_DIR = ROOT / "var" / "faults"
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# What every child process gets: offline models, no telemetry (common brief).
QUIET_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "RASA_TELEMETRY_ENABLED": "false",
    "PYTHONUNBUFFERED": "1",
}


def child_env(**overrides: str) -> dict[str, str]:
    """The current environment with the project on the path and the quiet settings."""
    env = {**os.environ, **QUIET_ENV, "PYTHONPATH": str(ROOT)}
    env.update(overrides)
    return env


def start(argv: Sequence[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a process from an argument list (never a shell), in its own process group, with its
    output appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_group(pid: int, signum: int = signal.SIGKILL) -> None:
    """Signal the process group led by ``pid`` (a process started by :func:`start`)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def stop(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """SIGTERM to the process's group, SIGKILL after ``grace`` seconds."""
    if process.poll() is not None:
        return
    kill_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        kill_group(process.pid, signal.SIGKILL)
        process.wait()


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(url, timeout=timeout).status_code < 500
    except httpx.HTTPError:
        return False


def wait_url(
    url: str,
    *,
    timeout: float,
    process: subprocess.Popen[bytes] | None = None,
    interval: float = 0.1,
) -> float:
    """Seconds until ``url`` answers below 500; TimeoutError (or RuntimeError when ``process``
    exits first) otherwise."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with code {process.returncode}")
        if answers(url):
            return time.monotonic() - started
        time.sleep(interval)
    raise TimeoutError(f"{url} did not answer within {timeout:g}s")


def tail(log: Path, chars: int = 3000) -> str:
    try:
        return log.read_text(encoding="utf-8", errors="replace")[-chars:]
    except FileNotFoundError:
        return ""


def run_checked(argv: Sequence[str], *, env: dict[str, str], log: Path, timeout: float) -> None:
    """Run a one-shot command (migrations); its output goes to ``log``; fail with its tail."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        code = subprocess.run(
            list(argv), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
        ).returncode
    if code:
        raise RuntimeError(f"{' '.join(argv)} failed with code {code}:\n{tail(log)}")


# PostgreSQL ---------------------------------------------------------------------------------


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def database_url(admin_url: str, name: str) -> str:
    """``admin_url`` with its database replaced by ``name`` (SQLAlchemy spelling kept)."""
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


def recreate_database(admin_url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``admin_url``; return its URL."""
    import psycopg

    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name: {name}")
    with psycopg.connect(_psycopg_url(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(admin_url, name)


def query(url: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(_psycopg_url(url)) as conn:
        return list(conn.execute(sql, params).fetchall())


# Timings and results --------------------------------------------------------------------------


@contextlib.contextmanager
def timed() -> Iterator[list[float]]:
    """``with timed() as elapsed: ...`` then ``elapsed[0]`` is the seconds taken."""
    box: list[float] = []
    started = time.monotonic()
    try:
        yield box
    finally:
        box.append(time.monotonic() - started)


@dataclass
class FaultResult:
    fault: str
    mode: str  # short | full
    sent: int = 0
    accepted: int = 0
    # refused while the fault lasted and not retried by the client (a resident resends): the
    # client was told, so neither accepted nor lost
    refused_during_fault: int = 0
    lost: int = 0
    duplicated: int = 0
    faults_injected: int = 0
    recovered: bool = True  # without manual steps, and nothing failed after recovering
    recover_seconds: list[float] = field(default_factory=list)
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)  # any other check that failed
    started_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())

    @property
    def ok(self) -> bool:
        complete = self.accepted + self.refused_during_fault == self.sent
        clean = self.lost == 0 and self.duplicated == 0 and not self.failed_checks
        return self.recovered and clean and complete

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok, "machine_load": os.getloadavg()[0]}

    def table(self) -> str:
        recover = ", ".join(f"{s:.1f}" for s in self.recover_seconds) or "-"
        rows = [
            ("fault", self.fault),
            ("mode", self.mode),
            ("sent", str(self.sent)),
            ("accepted (acknowledged)", str(self.accepted)),
            ("refused during the fault", str(self.refused_during_fault)),
            ("lost", str(self.lost)),
            ("duplicated", str(self.duplicated)),
            ("faults injected", str(self.faults_injected)),
            ("recovered without manual steps", "yes" if self.recovered else "NO"),
            ("time to recover (s)", recover),
            ("run time (s)", f"{self.seconds:.1f}"),
            ("1-min load average", f"{os.getloadavg()[0]:.2f}"),
            *((key, str(value)) for key, value in self.details.items()),
            ("result", "OK" if self.ok else "FAILED"),
        ]
        width = max(len(key) for key, _ in rows)
        lines = [f"| {'':<{width}} | value |", f"|{'-' * (width + 2)}|-------|"]
        lines += [f"| {key:<{width}} | {value} |" for key, value in rows]
        lines += [f"note: {note}" for note in self.notes]
        lines += [f"FAILED CHECK: {check}" for check in self.failed_checks]
        return "\n".join(lines)

    def report(self, out: TextIO = sys.stdout, results_dir: Path = RESULTS_DIR) -> Path:
        """Print the table and the JSON; also write the JSON to ``results_dir/<fault>.json``."""
        data = self.as_json()
        out.write(self.table() + "\n")
        out.write("RESULT_JSON " + json.dumps(data, ensure_ascii=False) + "\n")
        out.flush()
        results_dir.mkdir(parents=True, exist_ok=True)
        path = results_dir / f"{self.fault}-{self.mode}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path


def log(message: str) -> None:
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    print(f"{stamp} {message}", flush=True)
