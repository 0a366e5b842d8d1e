"""Open-loop load test of the production profile: simulated residents doing real flows over
Rasa's REST channel, through the balancer.

Residents arrive as a Poisson process at ``--rate`` per second, independent of how fast the
system answers (open loop: a slow system does not slow the arrivals). Each resident does one
flow, turn after turn (a short think time between turns):

* ``question``: a policy question (custom action -> API -> knowledge retrieval), then thanks;
* ``prescreen``: a question that carries facts (custom action -> API -> eligibility rules);
* ``application``: the start of a 低保 application: the request, consent, the ID number (the
  form asks for the identity check, no code is sent).

Every turn is timed by its kind (``plain``, ``policy_question``, ``prescreen``, ``form_start``,
``form_step``); errors are HTTP errors, timeouts and empty replies. One run compares one Rasa
server with two: the same production system (2 Rasa servers) is loaded once on one Rasa
server's own port and once through the balancer in front of both. With ``--find-max`` a step
search per configuration finds the highest resident rate whose p95 over all turns is at most
``--p95-budget-ms`` with an error rate under 1 %.

    .venv/bin/python scripts/load_test.py                       # short: 30 s per measurement
    .venv/bin/python scripts/load_test.py --duration 600 --find-max --step-seconds 60
    .venv/bin/python scripts/load_test.py --rasa-url http://127.0.0.1:5005 \
      --direct-url http://127.0.0.1:5006      (an already running production profile)

Writes ``var/load/load-<time>.json`` and ``.md`` (a markdown table).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.faults.production_system import ProductionSystem, new_prefix  # noqa: E402

POLICY_QUESTIONS = (
    "低保怎么申请?",
    "户口不在这边能申请吗",
    "老人吃饭有补贴吗",
    "特困人员有什么条件",
    "临时救助能给多少钱",
    "公示几天",
    "残疾人护理补贴谁能领",
    "审核要多长时间",
)
PRESCREENS = (
    "我爸今年82,高龄补贴能领吗",
    "我75岁,老伴走了一个人过,有什么补助?",
    "我家4口人,每月收入3000,够低保吗",
    "我老伴肢体残疾二级,能领护理补贴吗",
)
ID_NUMBER = "330183197803120116"  # fictitious registry person (the form then asks to verify)
FLOWS: dict[str, list[tuple[str, str]]] = {
    "question": [("policy_question", "*policy"), ("plain", "谢谢")],
    "prescreen": [("prescreen", "*prescreen")],
    "application": [
        ("form_start", "我要申请低保"),
        ("form_step", "同意"),
        ("form_step", ID_NUMBER),
    ],
}
KINDS = ("plain", "policy_question", "prescreen", "form_start", "form_step")


@dataclass
class Measurement:
    label: str
    rate: float
    seconds: float
    turns: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    residents: int = 0
    late_arrivals: int = 0

    def all_turns(self) -> list[float]:
        return [v for values in self.turns.values() for v in values]

    def summary(self) -> dict[str, Any]:
        total = len(self.all_turns()) + sum(self.errors.values())
        out: dict[str, Any] = {
            "label": self.label,
            "resident_rate_per_s": self.rate,
            "seconds": self.seconds,
            "residents": self.residents,
            "turns": total,
            "turn_rate_per_s": round(total / self.seconds, 2) if self.seconds else None,
            "error_rate": round(sum(self.errors.values()) / total, 4) if total else None,
            "late_arrivals": self.late_arrivals,
            "all_p50_ms": percentile(self.all_turns(), 50),
            "all_p95_ms": percentile(self.all_turns(), 95),
            "kinds": {},
        }
        for kind in KINDS:
            values = self.turns[kind]
            out["kinds"][kind] = {
                "n": len(values),
                "errors": self.errors[kind],
                "p50_ms": percentile(values, 50),
                "p95_ms": percentile(values, 95),
            }
        return out


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[index], 1)


async def turn(
    client: httpx.AsyncClient, url: str, sender: str, text: str, kind: str, m: Measurement
) -> bool:
    started = time.perf_counter()
    try:
        answer = await client.post(url, json={"sender": sender, "message": text})
        answer.raise_for_status()
        if not answer.json():
            raise ValueError("empty reply")
    except (httpx.HTTPError, ValueError):
        m.errors[kind] += 1
        return False
    m.turns[kind].append((time.perf_counter() - started) * 1000)
    return True


async def resident(
    client: httpx.AsyncClient,
    url: str,
    flow: str,
    rng: random.Random,
    think_seconds: float,
    m: Measurement,
) -> None:
    sender = f"web:load-{uuid.uuid4().hex[:12]}"
    for index, (kind, text) in enumerate(FLOWS[flow]):
        if index:
            await asyncio.sleep(rng.expovariate(1 / think_seconds) if think_seconds else 0)
        if text == "*policy":
            text = rng.choice(POLICY_QUESTIONS)
        elif text == "*prescreen":
            text = rng.choice(PRESCREENS)
        if not await turn(client, url, sender, text, kind, m):
            return


async def measure(
    label: str,
    base_url: str,
    rate: float,
    seconds: float,
    mix: dict[str, float],
    think_seconds: float,
    seed: int,
) -> Measurement:
    """Poisson arrivals at ``rate`` residents/s for ``seconds``; waits for the last flows."""
    m = Measurement(label, rate, seconds)
    rng = random.Random(seed)
    url = f"{base_url}/webhooks/rest/webhook"
    flows, weights = zip(*mix.items(), strict=True)
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        tasks: list[asyncio.Task[None]] = []
        start = time.perf_counter()
        due = 0.0
        while True:
            due += rng.expovariate(rate)
            if due >= seconds:
                break
            delay = start + due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.05:
                m.late_arrivals += 1
            flow = rng.choices(flows, weights=weights)[0]
            m.residents += 1
            tasks.append(asyncio.create_task(resident(client, url, flow, rng, think_seconds, m)))
        await asyncio.gather(*tasks)
    return m


def acceptable(summary: dict[str, Any], budget_ms: float) -> bool:
    p95 = summary["all_p95_ms"]
    return p95 is not None and p95 <= budget_ms and (summary["error_rate"] or 0) < 0.01


async def run_all(args: argparse.Namespace, targets: dict[str, str]) -> dict[str, Any]:
    mix = {"question": args.mix[0], "prescreen": args.mix[1], "application": args.mix[2]}
    result: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "note": args.note,
        "mix": mix,
        "think_seconds": args.think_seconds,
        "measurements": [],
        "highest_rate": {},
    }
    for label, url in targets.items():  # warm both paths (model code paths, index, pools)
        await measure(label, url, 1.0, 5.0, mix, 0.2, seed=1)
    for label, url in targets.items():
        m = await measure(label, url, args.rate, args.duration, mix, args.think_seconds, 7)
        summary = m.summary()
        result["measurements"].append(summary)
        print(json.dumps(summary, ensure_ascii=False), flush=True)
    if args.find_max:
        for label, url in targets.items():
            best = None
            for rate in args.rates:
                m = await measure(
                    f"{label} step", url, rate, args.step_seconds, mix, args.think_seconds, 11
                )
                summary = m.summary()
                result["measurements"].append(summary)
                print(json.dumps(summary, ensure_ascii=False), flush=True)
                if not acceptable(summary, args.p95_budget_ms):
                    break
                best = rate
                await asyncio.sleep(2)
            result["highest_rate"][label] = best
    return result


def markdown(result: dict[str, Any], budget_ms: float) -> str:
    lines = [
        f"# Load test {result['started']}" + (f" — {result['note']}" if result["note"] else ""),
        "",
        f"Open loop, Poisson arrivals of residents; flow mix {result['mix']}; think time "
        f"{result['think_seconds']} s. Times in ms.",
        "",
        "| run | residents/s | turns/s | turns | errors | all p50 | all p95 | "
        + " | ".join(f"{k} p50/p95" for k in KINDS)
        + " |",
        "|---" * (7 + len(KINDS)) + "|",
    ]
    for s in result["measurements"]:
        kinds = " | ".join(
            f"{s['kinds'][k]['p50_ms']}/{s['kinds'][k]['p95_ms']}" if s["kinds"][k]["n"] else "-"
            for k in KINDS
        )
        lines.append(
            f"| {s['label']} | {s['resident_rate_per_s']:g} | {s['turn_rate_per_s']} | "
            f"{s['turns']} | {s['error_rate']:.2%} | {s['all_p50_ms']} | {s['all_p95_ms']} | "
            f"{kinds} |"
        )
    if result["highest_rate"]:
        lines += ["", f"Highest resident rate with p95 ≤ {budget_ms:g} ms and < 1 % errors:"]
        for label, rate in result["highest_rate"].items():
            lines.append(f"- {label}: {rate if rate is not None else 'none of the steps'}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=1.0, help="residents per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds (600: full)")
    parser.add_argument(
        "--mix",
        type=float,
        nargs=3,
        default=[0.5, 0.3, 0.2],
        metavar=("QUESTION", "PRESCREEN", "APPLICATION"),
    )
    parser.add_argument("--think-seconds", type=float, default=1.0)
    parser.add_argument(
        "--compare",
        type=int,
        nargs="+",
        default=[1, 2],
        help="Rasa servers: 1 (one server's own port) and/or 2 (the balancer)",
    )
    parser.add_argument("--find-max", action="store_true")
    parser.add_argument("--rates", type=float, nargs="+", default=[0.5, 1, 2, 3, 4, 6, 8])
    parser.add_argument("--step-seconds", type=float, default=20.0)
    parser.add_argument("--p95-budget-ms", type=float, default=500.0)
    parser.add_argument("--rasa-url", default=None, help="an already running system's balancer")
    parser.add_argument(
        "--direct-url", default=None, help="with --rasa-url: one of its Rasa servers' own URL"
    )
    parser.add_argument("--base-port", type=int, default=5160)
    parser.add_argument("--prefix", default=None, help="database/queue name prefix")
    parser.add_argument("--note", default="", help="e.g. 'busy machine'")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "load")
    args = parser.parse_args(argv)

    system: ProductionSystem | None = None
    if args.rasa_url:
        targets = {}
        if args.direct_url and 1 in args.compare:
            targets["1 Rasa (direct)"] = args.direct_url.rstrip("/")
        if 2 in args.compare:
            targets["2 Rasa (balancer)"] = args.rasa_url.rstrip("/")
    else:
        var_dir = Path(tempfile.mkdtemp(prefix="huimin-load-"))
        system = ProductionSystem(var_dir, args.base_port, args.prefix or new_prefix("huimin_load"))
        print(f"starting the production profile (log: {system.log_path})", flush=True)
        health = system.start()
        rasa1 = next(r for r in health["dependencies"] if r["name"] == "rasa1")
        targets = {}
        if 1 in args.compare:
            targets["1 Rasa (rasa1 direct)"] = f"http://{rasa1['detail']}"
        if 2 in args.compare:
            targets["2 Rasa (balancer)"] = system.rasa_url
    try:
        result = asyncio.run(run_all(args, targets))
    finally:
        if system is not None:
            system.stop()
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (args.out / f"load-{stamp}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    table = markdown(result, args.p95_budget_ms)
    (args.out / f"load-{stamp}.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
