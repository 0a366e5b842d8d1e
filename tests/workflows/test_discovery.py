"""主动发现 / 免申即享: turned 80 over a simulated month (told exactly once), a 低保 member's
serious illness and a 失能 elder in a 低保 household (findings staff confirm), never twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from huimin.idcard import make_number
from workflows.discovery import service
from workflows.discovery.models import Finding
from workflows.outbox.models import OutboxMessage
from workflows.visits.enums import TargetCategory

from .conftest import id_number
from .eldercare_support import LOCAL, Login, Submit, approve


def _run(app: FastAPI, day: dt.date) -> service.RunResult:
    with app.state.session_factory() as session:
        result = service.run(
            session,
            today=day,
            now=dt.datetime.combine(day, dt.time(6), tzinfo=LOCAL),
            settings=app.state.settings,
        )
        session.commit()
        return result


def _member(name: str, number: str, relation: str = "父母", **extra: Any) -> dict[str, Any]:
    return {"relation": relation, "name": name, "id_number": number, "incomes": [], **extra}


def test_a_member_turning_80_during_the_month_gets_exactly_one_message(
    client: TestClient, app: FastAPI, submit: Submit
) -> None:
    applicant = id_number(1975, 401)
    turns_80 = make_number("330111", dt.date(1946, 11, 20), 402)
    long_80 = make_number("330111", dt.date(1940, 5, 1), 403)
    submit(
        programs=["temporary"],
        applicant={"name": "陈一", "id_number": applicant, "phone": "13800000000"},
        members=[
            _member("陈一", applicant, relation="本人"),
            _member("陈父", turns_80),
            _member("陈祖母", long_80),
        ],
    )
    told_on: list[dt.date] = []
    day = dt.date(2026, 11, 1)
    while day <= dt.date(2026, 12, 31):
        result = _run(app, day)
        told_on += [day] * result.told
        day += dt.timedelta(days=1)
    assert told_on == [dt.date(2026, 11, 20)]
    with app.state.session_factory() as session:
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.text.contains("高龄津贴"))
        ).all()
        assert [(m.channel, m.channel_user_id) for m in messages] == [("telegram", "10001")]
        assert "陈父" in messages[0].text
        findings = session.scalars(select(Finding)).all()
        assert [(f.rule, f.name, f.status) for f in findings] == [("turned_80", "陈父", "told")]


def test_findings_for_staff_confirmation_with_the_rule_that_fired(
    client: TestClient, app: FastAPI, login: Login, submit: Submit, clock: Any
) -> None:
    elder = make_number("330111", dt.date(1950, 6, 1), 501)
    wife = make_number("330111", dt.date(1952, 6, 1), 502)
    approve(
        client,
        login,
        submit,
        clock,
        programs=["dibao"],
        applicant={"name": "周老伯", "id_number": elder, "phone": "13800000000"},
        members=[
            _member("周老伯", elder, relation="本人"),
            _member("周老伴", wife, relation="配偶", serious_illness=True),
        ],
    )
    # the applicant is on the 探访 roster as 失能 (a grid worker's record)
    from workflows.visits import roster

    with app.state.session_factory() as session:
        roster.upsert(
            session,
            data=roster.TargetData(
                name="周老伯",
                id_number=elder,
                township_code="330111001000",
                village="东村",
                categories=frozenset({TargetCategory.DISABLED}),
            ),
            source="staff",
            today=dt.date(2026, 11, 9),
            now=clock.now(),
            actor="test",
        )
        session.commit()
    first = _run(app, dt.date(2026, 11, 10))
    assert first.found == {
        "turned_80": 0,
        "disabled_dibao_elder": 1,
        "dibao_serious_illness": 1,
    }
    assert (first.told, first.awaiting) == (0, 2)
    again = _run(app, dt.date(2026, 11, 11))
    assert sum(again.found.values()) == 0  # never twice

    reviewer = login("rev_fuchun")
    listed = client.get("/api/discovery/findings?status=awaiting", headers=reviewer).json()
    assert sorted((f["rule_label"], f["name"]) for f in listed) == [
        ("低保/低边家庭60岁以上失能老人(养老服务补贴)", "周老伯"),
        ("低保家庭成员患重大疾病(医疗救助)", "周老伴"),
    ]
    assert all("*" in f["id_number"] for f in listed)
    assert client.get("/api/discovery/findings", headers=login("rev_chunjiang")).json() == []
    finding_id = listed[0]["id"]
    decided = client.post(
        f"/api/discovery/findings/{finding_id}/decide",
        json={"decision": "confirm", "note": "已电话联系"},
        headers=reviewer,
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "confirmed"
    twice = client.post(
        f"/api/discovery/findings/{finding_id}/decide",
        json={"decision": "dismiss"},
        headers=reviewer,
    )
    assert twice.status_code == 409
    other = client.post(
        f"/api/discovery/findings/{finding_id}/decide",
        json={"decision": "dismiss"},
        headers=login("rev_chunjiang"),
    )
    assert other.status_code == 404
    bad = client.post(
        f"/api/discovery/findings/{finding_id}/decide", json={"decision": "maybe"}, headers=reviewer
    )
    assert bad.status_code == 422


def test_the_cli_job_runs(app: FastAPI, capsys: Any) -> None:
    from workflows.cli.daily_jobs import discover, remind_reviews, summarise_visits
    from workflows.visits.models import VisitRateSnapshot

    assert discover(app.state.settings, day="2026-11-10") == 0
    assert remind_reviews(app.state.settings, day="2026-11-10") == 0
    assert summarise_visits(app.state.settings, day="2026-11-10") == 0
    out = capsys.readouterr().out
    assert "主动发现 (2026-11-10)" in out
    assert "复核提醒:0 条" in out
    assert "2025-11 至 2026-10 已就绪" in out
    with app.state.session_factory() as session:
        marks = session.scalars(
            select(VisitRateSnapshot.month).where(VisitRateSnapshot.category == "#")
        ).all()
        assert sorted(marks) == [202511, 202512, *range(202601, 202611)]
