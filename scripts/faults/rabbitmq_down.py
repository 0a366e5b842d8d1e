"""Fault: RabbitMQ down — the dialogue keeps answering and conversation analytics catch up.

Starts a RabbitMQ node of its own (never the shared one on 5672), the API, the action server,
Rasa with its pika event broker pointed at that node (the ``event_broker:`` block of
``launcher/broker.py``) and ``python -m workflows analytics-consume``. Then:

1. chats while RabbitMQ is up (turn latencies measured);
2. stops RabbitMQ (``rabbitmqctl stop_app``) and keeps chatting: every turn must be answered
   (latencies measured);
3. starts RabbitMQ again and waits until the funnel counts what was said (conversations
   started, applications begun, questions reached), or reports what was lost.

    PYTHONPATH=$PWD .venv/bin/python scripts/faults/rabbitmq_down.py           # full, by hand
    PYTHONPATH=$PWD .venv/bin/python scripts/faults/rabbitmq_down.py --short   # make test
    PYTHONPATH=$PWD .venv/bin/python scripts/faults/rabbitmq_down.py \
        --record tests/analytics/fixtures/rasa_events.json

``--record`` runs no outage and no consumer: it drains the queue after a few conversations
(an application submitted, one stopped after a typed name and ID number, a hand-off, a
greeting) and writes the events as Rasa published them — the fixture of the consumer's tests.

Ports: 5300-5399 by default (``--base-port``); the node's files live under ``--work-dir``.
Prints one JSON report; exit status 0 when the dialogue kept answering and the counts caught up.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "var" / "models" / "huimin.tar.gz"
NODE_NAME = "a_faults@localhost"
QUEUE = "a_rasa_events"
EXCHANGE = "a_rasa_exchange"
AUDIT_QUEUE = "a_rasa_events_audit"


def _project() -> None:
    """Import the project from this checkout (not another one an editable install points at)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(check: Callable[[], bool], timeout: float, what: str, step: float = 0.5) -> float:
    """Seconds until ``check()`` held; TimeoutError naming ``what`` otherwise."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(step)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


# --- a RabbitMQ node of our own ----------------------------------------------------------------


class RabbitNode:
    """A second RabbitMQ node (own name, ports, files); stop_app/start_app is the outage."""

    def __init__(self, *, port: int, dist_port: int, name: str = NODE_NAME) -> None:
        # its own folder under /tmp: rabbitmq-server runs as the rabbitmq user, which cannot
        # enter a private temporary folder (pytest's tmp_path, mkdtemp)
        self.base = Path(tempfile.gettempdir()) / f"a_rabbit_{port}"
        self.port, self.dist_port, self.name = port, dist_port, name

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("rabbitmq-server") and shutil.which("rabbitmqctl"))

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
        }

    def _ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            ["rabbitmqctl", "-n", self.name, *args],
            env=self._env(),
            check=True,
            timeout=timeout,
            capture_output=True,
        )

    def start(self) -> None:
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken: another node or process uses it")
        shutil.rmtree(self.base, ignore_errors=True)  # a fresh node: no queue left from before
        for folder in ("mnesia", "log"):
            (self.base / folder).mkdir(parents=True, exist_ok=True)
        # The node's own environment file: the system's /etc/rabbitmq/rabbitmq-env.conf names
        # the shared node, and its rabbitmq.conf listens on 5672.
        (self.base / "rabbitmq-env.conf").write_text(
            f"NODENAME={self.name}\nNODE_PORT={self.port}\nDIST_PORT={self.dist_port}\n"
            "ERL_EPMD_ADDRESS=127.0.0.1\n"
            'export ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"\n',
            encoding="utf-8",
        )
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\n", encoding="utf-8"
        )
        (self.base / "enabled_plugins").write_text("[].\n", encoding="utf-8")
        if os.geteuid() == 0 and shutil.which("chown"):
            # rabbitmq-server drops to the rabbitmq user, which must write the node's files
            subprocess.run(["chown", "-R", "rabbitmq:rabbitmq", str(self.base)], check=False)
        subprocess.run(["rabbitmq-server", "-detached"], env=self._env(), check=True, timeout=60)
        wait_for(lambda: port_open(self.port), 90, f"RabbitMQ node {self.name} on {self.port}")

    def stop_app(self) -> None:
        self._ctl("stop_app")
        wait_for(lambda: not port_open(self.port), 30, "RabbitMQ stop_app")

    def start_app(self) -> None:
        self._ctl("start_app")
        wait_for(lambda: port_open(self.port), 60, "RabbitMQ start_app")

    def stop(self) -> None:
        with suppress(subprocess.SubprocessError, OSError):
            self._ctl("stop", timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)


# --- the system: API, actions, Rasa with the broker, the consumer ------------------------------


@dataclass
class Turn:
    sender: str
    text: str
    seconds: float
    answered: bool


@dataclass
class LiveSystem:
    var_dir: Path
    base_port: int
    broker_url: str
    consumer: bool = True
    # Rasa's own SQL tracker store instead of the project's masking one: what any Rasa publishes
    # (the raw events the consumer must also be safe with; used for the fixture)
    plain_tracker_store: bool = False
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def api_port(self) -> int:
        return self.base_port

    @property
    def action_port(self) -> int:
        return self.base_port + 1

    @property
    def rasa_port(self) -> int:
        return self.base_port + 2

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def settings(self) -> Any:
        _project()
        from huimin.settings import Settings

        return Settings(
            _env_file=None,
            var_dir=self.var_dir,
            database_url="",
            tracker_store_url="",
            environment="development",
            api_port=self.api_port,
            api_url=f"http://127.0.0.1:{self.api_port}",
            rasa_port=self.rasa_port,
            rasa_url=self.rasa_url,
            action_port=self.action_port,
            event_broker_url=self.broker_url,
            event_broker_queue=QUEUE,
            event_broker_exchange=EXCHANGE,
        )

    def start(self) -> None:
        _project()
        from launcher.broker import broker_environment, event_broker_yaml
        from launcher.processes import child_environment, endpoints_yaml, process_specs

        if not MODEL.exists():
            raise FileNotFoundError(f"no trained Rasa model at {MODEL} (python -m launcher train)")
        settings = self.settings()
        overrides = {
            "HUIMIN_VAR_DIR": str(self.var_dir),
            "HUIMIN_DATABASE_URL": "",
            "HUIMIN_TRACKER_STORE_URL": settings.effective_tracker_store_url,
            "HUIMIN_ENVIRONMENT": "development",
            "HUIMIN_API_PORT": str(self.api_port),
            "HUIMIN_API_URL": f"http://127.0.0.1:{self.api_port}",
            "HUIMIN_RASA_PORT": str(self.rasa_port),
            "HUIMIN_RASA_URL": self.rasa_url,
            "HUIMIN_ACTION_PORT": str(self.action_port),
            "HUIMIN_EVENT_BROKER_URL": self.broker_url,
            "HUIMIN_EVENT_BROKER_QUEUE": QUEUE,
            "HUIMIN_EVENT_BROKER_EXCHANGE": EXCHANGE,
            "HUIMIN_HANDOFF_SWEEP_SECONDS": "0",
            "PYTHONPATH": str(ROOT),
        }
        self.env = {**child_environment(settings), **broker_environment(settings), **overrides}
        (self.var_dir / "models").mkdir(parents=True, exist_ok=True)
        link = self.var_dir / "models" / MODEL.name
        if not link.exists():
            link.symlink_to(MODEL)
        endpoints = self.var_dir / "rasa" / "endpoints.yml"
        endpoints.parent.mkdir(parents=True, exist_ok=True)
        # what launcher/processes.py writes (its broker block included)
        text = endpoints_yaml(settings)
        if self.plain_tracker_store:
            text = (
                text.split("tracker_store:")[0]
                + (
                    "tracker_store:\n  type: SQL\n  dialect: sqlite\n"
                    f'  db: "{self.var_dir / "rasa" / "plain-trackers.db"}"\n'
                )
                + event_broker_yaml(settings)
            )
        endpoints.write_text(text, "utf-8")
        python = sys.executable
        for args in (["workflows", "migrate"], ["workflows", "seed-demo"]):
            subprocess.run(
                [python, "-m", *args],
                cwd=ROOT,
                env=self.env,
                check=True,
                timeout=300,
                capture_output=True,
            )
        commands = {spec.name: spec.command for spec in process_specs(settings)}
        if self.consumer:
            commands["analytics"] = [python, "-m", "workflows", "analytics-consume"]
        logs = self.var_dir / "logs"
        logs.mkdir(exist_ok=True)
        for name, command in commands.items():
            self.processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=(logs / f"{name}.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
        token = settings.rasa_auth_token.get_secret_value()
        self._wait_http(f"http://127.0.0.1:{self.api_port}/api/health", "api", 180)
        self._wait_http(f"http://127.0.0.1:{self.action_port}/health", "actions", 120)
        self._wait_http(f"{self.rasa_url}/status?token={token}", "rasa", 1200)

    def _wait_http(self, url: str, name: str, timeout: float) -> None:
        process = self.processes[name]

        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}: {self.log(name)}")
            try:
                return httpx.get(url, timeout=2).status_code < 500
            except httpx.HTTPError:
                return False

        wait_for(ready, timeout, name, step=1.0)

    def log(self, name: str, tail: int = 3000) -> str:
        path = self.var_dir / "logs" / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def say(self, sender: str, text: str) -> tuple[list[dict[str, Any]], Turn]:
        start = time.monotonic()
        try:
            response = httpx.post(
                f"{self.rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
                timeout=60,
            )
            replies = list(response.json()) if response.status_code == 200 else []
        except (httpx.HTTPError, ValueError):
            replies = []
        seconds = time.monotonic() - start
        answered = any(reply.get("text") for reply in replies)
        return replies, Turn(sender, text, seconds, answered)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


# --- what the funnel holds ---------------------------------------------------------------------


def funnel_counts(system: LiveSystem) -> dict[str, int]:
    """Conversations started and steps reached, read from the API's database."""
    _project()
    from sqlalchemy import func, select

    from workflows.analytics.models import AnalyticsConversation, AnalyticsStep
    from workflows.db import make_engine

    engine = make_engine(system.settings())
    try:
        with engine.connect() as connection:
            counts = {
                str(step): int(n)
                for step, n in connection.execute(
                    select(AnalyticsStep.step, func.count()).group_by(AnalyticsStep.step)
                )
            }
            counts["conversations"] = int(
                connection.execute(
                    select(func.count()).select_from(AnalyticsConversation)
                ).scalar_one()
            )
            for channel, n in connection.execute(
                select(AnalyticsConversation.channel, func.count()).group_by(
                    AnalyticsConversation.channel
                )
            ):
                counts[f"channel:{channel}"] = int(n)
    finally:
        engine.dispose()
    return counts


