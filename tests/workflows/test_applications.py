"""POST/GET /api/applications: creation, validation in Chinese, idempotency, routing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from huimin.idcard import make_number
from workflows.applications.models import Application, HouseholdMember, IncomeItem
from workflows.cases.models import ProgramCase

Body = Callable[..., dict[str, Any]]
FUCHUN = "330111001000"  # 富春街道
CHUNJIANG = "330111002000"  # 春江街道


def id_number(year: int = 1970, seq: int = 123) -> str:
    return make_number("330111", dt.date(year, 3, 14), seq)


def _count(app: FastAPI, model: type) -> int:
    with app.state.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_submission_creates_application_cases_and_household(
    client: TestClient, app: FastAPI, internal: dict[str, str], body: Body
) -> None:
    answer = client.post("/api/applications", json=body(), headers=internal)
    assert answer.status_code == 201, answer.text
    data = answer.json()
    assert data["number"] == "FY-20261102-0001"
    assert data["status"] == "submitted"
    assert data["applicant"]["id_number_masked"].startswith("330111")
    assert "*" in data["applicant"]["id_number_masked"]
    assert [c["program"] for c in data["cases"]] == ["dibao", "medical"]
    dibao = data["cases"][0]
    assert dibao["status"] == "submitted"
    assert dibao["status_label"] == "已提交,等待受理"
    assert dibao["handling_township_code"] == FUCHUN
    assert dibao["handling_township_name"] == "富春街道"
    # 23 working days from Mon 2026-11-02 ([ZJ] art. 11, 一件事), no holidays in between
    assert dibao["due_date"] == "2026-12-03"  # 23 working days: the Zhejiang profile
    assert dibao["due_date_provisional"] is False
    with app.state.session_factory() as session:
        members = session.scalars(select(HouseholdMember).order_by(HouseholdMember.position)).all()
        assert [m.relation for m in members] == ["本人", "配偶"]
        assert members[0].birth_date.isoformat() == "1970-03-14"
        assert members[0].sex == "男"  # sequence 123: odd means male
        incomes = session.scalars(select(IncomeItem).order_by(IncomeItem.id)).all()
        assert [(i.kind, i.exempt) for i in incomes] == [("wage", False), ("fuxu", True)]


def test_second_submission_gets_next_number(submit: Callable[..., dict[str, Any]]) -> None:
    first = submit()
    second = submit(channel_user_id="10002")
    assert first["number"] == "FY-20261102-0001"
    assert second["number"] == "FY-20261102-0002"


def test_same_idempotency_key_returns_same_application(
    client: TestClient, app: FastAPI, internal: dict[str, str], body: Body
) -> None:
    headers = {**internal, "Idempotency-Key": "abc-123"}
    first = client.post("/api/applications", json=body(), headers=headers)
    again = client.post("/api/applications", json=body(), headers=headers)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert _count(app, Application) == 1
    assert _count(app, ProgramCase) == 2
    changed = client.post("/api/applications", json=body(programs=["tekun"]), headers=headers)
    assert changed.status_code == 409
    assert _count(app, Application) == 1


def _errors(answer: Any) -> dict[tuple[Any, ...], str]:
    assert answer.status_code == 422, answer.text
    return {tuple(e["loc"]): e["msg"] for e in answer.json()["detail"]}


def test_invalid_check_digit_is_a_chinese_field_error(
    client: TestClient, app: FastAPI, internal: dict[str, str], body: Body
) -> None:
    good = id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = body()
    data["members"][1]["id_number"] = bad
    errors = _errors(client.post("/api/applications", json=data, headers=internal))
    assert "校验位" in errors[("body", "members", 1, "id_number")]
    assert _count(app, Application) == 0


def test_birth_date_in_future_is_rejected(
    client: TestClient, internal: dict[str, str], body: Body
) -> None:
    data = body()
    data["members"][1]["id_number"] = id_number(2099)
    errors = _errors(client.post("/api/applications", json=data, headers=internal))
    assert "晚于今天" in errors[("body", "members", 1, "id_number")]


def test_negative_income_unknown_township_and_bad_enum(
    client: TestClient, internal: dict[str, str], body: Body
) -> None:
    data = body(hukou_township_code="330111999000", programs=["dibao", "lottery"])
    data["members"][0]["incomes"][0]["monthly_amount"] = -5
    errors = _errors(client.post("/api/applications", json=data, headers=internal))
    assert errors[("body", "members", 0, "incomes", 0, "monthly_amount")] == "不能为负数"
    assert "乡镇(街道)代码不存在" in errors[("body", "hukou_township_code")]
    assert errors[("body", "programs", 1)].startswith("未知的救助项目,可选:dibao")
    assert all(not msg.isascii() for msg in errors.values())


def test_missing_fields_and_bad_json(client: TestClient, internal: dict[str, str]) -> None:
    errors = _errors(client.post("/api/applications", json={"channel": "web"}, headers=internal))
    assert errors[("body", "applicant")] == "此项为必填项"
    assert errors[("body", "programs")] == "此项为必填项"
    answer = client.post(
        "/api/applications",
        content=b"{not json",
        headers={**internal, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert "JSON" in answer.json()["detail"][0]["msg"]


def test_duplicate_member_id_and_cross_field_rules(
    client: TestClient, app: FastAPI, internal: dict[str, str], body: Body
) -> None:
    data = body(consent_verification=False)
    data["members"][1]["id_number"] = data["members"][0]["id_number"]
    errors = _errors(client.post("/api/applications", json=data, headers=internal))
    assert "重复" in errors[("body", "members", 1, "id_number")]
    assert "授权" in errors[("body", "consent_verification")]
    data = body()
    data["members"][1]["relation"] = "本人"
    errors = _errors(client.post("/api/applications", json=data, headers=internal))
    assert "只能有一位" in errors[("body", "members", 1, "relation")]
    assert _count(app, Application) == 0
    assert _count(app, HouseholdMember) == 0


def test_counter_intake_needs_a_known_staff_member(
    client: TestClient, internal: dict[str, str], body: Body
) -> None:
    errors = _errors(
        client.post(
            "/api/applications",
            json=body(channel="counter", entered_by_staff="nobody"),
            headers=internal,
        )
    )
    assert "工作人员账号不存在" in errors[("body", "entered_by_staff")]


def test_counter_staff_submission_is_received_at_their_township(
    client: TestClient, login: Callable[[str], dict[str, str]], body: Body
) -> None:
    answer = client.post(
        "/api/applications",
        json=body(
            channel="counter",
            channel_user_id=None,
            hukou_township_code=CHUNJIANG,
            residence_township_code=CHUNJIANG,
        ),
        headers=login("counter_fuchun"),
    )
    assert answer.status_code == 201, answer.text
    data = answer.json()
    assert data["submitted_township_code"] == FUCHUN
    assert {c["handling_township_code"] for c in data["cases"]} == {CHUNJIANG}


def test_routing_residence_permit_and_outside_hukou(
    client: TestClient, internal: dict[str, str], body: Body
) -> None:
    outside = {"hukou_township_code": None, "hukou_region_text": "安徽省阜阳市"}
    with_permit = client.post(
        "/api/applications",
        json=body(
            **outside,
            residence_township_code=CHUNJIANG,
            has_residence_permit=True,
            programs=["dibao", "temporary"],
        ),
        headers=internal,
    )
    assert with_permit.status_code == 201, with_permit.text
    cases = {c["program"]: c for c in with_permit.json()["cases"]}
    assert cases["dibao"]["handling_township_code"] == CHUNJIANG
    assert "居住证" in cases["dibao"]["routing_reason"]
    assert cases["temporary"]["handling_township_code"] == CHUNJIANG

    errors = _errors(
        client.post(
            "/api/applications",
            json=body(
                **outside,
                residence_township_code=CHUNJIANG,
                programs=["temporary", "dibao"],
                channel_user_id="other",
            ),
            headers=internal,
        )
    )
    assert "居住证" in errors[("body", "programs", 1)]


def test_hukou_township_handles_by_default(submit: Callable[..., dict[str, Any]]) -> None:
    data = submit(residence_township_code=CHUNJIANG)
    dibao = data["cases"][0]
    assert dibao["handling_township_code"] == FUCHUN
    assert "户籍地" in dibao["routing_reason"]
    assert data["submitted_township_code"] == CHUNJIANG


def test_calls_need_credentials(client: TestClient, body: Body) -> None:
    assert client.post("/api/applications", json=body()).status_code == 401
    wrong = client.post("/api/applications", json=body(), headers={"X-Internal-Token": "x"})
    assert wrong.status_code == 401
    assert client.get("/api/applications/1").status_code == 401


def test_the_only_home_needs_no_value_and_is_stored_as_such(
    app: FastAPI, client: TestClient, internal: dict[str, str], body: Body
) -> None:
    data = body(
        property=[
            {"kind": "house", "only_home": True, "note": "只有一套自住房"},
            {"kind": "house", "value": 600000, "only_home": True},  # a value given is kept
            {"kind": "house", "value": 300000, "note": "出租"},
        ]
    )
    data["members"][0]["own_income_monthly"] = 450
    data["members"][0]["incomes"][0]["note"] = "全家收入,未说明是哪位成员的"
    answer = client.post("/api/applications", json=data, headers=internal)
    assert answer.status_code == 201, answer.text
    with app.state.session_factory() as session:
        application = session.scalars(select(Application)).one()
        rows = [(p.kind, p.value, p.only_home) for p in application.property_items]
        me = application.members[0]
        assert me.own_income_monthly == 450
        assert me.incomes[0].note == "全家收入,未说明是哪位成员的"
        assert application.members[1].own_income_monthly is None
    assert sorted(rows) == [("house", 0, True), ("house", 300000, False), ("house", 600000, True)]


def test_a_value_is_still_required_unless_it_is_the_only_home(
    client: TestClient, internal: dict[str, str], body: Body
) -> None:
    data = body(
        property=[
            {"kind": "house", "note": "有套房"},
            {"kind": "deposit", "value": 100, "only_home": True},
        ]
    )
    errors = _errors(client.post("/api/applications", json=data, headers=internal))
    assert errors[("body", "property", 0, "value")] == "此项为必填项"
    assert errors[("body", "property", 1, "only_home")] == "只有房产可以标为唯一自住房"
