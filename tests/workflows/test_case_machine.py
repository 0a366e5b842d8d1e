"""The case machine: its declared table (workflows/cases/machine.py), each action's declared effect
and notice (workflows/cases/effects.py), and undeclared transitions refused with 409."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from workflows.audit.models import AuditEvent
from workflows.auth.enums import Role
from workflows.cases import effects, machine, notices
from workflows.cases.enums import DECIDED, Action, CaseStatus
from workflows.cases.errors import CaseError, TransitionNotAllowedError
from workflows.deadlines.policy import PUBLIC_NOTICE_DAYS
from workflows.errors import ServiceError
from workflows.outbox.models import OutboxMessage

Login = Callable[[str], dict[str, str]]
Submit = Callable[..., dict[str, Any]]


def _ctx(**changes: object) -> machine.GuardContext:
    base = {
        "today": dt.date(2026, 11, 2),
        "extendable": True,
        "extended": False,
        "public_notice_ends_on": None,
    }
    base.update(changes)
    return machine.GuardContext(**base)  # type: ignore[arg-type]


def test_machine_table_is_consistent() -> None:
    for status in DECIDED:
        assert Action.FORWARD not in machine.allowed_actions(status, _ctx())
        assert Action.EXTEND not in machine.allowed_actions(status, _ctx())
    assert machine.allowed_actions(CaseStatus.CLOSED, _ctx()) == []
    reachable = {CaseStatus.SUBMITTED}
    for transition in machine.TRANSITIONS:
        if transition.target is not None:
            reachable.add(transition.target)
    assert reachable == set(CaseStatus)
    assert machine.allowed_actions(CaseStatus.SUBMITTED, _ctx(), role=Role.ADVISER) == []


def test_machine_refuses_with_allowed_list_and_guards() -> None:
    with pytest.raises(machine.TransitionNotAllowedError) as refused:
        machine.check(CaseStatus.ACCEPTED, Action.APPROVE, _ctx(), role=Role.REVIEWER)
    assert Action.START_INVESTIGATION in refused.value.allowed
    ends = dt.date(2026, 11, 8)
    with pytest.raises(machine.TransitionNotAllowedError, match="公示期"):
        machine.check(
            CaseStatus.PUBLIC_NOTICE,
            Action.APPROVE,
            _ctx(today=ends, public_notice_ends_on=ends),
            role=Role.REVIEWER,
        )
    spec = machine.check(
        CaseStatus.PUBLIC_NOTICE,
        Action.APPROVE,
        _ctx(today=dt.date(2026, 11, 9), public_notice_ends_on=ends),
        role=Role.SUPERVISOR,
    )
    assert spec.target is CaseStatus.APPROVED
    with pytest.raises(machine.RoleNotAllowedError):
        machine.check(CaseStatus.ACCEPTED, Action.START_INVESTIGATION, _ctx(), role=Role.COUNTER)


def test_every_declared_action_has_an_effect_and_a_notice_entry() -> None:
    declared = {t.action for t in machine.TRANSITIONS}
    assert declared == set(Action)
    assert set(effects.EFFECTS) == declared
    for action in declared:
        effect = effects.effect_of(action)
        assert callable(effect.change)
        assert effect.notice is None or callable(effect.notice)
    told = {a for a, e in effects.EFFECTS.items() if e.notice is not effects.NO_NOTICE}
    assert told == {
        Action.REQUEST_MATERIALS,
        Action.START_PUBLIC_NOTICE,
        Action.APPROVE,
        Action.REJECT,
        Action.FORWARD,
        Action.GRANT_URGENT,
        Action.GRANT_DIRECT,
        Action.REFER,
    }
    assert effects.EFFECTS[Action.START_PUBLIC_NOTICE].notice is notices.public_notice_started


def test_every_undeclared_status_and_action_is_refused_with_409() -> None:
    ctx = _ctx()
    refused = 0
    for transition in machine.TRANSITIONS:
        for status in set(CaseStatus) - transition.sources:
            with pytest.raises(TransitionNotAllowedError) as caught:
                machine.check(status, transition.action, ctx, role=Role.SUPERVISOR)
            error = caught.value
            assert isinstance(error, CaseError)
            assert isinstance(error, ServiceError)
            assert error.status_code == 409
            assert error.content() == {
                "detail": f"案件当前状态为“{status.label}”,不能执行“{transition.action.label}”",
                "status": status.value,
                "allowed_actions": [
                    a.value for a in machine.allowed_actions(status, ctx, role=Role.SUPERVISOR)
                ],
            }
            refused += 1
    assert refused == sum(len(set(CaseStatus) - t.sources) for t in machine.TRANSITIONS)
    assert refused > 50


def test_public_notice_length_comes_from_the_policy() -> None:
    assert Action.START_PUBLIC_NOTICE.label == f"开始公示({PUBLIC_NOTICE_DAYS}天)"


def _counts(app: FastAPI) -> tuple[int, int]:
    with app.state.session_factory() as session:
        audit_rows = session.scalar(select(func.count()).select_from(AuditEvent))
        outbox_rows = session.scalar(select(func.count()).select_from(OutboxMessage))
        return int(audit_rows or 0), int(outbox_rows or 0)


def test_undeclared_transition_over_http_is_409_and_changes_nothing(
    client: TestClient, app: FastAPI, login: Login, submit: Submit
) -> None:
    case_id = submit()["cases"][0]["id"]
    supervisor = login("super")
    before = _counts(app)
    answer = client.post(
        f"/api/cases/{case_id}/transitions", json={"action": "close"}, headers=supervisor
    )
    assert answer.status_code == 409
    assert answer.json() == {
        "detail": "案件当前状态为“已提交,等待受理”,不能执行“办结归档”",
        "status": "submitted",
        "allowed_actions": ["accept", "request_materials", "reject", "forward", "extend"],
    }
    assert _counts(app) == before
    case = client.get(f"/api/cases/{case_id}", headers=supervisor).json()
    assert case["status"] == "submitted"


def test_declared_effect_and_notice_run_once_per_action(
    client: TestClient, app: FastAPI, login: Login, submit: Submit
) -> None:
    case_id = submit()["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    url = f"/api/cases/{case_id}/transitions"
    _, outbox_before = _counts(app)
    for action in ("accept", "start_investigation", "submit_opinion"):
        assert client.post(url, json={"action": action}, headers=reviewer).status_code == 200
    assert _counts(app)[1] == outbox_before  # declared silent: nothing queued
    started = client.post(url, json={"action": "start_public_notice"}, headers=reviewer).json()
    today = dt.date.fromisoformat(started["public_notice_started_on"])
    ends = today + dt.timedelta(days=PUBLIC_NOTICE_DAYS - 1)
    assert started["public_notice_ends_on"] == ends.isoformat()
    assert _counts(app)[1] == outbox_before + 1
    with app.state.session_factory() as session:
        text = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert text is not None
        assert f"公示期{PUBLIC_NOTICE_DAYS}天,至 {ends.isoformat()} 结束" in text.text
        history = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "case", AuditEvent.action == "case.start_public_notice"
            )
        ).all()
        assert [h.data["public_notice_ends_on"] for h in history] == [ends.isoformat()]
