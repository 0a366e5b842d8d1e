"""Benchmark the case queue and application intake against PostgreSQL.

1. Seeds N program cases (default 1,000,000) with their applications and a few forwards into a
   dedicated schema (default ``bench``), using the API's own tables (``Base.metadata``), by COPY.
2. Times the staff queue for one township with filters, calling the API's own query
   (``workflows.cases.queries.list_cases``) on the models' indexes, and prints EXPLAIN ANALYZE
   of every statement of the slowest scenario.
3. Starts the real API (uvicorn, one process) on 127.0.0.1 against the same schema and sends
   a bounded number of ``POST /api/applications`` from concurrent httpx clients.

Run (about 5–8 minutes on 2 shared cores):
    .venv/bin/python scripts/bench_workflows.py
    .venv/bin/python scripts/bench_workflows.py --cases 100000 --submissions 200   # quick
Results are printed as Markdown (see docs/benchmarks/workflows.md).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import Engine, Table, create_engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from huimin import townships  # noqa: E402
from huimin.idcard import make_number  # noqa: E402
from huimin.local_time import LOCAL_TZ  # noqa: E402
from huimin.programs import Program  # noqa: E402
from huimin.settings import Settings  # noqa: E402
from workflows.calendar import WorkingDayCalendar  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TODAY = dt.date(2026, 11, 28)

# Rough weights: 街道 and the large towns see more cases.
TOWNSHIP_WEIGHTS = {
    "富春街道": 16, "春江街道": 6, "鹿山街道": 5, "东洲街道": 6, "银湖街道": 8, "万市镇": 3,
    "洞桥镇": 2, "渌渚镇": 3, "永昌镇": 4, "里山镇": 3, "常绿镇": 2, "场口镇": 5, "常安镇": 2,
    "龙门镇": 3, "新登镇": 7, "胥口镇": 2, "大源镇": 4, "灵桥镇": 3, "新桐乡": 1, "上官乡": 1,
    "环山乡": 2, "湖源乡": 1, "春建乡": 1, "渔山乡": 1,
}  # fmt: skip
PROGRAM_WEIGHTS = {
    Program.DIBAO: 18, Program.DIBAO_EDGE: 10, Program.TEKUN: 4, Program.RIGID_EXPENDITURE: 5,
    Program.TEMPORARY: 12, Program.MEDICAL: 14, Program.EDUCATION: 6, Program.HOUSING: 3,
    Program.EMPLOYMENT: 4, Program.DISABILITY_LIVING: 7, Program.DISABILITY_CARE: 6,
    Program.ELDER_CARE_SUBSIDY: 6, Program.ELDERLY_ALLOWANCE: 9,
}  # fmt: skip
OPEN_STATUSES = {
    "submitted": 10, "accepted": 15, "materials_needed": 15, "investigating": 35,
    "township_opinion": 10, "public_notice": 15,
}  # fmt: skip
DECIDED_STATUSES = {"approved": 70, "rejected": 12, "closed": 18}
PROGRAMS_PER_APPLICATION = {1: 45, 2: 35, 3: 15, 4: 5}
HISTORY_DAYS = 3 * 365
STILL_OPEN_AFTER_60_DAYS = 0.01  # stuck cases: the overdue filter finds them


# Seeding -------------------------------------------------------------------------------------
@dataclass
class Seeded:
    applications: int
    cases: int
    forwards: int
    seconds: float


def weighted(rng: random.Random, table: dict[Any, int]) -> Callable[[], Any]:
    keys = list(table)
    cum: list[int] = []
    total = 0
    for key in keys:
        total += table[key]
        cum.append(total)

    def pick() -> Any:
        return rng.choices(keys, cum_weights=cum)[0]

    return pick


def township_codes() -> dict[str, str]:
    return {t.name: t.code for t in townships.all_townships()}


def allowed_days(program: Program) -> int:
    from workflows.deadlines.policy import policy_for

    return policy_for(program, dibao_review_delegated=False).working_days


class DueDates:
    """Due dates by (start, working days), computed once per pair with the real calendar."""

    def __init__(self) -> None:
        self.calendar = WorkingDayCalendar()
        self._cache: dict[tuple[dt.date, int], tuple[dt.date, bool]] = {}

    def __call__(self, start: dt.date, days: int) -> tuple[dt.date, bool]:
        key = (start, days)
        if key not in self._cache:
            due = self.calendar.add_working_days(start, days)
            self._cache[key] = (due.date, due.provisional)
        return self._cache[key]


def required_columns(table: Table) -> set[str]:
    return {
        c.name
        for c in table.columns
        if not c.nullable and c.server_default is None and not c.primary_key
    }


def check_columns(table: Table, given: list[str]) -> None:
    missing = required_columns(table) - set(given)
    if missing:
        raise SystemExit(f"{table.name}: seeding does not fill NOT NULL columns {sorted(missing)}")


APPLICATION_COLUMNS = [
    "id", "number", "request_hash", "channel", "channel_user_id", "entered_by_staff",
    "consent_verification", "consent_at", "applicant_name", "applicant_id_number",
    "hukou_township_code", "residence_township_code", "has_residence_permit",
    "submitted_township_code", "documents_later", "created_at",
]  # fmt: skip
CASE_COLUMNS = [
    "id", "application_id", "program", "status", "submitted_township_code",
    "handling_township_code", "routing_reason", "started_on", "allowed_working_days",
    "extended", "paused_working_days", "paused_since", "due_date", "due_date_provisional",
    "missing_materials", "created_at", "updated_at", "version",
]  # fmt: skip
FORWARD_COLUMNS = [
    "case_id", "from_township_code", "to_township_code", "reason", "by_username", "at",
    "due_date",
]  # fmt: skip


def generate(n_cases: int, seed: int = 20261128) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Rows as ("applications" | "program_cases" | "case_forwards", values), in FK order."""
    rng = random.Random(seed)
    codes = township_codes()
    pick_township = weighted(rng, {codes[name]: w for name, w in TOWNSHIP_WEIGHTS.items()})
    pick_program = weighted(rng, PROGRAM_WEIGHTS)
    pick_open = weighted(rng, OPEN_STATUSES)
    pick_decided = weighted(rng, DECIDED_STATUSES)
    pick_count = weighted(rng, PROGRAMS_PER_APPLICATION)
    pick_channel = weighted(rng, {"telegram": 40, "web": 25, "counter": 35})
    all_codes = list(codes.values())
    due_dates = DueDates()
    days = {program: allowed_days(program) for program in Program}
    first_day = TODAY - dt.timedelta(days=HISTORY_DAYS)
    case_id = 0
    app_id = 0
    while case_id < n_cases:
        app_id += 1
        submitted = pick_township()
        hukou = submitted if rng.random() < 0.88 else rng.choice(all_codes)
        age = rng.randrange(HISTORY_DAYS)
        day = first_day + dt.timedelta(days=age)
        created = dt.datetime.combine(
            day, dt.time(9 + rng.randrange(8), rng.randrange(60)), LOCAL_TZ
        )
        channel = pick_channel()
        birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(30000))
        yield "applications", (
            app_id, f"BM-{day:%Y%m%d}-{app_id:07d}", "0" * 64, channel,
            None if channel == "counter" else str(rng.randrange(10**9)),
            "bench_counter" if channel == "counter" else None, True, created, "测试申请人",
            make_number(rng.choice(("330183", "330111")), birth, rng.randrange(1000)),
            hukou, submitted, False, submitted, False, created,
        )  # fmt: skip
        programs = sorted({pick_program() for _ in range(pick_count())})  # stable order
        for program in programs:
            case_id += 1
            if case_id > n_cases:
                break
            recent = (TODAY - day).days < 60
            is_open = (recent and rng.random() < 0.6) or rng.random() < STILL_OPEN_AFTER_60_DAYS
            status = pick_open() if is_open else pick_decided()
            handling = hukou if hukou != submitted and rng.random() < 0.7 else submitted
            due, provisional = due_dates(day, days[program])
            paused = day + dt.timedelta(days=5) if status == "materials_needed" else None
            yield "program_cases", (
                case_id, app_id, program.value, status, submitted, handling,
                "户籍地乡镇(街道)受理" if handling == hukou else "申请地乡镇(街道)受理",
                day, days[program], False, 0, paused, due, provisional,
                json.dumps(["户口簿复印件"], ensure_ascii=False) if paused else None,
                created, created, 1,
            )  # fmt: skip
            if rng.random() < 0.02:
                target = handling if handling != submitted else rng.choice(all_codes)
                yield "case_forwards", (
                    case_id, submitted, target, "转至户籍地办理", "bench_counter",
                    created + dt.timedelta(days=1), due_dates(day, 3)[0],
                )  # fmt: skip


