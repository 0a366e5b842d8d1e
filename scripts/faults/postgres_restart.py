"""Fault: PostgreSQL restarts under the API and Rasa's SQL tracker store.

Real processes as ``make run`` starts them (``launcher/processes.py``: API, action server, Rasa
with the generated endpoints file and ``MaskingSQLTrackerStore``), with the API's database and
Rasa's tracker store on a PostgreSQL cluster of this script's own (``pg_cluster.py``: created
idempotently, port 5433), so the shared server is never restarted. Two clients run throughout:
a resident talking to Rasa's REST webhook, and submissions to the API (``Idempotency-Key``,
retried on connection errors and 5xx). The cluster is restarted (``pg_ctlcluster … restart``)
``--restarts`` times. Judged, without any manual step:
- the API and Rasa answer again after each restart (time to recover, from the restart command);
- no request fails once they have recovered (a stale pooled connection would fail later);
- every answered Rasa message is in the tracker store, once; every acknowledged submission is
  in the API's database, once.

Run from the repository root (as root; the cluster's server runs as ``postgres``):
    .venv/bin/python -m scripts.faults.postgres_restart --short   # 1 restart, ~40 s of traffic
    .venv/bin/python -m scripts.faults.postgres_restart           # 3 restarts, ~3 minutes
    ... --no-rasa   # the API only (no trained model needed)
Against processes that run elsewhere: ``--api-url``, ``--rasa-url``, ``--database-url``,
``--tracker-store-url``, ``--internal-token`` and ``--restart-command`` (an argument list).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from scripts.faults.common import (
    PYTHON,
    RESULTS_DIR,
    ROOT,
    FaultResult,
    log,
    query,
    recreate_database,
    run_checked,
    start,
    stop,
    tail,
    wait_url,
)
from scripts.faults.pg_cluster import ensure_cluster
from scripts.faults.submissions import Outcome, check_stored, submit_with_retries

FAULT = "postgres_restart"
MODEL = ROOT / "var" / "models" / "huimin.tar.gz"
GRACE_SECONDS = 15.0  # after this long past a restart, every request must succeed


@dataclass
class Request:
    started: float
    ended: float
    ok: bool
    what: str  # sender/text for Rasa, key for the API
    error: str = ""


@dataclass
class Traffic:
    rasa: list[Request] = field(default_factory=list)
    api: list[Request] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def rasa_text(run: str, number: int) -> str:
    return f"你好,这是第{number}条消息({run})"


def rasa_client(rasa_url: str, run: str, traffic: Traffic) -> None:
    """One message at a time, as a resident would type; a failed message is not resent."""
    number = 0
    with httpx.Client(timeout=30) as client:
        while not traffic.stop.is_set():
            number += 1
            sender = f"{run}-s{number % 5}"
            text = rasa_text(run, number)
            began = time.monotonic()
            try:
                answer = client.post(
                    f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
                )
                ok = answer.status_code == 200 and bool(answer.json())
                error = "" if ok else f"http {answer.status_code}"
            except httpx.HTTPError as exc:
                ok, error = False, type(exc).__name__
            traffic.rasa.append(Request(began, time.monotonic(), ok, f"{sender}\t{text}", error))
            time.sleep(0.2)


async def _api_client(api_url: str, token: str, run: str, traffic: Traffic) -> None:
    index = 0
    async with httpx.AsyncClient(base_url=api_url, timeout=httpx.Timeout(10, connect=2)) as client:
        while not traffic.stop.is_set():
            began = time.monotonic()
            outcome = await submit_with_retries(
                client,
                run=run,
                index=index,
                internal_token=token,
                deadline=time.monotonic() + 120,
                retry_delay=0.25,
            )
            traffic.outcomes.append(outcome)
            error = ",".join(f"{k}×{n}" for k, n in outcome.errors.items())
            traffic.api.append(
                Request(began, time.monotonic(), outcome.acknowledged, outcome.key, error)
            )
            index += 1
            await asyncio.sleep(0.2)


def _error_kinds(outcomes: list[Outcome]) -> dict[str, int]:
    kinds: Counter[str] = Counter()
    for outcome in outcomes:
        kinds.update(outcome.errors)
    return dict(kinds)


def _first_ok_after(requests: list[Request], moment: float) -> float | None:
    times = [r.ended for r in list(requests) if r.ok and r.started >= moment]
    return min(times) if times else None


@dataclass
class Restart:
    began: float
    done: float


def _recovery(requests: list[Request], restarts: list[Restart]) -> list[float | None]:
    answer: list[float | None] = []
    for restart in restarts:
        first = _first_ok_after(requests, restart.done)
        answer.append(None if first is None else round(first - restart.began, 2))
    return answer


def _late_failures(requests: list[Request], restarts: list[Restart]) -> list[Request]:
    """Failures that began more than GRACE_SECONDS after the latest restart before them."""
    late = []
    for request in requests:
        if request.ok:
            continue
        before = [r for r in restarts if r.began <= request.started]
        if not before or request.started - before[-1].done > GRACE_SECONDS:
            late.append(request)
    return late


def check_tracker(tracker_url: str, answered: list[Request]) -> tuple[int, int, int]:
    """(found, lost, duplicated): each answered message as a user event in the tracker store."""
    rows = query(
        tracker_url.replace("postgresql://", "postgresql+psycopg://", 1),
        "SELECT sender_id, data FROM events WHERE type_name = 'user'",
    )
    stored: dict[tuple[str, str], int] = {}
    for sender, data in rows:
        key = (str(sender), str(json.loads(data).get("text")))
        stored[key] = stored.get(key, 0) + 1
    found = lost = 0
    for request in answered:
        sender, text = request.what.split("\t", 1)
        if stored.get((sender, text), 0) >= 1:
            found += 1
        else:
            lost += 1
    duplicated = sum(n - 1 for n in stored.values() if n > 1)
    return found, lost, duplicated


def _start_system(
    args: argparse.Namespace, cluster_admin: str, log_dir: Path
) -> tuple[dict[str, subprocess.Popen[bytes]], str, str, str, str, str]:
    """API, actions (and Rasa) as ``make run`` starts them; (processes, api_url, rasa_url,
    database_url, tracker_url, internal token)."""
    from huimin.settings import Settings
    from launcher.processes import child_environment, process_specs, write_endpoints

    api_db = recreate_database(cluster_admin, "f_faults_api")
    tracker_db = recreate_database(cluster_admin, "f_faults_rasa")
    tracker_url = tracker_db.replace("postgresql+psycopg://", "postgresql://", 1)
    var_dir = args.results_dir / "var-pg"
    (var_dir / "models").mkdir(parents=True, exist_ok=True)
    link = var_dir / "models" / "huimin.tar.gz"
    if link.is_symlink() or link.exists():
        link.unlink()
    if not args.no_rasa:
        link.symlink_to(args.model.resolve())
    token = "f-faults-internal-token"
    api_port, action_port, rasa_port = args.port, args.port + 1, args.port + 2
    settings = Settings(
        var_dir=var_dir,
        database_url=api_db,
        tracker_store_url=tracker_url,
        environment="development",
        api_port=api_port,
        api_url=f"http://127.0.0.1:{api_port}",
        rasa_port=rasa_port,
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_port=action_port,
        internal_token=token,
    )
    overrides = {
        "HUIMIN_VAR_DIR": str(var_dir),
        "HUIMIN_DATABASE_URL": api_db,
        "HUIMIN_TRACKER_STORE_URL": tracker_url,
        "HUIMIN_ENVIRONMENT": "development",
        "HUIMIN_API_PORT": str(api_port),
        "HUIMIN_API_URL": f"http://127.0.0.1:{api_port}",
        "HUIMIN_RASA_PORT": str(rasa_port),
        "HUIMIN_RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "HUIMIN_ACTION_PORT": str(action_port),
        "HUIMIN_INTERNAL_TOKEN": token,
        "HUIMIN_TELEGRAM_TOKEN": "",
        "HUIMIN_WECHAT_TOKEN": "",
        "HUIMIN_SMS_GATEWAY_URL": "",
    }
    env = {**child_environment(settings), **overrides}
    env["PYTHONPATH"] = str(ROOT)
    write_endpoints(settings)
    migrate_log = log_dir / f"{FAULT}-migrate.log"
    migrate_log.write_text("", encoding="utf-8")
    run_checked([PYTHON, "-m", "workflows", "migrate"], env=env, log=migrate_log, timeout=300)
    wanted = {"api"} if args.no_rasa else {"api", "actions", "rasa"}
    processes = {}
    for spec in process_specs(settings):
        if spec.name in wanted:
            path = log_dir / f"{FAULT}-{spec.name}.log"
            path.write_text("", encoding="utf-8")
            processes[spec.name] = start(spec.command, env=env, log=path)
    return processes, settings.api_url, settings.rasa_url, api_db, tracker_url, token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the make test form")
    parser.add_argument("--restarts", type=int, default=None)
    parser.add_argument("--interval", type=float, default=None, help="seconds between restarts")
    parser.add_argument("--port", type=int, default=5211, help="API; actions +1, Rasa +2")
    parser.add_argument("--no-rasa", action="store_true", help="the API only")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--api-url", default=None, help="processes started elsewhere")
    parser.add_argument("--rasa-url", default=None)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--tracker-store-url", default=None)
    parser.add_argument("--internal-token", default=None)
    parser.add_argument("--restart-command", default=None, help="restarts their PostgreSQL")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    restarts = args.restarts if args.restarts is not None else (1 if args.short else 3)
    interval = args.interval or (20.0 if args.short else 45.0)
    mode = "short" if args.short else "full"
    if not args.no_rasa and not args.rasa_url and not args.model.exists():
        parser.error(f"no trained Rasa model at {args.model} (train it, or use --no-rasa)")
    result = FaultResult(fault=FAULT, mode=mode)
    run = f"f-pg-{uuid.uuid4().hex[:6]}"
    log_dir = args.results_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    processes: dict[str, subprocess.Popen[bytes]] = {}
    restart_fn: Callable[[], None]
    if args.api_url:
        needed = (args.database_url, args.internal_token, args.restart_command)
        if not all(needed):
            parser.error("--api-url needs --database-url, --internal-token, --restart-command")
        api_url, api_db, token = args.api_url, args.database_url, args.internal_token
        rasa_url, tracker_url = args.rasa_url, args.tracker_store_url
        command = shlex.split(args.restart_command)

        def restart_fn() -> None:
            subprocess.run(command, check=True, timeout=120)

    else:
        cluster, done = ensure_cluster()
        result.details["cluster"] = f"{cluster.version}/{cluster.name}:{cluster.port}"
        result.details["cluster set-up"] = done or ["existed, configured and online"]
        processes, api_url, rasa_url, api_db, tracker_url, token = _start_system(
            args, cluster.admin_url, log_dir
        )
        if args.no_rasa:
            rasa_url = ""

        def restart_fn() -> None:
            cluster.ctl("restart")

    traffic = Traffic()
    restart_log: list[Restart] = []
    try:
        result.details["api start (s)"] = round(
            wait_url(f"{api_url}/api/health", timeout=180, process=processes.get("api")), 1
        )
        if rasa_url:
            result.details["rasa start (s)"] = round(
                wait_url(f"{rasa_url}/", timeout=600, process=processes.get("rasa"), interval=1), 1
            )
            if "actions" in processes:
                wait_url(f"http://127.0.0.1:{args.port + 1}/health", timeout=120)
        log(f"system up; traffic starts; {restarts} restart(s), every {interval:g}s")
        threads = [
            threading.Thread(
                target=lambda: asyncio.run(_api_client(api_url, token, run, traffic)),
                daemon=True,
            )
        ]
        if rasa_url:
            threads.append(
                threading.Thread(target=rasa_client, args=(rasa_url, run, traffic), daemon=True)
            )
        for thread in threads:
            thread.start()
        for number in range(1, restarts + 1):
            time.sleep(interval / 2 if number == 1 else interval)
            began = time.monotonic()
            restart_fn()
            restart_log.append(Restart(began, time.monotonic()))
            took = time.monotonic() - began
            log(f"restart {number}/{restarts}: PostgreSQL restarted in {took:.1f}s")
        time.sleep(max(interval / 2, GRACE_SECONDS + 5))
        traffic.stop.set()
        for thread in threads:
            thread.join(timeout=150)
    finally:
        traffic.stop.set()
        for process in processes.values():
            stop(process)
    stored = check_stored(api_db, run, traffic.outcomes)
    answered = [r for r in traffic.rasa if r.ok]
    api_recover = _recovery(traffic.api, restart_log)
    rasa_recover = _recovery(traffic.rasa, restart_log) if rasa_url else []
    late = _late_failures(traffic.api, restart_log) + _late_failures(traffic.rasa, restart_log)
    found = lost_rasa = dup_rasa = 0
    if rasa_url and tracker_url:
        found, lost_rasa, dup_rasa = check_tracker(tracker_url, answered)
    result.sent = len(traffic.api) + len(traffic.rasa)
    result.accepted = stored.acknowledged + len(answered)
    result.refused_during_fault = len(traffic.rasa) - len(answered)
    result.lost = stored.lost + lost_rasa
    result.duplicated = stored.duplicated + dup_rasa
    result.faults_injected = len(restart_log)
    recovered_all = all(x is not None for x in api_recover + rasa_recover)
    result.recovered = recovered_all and not late
    result.recover_seconds = [
        max(x for x in pair if x is not None)
        for pair in zip(api_recover, rasa_recover or api_recover, strict=False)
        if any(x is not None for x in pair)
    ]
    result.details.update(
        {
            "PostgreSQL restart took (s)": [round(r.done - r.began, 1) for r in restart_log],
            "API: submissions / acknowledged / stored": (
                f"{len(traffic.outcomes)} / {stored.acknowledged} / {stored.stored}"
            ),
            "API: recovered after (s)": api_recover,
            "API: submissions that needed a retry": sum(1 for o in traffic.outcomes if o.errors),
            "API: errors retried": _error_kinds(traffic.outcomes),
            "Rasa: errors (message not answered)": dict(
                Counter(r.error for r in traffic.rasa if not r.ok)
            ),
            "Rasa: messages / answered / in tracker store": (
                f"{len(traffic.rasa)} / {len(answered)} / {found}"
            ),
            "Rasa: recovered after (s)": rasa_recover,
            f"failures later than {GRACE_SECONDS:g}s after a restart": len(late),
        }
    )
    result.notes += [f"late failure: {r.error or 'no answer'}" for r in late[:5]]
    if traffic.api and traffic.api[-1].ok is False:
        result.notes.append("the last API submission was never acknowledged")
    result.seconds = time.monotonic() - started
    path = result.report(results_dir=args.results_dir)
    log(f"result written to {path}")
    if not result.ok:
        for name in processes:
            print(f"--- {name} ---\n{tail(log_dir / f'{FAULT}-{name}.log')}", file=sys.stderr)
    return 0 if result.ok and len(restart_log) == restarts else 1


if __name__ == "__main__":
    sys.exit(main())