# --- the scenario --------------------------------------------------------------------------------

# Each conversation: a greeting, the wish to apply, consent. Expected per conversation: started,
# application_begun, ask:consent (asked on "我想申请低保"), ask:id_number (asked after consent).
CONVERSATION = ("你好", "我想申请低保", "同意")
EXPECTED_STEPS = ("started", "application_begun", "ask:consent", "ask:id_number")


def _latency(turns: list[Turn]) -> dict[str, Any]:
    seconds = [t.seconds for t in turns]
    return {
        "turns": len(turns),
        "answered": sum(t.answered for t in turns),
        "median_seconds": round(statistics.median(seconds), 3) if seconds else None,
        "max_seconds": round(max(seconds), 3) if seconds else None,
    }


def _chat(system: LiveSystem, senders: list[str], *extra: str) -> list[Turn]:
    turns = []
    for sender in senders:
        for text in (*CONVERSATION, *extra):
            turns.append(system.say(sender, text)[1])
    return turns


def typed_id_number() -> str:
    """A fictitious ID number (valid check digit) typed during the outage."""
    _project()
    import datetime as dt

    from huimin.idcard import make_number

    return make_number("330111", dt.date(1950, 1, 1), 111)


def declare_audit_queue(url: str) -> None:
    """A second queue on Rasa's exchange: a copy of everything Rasa published, to inspect."""
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.exchange_declare(exchange=EXCHANGE, exchange_type="fanout", durable=False)
        channel.queue_declare(queue=AUDIT_QUEUE, durable=True)
        channel.queue_bind(queue=AUDIT_QUEUE, exchange=EXCHANGE, routing_key="")
    finally:
        connection.close()


