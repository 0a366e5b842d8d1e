"""/staff/adviser/plan: a profile becomes a service plan; a case is brought over only by staff
who may see it; making a plan and reading the case are audited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from huimin.idcard import make_number
from workflows.audit.models import AuditEvent
from workflows.eldercare.communities import load_communities

PASSWORD = "test-password-1"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match
    return match.group(1)


@pytest.fixture
def as_staff(
    client: TestClient, login: Callable[[str], dict[str, str]]
) -> Callable[[str], tuple[TestClient, str]]:
    def go(username: str) -> tuple[TestClient, str]:
        client.cookies.clear()
        answer = client.post(
            "/staff/login",
            data={"username": username, "password": PASSWORD},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        return client, csrf_of(client.get("/staff/adviser/plan").text)

    return go


def events(app: FastAPI, action: str) -> list[AuditEvent]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.usefixtures("sample_directory")
def test_adviser_makes_a_printable_plan(as_staff: Any, app: FastAPI) -> None:
    client, csrf = as_staff("adviser")
    village = load_communities()[0]
    answer = client.post(
        "/staff/adviser/plan",
        data={
            "csrf": csrf,
            "salutation": "王奶奶",
            "age": "84",
            "level": "3",
            "dementia": "yes",
            "lives_alone": "yes",
            "confirmed": ["tekun"],
            "income": "0",
            "township": village.township_code,
            "place": village.name,
        },
    )
    assert answer.status_code == 200, answer.text
    html = answer.text
    assert "王奶奶的养老服务规划" in html
    plan = html[html.index('id="plan"') :]
    likely = plan[plan.index("可能可以享受") : plan.index("需要进一步核实")]
    assert "养老机构入住(兜底保障)" in likely
    assert "养老服务消费补贴" in likely
    assert "依据:" in likely
    assert "示例数据(虚构)" in plan
    assert "0571-0" in plan  # phone numbers of nearby services and contacts
    assert "下一步怎么做" in plan
    assert "data-print" in plan
    [event] = events(app, "eldercare.plan_made")
    assert event.actor == "staff:adviser"
    assert "care_home_admission" in event.data["likely"]
    assert "王奶奶" not in str(event.data)  # nothing personal in the audit row


def test_bad_profile_is_refused_in_chinese(as_staff: Any) -> None:
    client, csrf = as_staff("adviser")
    missing = client.post("/staff/adviser/plan", data={"csrf": csrf, "age": ""})
    assert missing.status_code == 422
    assert "请填写老人年龄" in missing.text
    bad = client.post("/staff/adviser/plan", data={"csrf": csrf, "age": "70", "income": "很多"})
    assert bad.status_code == 422
    assert "家庭人均月收入应为数字" in bad.text
    old = client.post("/staff/adviser/plan", data={"csrf": csrf, "age": "170"})
    assert old.status_code == 422
    no_csrf = client.post("/staff/adviser/plan", data={"age": "70"})
    assert no_csrf.status_code == 403


def _submit_elder_case(client: TestClient, app: FastAPI) -> int:
    elder_id = make_number("330111", dt.date(1940, 3, 14), 311)
    body: dict[str, Any] = {
        "channel": "telegram",
        "channel_user_id": "31101",
        "consent_verification": True,
        "consent_at": "2026-11-02T09:58:00+08:00",
        "applicant": {"name": "赵大爷", "id_number": elder_id, "phone": "13800000000"},
        "hukou_township_code": "330111001000",
        "residence_township_code": "330111001000",
        "programs": ["home_care_bed"],
        "members": [
            {
                "relation": "本人",
                "name": "赵大爷",
                "id_number": elder_id,
                "incomes": [{"kind": "pension", "monthly_amount": 900.0}],
            }
        ],
        "property": [],
        "expenditures": [],
        "documents_later": True,
    }
    token = app.state.settings.internal_token.get_secret_value()
    answer = client.post("/api/applications", json=body, headers={"X-Internal-Token": token})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["cases"][0]["id"])


def test_case_is_brought_over_within_access_rules(
    client: TestClient, app: FastAPI, as_staff: Any
) -> None:
    case_id = _submit_elder_case(client, app)
    adviser, _ = as_staff("adviser")
    refused = adviser.get("/staff/adviser/plan", params={"case_id": case_id})
    assert refused.status_code == 403
    assert "您的角色不能查看案件" in refused.text
    reviewer, _ = as_staff("rev_fuchun")
    page = reviewer.get("/staff/adviser/plan", params={"case_id": case_id})
    assert page.status_code == 200
    assert 'name="age" inputmode="numeric" maxlength="3" value="86"' in page.text
    assert 'value="900.00"' in page.text
    assert 'value="330111001000" selected' in page.text
    assert "赵大爷" not in page.text  # the plan needs no name or ID number
    [read] = events(app, "application.read")
    assert read.actor == "staff:rev_fuchun"
    assert read.data["view"] == "staff_pages.adviser_plan"
    missing = reviewer.get("/staff/adviser/plan", params={"case_id": case_id + 999})
    assert missing.status_code == 404
    other, _ = as_staff("rev_chunjiang")
    elsewhere = other.get("/staff/adviser/plan", params={"case_id": case_id})
    assert elsewhere.status_code == 404  # another township's case: not found, not forbidden
    assert len(events(app, "application.read")) == 1
