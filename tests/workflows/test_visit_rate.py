"""The monthly visit rate: the counting rule at month edges, mid-month changes, holidays, and a
hand count over generated data (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import true

from workflows.visits import log, rate
from workflows.visits.enums import TargetCategory
from workflows.visits.models import TargetCategoryRow, Visit, VisitTarget
from workflows.visits.rate import Month, month_key

from .conftest import CHUNJIANG, FUCHUN, id_number
from .eldercare_support import Login, add_target

GRACE = 7  # the shipped sample default of visit_new_target_grace_days
TODAY = dt.date(2026, 11, 2)  # the FakeClock's day
UTC = dt.UTC


def _visit(app: FastAPI, target_id: int, day: dt.date) -> None:
    with app.state.session_factory() as session:
        session.add(
            Visit(
                target_id=target_id,
                visited_on=day,
                visit_month=month_key(day),
                way="home",
                worker_username="w",
                seen="本人",
                findings="",
                risk_flags=[],
                created_at=dt.datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        log.note_visit_day(session, target_id=target_id, day=day)
        session.commit()


def _remove(app: FastAPI, target_id: int, day: dt.date) -> None:
    with app.state.session_factory() as session:
        target = session.get(VisitTarget, target_id)
        assert target is not None
        target.removed_on = day
        session.commit()


def _rate(app: FastAPI, month: str) -> rate.Rate:
    with app.state.session_factory() as session:
        return rate.overall(session, month=Month.parse(month), grace_days=GRACE, scope=true())


def test_month_edges_last_day_and_first_day(app: FastAPI) -> None:
    a = add_target(app, seq=1, added_on=dt.date(2026, 9, 1))
    b = add_target(app, seq=2, added_on=dt.date(2026, 9, 1))
    _visit(app, a, dt.date(2026, 9, 30))  # last day of September
    _visit(app, b, dt.date(2026, 10, 1))  # first day of October (a holiday: counts the same)
    assert (_rate(app, "2026-09").targets, _rate(app, "2026-09").visited) == (2, 1)
    assert (_rate(app, "2026-10").targets, _rate(app, "2026-10").visited) == (2, 1)
    assert _rate(app, "2026-10").rate == 0.5


def test_targets_added_late_in_the_month_count_from_the_next_unless_visited(app: FastAPI) -> None:
    add_target(app, seq=1, added_on=dt.date(2026, 2, 21))  # 28-day month: cutoff 2026-02-21
    late = add_target(app, seq=2, added_on=dt.date(2026, 2, 22))
    visited_late = add_target(app, seq=3, added_on=dt.date(2026, 2, 27))
    _visit(app, visited_late, dt.date(2026, 2, 28))
    february = _rate(app, "2026-02")
    assert (february.targets, february.visited) == (2, 1)  # seq 1 and the visited late one
    march = _rate(app, "2026-03")
    assert (march.targets, march.visited) == (3, 0)
    assert late  # counted from March


def test_removed_mid_month_counts_only_when_visited_that_month(app: FastAPI) -> None:
    gone = add_target(app, seq=1, added_on=dt.date(2026, 1, 5))
    seen_then_gone = add_target(app, seq=2, added_on=dt.date(2026, 1, 5))
    add_target(app, seq=3, added_on=dt.date(2026, 1, 5))
    _visit(app, seen_then_gone, dt.date(2026, 3, 3))
    _visit(app, seen_then_gone, dt.date(2026, 3, 9))  # twice in a month: once
    _remove(app, gone, dt.date(2026, 3, 10))
    _remove(app, seen_then_gone, dt.date(2026, 3, 10))
    march = _rate(app, "2026-03")
    assert (march.targets, march.visited) == (2, 1)
    february = _rate(app, "2026-02")
    assert (february.targets, february.visited) == (3, 0)  # history unchanged
    assert _rate(app, "2026-04").targets == 1


def test_no_targets_is_a_full_rate(app: FastAPI) -> None:
    assert _rate(app, "2026-05").rate == 1.0


def _hand_count(
    targets: list[dict[str, Any]], visits: list[tuple[int, dt.date]], month: Month
) -> tuple[int, int, dict[str, tuple[int, int]]]:
    visited = {t for t, day in visits if (day.year, day.month) == (month.year, month.month)}
    cutoff = month.last - dt.timedelta(days=GRACE)
    total = done = 0
    per: dict[str, list[int]] = {}
    for t in targets:
        counted = t["id"] in visited or (
            t["added_on"] <= cutoff and (t["removed_on"] is None or t["removed_on"] > month.last)
        )
        if not counted:
            continue
        total += 1
        done += t["id"] in visited
        for c in t["categories"]:
            per.setdefault(c, [0, 0])
            per[c][0] += 1
            per[c][1] += t["id"] in visited
    return total, done, {c: (v[0], v[1]) for c, v in per.items()}


def test_the_rate_equals_a_hand_count_on_generated_data(
    app: FastAPI, client: TestClient, login: Login
) -> None:
    rng = random.Random(20261130)
    start = dt.date(2026, 1, 1)
    categories = [c.value for c in TargetCategory]
    targets: list[dict[str, Any]] = []
    visits: list[tuple[int, dt.date]] = []
    with app.state.session_factory() as session:
        for seq in range(1, 301):
            added = start + dt.timedelta(days=rng.randrange(0, 300))
            removed = (
                added + dt.timedelta(days=rng.randrange(1, 120)) if rng.random() < 0.2 else None
            )
            cats = sorted(set(rng.sample(categories, rng.randint(1, 3))))
            row = VisitTarget(
                id_number=id_number(1930 + seq % 30, seq % 1000),
                name=f"对象{seq}",
                birth_date=dt.date(1930 + seq % 30, 3, 14),
                township_code=FUCHUN if seq % 3 else CHUNJIANG,
                village=f"村{seq % 7}",
                source="import",
                added_on=added,
                removed_on=removed,
                created_at=dt.datetime(2026, 1, 1, tzinfo=UTC),
                categories=[TargetCategoryRow(category=c) for c in cats],
                category_mask=rate.mask_of(cats),
            )
            session.add(row)
            session.flush()
            targets.append(
                {
                    "id": row.id,
                    "added_on": added,
                    "removed_on": removed,
                    "categories": cats,
                    "township": row.township_code,
                }
            )
            # no visit after "today" (the app clock's 2026-11-02)
            end = min(removed - dt.timedelta(days=1) if removed else TODAY, TODAY)
            for _ in range(rng.randint(0, 8)):
                if end < added:
                    break
                day = added + dt.timedelta(days=rng.randrange(0, (end - added).days + 1))
                visits.append((row.id, day))
                session.add(
                    Visit(
                        target_id=row.id,
                        visited_on=day,
                        visit_month=month_key(day),
                        way="home",
                        worker_username="w",
                        seen="本人",
                        findings="",
                        risk_flags=[],
                        created_at=dt.datetime(2026, 1, 1, tzinfo=UTC),
                    )
                )
                log.note_visit_day(session, target_id=row.id, day=day)
        session.commit()

    supervisor = login("super")
    reviewer = login("rev_fuchun")
    for month_text in ("2026-01", "2026-02", "2026-06", "2026-10", "2026-11", "2026-12"):
        month = Month.parse(month_text)
        total, done, per = _hand_count(targets, visits, month)
        answer = client.get(f"/api/visits/rate?month={month_text}", headers=supervisor).json()
        assert (answer["targets"], answer["visited"]) == (total, done), month_text
        assert {c["category"]: (c["targets"], c["visited"]) for c in answer["by_category"]} == per
        fuchun = [t for t in targets if t["township"] == FUCHUN]
        f_total, f_done, _ = _hand_count(fuchun, visits, month)
        mine = client.get(f"/api/visits/rate?month={month_text}", headers=reviewer).json()
        assert (mine["targets"], mine["visited"]) == (f_total, f_done)
        expected = 1.0 if f_total == 0 else round(f_done / f_total, 4)
        assert mine["rate"] == expected


def test_a_late_visit_updates_a_summarised_closed_month(
    app: FastAPI, client: TestClient, login: Login
) -> None:
    first = add_target(app, seq=1, added_on=dt.date(2026, 9, 1))
    add_target(app, seq=2, added_on=dt.date(2026, 9, 1))
    reviewer = login("rev_fuchun")
    october = client.get("/api/visits/rate?month=2026-10", headers=reviewer).json()
    assert (october["targets"], october["visited"]) == (2, 0)  # summarised now (a closed month)
    late = client.post(
        "/api/visits",
        json={"target_id": first, "visited_on": "2026-10-30", "way": "phone", "seen": "本人"},
        headers=reviewer,
    )
    assert late.status_code == 201
    again = client.get("/api/visits/rate?month=2026-10", headers=reviewer).json()
    assert (again["targets"], again["visited"]) == (2, 1)
    assert [(c["category"], c["visited"]) for c in again["by_category"]] == [("alone", 1)]
