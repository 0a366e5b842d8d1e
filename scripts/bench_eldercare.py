"""Benchmark the 15-minute circle: GET /api/eldercare/services/nearby over N facilities.

1. Migrates a temporary SQLite database (or ``--database-url``), writes N synthetic facilities
   (default 10,000; spread over the district's rough extent, denser around township points,
   all ``sample: true``) through the importer's own ``apply``.
2. Times the in-process search (``Directory.nearby``: grid prefilter + haversine) and the index
   build.
3. Starts the real API (``python -m workflows serve``, one process) on a free 127.0.0.1 port and
   sends sequential requests over one keep-alive httpx client: coordinates, coordinates with a
   service filter, and a village name; reports p50/p95/p99 per scenario.

Run:
    .venv/bin/python scripts/bench_eldercare.py                  # 10,000 facilities, 1,000 requests
    .venv/bin/python scripts/bench_eldercare.py --facilities 50000 --requests 500
The target (issue #14): p95 ≤ 20 ms at 10,000 facilities.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from huimin import townships  # noqa: E402
from huimin.eldercare import FacilityKind, Service  # noqa: E402
from huimin.settings import Settings  # noqa: E402
from workflows.cli.common import cli_session  # noqa: E402
from workflows.eldercare.communities import load_communities  # noqa: E402
from workflows.eldercare.directory import DirectoryCache  # noqa: E402
from workflows.eldercare.geo import WalkModel  # noqa: E402
from workflows.eldercare.importer import FacilityRecord, apply  # noqa: E402
from workflows.eldercare.sample import KIND_SERVICES, township_anchor  # noqa: E402
from workflows.migrate import upgrade_to_head  # noqa: E402

INTERNAL_TOKEN = "bench-internal-token-0123456789"


def synthetic(n: int, rng: random.Random) -> list[FacilityRecord]:
    kinds = list(FacilityKind)
    all_townships = townships.all_townships()
    records = []
    for i in range(n):
        index = rng.randrange(len(all_townships))
        lat0, lon0 = township_anchor(index)
        spread = 0.03 if rng.random() < 0.8 else 0.12
        kind = rng.choice(kinds)
        records.append(
            FacilityRecord(
                line=i + 2,
                code=f"BENCH-{i:06d}",
                name=f"压测机构{i}(示例)",
                kind=kind,
                township_code=all_townships[index].code,
                community="压测社区",
                address="压测地址(虚构)",
                lat=lat0 + rng.uniform(-spread, spread),
                lon=lon0 + rng.uniform(-spread, spread),
                hours="08:00-17:00",
                services=list(KIND_SERVICES[kind]),
                price_note="",
                phone="0571-00000000",
                operator="压测单位(虚构)",
                checked_on=dt.date(2026, 11, 30),
                sample=True,
                total_beds=None,
                nursing_beds=None,
                dementia_zone=False,
            )
        )
    return records


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return (
        f"p50 {at(0.50):.2f} ms · p95 {at(0.95):.2f} ms · p99 {at(0.99):.2f} ms · "
        f"mean {statistics.fmean(ordered):.2f} ms · n={len(ordered)}"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--facilities", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    var_dir = Path(tempfile.mkdtemp(prefix="bench-eldercare-"))
    url = args.database_url or f"sqlite:///{var_dir / 'bench.db'}"
    settings = Settings(
        environment="test",
        database_url=url,
        var_dir=var_dir,
        _env_file=None,
    )
    upgrade_to_head(settings)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with cli_session(settings) as session:
        apply(session, synthetic(args.facilities, rng), actor="bench", now=now)
        session.commit()
    print(f"## 15-minute circle: {args.facilities:,} facilities ({url.split(':')[0]})")
    print(f"- writing the facilities: {time.perf_counter() - started:.1f} s")

    communities = load_communities()
    walk = WalkModel(settings.eldercare_walk_speed_m_per_min, settings.eldercare_detour_factor)
    with cli_session(settings) as session:
        cache = DirectoryCache()
        started = time.perf_counter()
        directory = cache.get(session)
        print(
            f"- building the index (read + grid): {(time.perf_counter() - started) * 1000:.0f} ms"
        )
        version_times = []
        for _ in range(200):
            t0 = time.perf_counter()
            cache.get(session)
            version_times.append((time.perf_counter() - t0) * 1000)
        print(
            "- version check (count + max(updated_at), at most every 5 s per API process): "
            + percentiles(version_times)
        )
    search_times = []
    found = 0
    for _ in range(args.requests):
        c = rng.choice(communities)
        t0 = time.perf_counter()
        found += len(directory.nearby(c.lat, c.lon, minutes=15, walk=walk))
        search_times.append((time.perf_counter() - t0) * 1000)
    print(f"- in-process search (grid + haversine, 15 min): {percentiles(search_times)}; "
          f"{found / args.requests:.1f} hits per search")  # fmt: skip

    port = free_port()
    env = {
        **os.environ,
        "HUIMIN_ENVIRONMENT": "test",
        "HUIMIN_DATABASE_URL": url,
        "HUIMIN_VAR_DIR": str(var_dir),
        "HUIMIN_INTERNAL_TOKEN": INTERNAL_TOKEN,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "workflows", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, headers={"X-Internal-Token": INTERNAL_TOKEN}) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("API did not start")
                time.sleep(0.2)
            scenarios = {
                "coordinates": lambda c: {"lat": c.lat, "lon": c.lon, "minutes": 15},
                "coordinates + service=meal": lambda c: {
                    "lat": c.lat,
                    "lon": c.lon,
                    "minutes": 15,
                    "service": Service.MEAL.value,
                },
                "village name (place=)": lambda c: {"place": c.name},
            }
            health = []
            for _ in range(args.requests):
                t0 = time.perf_counter()
                client.get("/api/health")
                health.append((time.perf_counter() - t0) * 1000)
            print(f"- HTTP GET /api/health (floor: framework + loopback): {percentiles(health)}")
            for label, make in scenarios.items():
                for c in communities[:20]:  # warm-up (index build, connection pool)
                    assert (
                        client.get("/api/eldercare/services/nearby", params=make(c)).status_code
                        == 200
                    )
                times = []
                for _ in range(args.requests):
                    c = rng.choice(communities)
                    t0 = time.perf_counter()
                    answer = client.get("/api/eldercare/services/nearby", params=make(c))
                    times.append((time.perf_counter() - t0) * 1000)
                    assert answer.status_code == 200, answer.text
                print(f"- HTTP GET /api/eldercare/services/nearby, {label}: {percentiles(times)}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