def run_fault(
    work: Path, *, short: bool, base_port: int, catch_up_seconds: float
) -> dict[str, Any]:
    node = RabbitNode(port=base_port + 72, dist_port=base_port + 73)
    system = LiveSystem(work / "var", base_port + 10, node.url)
    before_n, during_n = (1, 2) if short else (5, 10)
    run_id = uuid.uuid4().hex[:8]
    report: dict[str, Any] = {"mode": "short" if short else "full"}
    node.start()
    try:
        system.start()
        declare_audit_queue(node.url)
        before = _chat(system, [f"web:a-before-{run_id}-{i}" for i in range(before_n)])
        report["before_outage"] = _latency(before)
        node.stop_app()
        outage_started = time.monotonic()
        health = httpx.get(f"http://127.0.0.1:{system.api_port}/api/health", timeout=10).json()
        report["health_during_outage"] = health.get("analytics")
        id_number = typed_id_number()
        during = _chat(system, [f"rest-a-during-{run_id}-{i}" for i in range(during_n)], id_number)
        report["during_outage"] = _latency(during)
        if not short:
            time.sleep(10)  # a longer outage: the consumer backs off meanwhile
        node.start_app()
        # Rasa's exchange is not durable: the restart dropped it and the audit queue's binding
        # (Rasa and the consumer re-declare their own on reconnecting)
        declare_audit_queue(node.url)
        report["outage_seconds"] = round(time.monotonic() - outage_started, 1)
        conversations = before_n + during_n
        expected = dict.fromkeys(EXPECTED_STEPS, conversations)
        expected_total = {"conversations": conversations, **expected}
        seen: dict[str, int] = {}

        def caught_up() -> bool:
            nonlocal seen
            seen = funnel_counts(system)
            return all(seen.get(k, 0) >= v for k, v in expected_total.items())

        try:
            report["catch_up_seconds"] = round(wait_for(caught_up, catch_up_seconds, "catch-up"), 1)
            report["caught_up"] = True
        except TimeoutError:
            report["caught_up"] = False
        report["expected"] = expected_total
        report["counted"] = seen
        report["lost"] = {
            k: v - seen.get(k, 0) for k, v in expected_total.items() if seen.get(k, 0) < v
        }
        report["over_counted"] = {
            k: seen.get(k, 0) - v for k, v in expected_total.items() if seen.get(k, 0) > v
        }
        report["consumer_log_tail"] = [
            line for line in system.log("analytics", 4000).splitlines() if "analytics:" in line
        ][-6:]
        report["dialogue_kept_answering"] = all(t.answered for t in during)
        copies = drain(node.url, AUDIT_QUEUE)
        published = json.dumps(copies, ensure_ascii=False)
        report["broker_copy"] = {
            "messages": len(copies),
            "id_number_found": id_number in published,
            "user_texts_found": sum(
                1 for c in copies if c.get("event") == "user" and c.get("text")
            ),
        }
        report["ok"] = bool(
            report["dialogue_kept_answering"]
            and report["caught_up"]
            and not report["over_counted"]
            and not report["broker_copy"]["id_number_found"]
        )
    finally:
        system.stop()
        node.stop()
    return report


