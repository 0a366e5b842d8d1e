"""Application submissions the way the action server sends them (``actions/api_client.py``:
``POST /api/applications`` with the internal token and an ``Idempotency-Key``), retried on
connection errors, timeouts and 5xx with the same key and body until acknowledged or a
deadline; and the database check that every acknowledged submission exists exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from huimin.idcard import make_number
from scripts.faults.common import query

FUCHUN = "330111001000"  # 富春街道 (sample township of the demo data)
RETRIED_ERRORS = (httpx.TransportError,)  # connect/read/write errors, timeouts, protocol errors


def application_body(run: str, index: int) -> dict[str, Any]:
    """A valid one-person application; the applicant's ID number is unique within a run (示例
    data: a made-up number with a valid check digit)."""
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=index)
    applicant_id = make_number("330111", birth, 100 + index % 800)
    return {
        "channel": "web",
        "channel_user_id": f"{run}-{index}",
        "consent_verification": True,
        "consent_at": "2026-11-30T09:00:00+08:00",
        "applicant": {"name": "示例申请人", "id_number": applicant_id, "phone": None},
        "hukou_township_code": FUCHUN,
        "residence_township_code": FUCHUN,
        "has_residence_permit": False,
        "programs": ["dibao"],
        "members": [],
        "documents_later": True,
    }


def idempotency_key(run: str, index: int) -> str:
    return f"{run}-{index}"


@dataclass
class Outcome:
    index: int
    key: str
    status: int | None = None  # the final answer's status (None: never acknowledged)
    application_id: int | None = None
    number: str | None = None
    attempts: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # error kind -> count

    @property
    def acknowledged(self) -> bool:
        return self.status in (200, 201)


async def submit_with_retries(
    client: httpx.AsyncClient,
    *,
    run: str,
    index: int,
    internal_token: str,
    deadline: float,
    retry_delay: float = 0.2,
) -> Outcome:
    """Send submission ``index`` until the API acknowledges it (201 created, 200 replayed) or
    refuses it (4xx: not retried), or ``deadline`` (monotonic) passes."""
    key = idempotency_key(run, index)
    outcome = Outcome(index=index, key=key)
    body = application_body(run, index)
    headers = {"X-Internal-Token": internal_token, "Idempotency-Key": key}
    while time.monotonic() < deadline:
        outcome.attempts += 1
        try:
            answer = await client.post("/api/applications", json=body, headers=headers)
        except RETRIED_ERRORS as exc:
            kind = type(exc).__name__
            outcome.errors[kind] = outcome.errors.get(kind, 0) + 1
            await asyncio.sleep(retry_delay)
            continue
        if answer.status_code >= 500:
            kind = f"http {answer.status_code}"
            outcome.errors[kind] = outcome.errors.get(kind, 0) + 1
            await asyncio.sleep(retry_delay)
            continue
        outcome.status = answer.status_code
        if answer.status_code in (200, 201):
            data = answer.json()
            outcome.application_id = int(data["id"])
            outcome.number = str(data["number"])
        else:
            outcome.errors[f"http {answer.status_code}"] = 1
        return outcome
    return outcome


@dataclass
class StoredCheck:
    acknowledged: int
    lost: int  # acknowledged, but not in the database (or another id under the key)
    duplicated: int  # applications beyond one per submission (same key or same applicant)
    stored: int  # applications of this run in the database
    cases_per_application: dict[int, int]  # number of cases -> applications with that many


def check_stored(database_url: str, run: str, outcomes: list[Outcome]) -> StoredCheck:
    """Compare what the client was told with what the database holds."""
    rows = query(
        database_url,
        "SELECT a.id, a.idempotency_key, a.applicant_id_number,"
        " (SELECT count(*) FROM program_cases c WHERE c.application_id = a.id)"
        " FROM applications a WHERE a.channel_user_id LIKE %s",
        (f"{run}-%",),
    )
    by_key: dict[str, list[int]] = {}
    by_applicant: dict[str, int] = {}
    cases: dict[int, int] = {}
    for app_id, key, applicant, case_count in rows:
        by_key.setdefault(str(key), []).append(int(app_id))
        by_applicant[str(applicant)] = by_applicant.get(str(applicant), 0) + 1
        cases[int(case_count)] = cases.get(int(case_count), 0) + 1
    acknowledged = [o for o in outcomes if o.acknowledged]
    lost = sum(1 for o in acknowledged if by_key.get(o.key) != [o.application_id])
    duplicated = sum(n - 1 for n in by_applicant.values() if n > 1)
    duplicated += sum(len(ids) - 1 for ids in by_key.values() if len(ids) > 1)
    return StoredCheck(
        acknowledged=len(acknowledged),
        lost=lost,
        duplicated=duplicated,
        stored=len(rows),
        cases_per_application=cases,
    )


@dataclass
class ReplayCheck:
    replayed_same: int  # the same key and body: 200 with the same application
    replayed_other: int  # anything else (a second application, an error)
    conflict_refused: bool  # the same key with another body: 409


def check_replays(
    api_url: str, *, run: str, internal_token: str, outcomes: list[Outcome]
) -> ReplayCheck:
    """Send every acknowledged submission again, as a client whose answer was lost would."""
    same = other = 0
    acknowledged = [o for o in outcomes if o.acknowledged]
    with httpx.Client(base_url=api_url, timeout=30) as client:
        for outcome in acknowledged:
            headers = {"X-Internal-Token": internal_token, "Idempotency-Key": outcome.key}
            answer = client.post(
                "/api/applications", json=application_body(run, outcome.index), headers=headers
            )
            if answer.status_code == 200 and answer.json()["id"] == outcome.application_id:
                same += 1
            else:
                other += 1
        conflict = False
        if acknowledged:
            first = acknowledged[0]
            body = application_body(run, first.index)
            body["programs"] = ["tekun"]
            headers = {"X-Internal-Token": internal_token, "Idempotency-Key": first.key}
            answer = client.post("/api/applications", json=body, headers=headers)
            conflict = answer.status_code == 409
    return ReplayCheck(replayed_same=same, replayed_other=other, conflict_refused=conflict)
