"""探访: roster from approved cases and CSV, grid workers' scope, visits, risk flags to leads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from workflows.audit.models import AuditEvent
from workflows.leads.models import Lead
from workflows.outbox.models import OutboxMessage
from workflows.reviews.models import ReviewSchedule
from workflows.visits.models import Visit, VisitTarget

from .conftest import CHUNJIANG, FUCHUN, id_number
from .eldercare_support import Login, Submit, add_grid_worker, add_target, approve

CSV_HEADER = "姓名,身份证号码,乡镇街道,村社区,类别,负责人,地址,电话\n"


def _csv(*rows: str) -> dict[str, Any]:
    content = (CSV_HEADER + "\n".join(rows) + "\n").encode("utf-8")
    return {"file": ("roster.csv", content, "text/csv")}


def test_an_approved_dibao_case_puts_the_household_on_the_roster_and_schedules_a_review(
    client: TestClient, app: FastAPI, login: Login, submit: Submit, clock: Any
) -> None:
    approve(client, login, submit, clock, programs=["dibao"])
    with app.state.session_factory() as session:
        targets = session.scalars(select(VisitTarget)).all()
        assert [(t.name, t.township_code, t.source, t.category_codes) for t in targets] == [
            ("张三", FUCHUN, "case", ["dibao"])
        ]
        review = session.scalars(select(ReviewSchedule)).one()
        # wage income in the household: irregular, every six months ([DB] art. 31)
        assert review.income_pattern == "irregular"
        assert review.interval_months == 6
        assert review.due_on == dt.date(2027, 5, 9)  # approved 2026-11-09
        approve_event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.approve")
        ).one()
        assert approve_event.data["visit_target_id"] == targets[0].id
        assert approve_event.data["review_due_on"] == "2027-05-09"


def test_a_medical_case_is_not_a_visit_target(
    client: TestClient, app: FastAPI, login: Login, submit: Submit, clock: Any
) -> None:
    approve(client, login, submit, clock, programs=["medical"])
    with app.state.session_factory() as session:
        assert session.scalars(select(VisitTarget)).all() == []


def test_csv_import_saves_all_rows_or_none_with_row_level_chinese_errors(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    reviewer = login("rev_fuchun")
    good = f"王五,{id_number(1940, 1)},富春街道,东村,独居、失能,,东村1号,13800000001"
    bad_id = f"赵六,{id_number(1941, 2)[:-1]}0,富春街道,东村,空巢,,,"
    bad_category = f"钱七,{id_number(1942, 3)},富春,西村,孤寡,,,"
    other_township = f"孙八,{id_number(1943, 4)},春江街道,江村,独居,,,"
    answer = client.post(
        "/api/visits/targets/import",
        files=_csv(good, bad_id, bad_category, other_township),
        headers=reviewer,
    )
    assert answer.status_code == 422
    body = answer.json()
    assert "全部未保存" in body["detail"]
    assert body["rows"] == [
        {"row": 3, "problems": ["身份证号码校验位不正确(最后一位),请逐位核对后重新输入"]},
        {"row": 4, "problems": ["类别“孤寡”不在名单中"]},
        {"row": 5, "problems": ["春江街道不属于您所在的乡镇(街道),不能导入"]},
    ]
    with app.state.session_factory() as session:
        assert session.scalars(select(VisitTarget)).all() == []

    again = client.post("/api/visits/targets/import", files=_csv(good), headers=reviewer)
    assert again.status_code == 200, again.text
    assert again.json() == {"created": 1, "updated": 0}
    duplicate = client.post("/api/visits/targets/import", files=_csv(good, good), headers=reviewer)
    assert duplicate.json()["rows"] == [{"row": 3, "problems": ["与第2行的身份证号码重复"]}]
    listed = client.get("/api/visits/targets", headers=reviewer).json()
    assert [(t["name"], t["village"], t["categories"]) for t in listed] == [
        ("王五", "东村", ["alone", "disabled"])
    ]
    assert "*" in listed[0]["id_number"]  # masked in the list


def test_csv_with_a_missing_column_is_refused(client: TestClient, login: Login) -> None:
    content = "姓名,身份证号码\n王五,1\n".encode()
    answer = client.post(
        "/api/visits/targets/import",
        files={"file": ("r.csv", content, "text/csv")},
        headers=login("rev_fuchun"),
    )
    assert answer.status_code == 422
    assert "缺少列:乡镇街道、村社区、类别" in answer.json()["detail"]


def test_a_grid_worker_sees_only_their_villages_and_no_cases(
    client: TestClient, app: FastAPI, login: Login, submit: Submit
) -> None:
    add_grid_worker(app, "grid_dong", FUCHUN, "东村")
    today = dt.date(2026, 11, 2)
    mine = add_target(app, seq=11, added_on=today, village="东村")
    theirs = add_target(app, seq=12, added_on=today, village="西村")
    elsewhere = add_target(app, seq=13, added_on=today, village="江村", township=CHUNJIANG)
    grid = login("grid_dong")
    listed = client.get("/api/visits/targets", headers=grid).json()
    assert [t["id"] for t in listed] == [mine]
    for target_id in (theirs, elsewhere):
        answer = client.post(
            "/api/visits",
            json={
                "target_id": target_id,
                "visited_on": "2026-11-02",
                "way": "home",
                "seen": "本人",
            },
            headers=grid,
        )
        assert answer.status_code == 404
        assert answer.json()["detail"] == "探访对象不存在"
    assert client.get("/api/cases", headers=grid).status_code == 403
    assert client.get("/api/leads", headers=grid).status_code == 403
    other = client.get(f"/api/visits/rate?township={CHUNJIANG}", headers=grid)
    assert other.status_code == 404
    rate = client.get("/api/visits/rate?month=2026-11", headers=grid).json()
    assert (rate["targets"], rate["visited"]) == (1, 0)
    # a township reviewer of another township cannot see 富春's targets either
    answer = client.post(
        "/api/visits",
        json={"target_id": mine, "visited_on": "2026-11-02", "way": "home", "seen": "本人"},
        headers=login("rev_chunjiang"),
    )
    assert answer.status_code == 404
    assert client.get("/api/visits/rate", headers=login("adviser")).status_code == 403


def test_a_risk_flag_becomes_a_lead_and_an_urgent_one_tells_the_township_at_once(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    add_grid_worker(app, "grid_dong", FUCHUN, "东村")
    target_id = add_target(app, seq=21, added_on=dt.date(2026, 11, 1), village="东村")
    grid = login("grid_dong")
    plain = client.post(
        "/api/visits",
        json={"target_id": target_id, "visited_on": "2026-11-01", "way": "phone", "seen": "本人"},
        headers=grid,
    )
    assert plain.status_code == 201, plain.text
    assert plain.json()["lead_id"] is None
    flagged = client.post(
        "/api/visits",
        json={
            "target_id": target_id,
            "visited_on": "2026-11-02",
            "way": "home",
            "seen": "本人",
            "findings": "老人昨晚在家中跌倒,腿部疼痛",
            "risk_flags": ["fall", "no_heating"],
        },
        headers=grid,
    )
    assert flagged.status_code == 201, flagged.text
    out = flagged.json()
    assert out["urgent"] is True
    assert out["lead_number"].startswith("XS")
    leads = client.get("/api/leads", headers=login("rev_fuchun")).json()
    assert [(x["number"], x["urgent"]) for x in leads] == [(out["lead_number"], True)]
    assert "跌倒" in leads[0]["description"]
    assert client.get("/api/leads", headers=login("rev_chunjiang")).json() == []
    with app.state.session_factory() as session:
        messages = session.scalars(select(OutboxMessage)).all()
        assert [(m.channel, m.channel_user_id) for m in messages] == [("township", FUCHUN)]
        assert out["lead_number"] in messages[0].text
        visits = session.scalars(select(Visit).order_by(Visit.id)).all()
        assert [v.visit_month for v in visits] == [202611, 202611]
        assert session.get(Lead, out["lead_id"]) is not None
        actions = session.scalars(select(AuditEvent.action)).all()
        assert actions.count("visit.recorded") == 2
        assert "lead.reported" in actions


def test_a_non_urgent_flag_makes_a_lead_without_a_township_message(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    target_id = add_target(app, seq=22, added_on=dt.date(2026, 11, 1))
    answer = client.post(
        "/api/visits",
        json={
            "target_id": target_id,
            "visited_on": "2026-11-02",
            "way": "video",
            "seen": "女儿",
            "risk_flags": ["no_heating"],
        },
        headers=login("rev_fuchun"),
    )
    assert answer.status_code == 201
    assert answer.json()["urgent"] is False
    with app.state.session_factory() as session:
        assert session.scalars(select(OutboxMessage)).all() == []


def test_bad_visits_are_refused_in_chinese_and_nothing_is_saved(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    target_id = add_target(app, seq=23, added_on=dt.date(2026, 10, 20))
    reviewer = login("rev_fuchun")
    cases = [
        ({"visited_on": "2026-11-03"}, "探访日期不能晚于今天"),
        ({"visited_on": "2026-10-19"}, "探访日期不在该对象列入探访名单的期间内"),
        ({"way": "letter"}, None),
        ({"seen": ""}, None),
        ({"risk_flags": ["sad"]}, None),
    ]
    for change, message in cases:
        body = {"target_id": target_id, "visited_on": "2026-11-02", "way": "home", "seen": "本人"}
        body.update(change)
        answer = client.post("/api/visits", json=body, headers=reviewer)
        assert answer.status_code == 422, (change, answer.text)
        detail = answer.json()["detail"]
        if message is not None:
            assert detail[0]["msg"] == message
        assert all(ord(ch) > 127 for ch in detail[0]["msg"][:1])  # a Chinese message
    bad_month = client.get("/api/visits/rate?month=2026-13", headers=reviewer)
    assert bad_month.status_code == 422
    assert "YYYY-MM" in bad_month.json()["detail"][0]["msg"]
    with app.state.session_factory() as session:
        assert session.scalars(select(Visit)).all() == []


def test_removing_a_target_and_assigning_areas(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    add_grid_worker(app, "grid_xi", FUCHUN)
    target_id = add_target(app, seq=24, added_on=dt.date(2026, 10, 1), village="西村")
    reviewer = login("rev_fuchun")
    grid = login("grid_xi")
    assert client.get("/api/visits/targets", headers=grid).json() == []
    area = client.post(
        "/api/visits/areas",
        json={"username": "grid_xi", "township_code": FUCHUN, "village": "西村"},
        headers=reviewer,
    )
    assert area.status_code == 201, area.text
    again = client.post(
        "/api/visits/areas",
        json={"username": "grid_xi", "township_code": FUCHUN, "village": "西村"},
        headers=reviewer,
    )
    assert again.status_code == 409
    assert [t["id"] for t in client.get("/api/visits/targets", headers=grid).json()] == [target_id]
    not_grid = client.post(
        "/api/visits/areas",
        json={"username": "rev_fuchun", "township_code": FUCHUN, "village": "西村"},
        headers=reviewer,
    )
    assert not_grid.status_code == 422
    other = client.post(
        "/api/visits/areas",
        json={"username": "grid_xi", "township_code": CHUNJIANG, "village": "江村"},
        headers=reviewer,
    )
    assert other.status_code == 404
    assert (
        client.post(
            f"/api/visits/targets/{target_id}/remove", json={"reason": "迁出"}, headers=grid
        ).status_code
        == 403
    )
    removed = client.post(
        f"/api/visits/targets/{target_id}/remove", json={"reason": "迁出本区"}, headers=reviewer
    )
    assert removed.status_code == 200
    assert removed.json()["removed_on"] == "2026-11-02"
