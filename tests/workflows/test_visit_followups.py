"""Visit follow-ups: a visit lead becomes a 临时救助 case in one step; urgent visit alerts reach
the township's staff (outbox channel ``township`` delivered when shown, acknowledged by a click).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from workflows.applications.models import Application
from workflows.audit.models import AuditEvent
from workflows.cases.models import ProgramCase
from workflows.followups.models import LeadConversion, TownshipAlert
from workflows.leads.models import Lead
from workflows.outbox.models import OutboxMessage
from workflows.visits.models import VisitTarget

from .conftest import CHUNJIANG, FUCHUN
from .eldercare_support import Login, add_grid_worker, add_target

FALL = {
    "visited_on": "2026-11-02",
    "way": "home",
    "seen": "本人",
    "findings": "老人昨晚在家中跌倒,腿部疼痛,家中无人照料",
    "risk_flags": ["fall"],
}


def _flagged_visit(
    client: TestClient, app: FastAPI, login: Login, *, seq: int = 31, **target: Any
) -> dict[str, Any]:
    add_grid_worker(app, f"grid_{seq}", target.get("township", FUCHUN), "东村")
    target_id = add_target(app, seq=seq, added_on=dt.date(2026, 11, 1), village="东村", **target)
    with app.state.session_factory() as session:
        session.execute(
            update(VisitTarget).where(VisitTarget.id == target_id).values(phone="13800000031")
        )
        session.commit()
    answer = client.post(
        "/api/visits", json={"target_id": target_id, **FALL}, headers=login(f"grid_{seq}")
    )
    assert answer.status_code == 201, answer.text
    return {"target_id": target_id, **answer.json()}


def test_a_visit_lead_becomes_a_temporary_assistance_case_in_one_step(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    visit = _flagged_visit(client, app, login)
    reviewer = login("rev_fuchun")
    url = f"/api/leads/{visit['lead_id']}/temporary-application"
    answer = client.post(url, json={"consent_verification": True}, headers=reviewer)
    assert answer.status_code == 201, answer.text
    out = answer.json()
    assert out["created"] is True
    assert out["case_status"] == "submitted"
    assert out["handling_township_code"] == FUCHUN
    # the case is in the township's queue like any other, and 先行救助 is offered
    case = client.get(f"/api/cases/{out['case_id']}", headers=reviewer).json()
    assert case["program"] == "temporary"
    assert "grant_urgent" in {a["action"] for a in case["allowed_actions"]}
    queue = client.get("/api/cases", headers=reviewer).json()
    items = queue["items"] if isinstance(queue, dict) else queue
    assert out["case_id"] in [c["id"] for c in items]
    with app.state.session_factory() as session:
        application = session.get(Application, out["application_id"])
        assert application is not None
        target = session.get(VisitTarget, visit["target_id"])
        assert target is not None
        assert (application.applicant_name, application.applicant_id_number) == (
            target.name,
            target.id_number,
        )
        assert application.channel == "counter"
        assert application.entered_by_staff == "rev_fuchun"
        assert application.applicant_phone == "13800000031"
        assert application.residence_township_code == FUCHUN
        conversion = session.scalars(select(LeadConversion)).one()
        assert "跌倒" in conversion.reason
        assert conversion.converted_by == "rev_fuchun"
        lead = session.get(Lead, visit["lead_id"])
        assert lead is not None
        assert lead.status == "case"
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "lead.converted")
        ).one()
        assert event.actor == "staff:rev_fuchun"
        assert event.data["application_number"] == out["application_number"]
        assert target.id_number not in str(event.data)  # masked

    leads = client.get("/api/leads", headers=reviewer).json()
    assert [(x["status"], x["application_number"]) for x in leads] == [
        ("case", out["application_number"])
    ]
    # idempotent: the same lead answers the same case, nothing new is written
    again = client.post(url, json={"consent_verification": True}, headers=login("counter_fuchun"))
    assert again.status_code == 200
    assert again.json()["application_id"] == out["application_id"]
    assert again.json()["created"] is False
    with app.state.session_factory() as session:
        assert len(session.scalars(select(Application)).all()) == 1
        assert len(session.scalars(select(ProgramCase)).all()) == 1


def test_conversion_is_township_scoped_and_refused_without_consent_or_data(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    visit = _flagged_visit(client, app, login, seq=32)
    url = f"/api/leads/{visit['lead_id']}/temporary-application"
    other = client.post(url, json={"consent_verification": True}, headers=login("rev_chunjiang"))
    assert other.status_code == 404
    assert other.json()["detail"] == "线索不存在或不在您的辖区"
    assert client.post(url, json={}, headers=login("adviser")).status_code == 403
    assert client.post(url, json={}, headers=login(f"grid_{32}")).status_code == 403

    no_consent = client.post(url, json={}, headers=login("rev_fuchun"))
    assert no_consent.status_code == 422
    assert no_consent.json()["detail"] == [
        {
            "loc": ["body", "consent_verification"],
            "msg": "须取得本人或家属同意核对家庭经济状况后才能代为申请",
        }
    ]
    with app.state.session_factory() as session:
        session.execute(
            update(VisitTarget)
            .where(VisitTarget.id == visit["target_id"])
            .values(id_number="", village="")
        )
        session.commit()
    missing = client.post(url, json={"consent_verification": True}, headers=login("rev_fuchun"))
    assert missing.status_code == 422
    body = missing.json()
    assert [d["msg"] for d in body["detail"]] == [
        "探访对象缺少身份证号码",
        "探访对象尚未分配村(社区)",
    ]
    assert body["intake_url"] == "/staff/intake"
    assert "窗口接待" in body["message"]
    with app.state.session_factory() as session:
        assert session.scalars(select(Application)).all() == []
        assert session.scalars(select(LeadConversion)).all() == []
        lead = session.get(Lead, visit["lead_id"])
        assert lead is not None
        assert lead.status == "open"


def test_a_lead_not_from_a_visit_points_to_the_counter_intake(
    client: TestClient, app: FastAPI, login: Login, internal: dict[str, str]
) -> None:
    reported = client.post(
        "/api/leads",
        json={
            "channel": "telegram",
            "channel_user_id": "42",
            "township_code": FUCHUN,
            "address": "东村5号",
            "description": "邻居家老人无人照料",
        },
        headers=internal,
    )
    assert reported.status_code == 201
    answer = client.post(
        f"/api/leads/{reported.json()['id']}/temporary-application",
        json={"consent_verification": True},
        headers=login("rev_fuchun"),
    )
    assert answer.status_code == 409
    assert answer.json()["intake_url"] == "/staff/intake"


def test_urgent_alerts_are_delivered_to_the_township_staff_and_acknowledged(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    visit = _flagged_visit(client, app, login, seq=33)
    # another township's staff and the district see nothing and deliver nothing
    assert client.get("/api/township-alerts", headers=login("rev_chunjiang")).json() == {
        "count": 0,
        "alerts": [],
    }
    assert client.get("/api/township-alerts", headers=login("super")).json()["count"] == 0
    with app.state.session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.delivered_at) == ("pending", None)

    listed = client.get("/api/township-alerts", headers=login("counter_fuchun")).json()
    assert listed["count"] == 1
    alert = listed["alerts"][0]
    assert visit["lead_number"] in alert["text"]
    assert alert["shown_to"] == "counter_fuchun"
    with app.state.session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert message.status == "delivered"
        assert message.delivered_at is not None
        assert message.attempts == 1

    # the other staff of the township see the same open alert (delivered once)
    again = client.get("/api/township-alerts", headers=login("rev_fuchun")).json()
    assert [a["id"] for a in again["alerts"]] == [alert["id"]]
    assert again["alerts"][0]["shown_to"] == "counter_fuchun"

    url = f"/api/township-alerts/{alert['id']}/ack"
    assert client.post(url, headers=login("rev_chunjiang")).status_code == 404
    acked = client.post(url, headers=login("rev_fuchun"))
    assert acked.status_code == 200, acked.text
    assert acked.json()["acknowledged_by"] == "rev_fuchun"
    second = client.post(url, headers=login("counter_fuchun"))
    assert second.json()["acknowledged_by"] == "rev_fuchun"  # the first click stands
    assert client.get("/api/township-alerts", headers=login("rev_fuchun")).json()["count"] == 0
    with app.state.session_factory() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
        assert actions.count("township_alert.acknowledged") == 1
        assert actions.count("township_alert.shown") == 1
        assert session.scalars(select(TownshipAlert)).one().acknowledged_at is not None


def test_alerts_of_one_township_are_not_delivered_to_another(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    _flagged_visit(client, app, login, seq=34, township=CHUNJIANG)
    assert client.get("/api/township-alerts", headers=login("rev_fuchun")).json()["count"] == 0
    assert client.get("/api/township-alerts", headers=login("rev_chunjiang")).json()["count"] == 1


def test_concurrent_conversions_of_one_lead_open_one_case(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    visit = _flagged_visit(client, app, login, seq=35)
    reviewer = login("rev_fuchun")
    url = f"/api/leads/{visit['lead_id']}/temporary-application"

    def post(_: int) -> Any:
        return client.post(url, json={"consent_verification": True}, headers=reviewer)

    with ThreadPoolExecutor(max_workers=8) as workers:
        answers = list(workers.map(post, range(8)))
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert len({a.json()["application_id"] for a in answers}) == 1
    with app.state.session_factory() as session:
        assert len(session.scalars(select(Application)).all()) == 1
        assert len(session.scalars(select(ProgramCase)).all()) == 1
        converted = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "lead.converted")
        ).all()
        assert len(converted) == 1


def test_concurrent_polls_deliver_an_alert_once(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    _flagged_visit(client, app, login, seq=36)
    headers = [login("rev_fuchun"), login("counter_fuchun")]

    def poll(index: int) -> Any:
        return client.get("/api/township-alerts", headers=headers[index % 2])

    with ThreadPoolExecutor(max_workers=8) as workers:
        answers = list(workers.map(poll, range(8)))
    assert {a.status_code for a in answers} == {200}
    with app.state.session_factory() as session:
        assert len(session.scalars(select(TownshipAlert)).all()) == 1
        shown = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "township_alert.shown")
        ).all()
        assert len(shown) == 1
        assert session.scalars(select(OutboxMessage.status)).all() == ["delivered"]
