"""Benchmark the visit dashboard's queries on PostgreSQL: 100,000 targets, 1,000,000 visits.

1. Seeds targets (with 1–3 categories each), their villages and twelve months of visits into
   a dedicated schema (default ``bench_visits``) created from the API's own tables
   (``Base.metadata``), by COPY, then ANALYZE.
2. Times every query the dashboard and ``GET /api/visits/rate`` run, by calling the API's own
   functions (workflows/visits/rate.py, service.py) for the district (supervisor), one township
   (its reviewer) and one grid worker's villages; prints p50/p95/max per query and EXPLAIN
   ANALYZE of the slowest.

Run (a few minutes on 2 shared cores):
    .venv/bin/python scripts/bench_visits.py
    .venv/bin/python scripts/bench_visits.py --targets 10000 --repeat 10   # quick
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import ColumnElement, create_engine, text, true
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from huimin import townships  # noqa: E402
from workflows.auth.actor import Caller  # noqa: E402
from workflows.auth.models import StaffUser  # noqa: E402
from workflows.db import Base  # noqa: E402
from workflows.models_registry import import_all_models  # noqa: E402
from workflows.visits import figures, rate, service, snapshots  # noqa: E402
from workflows.visits.enums import TargetCategory  # noqa: E402
from workflows.visits.models import VisitTarget  # noqa: E402
from workflows.visits.rate import Month  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LAST_MONTH = Month(2026, 11)
CLOSED_MONTH = Month(2026, 10)
TODAY = dt.date(2026, 11, 28)
MONTHS = [LAST_MONTH.previous(i) for i in reversed(range(12))]
GRACE = 7
ONE_DAY = dt.timedelta(days=1)


def _seed(url: str, schema: str, n_targets: int, visits_wanted: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    codes = [t.code for t in townships.all_townships()]
    villages = {code: [f"{i + 1:02d}村" for i in range(rng.randint(8, 25))] for code in codes}
    categories = [c.value for c in TargetCategory]
    visited_share = 0.85  # of a month's targets, visited (the rate is below 100% on purpose)
    raw = url.replace("postgresql+psycopg://", "postgresql://")
    counts = {"targets": 0, "categories": 0, "visits": 0}
    created = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    with psycopg.connect(raw, options=f"-csearch_path={schema}") as conn:
        with conn.cursor() as cur:
            with cur.copy(
                "COPY visit_targets (id, id_number, name, birth_date, township_code, village, "
                "address, source, added_on, removed_on, created_at, worker_username, "
                "category_mask) FROM STDIN"
            ) as copy:
                targets: list[tuple[int, dt.date, dt.date | None]] = []
                chosen_by_target: dict[int, list[str]] = {}
                for i in range(1, n_targets + 1):
                    code = rng.choice(codes)
                    added = dt.date(2025, 12, 1) + dt.timedelta(days=int(rng.expovariate(1 / 40)))
                    added = min(added, dt.date(2026, 11, 28))
                    if rng.random() < 0.7:
                        added = dt.date(2025, 6, 1)  # on the roster before the year began
                    removed = (
                        added + dt.timedelta(days=rng.randint(30, 300))
                        if rng.random() < 0.08
                        else None
                    )
                    birth = dt.date(1926, 1, 1) + dt.timedelta(days=rng.randrange(14000))
                    chosen = rng.sample(categories, rng.choice((1, 1, 2, 3)))
                    copy.write_row(
                        (
                            i, f"B{i:017d}",  # unique stand-in (not a valid number)
                            f"对象{i}", birth, code, rng.choice(villages[code]), "", "import",
                            added, removed, created, None, rate.mask_of(chosen),
                        )
                    )  # fmt: skip
                    targets.append((i, added, removed))
                    chosen_by_target[i] = chosen
                counts["targets"] = n_targets
            with cur.copy("COPY visit_target_categories (target_id, category) FROM STDIN") as copy:
                for target_id, _, _ in targets:
                    for category in chosen_by_target[target_id]:
                        copy.write_row((target_id, category))
                        counts["categories"] += 1
            spells = [
                (target_id, month, max(month.first, added), end)
                for target_id, added, removed in targets
                for month in MONTHS
                if (
                    end := min(
                        TODAY, month.last if removed is None else min(month.last, removed - ONE_DAY)
                    )
                )
                >= max(month.first, added)
            ]
            per_visit = visits_wanted / (len(spells) * visited_share)  # visits per visited month
            with cur.copy(
                "COPY visits (target_id, visited_on, visit_month, way, worker_username, seen, "
                "findings, risk_flags, created_at) FROM STDIN"
            ) as copy:
                for target_id, month, start, end in spells:
                    if rng.random() >= visited_share:
                        continue
                    n = max(1, int(per_visit) + (rng.random() < per_visit - int(per_visit)))
                    for _ in range(n):
                        day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
                        copy.write_row(
                            (
                                target_id, day, month.key, "home", "bench", "本人", "",
                                "[]", created,
                            )
                        )  # fmt: skip
                        counts["visits"] += 1
        conn.execute("SELECT setval('visit_targets_id_seq', (SELECT max(id) FROM visit_targets))")
        conn.execute(
            "UPDATE visit_targets t SET last_visited_on = v.last FROM (SELECT target_id, "
            "max(visited_on) AS last FROM visits GROUP BY target_id) v WHERE t.id = v.target_id"
        )  # what workflows/visits/log.py keeps on each visit
        conn.execute("ANALYZE")
    return counts


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float]:
    fn()  # warm the cache
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
    return statistics.median(samples), p95, samples[-1]


def _caller(role: str, township: str | None) -> Caller:
    return Caller(
        staff=StaffUser(
            username=f"bench_{role}", role=role, township_code=township, password_hash=""
        )
    )


def _measure(session: Session, repeat: int, counts: dict[str, int]) -> None:
    township = "330111001000"  # 富春街道
    village = session.scalar(
        text("SELECT village FROM visit_targets WHERE township_code = :t LIMIT 1"),
        {"t": township},
    )
    grid_scope = (VisitTarget.township_code == township) & (VisitTarget.village == village)
    who: dict[str, tuple[Caller, ColumnElement[bool], str | None]] = {
        "district": (_caller("supervisor", None), true(), None),
        "township": (
            _caller("reviewer", township),
            VisitTarget.township_code == township,
            township,
        ),
        "grid worker": (_caller("grid_worker", township), grid_scope, None),
    }
    now = dt.datetime.combine(TODAY, dt.time(10), tzinfo=dt.UTC)

    def summarise_once() -> None:
        snapshots.invalidate(session, month_key=CLOSED_MONTH.key)
        snapshots.ensure(session, month=CLOSED_MONTH, grace_days=GRACE, now=now)
        session.commit()

    first = _time(summarise_once, 3)
    for month in MONTHS[:-1]:
        snapshots.ensure(session, month=month, grace_days=GRACE, now=now)
    session.commit()
    queries: list[tuple[str, Callable[[], Any]]] = []
    for name, (caller, clause, town) in who.items():

        def current(c: Caller = caller, sc: Any = clause, t: str | None = town) -> Any:
            return figures.figures(
                session, caller=c, scope=sc, township=t, month=LAST_MONTH,
                grace_days=GRACE, today=TODAY, now=now,
            )  # fmt: skip

        def closed(c: Caller = caller, sc: Any = clause, t: str | None = town) -> Any:
            return figures.figures(
                session, caller=c, scope=sc, township=t, month=CLOSED_MONTH,
                grace_days=GRACE, today=TODAY, now=now,
            )  # fmt: skip

        def trend(c: Caller = caller, sc: Any = clause, t: str | None = town) -> Any:
            total = rate.Rate(0, 0)
            return figures.trend(
                session, caller=c, scope=sc, township=t, last=LAST_MONTH, months=12,
                grace_days=GRACE, today=TODAY, now=now, current=total,
            )  # fmt: skip

        def overdue(sc: Any = clause) -> Any:
            return rate.overdue(
                session, month=LAST_MONTH, grace_days=GRACE, scope=sc, latest=True, limit=100
            )

        queries += [
            (f"{name}: this month (total, villages, categories)", current),
            (f"{name}: a closed month (summarised)", closed),
            (f"{name}: trend, 11 closed months", trend),
            (f"{name}: overdue list (100)", overdue),
        ]
    queries.append(
        (
            "grid worker: month list",
            lambda: service.worker_list(session, scope=grid_scope, month=LAST_MONTH),
        )
    )
    queries.append(
        (
            "district: GET /api/visits/rate total (one query)",
            lambda: rate.overall(
                session, month=LAST_MONTH, grace_days=GRACE, scope=true(), latest=True
            ),
        )
    )
    print(f"\n{counts['targets']:,} targets, {counts['visits']:,} visits; repeat {repeat}")
    print("| query | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    for label, fn in queries:
        p50, p95, worst = _time(fn, repeat)
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {worst:.1f} |")
    print(
        f"| summarising a closed month (once per month, first read) | {first[0]:.1f} | "
        f"{first[1]:.1f} | {first[2]:.1f} |"
    )
    total = rate.overall(session, month=LAST_MONTH, grace_days=GRACE, scope=true())
    print(f"\ndistrict {LAST_MONTH}: {total.visited}/{total.targets} = {total.rate:.2%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--schema", default="bench_visits")
    parser.add_argument("--targets", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    args = parser.parse_args()

    import_all_models()
    admin = create_engine(args.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{args.schema}"'))
    engine = create_engine(args.url, connect_args={"options": f"-csearch_path={args.schema}"})
    try:
        Base.metadata.create_all(engine)
        started = time.perf_counter()
        counts = _seed(args.url, args.schema, args.targets, args.visits, seed=20261130)
        seeded = time.perf_counter() - started
        print(f"seeded {counts} in {seeded:.0f} s")
        vacuum = psycopg.connect(
            args.url.replace("postgresql+psycopg://", "postgresql://"),
            options=f"-csearch_path={args.schema}",
            autocommit=True,
        )
        for table in ("visits", "visit_targets", "visit_target_categories"):
            vacuum.execute(f"VACUUM ANALYZE {table}")  # as autovacuum would after the load
        vacuum.close()
        with Session(engine) as session:
            _measure(session, args.repeat, counts)
    finally:
        engine.dispose()
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