# --- recording the fixture ---------------------------------------------------------------------


def _fixture_conversations(system: LiveSystem, run_id: str) -> dict[str, str]:
    """Conversations whose events make the consumer's fixture; what was typed that must never
    reach the analytics tables is returned (fictitious ID numbers and a name)."""
    _project()
    import datetime as dt

    from huimin.idcard import make_number

    def say(sender: str, text: str) -> str:
        replies, turn = system.say(sender, text)
        answer = "\n".join(str(r.get("text", "")) for r in replies)
        print(f"[{turn.seconds:.1f}s] {sender}: {text} -> {answer[:60]!r}", file=sys.stderr)
        return answer

    # 1. an application submitted (王某甲 of the fictitious local registry, as the e2e test)
    sender = f"telegram:a-fixture-apply-{run_id}"
    say(sender, "我要申请低保和医疗救助")
    say(sender, "同意")
    say(sender, "330183197803120116")
    say(sender, "发送验证码")
    outbox = (system.var_dir / "dev-sms" / "outbox.txt").read_text("utf-8").splitlines()
    code = re.findall(r"(?<!\d)\d{6}(?!\d)", outbox[-1].split("\t")[-1])[-1]
    say(sender, code)
    for text in ("13805711234", "一样的", "对的", "老公打工,一个月两千五", "没有存款,也没车"):
        say(sender, text)
    if "一起申请" in say(sender, "老公住院,看病一年自付两万"):
        say(sender, "不用了")
    say(sender, "以后再交")
    submitted = say(sender, "对,没错")
    if "申请编号" not in submitted:
        raise RuntimeError(f"the application was not submitted: {submitted[:200]}")
    # 2. stopped after a typed ID number and name (not in the registry: asked one by one)
    typed_id = make_number("330111", dt.date(1961, 5, 20), 357)
    typed_name = "欧阳小红"
    sender = f"wechat:a-fixture-stop-{run_id}"
    say(sender, "我想申请低保")
    say(sender, "同意")
    say(sender, typed_id)
    say(sender, "不核验")
    say(sender, typed_name)
    # 3. a hand-off, 4. a greeting only (the REST channel, no project prefix)
    say(f"web:a-fixture-human-{run_id}", "转人工")
    say(f"a-fixture-rest-{run_id}", "你好")
    return {"id_numbers": f"330183197803120116 {typed_id}", "name": typed_name}


