"""复核: review dates by rule, reminders on the right working days over a simulated month
(FakeClock + the shipped 2026 holiday calendar), reported changes, the reviewers' list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from workflows.calendar import make_calendar
from workflows.outbox.models import OutboxMessage
from workflows.reviews import rules, service
from workflows.reviews.models import ReviewSchedule

from .conftest import id_number
from .eldercare_support import LOCAL, Login, Submit, approve


def _stable_members() -> list[dict[str, Any]]:
    applicant = id_number(1950, 301)
    return [
        {
            "relation": "本人",
            "name": "张三",
            "id_number": applicant,
            "incomes": [{"kind": "pension", "monthly_amount": 900.0}],
        }
    ]


def test_reminders_land_on_the_right_working_day_over_a_simulated_month(
    client: TestClient, app: FastAPI, login: Login, submit: Submit, clock: Any
) -> None:
    clock.set(dt.datetime(2026, 4, 3, 10, 0, tzinfo=LOCAL))  # the 公示 ends on 2026-04-09
    approve(client, login, submit, clock, programs=["dibao"])  # wage income: irregular
    clock.set(dt.datetime(2026, 4, 13, 10, 0, tzinfo=LOCAL))
    approve(
        client,
        login,
        submit,
        clock,
        programs=["dibao"],
        channel_user_id="10002",
        members=_stable_members(),
        applicant={"name": "张三", "id_number": _stable_members()[0]["id_number"]},
    )
    with app.state.session_factory() as session:
        rows = session.scalars(select(ReviewSchedule).order_by(ReviewSchedule.id)).all()
        assert [(r.income_pattern, r.interval_months) for r in rows] == [
            ("irregular", 6),
            ("stable", 12),
        ]
        # approved 2026-04-10 (the day after the 公示) and 2026-04-20
        assert [r.due_on for r in rows] == [dt.date(2026, 10, 10), dt.date(2027, 4, 20)]
        # 10 working days before Saturday 2026-10-10 (a 国庆 make-up working day), counted by
        # hand: 10-09, 10-08, [国庆 10-01..07], 09-30, 09-29, 09-28, [中秋 09-25..27], 09-24,
        # 09-23, 09-22, 09-21 and Sunday 09-20, itself a make-up working day
        assert rows[0].remind_on == dt.date(2026, 9, 20)

    calendar = make_calendar(app.state.settings)
    sent_on: list[dt.date] = []
    day = dt.date(2026, 9, 1)
    while day <= dt.date(2026, 10, 31):
        clock.set(dt.datetime.combine(day, dt.time(8, 30), tzinfo=LOCAL))
        with app.state.session_factory() as session:
            count = service.send_reminders(session, today=day, now=clock.now(), calendar=calendar)
            session.commit()
        sent_on += [day] * count
        day += dt.timedelta(days=1)
    assert sent_on == [dt.date(2026, 9, 20)]
    with app.state.session_factory() as session:
        reminders = session.scalars(
            select(OutboxMessage).where(OutboxMessage.text.contains("定期复核"))
        ).all()
        assert [(m.channel, m.channel_user_id) for m in reminders] == [("telegram", "10001")]
        assert "2026-10-10" in reminders[0].text


def test_a_missed_run_reminds_on_the_next_working_day_not_on_a_holiday(app: FastAPI) -> None:
    calendar = make_calendar(app.state.settings)
    assert rules.remind_on(dt.date(2026, 10, 8), working_days=1, calendar=calendar) == dt.date(
        2026, 9, 30
    )
    assert not calendar.is_working_day(dt.date(2026, 10, 3))
    with app.state.session_factory() as session:
        assert (
            service.send_reminders(
                session,
                today=dt.date(2026, 10, 3),
                now=dt.datetime(2026, 10, 3, 1, tzinfo=dt.UTC),
                calendar=calendar,
            )
            == 0
        )


def test_reported_changes_open_the_review_for_the_township(
    client: TestClient,
    app: FastAPI,
    login: Login,
    submit: Submit,
    clock: Any,
    internal: dict[str, str],
) -> None:
    approve(client, login, submit, clock, programs=["dibao"])
    reviewer = login("rev_fuchun")
    assert client.get("/api/reviews/due", headers=reviewer).json() == []
    mine = client.get(
        "/api/reviews/mine?channel=telegram&channel_user_id=10001", headers=internal
    ).json()
    assert [(r["program_label"], r["due_on"]) for r in mine] == [
        ("最低生活保障(低保)", "2027-05-09")
    ]
    nobody = client.post(
        "/api/reviews/report-change",
        json={"channel": "telegram", "channel_user_id": "99999", "note": "找到工作了"},
        headers=internal,
    )
    assert nobody.status_code == 404
    reported = client.post(
        "/api/reviews/report-change",
        json={"channel": "telegram", "channel_user_id": "10001", "note": "儿子找到工作了"},
        headers=internal,
    )
    assert reported.status_code == 200, reported.text
    due = client.get("/api/reviews/due", headers=reviewer).json()
    assert [(r["status"], r["change_note"]) for r in due] == [("change_reported", "儿子找到工作了")]
    assert client.get("/api/reviews/due", headers=login("rev_chunjiang")).json() == []
    assert client.get("/api/reviews/due", headers=login("adviser")).status_code == 403
    done = client.post(f"/api/reviews/{due[0]['id']}/complete", headers=reviewer)
    assert done.status_code == 200
    assert (done.json()["due_on"], done.json()["status"]) == ("2027-05-09", "scheduled")
    other = client.post(f"/api/reviews/{due[0]['id']}/complete", headers=login("rev_chunjiang"))
    assert other.status_code == 404
    # an overdue review shows as overdue
    with app.state.session_factory() as session:
        row = session.get(ReviewSchedule, due[0]["id"])
        assert row is not None
        row.due_on = dt.date(2026, 11, 1)
        session.commit()
    overdue = client.get("/api/reviews/due?within_days=0", headers=reviewer).json()
    assert [(r["overdue"], r["due_on"]) for r in overdue] == [(True, "2026-11-01")]
