"""An application knows whether its applicant proved who they are (SQLite and PostgreSQL).

The API looks the verification of the submitting conversation up itself (a real SMS code through
the development sink, a real counter confirmation); the body cannot claim it. The case page shows
it, and its economic verification (一键核对) does not run until the identity is verified; a staff
member of the right township records an ID card check (audited).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, select

from huimin.settings import Settings
from tests.conftest import FakeClock
from tests.workflows.conftest import PASSWORD
from workflows.applications.models import Application
from workflows.audit.models import AuditEvent
from workflows.migrate import alembic_config, upgrade_to_head
from workflows.registry import LocalVerifier, VerificationReport
from workflows.staff_pages.session import COOKIE, csrf_token

# A fictitious person of workflows/registry/data/households.yaml with a mobile on record
WANG = "330183197803120116"
TELEGRAM_USER = "777001"
SUBJECT = f"telegram:{TELEGRAM_USER}"
UNVERIFIED = "申请人身份:未核验 —— 受理时请核验身份证原件"


class CountingVerifier:
    """The real local 一键核对, counting the calls that reach it."""

    def __init__(self) -> None:
        self.inner = LocalVerifier()
        self.calls: list[list[str]] = []

    def verify(self, id_numbers: list[str]) -> VerificationReport:
        self.calls.append(list(id_numbers))
        return self.inner.verify(id_numbers)


@pytest.fixture
def verifier(monkeypatch: pytest.MonkeyPatch) -> CountingVerifier:
    counting = CountingVerifier()
    monkeypatch.setattr("workflows.registry.factory.make_verifier", lambda settings: counting)
    return counting


def _sms_verify(client: TestClient, app: FastAPI, internal: dict[str, str], subject: str) -> None:
    """The whole SMS round trip: the code goes to the development sink, is read and entered."""
    who = {"subject": subject, "id_number": WANG}
    sent = client.post("/api/identity/sms/send", json=who, headers=internal)
    assert sent.status_code == 200, sent.text
    outbox = app.state.settings.var_dir / "dev-sms" / "outbox.txt"
    code = re.findall(r"核验码为(\d{6})", outbox.read_text(encoding="utf-8"))[-1]
    verified = client.post("/api/identity/sms/verify", json={**who, "code": code}, headers=internal)
    assert verified.status_code == 200, verified.text


def _wang_body(body: Callable[..., dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    data = body(**overrides)
    data["applicant"] = {**data["applicant"], "id_number": WANG, "name": "王某甲"}
    data["members"][0] = {**data["members"][0], "id_number": WANG, "name": "王某甲"}
    return data


def _submit(client: TestClient, headers: dict[str, str], data: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/api/applications", json=data, headers=headers)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _stored(app: FastAPI, application_id: int) -> Application:
    with app.state.session_factory() as session:
        row = session.get(Application, application_id)
        assert row is not None
        session.expunge(row)
        return row


def _events(app: FastAPI, action: str) -> list[AuditEvent]:
    with app.state.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        )


def _page_login(client: TestClient, username: str) -> None:
    answer = client.post(
        "/staff/login",
        data={"username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def _session_csrf(client: TestClient, app: FastAPI) -> str:
    """The CSRF token the pages would embed for this client's session cookie."""
    secret = app.state.settings.secret_key.get_secret_value()
    return csrf_token(secret, client.cookies[COOKIE])


def test_sms_verified_subject_submits_and_the_application_says_sms(
    client: TestClient,
    app: FastAPI,
    internal: dict[str, str],
    body: Callable[..., dict[str, Any]],
    login: Callable[[str], dict[str, str]],
) -> None:
    _sms_verify(client, app, internal, SUBJECT)
    created = _submit(client, internal, _wang_body(body, channel_user_id=TELEGRAM_USER))
    assert created["identity_verified_method"] == "sms"
    assert created["identity_verified_at"] is not None
    assert created["identity_verified_by"] is None
    assert created["identity_label"] == "申请人身份:已核验(短信验证码)"
    assert created["entered_by_staff"] is None
    stored = _stored(app, created["id"])
    assert stored.identity_verified_method == "sms"
    assert stored.identity_verified_at == app.state.clock.now()
    [submitted] = _events(app, "application.submitted")
    assert submitted.data["identity_verified_method"] == "sms"

    detail = client.get(f"/api/applications/{created['id']}", headers=login("rev_fuchun"))
    assert detail.status_code == 200
    assert detail.json()["identity_verified_method"] == "sms"
    assert detail.json()["identity_label"] == "申请人身份:已核验(短信验证码)"