def drain(url: str, queue: str) -> list[dict[str, Any]]:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(url))
    events = []
    try:
        channel = connection.channel()
        while True:
            method, _properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                break
            events.append(json.loads(body))
    finally:
        connection.close()
    return events


def record(work: Path, target: Path, *, base_port: int) -> dict[str, Any]:
    node = RabbitNode(port=base_port + 72, dist_port=base_port + 73)
    system = LiveSystem(
        work / "var", base_port + 10, node.url, consumer=False, plain_tracker_store=True
    )
    node.start()
    try:
        system.start()
        typed = _fixture_conversations(system, uuid.uuid4().hex[:6])
        time.sleep(2)  # Rasa publishes in background tasks
        events = drain(node.url, QUEUE)
    finally:
        system.stop()
        node.stop()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps({"typed": typed, "events": events}, ensure_ascii=False, indent=1) + "\n",
        "utf-8",
    )
    return {"events": len(events), "file": str(target)}


@contextmanager
def work_dir(given: str | None) -> Iterator[Path]:
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix="a_faults_"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--short", action="store_true", help="1 conversation before, 2 during")
    parser.add_argument("--record", default=None, help="write the fixture of Rasa's events here")
    parser.add_argument("--base-port", type=int, default=5300)
    parser.add_argument("--work-dir", default=None, help="keep the node's files and logs here")
    parser.add_argument("--catch-up-seconds", type=float, default=90.0)
    args = parser.parse_args(argv)
    if not RabbitNode.available():
        print(json.dumps({"ok": False, "error": "rabbitmq-server/rabbitmqctl not installed"}))
        return 2
    with work_dir(args.work_dir) as work:
        if args.record:
            print(json.dumps(record(work, Path(args.record), base_port=args.base_port)))
            return 0
        report = run_fault(
            work, short=args.short, base_port=args.base_port, catch_up_seconds=args.catch_up_seconds
        )
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