def engine_for(url: str, schema: str) -> Engine:
    return create_engine(url, connect_args={"options": f"-csearch_path={schema}"})


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _flush(
    cur: psycopg.Cursor[Any],
    pending: dict[str, list[tuple[Any, ...]]],
    columns: dict[str, list[str]],
) -> None:
    """COPY the buffered rows, parents first (one COPY at a time on a connection)."""
    for name in ("applications", "program_cases", "case_forwards"):
        with cur.copy(f"COPY {name} ({', '.join(columns[name])}) FROM STDIN") as copy:
            for row in pending[name]:
                copy.write_row(row)
        pending[name].clear()


def seed(url: str, schema: str, n_cases: int) -> Seeded:
    from workflows.db import Base
    from workflows.models_registry import import_all_models

    import_all_models()
    tables = Base.metadata.tables
    check_columns(tables["applications"], APPLICATION_COLUMNS)
    check_columns(tables["program_cases"], CASE_COLUMNS)
    check_columns(tables["case_forwards"], FORWARD_COLUMNS)
    started = time.perf_counter()
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    engine = engine_for(url, schema)
    Base.metadata.create_all(engine)
    big = [tables[name] for name in ("applications", "program_cases", "case_forwards")]
    with engine.begin() as conn:  # load first, index after: much faster
        for table in big:
            for index in table.indexes:
                index.drop(conn)
    engine.dispose()
    counts = {"applications": 0, "program_cases": 0, "case_forwards": 0}
    columns = {
        "applications": APPLICATION_COLUMNS,
        "program_cases": CASE_COLUMNS,
        "case_forwards": FORWARD_COLUMNS,
    }
    pending: dict[str, list[tuple[Any, ...]]] = {name: [] for name in columns}
    with psycopg.connect(libpq_url(url), options=f"-csearch_path={schema}") as conn:
        with conn.cursor() as cur:
            for name, row in generate(n_cases):
                pending[name].append(row)
                counts[name] += 1
                if len(pending["program_cases"]) >= 50_000 and name == "applications":
                    _flush(cur, pending, columns)
            _flush(cur, pending, columns)
        conn.commit()
    engine = engine_for(url, schema)
    with engine.begin() as conn:
        for table in big:
            for index in table.indexes:
                index.create(conn)
        for name in ("applications", "program_cases"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                              f"(SELECT max(id) FROM {name}))"))  # fmt: skip
    with psycopg.connect(libpq_url(url), options=f"-csearch_path={schema}", autocommit=True) as c:
        c.execute("VACUUM ANALYZE")
    engine.dispose()
    return Seeded(
        counts["applications"],
        counts["program_cases"],
        counts["case_forwards"],
        time.perf_counter() - started,
    )