def test_unverified_submissions_store_null(
    client: TestClient,
    app: FastAPI,
    clock: FakeClock,
    internal: dict[str, str],
    body: Callable[..., dict[str, Any]],
) -> None:
    _sms_verify(client, app, internal, SUBJECT)
    # another conversation, verified for nobody
    other = _submit(client, internal, _wang_body(body, channel_user_id="777002"))
    # the verified conversation, but another person's ID number (the fixture's applicant)
    stranger = _submit(client, internal, body(channel_user_id=TELEGRAM_USER))
    # a body claiming a verification is not believed (unknown fields are ignored)
    claimed = _wang_body(body, channel_user_id="777003")
    claimed |= {"identity_verified_method": "sms", "identity_verified_at": "2026-11-02T09:00:00Z"}
    claiming = _submit(client, internal, claimed)
    # the verification lapses after HUIMIN_IDENTITY_VERIFICATION_TTL_HOURS (24)
    clock.advance(hours=25)
    lapsed = _submit(client, internal, _wang_body(body, channel_user_id=TELEGRAM_USER))
    for answer in (other, stranger, claiming, lapsed):
        assert answer["identity_verified_method"] is None
        assert answer["identity_verified_at"] is None
        assert answer["identity_label"] == UNVERIFIED
        assert _stored(app, answer["id"]).identity_verified_method is None


def test_counter_confirmation_is_found_for_the_counter_intake(
    client: TestClient,
    app: FastAPI,
    internal: dict[str, str],
    body: Callable[..., dict[str, Any]],
    staff_users: None,
) -> None:
    session_id = str(uuid.uuid4())
    confirmed = client.post(
        "/api/identity/counter",
        json={
            "subject": f"counter:counter_fuchun:{session_id}",
            "id_number": WANG,
            "staff_username": "counter_fuchun",
        },
        headers=internal,
    )
    assert confirmed.status_code == 200, confirmed.text
    data = _wang_body(
        body, channel="counter", channel_user_id=session_id, entered_by_staff="counter_fuchun"
    )
    created = _submit(client, internal, data)
    assert created["entered_by_staff"] == "counter_fuchun"
    assert created["identity_verified_method"] == "counter"
    assert created["identity_verified_by"] == "counter_fuchun"
    assert (
        created["identity_label"] == "申请人身份:已核验(窗口核验身份证原件,工作人员 counter_fuchun)"
    )
    # the same intake session entered under another staff name is another subject
    other = _wang_body(
        body, channel="counter", channel_user_id=session_id, entered_by_staff="rev_fuchun"
    )
    assert _submit(client, internal, other)["identity_verified_method"] is None


def test_residents_answers_leave_staff_names_out(
    client: TestClient,
    app: FastAPI,
    internal: dict[str, str],
    body: Callable[..., dict[str, Any]],
    login: Callable[[str], dict[str, str]],
) -> None:
    created = _submit(client, login("counter_fuchun"), _wang_body(body, channel="counter"))
    assert created["entered_by_staff"] == "counter_fuchun"
    assert created["identity_verified_method"] is None  # a staff body has no conversation
    looked_up = client.post(
        "/api/status-lookup", json={"number": created["number"], "id_number": WANG}
    )
    assert looked_up.status_code == 200
    assert looked_up.json()["entered_by_staff"] is None
    assert looked_up.json()["identity_label"] == UNVERIFIED


def test_identity_check_scope_roles_and_audit(
    client: TestClient,
    app: FastAPI,
    submit: Callable[..., dict[str, Any]],
    login: Callable[[str], dict[str, str]],
) -> None:
    created = submit()
    path = f"/api/applications/{created['id']}/identity-check"
    assert created["identity_verified_method"] is None

    other_township = client.post(path, headers=login("rev_chunjiang"))
    assert other_township.status_code == 404
    assert other_township.json()["detail"] == "申请不存在或不在您的辖区"
    adviser = client.post(path, headers=login("adviser"))
    assert adviser.status_code == 403
    assert "养老顾问" in adviser.json()["detail"]
    assert _events(app, "application.identity_checked") == []
    assert _stored(app, created["id"]).identity_verified_method is None

    checked = client.post(path, headers=login("counter_fuchun"))
    assert checked.status_code == 200, checked.text
    answer = checked.json()
    assert answer["identity_verified_method"] == "counter"
    assert answer["identity_verified_by"] == "counter_fuchun"
    assert (
        answer["identity_label"] == "申请人身份:已核验(窗口核验身份证原件,工作人员 counter_fuchun)"
    )
    stored = _stored(app, created["id"])
    assert stored.identity_verified_method == "counter"
    assert stored.identity_verified_by == "counter_fuchun"
    assert stored.identity_verified_at == app.state.clock.now()
    [event] = _events(app, "application.identity_checked")
    assert event.actor == "staff:counter_fuchun"
    assert event.entity_type == "application"
    assert event.entity_id == str(created["id"])
    assert event.data["method"] == "counter"
    assert event.data["staff_username"] == "counter_fuchun"
    assert created["applicant"]["id_number_masked"] == event.data["applicant_id_number"]

    again = client.post(path, headers=login("super"))
    assert again.status_code == 409
    assert "无需重复登记" in again.json()["detail"]
    assert len(_events(app, "application.identity_checked")) == 1


def test_internal_caller_may_not_record_an_identity_check(
    client: TestClient, submit: Callable[..., dict[str, Any]], internal: dict[str, str]
) -> None:
    created = submit()
    answer = client.post(f"/api/applications/{created['id']}/identity-check", headers=internal)
    assert answer.status_code == 401
    assert answer.json()["detail"]


