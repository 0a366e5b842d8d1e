"""Daily jobs of 幸福颐养: ``remind-reviews`` (复核 reminders into the outbox), ``discover``
(主动发现) and ``summarise-visits`` (the last 12 closed months' visit figures, so no dashboard
reader waits for them). Run them once a day (cron or a systemd timer: the launcher has no
scheduler); all are idempotent."""

from __future__ import annotations

import datetime as dt

from huimin.settings import Settings
from workflows.cli.common import cli_session
from workflows.clock import LOCAL_TZ


def _moment(day: str | None) -> tuple[dt.date, dt.datetime]:
    now = dt.datetime.now(dt.UTC)
    if day is None:
        return now.astimezone(LOCAL_TZ).date(), now
    chosen = dt.date.fromisoformat(day)
    return chosen, dt.datetime.combine(chosen, dt.time(8, 0), tzinfo=LOCAL_TZ)


def remind_reviews(settings: Settings, *, day: str | None = None) -> int:
    from workflows.calendar import make_calendar
    from workflows.reviews.service import send_reminders

    today, now = _moment(day)
    with cli_session(settings) as session:
        count = send_reminders(session, today=today, now=now, calendar=make_calendar(settings))
        session.commit()
    print(f"复核提醒:{count} 条已写入发件箱 ({today.isoformat()})")
    return 0


def discover(settings: Settings, *, day: str | None = None) -> int:
    from workflows.discovery.service import run

    today, now = _moment(day)
    with cli_session(settings) as session:
        result = run(session, today=today, now=now, settings=settings)
        session.commit()
    found = ", ".join(f"{rule}={count}" for rule, count in result.found.items())
    print(
        f"主动发现 ({today.isoformat()}): {found}; 已告知 {result.told}, 待确认 {result.awaiting}"
    )
    return 0


def summarise_visits(settings: Settings, *, day: str | None = None) -> int:
    from workflows.visits import snapshots
    from workflows.visits.rate import Month

    today, now = _moment(day)
    current = Month.of(today)
    months = [current.previous(i) for i in range(1, 13)]
    with cli_session(settings) as session:
        snapshots.ensure_months(
            session, months=months, grace_days=settings.visit_new_target_grace_days, now=now
        )
        session.commit()
    print(f"探访率月度汇总:{months[-1]} 至 {months[0]} 已就绪")
    return 0
