"""What the process profiles cost on the case API: case detail and transitions per program.

The profile is read once (cached); a 医疗救助 case in 已受理 also asks whether the household holds
a 低保/特困/低保边缘 certificate (one indexed query, then the local certificate registry when the
applicant's identity is verified). This measures GET /api/cases/{id} for a 低保 case, an
uncertified and a certified 医疗救助 case, and the grant_urgent transition, in process
(FastAPI TestClient, SQLite file database, real calendar).

Usage: .venv/bin/python scripts/bench_profiles.py [--requests 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from huimin.idcard import make_number  # noqa: E402
from huimin.settings import Settings  # noqa: E402
from workflows.app import create_app  # noqa: E402
from workflows.auth import service as auth_service  # noqa: E402
from workflows.auth.enums import Role  # noqa: E402
from workflows.migrate import upgrade_to_head  # noqa: E402

FUCHUN = "330111001000"
START = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


class Clock:
    def __init__(self) -> None:
        self.current = START

    def now(self) -> dt.datetime:
        return self.current


def _body(seq: int, programs: list[str]) -> dict[str, Any]:
    applicant = make_number("330111", dt.date(1970, 3, 14), seq)
    return {
        "channel": "telegram",
        "channel_user_id": f"bench-{seq}",
        "consent_verification": True,
        "consent_at": "2026-11-02T09:58:00+08:00",
        "applicant": {"name": "张三", "id_number": applicant, "phone": "13800000000"},
        "hukou_township_code": FUCHUN,
        "residence_township_code": FUCHUN,
        "has_residence_permit": False,
        "programs": programs,
        "members": [
            {
                "relation": "本人",
                "name": "张三",
                "id_number": applicant,
                "incomes": [{"kind": "wage", "monthly_amount": 1200.0}],
            }
        ],
        "property": [],
        "expenditures": [],
        "documents_later": True,
    }


def _timed(call: Any, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
    return times


def _row(name: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 20 else max(times)
    return f"| {name} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} |"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # one line per request would dominate the output
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        settings = Settings(
            environment="test",
            database_url=url,
            var_dir=Path(folder) / "var",
            password_hash_rounds=4,
            secret_key="bench-secret-key-that-is-long-enough-for-hs256",
            token_ttl_minutes=60 * 24 * 90,  # the clock moves past the 公示
            _env_file=None,
        )
        upgrade_to_head(settings)
        clock = Clock()
        app = create_app(settings, clock=clock)
        with TestClient(app) as client:
            with app.state.session_factory() as session:
                auth_service.create_user(
                    session,
                    username="super",
                    password="bench-password-1",
                    role=Role.SUPERVISOR,
                    township_code=None,
                    rounds=4,
                    now=clock.now(),
                )
                session.commit()
            token = client.post(
                "/api/auth/token", data={"username": "super", "password": "bench-password-1"}
            ).json()["access_token"]
            staff = {"Authorization": f"Bearer {token}"}
            internal = {"X-Internal-Token": settings.internal_token.get_secret_value()}

            def submit(seq: int, programs: list[str]) -> list[int]:
                answer = client.post(
                    "/api/applications", json=_body(seq, programs), headers=internal
                )
                assert answer.status_code == 201, answer.text
                return [c["id"] for c in answer.json()["cases"]]

            def act(case_id: int, action: str, **body: Any) -> Any:
                return client.post(
                    f"/api/cases/{case_id}/transitions",
                    json={"action": action, **body},
                    headers=staff,
                )

            dibao, medical = submit(1, ["dibao", "medical"])
            for action in (
                "accept",
                "start_investigation",
                "submit_opinion",
                "start_public_notice",
            ):
                act(dibao, action)
            clock.current += dt.timedelta(days=7)
            act(dibao, "approve")
            act(medical, "accept")  # certified: the same household holds the approved 低保
            (uncertified,) = submit(2, ["medical"])
            act(uncertified, "accept")
            (open_dibao,) = submit(3, ["dibao"])
            temporary = [submit(100 + i, ["temporary"])[0] for i in range(args.requests)]

            n = args.requests
            rows = [
                _row(
                    "GET case 低保 (submitted)",
                    _timed(lambda: client.get(f"/api/cases/{open_dibao}", headers=staff), n),
                ),
                _row(
                    "GET case 医疗救助, not certified",
                    _timed(lambda: client.get(f"/api/cases/{uncertified}", headers=staff), n),
                ),
                _row(
                    "GET case 医疗救助, certified (grant_direct offered)",
                    _timed(lambda: client.get(f"/api/cases/{medical}", headers=staff), n),
                ),
            ]
            ids = iter(temporary)
            rows.append(
                _row(
                    "POST grant_urgent (先行救助) + outbox + audit",
                    _timed(lambda: act(next(ids), "grant_urgent", amount="800", reason="火灾"), n),
                )
            )
    print("| request | n | median ms | p95 ms |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
