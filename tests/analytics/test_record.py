"""Rasa's recorded events → analytics rows: what is kept, what never is, redelivery."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.analytics.conftest import conversation, replay
from workflows.analytics import steps
from workflows.analytics.models import AnalyticsConversation, AnalyticsStep
from workflows.analytics.record import InvalidEventError, record_event

SECRET = b"test-analytics-key"


def record_all(app: FastAPI, events: list[dict[str, Any]]) -> list[str]:
    counted = []
    with app.state.session_factory() as session:
        for event in events:
            step = record_event(session, event, secret=SECRET)
            if step:
                counted.append(step)
        session.commit()
    return counted


def steps_of(session: Session) -> dict[str, set[str]]:
    """Each conversation's channel → the steps it reached."""
    rows = session.execute(
        select(AnalyticsConversation.channel, AnalyticsStep.step).join(
            AnalyticsStep, AnalyticsStep.conversation_id == AnalyticsConversation.id
        )
    ).all()
    found: dict[str, set[str]] = {}
    for channel, step in rows:
        found.setdefault(str(channel), set()).add(step)
    return found


def dump_every_column(app: FastAPI) -> str:
    parts = []
    with app.state.engine.connect() as connection:
        for table in ("analytics_conversations", "analytics_steps"):
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_the_fixture_is_what_a_real_rasa_published(recorded: dict[str, Any]) -> None:
    events = recorded["events"]
    kinds = {e["event"] for e in events}
    assert {"session_started", "user", "bot", "action", "slot", "active_loop", "pause"} <= kinds
    everything = str(events)
    # the resident's ID numbers and name reached the broker (so the next test means something)
    for number in recorded["typed"]["id_numbers"].split():
        assert number in everything
    assert recorded["typed"]["name"] in everything


def test_no_text_no_id_number_no_name_no_sender_id_in_any_column(
    app: FastAPI, recorded: dict[str, Any]
) -> None:
    events = recorded["events"]
    record_all(app, events)
    dumped = dump_every_column(app)
    assert dumped.count("\n") >= 10  # rows were written
    forbidden = [
        *recorded["typed"]["id_numbers"].split(),
        recorded["typed"]["name"],
        "13805711234",  # the phone number typed in the submitted application
        "王某",  # the registry household's name
    ]
    forbidden += sorted({str(e["sender_id"]) for e in events})
    forbidden += sorted({s.split(":", 1)[-1] for s in forbidden if ":" in s})
    for user_text in {str(e.get("text")) for e in events if e["event"] == "user"}:
        if len(user_text) >= 4 and user_text not in ("None",):
            forbidden.append(user_text)
    for value in forbidden:
        assert value not in dumped, value
    # the ID number's digits are not there in any shape (e.g. its last 4 / first 6 masked form)
    for number in recorded["typed"]["id_numbers"].split():
        assert number[6:14] not in dumped


def test_each_recorded_conversation_reaches_its_steps(
    app: FastAPI, recorded: dict[str, Any]
) -> None:
    record_all(app, recorded["events"])
    with app.state.session_factory() as session:
        found = steps_of(session)
    applied = found["telegram"]
    assert {
        steps.STARTED,
        steps.APPLICATION_BEGUN,
        "ask:consent",
        "ask:id_number",
        "ask:summary_confirmed",
        steps.SUBMITTED,
    } <= applied
    assert steps.HANDED_OFF not in applied
    stopped = found["wechat"]
    assert {"ask:consent", "ask:id_number", "ask:applicant_name"} <= stopped
    assert steps.SUBMITTED not in stopped
    assert steps.HANDED_OFF in found["web"]
    assert steps.APPLICATION_BEGUN not in found["web"]
    assert found["rest"] == {steps.STARTED}


def test_redelivered_events_count_once(app: FastAPI, recorded: dict[str, Any]) -> None:
    events = recorded["events"]
    first = record_all(app, events)
    again = record_all(app, events)
    assert first
    assert again == []
    with app.state.session_factory() as session:
        conversations = session.scalar(select(func.count()).select_from(AnalyticsConversation))
        rows = session.scalar(select(func.count()).select_from(AnalyticsStep))
    assert conversations == 4
    assert rows == len(first)


def test_prescreen_questions_are_not_application_steps(
    app: FastAPI, recorded: dict[str, Any]
) -> None:
    """A requested_slot outside the application form (another form active) counts nothing."""
    events = conversation(recorded["events"], "wechat:")
    outside = []
    for event in replay(events, "web:outside"):
        if event["event"] == "active_loop" and event.get("name") == steps.APPLICATION_FORM:
            event["name"] = "prescreen_form"
        outside.append(event)
    counted = record_all(app, outside)
    assert counted == [steps.STARTED]


@pytest.mark.parametrize(
    "event",
    [
        "text",
        [],
        {"event": "user", "timestamp": 1.0},
        {"event": "user", "sender_id": "web:x"},
        {"event": "user", "sender_id": "web:x", "timestamp": "yesterday"},
        {"event": "user", "sender_id": "web:x", "timestamp": float("nan")},
        {"sender_id": "web:x", "timestamp": 1795966200.0},
    ],
)
def test_unreadable_events_are_refused(app: FastAPI, event: object) -> None:
    with app.state.session_factory() as session, pytest.raises(InvalidEventError):
        record_event(session, event, secret=SECRET)
