"""Fault: the API is killed (SIGKILL) while residents' applications are being submitted.

The API (``python -m workflows serve``) runs on its own PostgreSQL database under the project's
supervisor (``launcher/supervisor.py``), which restarts it with back-off. Clients submit
applications as the action server does (internal token, ``Idempotency-Key``) and retry on
connection errors and 5xx with the same key. The API is killed ``--kills`` times mid-run.
Judged: every acknowledged submission exists exactly once in the database (0 lost), no
application was created twice (0 duplicated), every submission was acknowledged in the end,
and the time from each kill until the API answered again.

Run from the repository root:
    .venv/bin/python -m scripts.faults.api_killed --short   # make test: 30 submissions, 2 kills
    .venv/bin/python -m scripts.faults.api_killed           # full: 100 submissions, 3 kills
Against an API that runs elsewhere (e.g. the production profile), give its URL and database and
the command that kills one API process (run as an argument list, never through a shell):
    ... --api-url http://127.0.0.1:8000 --database-url postgresql+psycopg://... \\
        --kill-command "kill -9 <pid>"
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx

from launcher.supervisor import Child, RestartPolicy, Supervisor
from scripts.faults.common import (
    DEFAULT_ADMIN_URL,
    PYTHON,
    RESULTS_DIR,
    ROOT,
    FaultResult,
    child_env,
    kill_group,
    log,
    recreate_database,
    run_checked,
    tail,
    wait_url,
)
from scripts.faults.submissions import (
    Outcome,
    check_replays,
    check_stored,
    submit_with_retries,
)

FAULT = "api_killed"


class SupervisedApi:
    """The API under :class:`Supervisor` in a background thread; ``kill()`` SIGKILLs the
    current incarnation's process group (the supervisor then restarts it)."""

    def __init__(self, *, port: int, env: dict[str, str], log_path: Path) -> None:
        argv = [PYTHON, "-m", "workflows", "serve", "--port", str(port)]
        self.log_path = log_path
        self._out = log_path.open("a", encoding="utf-8")
        self.supervisor = Supervisor(
            [Child("api", argv)],
            cwd=ROOT,
            env=env,
            out=self._out,
            grace_seconds=10,
            policy=RestartPolicy(initial_delay=0.5, max_delay=4.0, stable_after=30.0),
        )
        self._thread = threading.Thread(target=self._run, name="supervisor", daemon=True)
        self.status: int | None = None

    def _run(self) -> None:
        self.supervisor.start()
        self.status = self.supervisor.wait()

    def start(self) -> None:
        self._thread.start()

    def kill(self) -> int:
        process = self.supervisor.processes["api"]
        kill_group(process.pid, signal.SIGKILL)
        return process.pid

    def starts(self) -> int:
        return self.supervisor.states["api"].starts

    def stop(self) -> None:
        self.supervisor.request_stop(signal.SIGTERM)
        self._thread.join(timeout=30)
        self._out.close()


async def _client_run(
    *,
    api_url: str,
    internal_token: str,
    run: str,
    count: int,
    concurrency: int,
    deadline: float,
    progress: list[int],
    kills_done: list[int],
    thresholds: Sequence[int],
) -> list[Outcome]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(count):
        queue.put_nowait(index)
    outcomes: list[Outcome] = []
    timeout = httpx.Timeout(10.0, connect=2.0)
    async with httpx.AsyncClient(base_url=api_url, timeout=timeout) as client:

        async def worker() -> None:
            while not queue.empty():
                # hold at each kill's threshold until that kill happened, so that a fast
                # recovery cannot let every submission finish before the next kill
                due = sum(1 for threshold in thresholds if progress[0] >= threshold)
                while kills_done[0] < due and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                index = queue.get_nowait()
                outcome = await submit_with_retries(
                    client,
                    run=run,
                    index=index,
                    internal_token=internal_token,
                    deadline=deadline,
                )
                outcomes.append(outcome)
                progress[0] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return outcomes


def _killer(
    *,
    kill: Callable[[], int],
    health_url: str,
    kills: int,
    count: int,
    progress: list[int],
    recover: list[float],
    done: threading.Event,
    kills_done: list[int],
) -> None:
    """Kill after each 1/(kills+1) of the submissions were answered; time the recovery."""
    for number in range(1, kills + 1):
        threshold = count * number // (kills + 1)
        while progress[0] < threshold and not done.is_set():
            time.sleep(0.05)
        if done.is_set():
            return
        killed_at = time.monotonic()
        pid = kill()
        kills_done[0] += 1
        log(f"kill {number}/{kills}: SIGKILL to the API (pid {pid}) after {progress[0]} answers")
        time.sleep(0.3)  # let the old process die before asking who answers
        try:
            wait_url(health_url, timeout=120, interval=0.1)
        except TimeoutError:
            log("the API did not come back within 120 s")
            return
        recover.append(time.monotonic() - killed_at)
        log(f"the API answers again {recover[-1]:.1f}s after the kill")


