"""The funnel, hand-checked on a small scripted set of conversations (recorded ones replayed
under new senders and weeks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI

from tests.analytics.conftest import conversation, replay
from tests.analytics.test_record import record_all
from workflows.analytics import keys, steps
from workflows.analytics.funnel import StepCount, drop_off, funnel

WEEK = 7 * 24 * 3600.0


def scripted(recorded: dict[str, Any]) -> list[dict[str, Any]]:
    events = recorded["events"]
    applied = conversation(events, "telegram:")
    stopped = conversation(events, "wechat:")
    human = conversation(events, "web:")
    greeting = conversation(events, "a-fixture-rest")
    script = []
    for i in range(3):  # three greetings on the REST channel, this week
        script += replay(greeting, f"rest-greet-{i}", shift=i)
    for i in range(2):  # two applications stopped after the name, this week
        script += replay(stopped, f"wechat:stop-{i}", shift=i)
    script += replay(applied, "telegram:applied-0")  # one submitted, this week
    script += replay(human, "web:human-0")  # one hand-off, this week
    script += replay(stopped, "wechat:stop-old", shift=-3 * WEEK)  # three weeks ago
    script += replay(applied, "telegram:applied-ancient", shift=-10 * WEEK)  # out of 8 weeks
    return script


def today_of(recorded: dict[str, Any]) -> dt.date:
    first = min(float(e["timestamp"]) for e in recorded["events"])
    return keys.moment(first).astimezone(keys.LOCAL_TZ).date()


def test_funnel_numbers_by_hand(app: FastAPI, recorded: dict[str, Any]) -> None:
    record_all(app, scripted(recorded))
    with app.state.session_factory() as session:
        figures = funnel(session, weeks=8, channel=None, today=today_of(recorded))
    count = {s.step: s.count for s in figures.steps}
    # started: 3 greetings + 2 stopped + 1 applied + 1 hand-off + 1 stopped 3 weeks ago = 8
    assert count[steps.STARTED] == 8
    # the joint application form: 2 stopped + 1 applied + 1 stopped earlier = 4
    assert count[steps.APPLICATION_BEGUN] == 4
    assert count["ask:consent"] == 4
    assert count["ask:id_number"] == 4
    assert count["ask:applicant_name"] == 3  # the stopped ones typed their name; see below
    assert count[steps.SUBMITTED] == 1
    assert {o.step: o.count for o in figures.outcomes} == {steps.HANDED_OFF: 1}
    # the largest fall between questions everyone is asked: 8 started → 4 began the form
    assert figures.drop_off is not None
    assert (figures.drop_off.from_step, figures.drop_off.to_step) == (
        steps.STARTED,
        steps.APPLICATION_BEGUN,
    )
    assert figures.drop_off.lost == 4
    assert figures.drop_off.rate == 0.5
    this_week = figures.by_week[-1]
    assert (this_week.started, this_week.application_begun, this_week.submitted) == (7, 3, 1)
    assert this_week.handed_off == 1
    assert sum(w.started for w in figures.by_week) == 8
    assert len(figures.by_week) == 8
    assert figures.by_channel == {"rest": 3, "wechat": 3, "telegram": 1, "web": 1}


def test_funnel_of_one_channel(app: FastAPI, recorded: dict[str, Any]) -> None:
    record_all(app, scripted(recorded))
    with app.state.session_factory() as session:
        figures = funnel(session, weeks=2, channel="wechat", today=today_of(recorded))
    count = {s.step: s.count for s in figures.steps}
    assert count[steps.STARTED] == 2  # the one three weeks ago is outside 2 weeks
    assert count[steps.APPLICATION_BEGUN] == 2
    assert count[steps.SUBMITTED] == 0


def test_drop_off_skips_questions_only_some_households_get() -> None:
    counts = [
        StepCount("a", "A", 10),
        StepCount("b", "B", 9),
        StepCount("c", "C", 1, conditional=True),
        StepCount("d", "D", 8),
        StepCount("e", "E", 2),
    ]
    found = drop_off(counts)
    assert found is not None
    assert (found.from_step, found.to_step, found.lost, found.rate) == ("d", "e", 6, 0.75)
    assert drop_off([StepCount("a", "A", 0), StepCount("b", "B", 0)]) is None
