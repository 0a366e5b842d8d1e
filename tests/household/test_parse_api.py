"""POST /api/household/parse on the real API (SQLite and PostgreSQL via tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from workflows.auth import service as auth_service
from workflows.auth.enums import Role

PATH = "/api/household/parse"
MEMBERS = [{"relation": "本人", "name": "王芳"}, {"relation": "配偶", "name": "李强"}]


@pytest.fixture
def internal(app: FastAPI) -> dict[str, str]:
    return {"X-Internal-Token": app.state.settings.internal_token.get_secret_value()}


@pytest.fixture
def staff(app: FastAPI, client: TestClient) -> dict[str, str]:
    with app.state.session_factory() as session:
        auth_service.create_user(
            session,
            username="counter_parse",
            password="test-password-1",
            role=Role.COUNTER,
            township_code="330111001000",
            rounds=4,
            now=app.state.clock.now(),
        )
        session.commit()
    answer = client.post(
        "/api/auth/token", data={"username": "counter_parse", "password": "test-password-1"}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_the_wage_lands_on_the_spouse(client: TestClient, internal: dict[str, str]) -> None:
    body = {"field": "income", "text": "老公打工,一个月两千五", "members": MEMBERS}
    answer = client.post(PATH, json=body, headers=internal)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["understood"] is True
    assert result["not_understood"] == []
    assert [m["name"] for m in result["members"]] == ["王芳", "李强"]
    assert result["members"][0]["incomes"] == []
    assert result["members"][1]["incomes"] == [
        {"kind": "wage", "kind_label": "工资性收入", "monthly_amount": 2500.0,
         "text": "老公打工一个月两千五", "household": False, "exempt": False}
    ]


def test_staff_may_parse_too(client: TestClient, staff: dict[str, str]) -> None:
    body = {"field": "property", "text": "只有一套自住房,存款两万五"}
    answer = client.post(PATH, json=body, headers=staff)
    assert answer.status_code == 200, answer.text
    assert [(p["kind"], p["value"], p["only_home"]) for p in answer.json()["property"]] == [
        ("house", 0.0, True),
        ("deposit", 25000.0, False),
    ]


def test_expenses_and_members(client: TestClient, internal: dict[str, str]) -> None:
    spent = client.post(
        PATH, json={"field": "expenses", "text": "看病一年花了三万"}, headers=internal
    ).json()
    assert spent["expenditures"] == [{"kind": "medical", "annual_amount": 30000.0}]
    member = client.post(
        PATH,
        json={"field": "members", "text": "女儿张小丽,330111201602290263,肢体残疾二级"},
        headers=internal,
    ).json()
    assert member["understood"] is True
    found = member["members"][0]
    assert (found["relation"], found["name"], found["id_number"]) == (
        "子女", "张小丽", "330111201602290263",
    )
    assert (found["disability_category"], found["disability_grade"]) == ("肢体", 2)


def test_what_is_not_understood_is_said_in_chinese(
    client: TestClient, internal: dict[str, str]
) -> None:
    answer = client.post(PATH, json={"field": "income", "text": "不知道"}, headers=internal)
    assert answer.status_code == 200
    result = answer.json()
    assert result["understood"] is False
    assert result["not_understood"][-1].startswith("没有看出收入金额")
    nothing = client.post(PATH, json={"field": "income", "text": "没有收入"}, headers=internal)
    assert (nothing.json()["understood"], nothing.json()["nothing"]) == (True, True)


def test_without_token_or_staff_it_is_refused(client: TestClient) -> None:
    answer = client.post(PATH, json={"field": "income", "text": "工资2000"})
    assert answer.status_code == 401
    forged = client.post(
        PATH, json={"field": "income", "text": "工资2000"}, headers={"X-Internal-Token": "x"}
    )
    assert forged.status_code == 401


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({"field": "salary", "text": "工资2000"}, ["body", "field"], "income"),
        ({"field": "income", "text": ""}, ["body", "text"], "至少"),
        ({"field": "income", "text": "工资" * 600}, ["body", "text"], "最多"),
        ({"field": "income", "text": "工资2000", "members": [{"relation": "邻居"}]},
         ["body", "members", 0, "relation"], "本人"),
        ({"text": "工资2000"}, ["body", "field"], "必填"),
    ],
)
def test_bad_bodies_get_chinese_field_errors(
    client: TestClient, internal: dict[str, str], body: dict[str, Any], loc: list[Any], words: str
) -> None:
    answer = client.post(PATH, json=body, headers=internal)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    error = next(e for e in errors if e["loc"] == loc)
    assert words in error["msg"], error
    assert any("\u4e00" <= char <= "\u9fff" for char in error["msg"])


def test_illness_lands_on_the_member_named(client: TestClient, internal: dict[str, str]) -> None:
    members = [*MEMBERS, {"relation": "子女", "name": "李小明"}]
    body = {"field": "illness", "text": "她有病,每周透析", "members": members}
    answer = client.post(PATH, json=body, headers=internal)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["understood"] is True
    assert [(m["relation"], m["serious_illness"]) for m in result["members"]] == [
        (m["relation"], m["relation"] == "配偶") for m in members
    ]
    nothing = client.post(
        PATH, json={"field": "illness", "text": "没有", "members": members}, headers=internal
    ).json()
    assert nothing["nothing"] is True
    assert not any(m["serious_illness"] for m in nothing["members"])
    unclear = client.post(
        PATH, json={"field": "illness", "text": "不知道", "members": members}, headers=internal
    ).json()
    assert unclear["understood"] is False
    assert "哪位家人" in unclear["not_understood"][-1]


def test_who_answers_which_member_and_a_hint_when_nobody(
    client: TestClient, internal: dict[str, str]
) -> None:
    members = [{"relation": "本人", "name": "张三"}, {"relation": "配偶", "name": "李四"}]
    answer = client.post(
        PATH, json={"field": "who", "text": "是老伴的", "members": members}, headers=internal
    )
    assert answer.status_code == 200, answer.text
    assert [m["named"] for m in answer.json()["members"]] == [False, True]
    unclear = client.post(
        PATH, json={"field": "who", "text": "说不好", "members": members}, headers=internal
    ).json()
    assert unclear["understood"] is False
    assert any("哪位家人" in line for line in unclear["not_understood"])


def test_a_household_figure_and_exempt_kinds_are_marked(
    client: TestClient, internal: dict[str, str]
) -> None:
    members = [{"relation": "本人", "name": "张三"}, {"relation": "配偶", "name": "李四"}]
    body = {"field": "income", "text": "全家每月两千,基础养老金两百", "members": members}
    answer = client.post(PATH, json=body, headers=internal).json()
    incomes = answer["members"][0]["incomes"]
    assert [(i["monthly_amount"], i["household"], i["exempt"]) for i in incomes] == [
        (2000.0, True, False),
        (200.0, False, True),
    ]