# Queue timing --------------------------------------------------------------------------------
@dataclass
class Timing:
    name: str
    p50_ms: float
    p95_ms: float
    total: int  # rows matching (the count the page shows)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def queue_scenarios() -> list[tuple[str, dict[str, Any]]]:
    from workflows.cases.enums import CaseStatus

    return [
        ("no filter (open cases), page 1", {}),
        ("include_closed, page 1 (count capped at 1000)", {"include_closed": True}),
        ("status=investigating", {"status": CaseStatus.INVESTIGATING}),
        ("program=dibao", {"program": Program.DIBAO}),
        (
            "program=dibao, status=accepted",
            {"program": Program.DIBAO, "status": CaseStatus.ACCEPTED},
        ),
        ("overdue=true", {"overdue": True}),
        ("status=materials_needed, page 3", {"status": CaseStatus.MATERIALS_NEEDED, "page": 3}),
    ]


STALE_INDEXES = (  # dropped by migration 0004; a reused schema may still have them
    "ix_program_cases_handling_township_code",
    "ix_program_cases_submitted_township_code",
)


def drop_stale_indexes(database_url: str, schema: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        for name in STALE_INDEXES:
            conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{schema}"."{name}"')
    engine.dispose()


def township_caller(code: str) -> Any:
    from workflows.auth.actor import Caller
    from workflows.auth.models import StaffUser

    staff = StaffUser(username="bench_reviewer", role="reviewer", township_code=code)
    return Caller(staff=staff)


def their_list_cases(session: Session, **kwargs: Any) -> tuple[Any, int]:
    from workflows.cases import queries

    listing = queries.list_cases(session, **kwargs)
    return listing.items, listing.total


ListCases = Callable[..., tuple[Any, int]]


def time_queue(
    engine: Engine, township_code: str, repeats: int, list_cases: ListCases = their_list_cases
) -> list[Timing]:
    caller = township_caller(township_code)
    results = []
    for name, filters in queue_scenarios():
        samples: list[float] = []
        total = 0
        for attempt in range(repeats + 3):
            started = time.perf_counter()
            with Session(engine) as session:
                items, total = list_cases(session, caller=caller, today=TODAY, **filters)
                _ = [case.application.number for case in items]
            if attempt >= 3:  # the first three warm the cache
                samples.append((time.perf_counter() - started) * 1000)
        results.append(Timing(name, percentile(samples, 0.5), percentile(samples, 0.95), total))
    return results


@contextmanager
def captured_sql(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    from sqlalchemy import event

    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def explain_queue(
    engine: Engine,
    township_code: str,
    filters: dict[str, Any],
    list_cases: ListCases = their_list_cases,
) -> list[str]:
    """EXPLAIN ANALYZE of each statement one queue request runs."""
    caller = township_caller(township_code)
    with captured_sql(engine) as statements, Session(engine) as session:
        items, _ = list_cases(session, caller=caller, today=TODAY, **filters)
        _ = [case.application.number for case in items]
    plans = []
    with engine.connect() as conn:
        for statement, params in statements:
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            plan = "\n".join(row[0] for row in rows)
            plans.append(_shorten(statement.strip()) + "\n" + _shorten(plan))
    return plans


def queue_section(
    title: str,
    engine: Engine,
    code: str,
    repeats: int,
    list_cases: ListCases,
    *,
    explain: bool = True,
) -> None:
    print(f"## Queue: {title} ({repeats} timed runs each)\n")
    timings = time_queue(engine, code, repeats, list_cases)
    print(timing_table(timings) + "\n")
    if explain:
        worst = max(timings, key=lambda t: t.p95_ms)
        filters = dict(queue_scenarios())[worst.name]
        print(f"<details><summary>EXPLAIN ANALYZE of the slowest: {worst.name}</summary>\n")
        print("```")
        print("\n\n".join(explain_queue(engine, code, filters, list_cases)))
        print("```\n</details>\n")


def _shorten(text_block: str, width: int = 160) -> str:
    return "\n".join(
        line if len(line) <= width else line[:width] + " …" for line in text_block.splitlines()
    )


# Intake through the real API -----------------------------------------------------------------
@dataclass
class Intake:
    submitted: int
    concurrency: int
    seconds: float
    per_second: float
    p50_ms: float
    p95_ms: float
    statuses: dict[int, int]


def application_body(rng: random.Random, index: int, codes: list[str]) -> dict[str, Any]:
    township = rng.choice(codes)
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
    applicant = make_number("330183", birth, rng.randrange(1000))
    programs = sorted({rng.choice(list(PROGRAM_WEIGHTS)).value for _ in range(rng.randint(1, 3))})
    return {
        "channel": "telegram",
        "channel_user_id": str(100000 + index),
        "entered_by_staff": None,
        "consent_verification": True,
        "consent_at": "2026-11-28T10:00:00+08:00",
        "applicant": {"name": "测试申请人", "id_number": applicant, "phone": "13800000000"},
        "hukou_township_code": township,
        "hukou_region_text": None,
        "residence_township_code": township,
        "has_residence_permit": False,
        "programs": programs,
        "members": [
            {
                "relation": "本人", "name": "测试申请人", "id_number": applicant,
                "disability_category": None, "disability_grade": None,
                "serious_illness": False, "in_school": False,
                "incomes": [{"kind": "wage", "monthly_amount": 1200.0}],
            }
        ],
        "property": [{"kind": "deposit", "value": 5000, "note": ""}],
        "expenditures": [],
        "documents_later": True,
    }  # fmt: skip


@contextmanager
def running_api(url: str, schema: str, port: int) -> Iterator[str]:
    env = dict(os.environ)
    env.update(
        HUIMIN_DATABASE_URL=f"{url}?options=-csearch_path%3D{schema}",
        HUIMIN_VAR_DIR=tempfile.mkdtemp(prefix="huimin-bench-"),
        HUIMIN_ENVIRONMENT="test",  # skips the knowledge warm-up (embedding model) at start
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "workflows.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the API did not start (see its output above)")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


async def submit_all(base: str, token: str, count: int, concurrency: int) -> Intake:
    rng = random.Random(7)
    codes = [t.code for t in townships.all_townships()]
    bodies = [application_body(rng, i, codes) for i in range(count)]
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            while not queue.empty():
                body = queue.get_nowait()
                started = time.perf_counter()
                response = await client.post(
                    "/api/applications",
                    json=body,
                    headers={"X-Internal-Token": token, "Idempotency-Key": str(uuid.uuid4())},
                )
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code >= 400 and statuses[response.status_code] == 1:
                    print(f"HTTP {response.status_code}: {response.text[:500]}", file=sys.stderr)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    created = statuses.get(201, 0)
    return Intake(
        count, concurrency, seconds, created / seconds,
        percentile(latencies, 0.5), percentile(latencies, 0.95), statuses,
    )  # fmt: skip


def time_queue_http(base: str, token: str, township_code: str, repeats: int) -> Timing:
    samples = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for attempt in range(repeats + 3):
            started = time.perf_counter()
            response = client.get(
                "/api/cases",
                params={"status": "investigating", "page_size": 20},
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()
            if attempt >= 3:
                samples.append((time.perf_counter() - started) * 1000)
    total = int(response.json()["total"])
    name = "GET /api/cases?status=investigating (HTTP, staff token)"
    return Timing(name, percentile(samples, 0.5), percentile(samples, 0.95), total)


def staff_token(url: str, schema: str, township_code: str) -> str:
    from workflows.auth.models import StaffUser
    from workflows.auth.security import hash_password, issue_token

    settings = Settings(_env_file=None)
    engine = engine_for(url, schema)
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        if session.query(StaffUser).filter_by(username="bench_reviewer").first() is None:
            session.add(
                StaffUser(
                    username="bench_reviewer", password_hash=hash_password("bench", rounds=4),
                    role="reviewer", township_code=township_code, display_name="压测审核员",
                    active=True, created_at=now,
                )
            )  # fmt: skip
            session.commit()
        user = session.query(StaffUser).filter_by(username="bench_reviewer").one()
        password_hash = user.password_hash
    engine.dispose()
    return issue_token(settings, username="bench_reviewer", password_hash=password_hash, now=now)[0]


# Report --------------------------------------------------------------------------------------
def timing_table(timings: list[Timing]) -> str:
    lines = ["| query | matching rows | p50 ms | p95 ms |", "|---|---:|---:|---:|"]
    lines += [f"| {t.name} | {t.total} | {t.p50_ms:.1f} | {t.p95_ms:.1f} |" for t in timings]
    return "\n".join(lines)


def run_queue_section(args: argparse.Namespace, name: str, code: str) -> None:
    engine = engine_for(args.database_url, args.schema)
    print(f"Queue of {name} ({code}) as a township reviewer sees it, through the API's own")
    print("query (workflows.cases.queries.list_cases) and the models' indexes. Each timed call")
    print("is the count, page 1 of 20 rows (or the page named), and those rows' applications.\n")
    queue_section("API's list_cases, models' indexes", engine, code, args.repeats, their_list_cases)
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--schema", default="bench")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--township", default="富春街道", help="the queue's township (name)")
    parser.add_argument("--repeats", type=int, default=40, help="timed runs per queue query")
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded schema")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--skip-queue", action="store_true", help="only the API intake")
    args = parser.parse_args(argv)
    from workflows.models_registry import import_all_models

    import_all_models()  # every mapper, also when the seed step is skipped
    township = townships.from_text(args.township)
    if township is None:
        raise SystemExit(f"unknown township: {args.township}")

    if not args.reuse:
        seeded = seed(args.database_url, args.schema, args.cases)
        print(
            f"## Seed\n{seeded.cases} cases, {seeded.applications} applications, "
            f"{seeded.forwards} forwards in {seeded.seconds:.1f} s (COPY, indexes after)\n"
        )
    else:
        drop_stale_indexes(args.database_url, args.schema)
    if not args.skip_queue:
        run_queue_section(args, township.name, township.code)
    if args.skip_api:
        return 0
    token = Settings(_env_file=None).internal_token.get_secret_value()
    with running_api(args.database_url, args.schema, args.port) as base:
        intake = asyncio.run(submit_all(base, token, args.submissions, args.concurrency))
        print(f"## Intake: POST /api/applications through uvicorn (1 process)\n"
              f"{intake.submitted} submissions, {intake.concurrency} concurrent clients: "
              f"{intake.seconds:.1f} s, **{intake.per_second:.0f} applications/s**, "
              f"latency p50 {intake.p50_ms:.0f} ms, p95 {intake.p95_ms:.0f} ms, "
              f"statuses {intake.statuses}\n")  # fmt: skip
        bearer = staff_token(args.database_url, args.schema, township.code)
        http = time_queue_http(base, bearer, township.code, args.repeats)
        print(timing_table([http]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
