"""The audit log: every change appended, hash-chained, and checked by verify-audit."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from huimin.settings import Settings
from workflows.__main__ import main
from workflows.audit import service as audit
from workflows.audit.models import AuditEvent
from workflows.audit.verify import verify_chain


def _events(app: FastAPI) -> list[AuditEvent]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_changes_are_chained_and_ids_masked(
    app: FastAPI, submit: Callable[..., dict[str, Any]], staff_users: None
) -> None:
    created = submit()
    events = _events(app)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for previous, current in itertools.pairwise(events):
        assert current.prev_hash == previous.hash
    submitted = next(e for e in events if e.action == "application.submitted")
    assert submitted.entity_id == str(created["id"])
    assert "*" in submitted.data["applicant_id_number"]
    assert [e.action for e in events].count("case.opened") == 2
    with app.state.session_factory() as session:
        assert verify_chain(session).ok


def _cli(monkeypatch: pytest.MonkeyPatch, settings: Settings, *args: str) -> int:
    monkeypatch.setattr("workflows.__main__.get_settings", lambda: settings)
    return main(list(args))


def test_verify_audit_names_the_first_broken_link(
    app: FastAPI,
    api_settings: Settings,
    submit: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lift_audit_protection: Any,
) -> None:
    submit()
    submit(channel_user_id="20002")
    assert _cli(monkeypatch, api_settings, "export-audit-head", "--init") == 0
    assert _cli(monkeypatch, api_settings, "verify-audit") == 0
    assert "审计链完整" in capsys.readouterr().out
    events = _events(app)
    target = events[2]
    with lift_audit_protection(app.state.engine) as connection:
        connection.execute(
            update(AuditEvent).where(AuditEvent.id == target.id).values(actor="staff:mallory")
        )
    assert _cli(monkeypatch, api_settings, "verify-audit") == 1
    err = capsys.readouterr().err
    assert f"第 {target.seq} 条" in err
    assert "内容被改动" in err


def test_database_refuses_to_change_or_delete_audit_rows(
    app: FastAPI, submit: Callable[..., dict[str, Any]]
) -> None:
    submit()
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError), app.state.engine.begin() as connection:
            connection.execute(text(statement))
    with app.state.session_factory() as session:
        assert verify_chain(session).ok


def test_deleted_row_breaks_the_chain(
    app: FastAPI, submit: Callable[..., dict[str, Any]], lift_audit_protection: Any
) -> None:
    submit()
    events = _events(app)
    with lift_audit_protection(app.state.engine) as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": events[1].seq})
    with app.state.session_factory() as session:
        report = verify_chain(session)
    assert not report.ok
    assert report.broken_seq == events[1].seq


def test_record_in_a_rolled_back_transaction_leaves_no_trace(app: FastAPI, clock: Any) -> None:
    with app.state.session_factory() as session:
        audit.record(
            session, actor="t", action="x", entity_type="t", entity_id=1, data={}, at=clock.now()
        )
        session.rollback()
    with app.state.session_factory() as session:
        audit.record(
            session,
            actor="t",
            action="y",
            entity_type="t",
            entity_id=1,
            data={"n": 1.5},
            at=clock.now(),
        )
        session.commit()
        report = verify_chain(session)
    assert report.ok
    assert report.checked == 1


def test_cli_create_user_and_seed_demo(
    app: FastAPI,
    api_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    client: TestClient,
) -> None:
    code = _cli(
        monkeypatch,
        api_settings,
        "create-user",
        "--username",
        "wang",
        "--password",
        "long-enough-1",
        "--role",
        "reviewer",
        "--township",
        "330111001000",
    )
    assert code == 0
    token = client.post("/api/auth/token", json={"username": "wang", "password": "long-enough-1"})
    assert token.status_code == 200
    assert token.json()["user"]["township_name"] == "富春街道"
    assert (
        _cli(
            monkeypatch,
            api_settings,
            "create-user",
            "--username",
            "wang",
            "--password",
            "long-enough-1",
            "--role",
            "reviewer",
            "--township",
            "330111001000",
        )
        == 2
    )
    assert (
        _cli(
            monkeypatch,
            api_settings,
            "create-user",
            "--username",
            "li",
            "--password",
            "long-enough-1",
            "--role",
            "reviewer",
        )
        == 2
    )
    capsys.readouterr()
    assert _cli(monkeypatch, api_settings, "seed-demo") == 0
    out = capsys.readouterr().out
    assert "supervisor" in out
    assert "reviewer-001 / counter-001" in out
    with app.state.session_factory() as session:
        count = session.scalar(text("SELECT COUNT(*) FROM staff_users"))
    assert count == 1 + 2 + 2 * 24
    assert _cli(monkeypatch, api_settings, "seed-demo") == 0  # idempotent
    production = api_settings.model_copy(update={"environment": "production"})
    assert _cli(monkeypatch, production, "seed-demo") == 2
    assert _cli(monkeypatch, api_settings, "export-audit-head", "--init") == 0
    assert _cli(monkeypatch, api_settings, "verify-audit") == 0