def test_case_page_withholds_the_economic_verification_until_the_id_card_check(
    client: TestClient,
    app: FastAPI,
    submit: Callable[..., dict[str, Any]],
    staff_users: None,
    verifier: CountingVerifier,
) -> None:
    created = submit()
    case_id = created["cases"][0]["id"]
    _page_login(client, "rev_fuchun")
    page = client.get(f"/staff/cases/{case_id}")
    assert page.status_code == 200
    assert UNVERIFIED in page.text
    assert "申请人身份尚未核验,暂不进行经济状况核对" in page.text
    assert f'action="/staff/cases/{case_id}/identity-check"' in page.text
    assert verifier.calls == []

    unconfirmed = client.post(
        f"/staff/cases/{case_id}/identity-check", data={"csrf": _csrf(page.text)}
    )
    assert unconfirmed.status_code == 422
    assert "请勾选确认" in unconfirmed.text
    no_csrf = client.post(f"/staff/cases/{case_id}/identity-check", data={"confirmed": "yes"})
    assert no_csrf.status_code == 403
    assert _stored(app, created["id"]).identity_verified_method is None
    assert verifier.calls == []

    done = client.post(
        f"/staff/cases/{case_id}/identity-check",
        data={"csrf": _csrf(page.text), "confirmed": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/staff/cases/{case_id}#identity"
    [event] = _events(app, "application.identity_checked")
    assert event.actor == "staff:rev_fuchun"

    page = client.get(f"/staff/cases/{case_id}")
    assert "申请人身份:已核验(窗口核验身份证原件,工作人员 rev_fuchun)" in page.text
    assert "未核验" not in page.text
    assert "暂不进行经济状况核对" not in page.text
    assert len(verifier.calls) == 1
    assert sorted(verifier.calls[0]) == sorted(m["id_number"] for m in _members(app, created))


def _members(app: FastAPI, created: dict[str, Any]) -> list[dict[str, str]]:
    with app.state.session_factory() as session:
        row = session.get(Application, created["id"])
        assert row is not None
        return [{"id_number": m.id_number} for m in row.members]


def test_case_page_identity_check_by_another_township_or_adviser(
    client: TestClient,
    app: FastAPI,
    submit: Callable[..., dict[str, Any]],
    staff_users: None,
    verifier: CountingVerifier,
) -> None:
    created = submit()
    case_id = created["cases"][0]["id"]
    _page_login(client, "rev_chunjiang")
    answer = client.post(
        f"/staff/cases/{case_id}/identity-check",
        data={"csrf": _session_csrf(client, app), "confirmed": "yes"},
    )
    assert answer.status_code == 404
    assert "案件不存在或不在您的辖区" in answer.text
    _page_login(client, "adviser")
    refused = client.post(
        f"/staff/cases/{case_id}/identity-check",
        data={"csrf": _session_csrf(client, app), "confirmed": "yes"},
    )
    assert refused.status_code == 403
    assert _stored(app, created["id"]).identity_verified_method is None
    assert _events(app, "application.identity_checked") == []


def test_case_page_of_a_verified_applicant_runs_the_verification(
    client: TestClient,
    app: FastAPI,
    internal: dict[str, str],
    body: Callable[..., dict[str, Any]],
    staff_users: None,
    verifier: CountingVerifier,
) -> None:
    _sms_verify(client, app, internal, SUBJECT)
    created = _submit(client, internal, _wang_body(body, channel_user_id=TELEGRAM_USER))
    _page_login(client, "rev_fuchun")
    page = client.get(f"/staff/cases/{created['cases'][0]['id']}")
    assert "申请人身份:已核验(短信验证码)" in page.text
    assert 'id="identity-check"' not in page.text
    assert len(verifier.calls) == 1


def _application_columns(url: str) -> dict[str, dict[str, object]]:
    engine = create_engine(url)
    try:
        return {str(c["name"]): dict(c) for c in inspect(engine).get_columns("applications")}
    finally:
        engine.dispose()


IDENTITY_COLUMNS = {"identity_verified_method", "identity_verified_at", "identity_verified_by"}


def test_migrated_application_columns_match_the_model(db_url: str) -> None:
    columns = _application_columns(db_url)
    assert set(columns) == {c.name for c in Application.__table__.columns}
    assert all(columns[name]["nullable"] is True for name in IDENTITY_COLUMNS)


def test_0009_down_and_up_keeps_the_applications(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    settings = Settings(_env_file=None, database_url=url, var_dir=tmp_path)  # type: ignore[call-arg]
    upgrade_to_head(settings)
    assert set(_application_columns(url)) >= IDENTITY_COLUMNS
    command.downgrade(alembic_config(settings), "0008_identity_verification")
    assert not IDENTITY_COLUMNS & set(_application_columns(url))
    upgrade_to_head(settings)
    assert set(_application_columns(url)) >= IDENTITY_COLUMNS