def _internal_kill(command: Sequence[str]) -> int:
    subprocess.run(list(command), check=True)
    return -1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the make test form")
    parser.add_argument("--submissions", type=int, default=None)
    parser.add_argument("--kills", type=int, default=None)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=5201, help="API port (helper range 52xx)")
    parser.add_argument(
        "--admin-url",
        default=DEFAULT_ADMIN_URL,
        help="PostgreSQL server where the database --database-name is (re)created",
    )
    parser.add_argument("--database-name", default="f_faults")
    parser.add_argument("--api-url", default=None, help="an API started elsewhere (not started)")
    parser.add_argument("--database-url", default=None, help="that API's database")
    parser.add_argument("--kill-command", default=None, help="kills that API once (argv)")
    parser.add_argument("--internal-token", default=None, help="that API's internal token")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    count = args.submissions or (30 if args.short else 100)
    kills = args.kills if args.kills is not None else (2 if args.short else 3)
    mode = "short" if args.short else "full"
    result = FaultResult(fault=FAULT, mode=mode, sent=count)
    run = f"f-{uuid.uuid4().hex[:8]}"
    log_dir = args.results_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    api: SupervisedApi | None = None
    if args.api_url:
        if not (args.database_url and args.kill_command and args.internal_token):
            parser.error("--api-url needs --database-url, --kill-command and --internal-token")
        api_url, database_url, token = args.api_url, args.database_url, args.internal_token
        command = shlex.split(args.kill_command)

        def kill() -> int:
            return _internal_kill(command)

    else:
        database_url = recreate_database(args.admin_url, args.database_name)
        api_url = f"http://127.0.0.1:{args.port}"
        token = "f-faults-internal-token"
        env = child_env(
            HUIMIN_ENVIRONMENT="development",
            HUIMIN_DATABASE_URL=database_url,
            HUIMIN_VAR_DIR=str(args.results_dir / "var-api"),
            HUIMIN_API_PORT=str(args.port),
            HUIMIN_INTERNAL_TOKEN=token,
        )
        api_log = log_dir / f"{FAULT}-api.log"
        api_log.write_text("", encoding="utf-8")
        log(f"migrating {args.database_name}")
        run_checked([PYTHON, "-m", "workflows", "migrate"], env=env, log=api_log, timeout=300)
        api = SupervisedApi(port=args.port, env=env, log_path=api_log)
        api.start()
        kill = api.kill
    health = f"{api_url}/api/health"
    try:
        result.details["api start (s)"] = round(wait_url(health, timeout=120), 1)
        log(f"API up; {count} submissions, {args.concurrency} at a time, {kills} kills")
        progress = [0]
        kills_done = [0]
        thresholds = [count * number // (kills + 1) for number in range(1, kills + 1)]
        recover: list[float] = []
        done = threading.Event()
        killer = threading.Thread(
            target=_killer,
            kwargs={
                "kill": kill,
                "health_url": health,
                "kills": kills,
                "count": count,
                "progress": progress,
                "recover": recover,
                "done": done,
                "kills_done": kills_done,
            },
            daemon=True,
        )
        killer.start()
        outcomes = asyncio.run(
            _client_run(
                api_url=api_url,
                internal_token=token,
                run=run,
                count=count,
                concurrency=args.concurrency,
                deadline=time.monotonic() + 300,
                progress=progress,
                kills_done=kills_done,
                thresholds=thresholds,
            )
        )
        done.set()
        killer.join(timeout=130)
        result.faults_injected = len(recover)
        result.recovered = len(recover) == kills
        result.recover_seconds = [round(s, 2) for s in recover]
        replays = check_replays(api_url, run=run, internal_token=token, outcomes=outcomes)
        stored = check_stored(database_url, run, outcomes)
        result.accepted = stored.acknowledged
        result.lost = stored.lost
        result.duplicated = stored.duplicated + replays.replayed_other
        errors: dict[str, int] = {}
        for outcome in outcomes:
            for kind, n in outcome.errors.items():
                errors[kind] = errors.get(kind, 0) + n
        result.details.update(
            {
                "applications stored": stored.stored,
                "cases per application": stored.cases_per_application,
                "answered 201 (created)": sum(o.status == 201 for o in outcomes),
                "answered 200 (replayed key)": sum(o.status == 200 for o in outcomes),
                "retried errors": errors,
                "never acknowledged": sum(not o.acknowledged for o in outcomes),
                "replayed afterwards: same application (200)": replays.replayed_same,
                "replayed afterwards: anything else": replays.replayed_other,
                "same key, other body: 409": replays.conflict_refused,
            }
        )
        if not replays.conflict_refused:
            result.failed_checks.append("the same key with another body was not refused (409)")
        if api is not None:
            result.details["API starts"] = api.starts()
        if result.faults_injected < kills:
            result.notes.append(f"only {result.faults_injected} of {kills} kills took effect")
    finally:
        if api is not None:
            api.stop()
    result.seconds = time.monotonic() - started
    path = result.report(results_dir=args.results_dir)
    log(f"result written to {path}")
    if api is not None and not result.ok:
        print(tail(api.log_path), file=sys.stderr)
    return 0 if result.ok and result.faults_injected == kills else 1


if __name__ == "__main__":
    sys.exit(main())
