"""A small process supervisor: children started from argument lists (never through a shell).

Like honcho, which ``make run`` used before: each output line is prefixed with the time and the
process name; Ctrl-C or SIGTERM stops every child; when one child exits the others are stopped and
its exit status is returned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TextIO

STOP_GRACE_SECONDS = 20.0


@dataclass(frozen=True)
class Child:
    name: str
    argv: Sequence[str]


class Supervisor:
    def __init__(
        self,
        children: Sequence[Child],
        *,
        cwd: Path,
        env: dict[str, str],
        out: TextIO,
        grace_seconds: float = STOP_GRACE_SECONDS,
    ) -> None:
        self.children = list(children)
        self.cwd = cwd
        self.env = env
        self.out = out
        self.grace_seconds = grace_seconds
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._events: queue.Queue[tuple[str, str, int | None]] = queue.Queue()
        self._lock = threading.Lock()
        self._width = max((len(child.name) for child in self.children), default=0)

    def _print(self, name: str, line: str) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        with self._lock:
            self.out.write(f"{stamp} {name:<{self._width}} | {line}\n")
            self.out.flush()

    def _pump(self, name: str, stream: IO[bytes], process: subprocess.Popen[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self._print(name, raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        stream.close()
        self._events.put(("exit", name, process.wait()))

    def start(self) -> None:
        for child in self.children:
            process = subprocess.Popen(
                list(child.argv),
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the terminal's Ctrl-C reaches us; we stop the children
            )
            self.processes[child.name] = process
            self._print(child.name, f"started with pid {process.pid}")
            assert process.stdout is not None
            threading.Thread(
                target=self._pump, args=(child.name, process.stdout, process), daemon=True
            ).start()

    def request_stop(self, signum: int) -> None:
        """Signal-safe: only queues the request."""
        self._events.put(("signal", signal.Signals(signum).name, None))

    def stop(self) -> None:
        """SIGTERM to every child's process group, SIGKILL after the grace period."""
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=self.grace_seconds)
            except subprocess.TimeoutExpired:
                self._print(name, "did not stop in time, killing it")
                _signal_group(process, signal.SIGKILL)
                process.wait()

    def wait(self) -> int:
        """Until a child exits or a stop is requested; then stop all. Returns the exit status."""
        while True:
            try:
                kind, name, code = self._events.get(timeout=0.5)
                break
            except queue.Empty:
                continue
        if kind == "exit":
            self._print(name, f"exited with code {code}")
            status = code or 0
        else:
            self._print("system", f"{name} received, stopping all processes")
            status = 0
        self.stop()
        return status

    def run(self) -> int:
        """Start, wait, stop; SIGINT/SIGTERM handlers installed for the duration."""
        previous = {
            signum: signal.signal(signum, lambda number, _frame: self.request_stop(number))
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            self.start()
            return self.wait()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """The child leads its own process group (start_new_session): its helpers stop with it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)
