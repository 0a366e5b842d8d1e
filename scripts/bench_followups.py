"""Benchmark the township alert poll on PostgreSQL (every township staff page asks it every 10 s).

Seeds, into a dedicated schema (default ``bench_followups``) created from the API's own tables:
``--outbox`` delivered outbox rows on other channels, ``--alerts`` township alerts spread over
the district's townships (all but a few acknowledged) with their delivered ``township`` outbox
rows; then times ``alerts.pending_for`` (claim the township's due messages + list its open
alerts) for one township, in two cases: nothing waiting (the usual poll) and one new urgent
message waiting (claimed, copied, delivered, audited). Prints p50/p95/max in milliseconds.

Run:
    .venv/bin/python scripts/bench_followups.py
    .venv/bin/python scripts/bench_followups.py --outbox 20000 --alerts 2000 --repeat 50   # quick
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from huimin import townships  # noqa: E402
from huimin.settings import Settings  # noqa: E402
from workflows.auth.actor import Caller  # noqa: E402
from workflows.auth.models import StaffUser  # noqa: E402
from workflows.db import Base, make_engine  # noqa: E402
from workflows.followups import alerts  # noqa: E402
from workflows.models_registry import import_all_models  # noqa: E402
from workflows.outbox import service as outbox  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


def _seed(url: str, schema: str, n_outbox: int, n_alerts: int) -> list[str]:
    codes = [t.code for t in townships.all_townships()]
    raw = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(raw, options=f"-csearch_path={schema}") as conn:
        with conn.cursor().copy(
            "COPY outbox_messages (channel, channel_user_id, text, status, attempts, "
            "next_attempt_at, created_at, delivered_at) FROM STDIN"
        ) as copy:
            for i in range(n_outbox):
                channel = ("telegram", "wechat", "web")[i % 3]
                copy.write_row((channel, str(i), "通知", "delivered", 1, NOW, NOW, NOW))
            for i in range(n_alerts):
                code = codes[i % len(codes)]
                copy.write_row(
                    ("township", code, f"紧急探访线索 {i}", "delivered", 1, NOW, NOW, NOW)
                )
        conn.execute(
            "INSERT INTO township_alerts (outbox_message_id, township_code, text, shown_to, "
            "shown_at, acknowledged_by, acknowledged_at) "
            "SELECT id, channel_user_id, text, 'bench', created_at, "
            "CASE WHEN id % 500 = 0 THEN NULL ELSE 'bench' END, "
            "CASE WHEN id % 500 = 0 THEN NULL ELSE created_at END "
            "FROM outbox_messages WHERE channel = 'township'"
        )
        conn.execute("ANALYZE")
    return codes


def _times(run: object, repeat: int) -> str:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return f"p50 {statistics.median(samples):.2f} ms  p95 {p95:.2f} ms  max {samples[-1]:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--schema", default="bench_followups")
    parser.add_argument("--outbox", type=int, default=200_000)
    parser.add_argument("--alerts", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    import_all_models()
    admin = create_engine(args.url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{args.schema}"'))
    # the API's own engine (its audit key included), on the bench schema
    settings = Settings(
        _env_file=None,
        environment="test",
        database_url=f"{args.url}?options=-csearch_path%3D{args.schema}",
    )
    engine = make_engine(settings)
    try:
        Base.metadata.create_all(engine)
        started = time.perf_counter()
        codes = _seed(args.url, args.schema, args.outbox, args.alerts)
        print(
            f"seeded {args.outbox} outbox rows, {args.alerts} township alerts over "
            f"{len(codes)} townships in {time.perf_counter() - started:.1f} s"
        )
        township = codes[0]
        staff = StaffUser(username="bench_rev", role="reviewer", township_code=township)
        caller = Caller(staff=staff)

        def idle_poll() -> None:
            with Session(engine) as session:
                alerts.pending_for(session, caller=caller, now=NOW)
                session.commit()

        def poll_with_new_alert() -> None:
            with Session(engine) as session:
                outbox.enqueue(
                    session, channel="township", channel_user_id=township, text="紧急", now=NOW
                )
                session.commit()
            with Session(engine) as session:
                start = time.perf_counter()
                alerts.pending_for(session, caller=caller, now=NOW)
                session.commit()
                delivered.append((time.perf_counter() - start) * 1000)

        delivered: list[float] = []
        print(f"idle poll (nothing waiting):     {_times(idle_poll, args.repeat)}")
        for _ in range(args.repeat):
            poll_with_new_alert()
        delivered.sort()
        p95 = delivered[min(len(delivered) - 1, int(len(delivered) * 0.95))]
        print(
            f"poll delivering one new alert:   p50 {statistics.median(delivered):.2f} ms  "
            f"p95 {p95:.2f} ms  max {delivered[-1]:.2f} ms"
        )
    finally:
        engine.dispose()
        if not args.keep:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
