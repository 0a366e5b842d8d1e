"""Open-loop load test of dialogue turns over Rasa's REST channel.

Requests arrive at a set rate (evenly spaced, independent of how fast answers come back), the way
real residents' messages do; each arrival is a turn of a simulated resident. Two kinds of turn
are measured separately: turns without a knowledge answer (greeting, short replies, starting a
form) and turns that ask a policy question (custom action -> API -> knowledge retrieval).

Usage (with `make run` up, or any running system):
    .venv/bin/python scripts/bench_turns.py --rasa http://127.0.0.1:5005 --rate 10 --seconds 30
    .venv/bin/python scripts/bench_turns.py --rasa http://127.0.0.1:5005 --find-max
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import time
import uuid
from dataclasses import dataclass, field

import httpx

PLAIN_TURNS = ("你好", "嗯", "是的", "谢谢", "不是", "再见", "你是机器人吗")
KNOWLEDGE_TURNS = (
    "低保怎么申请?",
    "户口不在这边能申请吗",
    "老人吃饭有补贴吗",
    "特困人员有什么条件",
    "临时救助能给多少钱",
    "公示几天",
    "残疾人护理补贴谁能领",
    "审核要多长时间",
)
# Questions that carry facts: custom action -> API parsing + pre-screening (issue #12).
FACT_TURNS = (
    "我爸今年82,高龄补贴能领吗",
    "我75岁,老伴走了一个人过,有什么补助?",
    "我家4口人,每月收入3000,够低保吗",
    "我老伴肢体残疾二级,能领护理补贴吗",
)


@dataclass
class Samples:
    plain: list[float] = field(default_factory=list)
    knowledge: list[float] = field(default_factory=list)
    facts: list[float] = field(default_factory=list)
    errors: int = 0
    late_starts: int = 0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def one_turn(
    client: httpx.AsyncClient, url: str, sender: str, text: str, kind: str, samples: Samples
) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(url, json={"sender": sender, "message": text})
        response.raise_for_status()
        if not response.json():
            raise ValueError("empty reply")
    except (httpx.HTTPError, ValueError):
        samples.errors += 1
        return
    elapsed = (time.perf_counter() - started) * 1000
    {"knowledge": samples.knowledge, "facts": samples.facts}.get(kind, samples.plain).append(
        elapsed
    )


async def run_rate(
    rasa: str, rate: float, seconds: float, knowledge_share: float, facts_share: float = 0.0
) -> Samples:
    url = f"{rasa}/webhooks/rest/webhook"
    samples = Samples()
    total = int(rate * seconds)
    interval = 1.0 / rate
    plain = itertools.cycle(PLAIN_TURNS)
    knowledge = itertools.cycle(KNOWLEDGE_TURNS)
    every = max(1, round(1 / knowledge_share)) if knowledge_share > 0 else 0
    facts_every = max(1, round(1 / facts_share)) if facts_share > 0 else 0
    fact = itertools.cycle(FACT_TURNS)
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        tasks = []
        start = time.perf_counter()
        for i in range(total):
            due = start + i * interval
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.05:
                samples.late_starts += 1
            kind = "knowledge" if every and i % every == 0 else "plain"
            if kind == "plain" and facts_every and i % facts_every == 1 % facts_every:
                kind = "facts"
            text = next({"knowledge": knowledge, "facts": fact}.get(kind, plain))
            sender = f"web:bench-{uuid.uuid4().hex[:10]}"
            tasks.append(asyncio.create_task(one_turn(client, url, sender, text, kind, samples)))
        await asyncio.gather(*tasks)
    return samples


def summarise(rate: float, samples: Samples) -> dict[str, object]:
    return {
        "rate_per_s": rate,
        "plain_n": len(samples.plain),
        "plain_p50_ms": round(percentile(samples.plain, 50), 1),
        "plain_p95_ms": round(percentile(samples.plain, 95), 1),
        "knowledge_n": len(samples.knowledge),
        "knowledge_p50_ms": round(percentile(samples.knowledge, 50), 1),
        "knowledge_p95_ms": round(percentile(samples.knowledge, 95), 1),
        "facts_n": len(samples.facts),
        "facts_p50_ms": round(percentile(samples.facts, 50), 1),
        "facts_p95_ms": round(percentile(samples.facts, 95), 1),
        "all_p95_ms": round(percentile(samples.plain + samples.knowledge + samples.facts, 95), 1),
        "errors": samples.errors,
        "late_starts": samples.late_starts,
        "mean_ms": round(statistics.fmean(samples.plain + samples.knowledge), 1)
        if samples.plain or samples.knowledge
        else None,
    }


async def main_async(args: argparse.Namespace) -> None:
    # warm up: load the model paths and the knowledge index once
    await run_rate(args.rasa, 2, 3, 0.5)
    if not args.find_max:
        print(
            json.dumps(
                summarise(
                    args.rate,
                    await run_rate(
                        args.rasa, args.rate, args.seconds, args.knowledge_share, args.facts_share
                    ),
                ),
                ensure_ascii=False,
            )
        )
        return
    best = None
    for rate in args.rates:
        result = summarise(
            rate, await run_rate(args.rasa, rate, args.seconds, args.knowledge_share)
        )
        print(json.dumps(result, ensure_ascii=False), flush=True)
        ok = result["errors"] == 0 and float(result["all_p95_ms"]) <= args.p95_budget_ms  # type: ignore[arg-type]
        if not ok:
            break
        best = rate
        await asyncio.sleep(2)
    print(f"highest sustained rate with p95 <= {args.p95_budget_ms} ms: {best} turns/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--rate", type=float, default=10.0, help="turns per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--knowledge-share", type=float, default=0.3)
    parser.add_argument(
        "--facts-share", type=float, default=0.0, help="share of questions carrying facts"
    )
    parser.add_argument("--find-max", action="store_true")
    parser.add_argument("--rates", type=float, nargs="+", default=[5, 10, 15, 20, 25, 30, 40])
    parser.add_argument("--p95-budget-ms", type=float, default=500.0)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
