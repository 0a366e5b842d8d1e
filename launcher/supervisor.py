"""A small process supervisor: children started from argument lists (never through a shell).

Like honcho, which ``make run`` used before: each output line is prefixed with the time and the
process name; Ctrl-C or SIGTERM stops every child. Unlike honcho, a child that dies is restarted
with exponential back-off while the others keep serving (``RestartPolicy``); a child that keeps
dying within seconds of its start is a broken configuration, not a crash, and after
``max_fast_failures`` such starts in a row the supervisor stops everything with its exit status.
A child marked ``restart=False`` (a one-shot job) stops the others when it exits, as before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO

STOP_GRACE_SECONDS = 20.0


@dataclass(frozen=True)
class RestartPolicy:
    """Back-off ``initial_delay * 2**(n-1)`` capped at ``max_delay`` for the n-th restart in a row;
    the count starts over once a child has run ``stable_after`` seconds. A start that dies within
    ``fast_failure_within`` seconds is a fast failure; ``max_fast_failures`` of them in a row end
    the supervision."""

    initial_delay: float = 1.0
    max_delay: float = 30.0
    stable_after: float = 60.0
    fast_failure_within: float = 5.0
    max_fast_failures: int = 5

    def delay(self, restarts_in_a_row: int) -> float:
        exponent = max(restarts_in_a_row - 1, 0)
        return float(min(self.initial_delay * (2**exponent), self.max_delay))


@dataclass(frozen=True)
class Child:
    name: str
    argv: Sequence[str]
    restart: bool = True
    env: Mapping[str, str] = field(default_factory=dict)  # on top of the supervisor's


@dataclass
class _ChildState:
    started_at: float = 0.0
    restarts_in_a_row: int = 0
    fast_failures_in_a_row: int = 0
    restart_at: float | None = None
    starts: int = 0


class Supervisor:
    def __init__(
        self,
        children: Sequence[Child],
        *,
        cwd: Path,
        env: dict[str, str],
        out: TextIO,
        grace_seconds: float = STOP_GRACE_SECONDS,
        policy: RestartPolicy | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        pid_dir: Path | None = None,
    ) -> None:
        self.children = {child.name: child for child in children}
        self.cwd = cwd
        self.env = env
        self.out = out
        self.grace_seconds = grace_seconds
        self.policy = policy or RestartPolicy()
        self.monotonic = monotonic
        self.pid_dir = pid_dir  # <name>.pid of each running child (fault scripts read them)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.states: dict[str, _ChildState] = {name: _ChildState() for name in self.children}
        self._events: queue.Queue[tuple[str, str, int | None, object]] = queue.Queue()
        self._lock = threading.Lock()
        self._width = max((len(name) for name in self.children), default=0)

    def _print(self, name: str, line: str) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        with self._lock:
            self.out.write(f"{stamp} {name:<{self._width}} | {line}\n")
            self.out.flush()

    def _pump(self, name: str, stream: IO[bytes], process: subprocess.Popen[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self._print(name, raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        stream.close()
        self._events.put(("exit", name, process.wait(), process))

    def _start_child(self, child: Child) -> None:
        process = subprocess.Popen(
            list(child.argv),
            cwd=self.cwd,
            env={**self.env, **child.env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the terminal's Ctrl-C reaches us; we stop the children
        )
        state = self.states[child.name]
        state.started_at = self.monotonic()
        state.restart_at = None
        state.starts += 1
        self.processes[child.name] = process
        self._print(child.name, f"started with pid {process.pid}")
        if self.pid_dir is not None:
            self.pid_dir.mkdir(parents=True, exist_ok=True)
            (self.pid_dir / f"{child.name}.pid").write_text(f"{process.pid}\n", encoding="utf-8")
        assert process.stdout is not None
        threading.Thread(
            target=self._pump, args=(child.name, process.stdout, process), daemon=True
        ).start()

    def start(self) -> None:
        for child in self.children.values():
            self._start_child(child)

    def request_stop(self, signum: int) -> None:
        """Signal-safe: only queues the request."""
        self._events.put(("signal", signal.Signals(signum).name, None, None))

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
        if self.pid_dir is not None:
            for name in self.processes:
                (self.pid_dir / f"{name}.pid").unlink(missing_ok=True)

    def _on_exit(self, name: str, code: int | None) -> int | None:
        """Schedule a restart; return an exit status when supervision must end instead."""
        self._print(name, f"exited with code {code}")
        child = self.children[name]
        if not child.restart:
            return code or 0
        state = self.states[name]
        uptime = self.monotonic() - state.started_at
        if uptime >= self.policy.stable_after:
            state.restarts_in_a_row = 0
        if uptime < self.policy.fast_failure_within:
            state.fast_failures_in_a_row += 1
        else:
            state.fast_failures_in_a_row = 0
        if state.fast_failures_in_a_row >= self.policy.max_fast_failures:
            self._print(
                name,
                f"died within {self.policy.fast_failure_within:g}s of starting "
                f"{state.fast_failures_in_a_row} times in a row; stopping all processes",
            )
            return code or 1
        state.restarts_in_a_row += 1
        delay = self.policy.delay(state.restarts_in_a_row)
        state.restart_at = self.monotonic() + delay
        self._print(name, f"restarting in {delay:g}s (restart {state.restarts_in_a_row} in a row)")
        return None

    def _due_restarts(self) -> None:
        now = self.monotonic()
        for name, state in self.states.items():
            if state.restart_at is not None and state.restart_at <= now:
                self._start_child(self.children[name])

    def wait(self) -> int:
        """Until a stop is requested or a child cannot be kept running; then stop all."""
        while True:
            self._due_restarts()
            try:
                kind, name, code, process = self._events.get(timeout=0.2)
            except queue.Empty:
                continue
            if kind == "signal":
                self._print("system", f"{name} received, stopping all processes")
                status = 0
                break
            if process is not self.processes.get(name):
                continue  # an older incarnation's late exit report
            outcome = self._on_exit(name, code)
            if outcome is not None:
                status = outcome
                break
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
