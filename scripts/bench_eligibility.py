"""Benchmark in-process eligibility pre-screening: p50/p95/p99 over varied households.

    .venv/bin/python scripts/bench_eligibility.py [--households 5000] [--seed 7] [--budget-ms 10]

Two timings per household: ``prescreen`` alone (a validated ``HouseholdIn``, as the case page and
the API call it) and ``validate+prescreen`` (from a JSON-like dict, what an HTTP request costs
in-process, without the network and the web framework). Exit status 1 if either p95 is over budget.
The households are fictitious, generated from a fixed seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from huimin.idcard import make_number
from huimin.townships import all_townships
from workflows.eligibility.engine import prescreen
from workflows.eligibility.rules import load_rules
from workflows.eligibility.schemas import HouseholdIn
from workflows.eligibility.standards import load_standards
from workflows.validation import validation_context

ON = dt.date(2026, 6, 1)
INCOME_KINDS = (
    "wage",
    "business",
    "property",
    "transfer",
    "pension",
    "pension_basic",
    "pension_allowance_exempt",
    "relief",
    "fuxu",
)
CATEGORIES = ("肢体", "视力", "听力", "言语", "智力", "精神", "多重")
RELATIONS = ("配偶", "子女", "父母", "其他")


def random_member(rng: random.Random, relation: str) -> dict[str, Any]:
    member: dict[str, Any] = {
        "relation": relation,
        "serious_illness": rng.random() < 0.1,
        "in_school": rng.random() < 0.1,
        "incomes": [
            {"kind": rng.choice(INCOME_KINDS), "monthly_amount": round(rng.uniform(0, 4000), 2)}
            for _ in range(rng.randint(0, 3))
        ],
    }
    age = rng.randint(0, 99)
    if rng.random() < 0.5:
        born = ON.replace(year=ON.year - age) - dt.timedelta(days=rng.randint(1, 300))
        member["id_number"] = make_number(
            rng.choice(("330111", "330183")), born, rng.randint(1, 999)
        )
    else:
        member["age"] = age
    if rng.random() < 0.2:
        member["disability_category"] = rng.choice(CATEGORIES)
        member["disability_grade"] = rng.randint(1, 4)
    if age >= 60 and rng.random() < 0.5:
        member["needs_assessment_level"] = rng.randint(0, 4)
    if rng.random() < 0.05:
        member["excluded_reason"] = rng.choice(("clergy", "prison", "missing"))
    return member


def random_household(rng: random.Random, codes: list[str]) -> dict[str, Any]:
    size = rng.randint(1, 6)
    members = [random_member(rng, "本人")]
    members += [random_member(rng, rng.choice(RELATIONS)) for _ in range(size - 1)]
    return {
        "members": members,
        "property": [
            {
                "kind": rng.choice(("deposit", "house", "vehicle", "other")),
                "value": round(rng.uniform(0, 100000), 2),
            }
            for _ in range(rng.randint(0, 2))
        ],
        "expenditures": [
            {
                "kind": rng.choice(("medical", "education", "disability", "basic_living")),
                "annual_amount": round(rng.uniform(0, 60000), 2),
            }
            for _ in range(rng.randint(0, 3))
        ],
        "hukou_township_code": rng.choice([*codes, None]),
        "has_supporter_able": rng.choice((True, False, None)),
        "emergency": rng.random() < 0.1,
    }


def percentile(sorted_values: list[float], share: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def summarise(name: str, samples_ms: list[float]) -> dict[str, float | str]:
    ordered = sorted(samples_ms)
    return {
        "name": name,
        "n": len(ordered),
        "mean_ms": round(statistics.fmean(ordered), 3),
        "p50_ms": round(percentile(ordered, 0.50), 3),
        "p95_ms": round(percentile(ordered, 0.95), 3),
        "p99_ms": round(percentile(ordered, 0.99), 3),
        "max_ms": round(ordered[-1], 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--budget-ms", type=float, default=10.0)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON only")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    codes = [t.code for t in all_townships()]
    bodies = [random_household(rng, codes) for _ in range(args.households)]
    standards, rules = load_standards(), load_rules()
    context = validation_context(ON)  # the day ID numbers and birth dates are judged on
    households = [HouseholdIn.model_validate(body, context=context) for body in bodies]
    for household in households[:50]:  # warm-up: caches, first-call costs
        prescreen(household, on=ON, standards=standards, rules=rules)

    engine_ms: list[float] = []
    engine_cpu_ms: list[float] = []
    verdict_counts: dict[str, int] = {"likely": 0, "possible": 0, "unlikely": 0}
    for household in households:
        cpu, start = time.thread_time_ns(), time.perf_counter_ns()
        result = prescreen(household, on=ON, standards=standards, rules=rules)
        engine_ms.append((time.perf_counter_ns() - start) / 1e6)
        engine_cpu_ms.append((time.thread_time_ns() - cpu) / 1e6)
        for verdict in result.verdicts:
            verdict_counts[verdict.verdict] += 1

    full_ms: list[float] = []
    full_cpu_ms: list[float] = []
    for body in bodies:
        cpu, start = time.thread_time_ns(), time.perf_counter_ns()
        prescreen(
            HouseholdIn.model_validate(body, context=context),
            on=ON,
            standards=standards,
            rules=rules,
        )
        full_ms.append((time.perf_counter_ns() - start) / 1e6)
        full_cpu_ms.append((time.thread_time_ns() - cpu) / 1e6)

    summary = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "households": args.households,
        "seed": args.seed,
        "verdicts": verdict_counts,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        # wall clock (what a caller waits) and this thread's CPU time (what the work costs,
        # independent of other processes competing for the cores)
        "timings": [
            summarise("prescreen (wall)", engine_ms),
            summarise("validate+prescreen (wall)", full_ms),
            summarise("prescreen (cpu)", engine_cpu_ms),
            summarise("validate+prescreen (cpu)", full_cpu_ms),
        ],
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(
            f"{args.households} households, seed {args.seed}, Python {summary['python']}, "
            f"{summary['cpus']} CPUs, load average {summary['load_average_1m']}"
        )
        print(f"verdicts: {verdict_counts}")
        for row in summary["timings"]:
            assert isinstance(row, dict)
            print(
                f"{row['name']:>26}: p50 {row['p50_ms']:.3f} ms  p95 {row['p95_ms']:.3f} ms  "
                f"p99 {row['p99_ms']:.3f} ms  max {row['max_ms']:.3f} ms  "
                f"mean {row['mean_ms']:.3f} ms"
            )
    walls = [
        row for row in summary["timings"] if isinstance(row, dict) and "wall" in str(row["name"])
    ]
    over = [row for row in walls if float(row["p95_ms"]) > args.budget_ms]
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
