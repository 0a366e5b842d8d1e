"""Least privilege (workflows/auth/capabilities.py): advisers never reach case data, ID numbers
are masked unless the role checks them, and every read of a case is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from huimin.idcard import mask
from workflows.audit.models import AuditEvent
from workflows.auth.actor import Caller
from workflows.auth.capabilities import (
    ROLE_CAPABILITIES,
    Capability,
    can,
    may_see_township_queue,
    sees_full_id_numbers,
)
from workflows.auth.enums import Role
from workflows.auth.models import StaffUser

FUCHUN = "330111001000"
CHUNJIANG = "330111002000"
LUSHAN = "330111004000"
PASSWORD = "test-password-1"
Login = Callable[[str], dict[str, str]]
Submit = Callable[..., dict[str, Any]]
Body = Callable[..., dict[str, Any]]


def _events(app: FastAPI, action: str) -> list[AuditEvent]:
    with app.state.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        )


def _page_login(client: TestClient, username: str) -> None:
    """The pages' session cookie for this staff member (replacing any earlier one)."""
    client.cookies.clear()
    answer = client.post(
        "/staff/login",
        data={"username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def _forward(client: TestClient, headers: dict[str, str], case_id: int, to: str) -> None:
    answer = client.post(
        f"/api/cases/{case_id}/transitions",
        json={"action": "forward", "to_township_code": to, "reason": "户籍已迁出"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text


# The map itself ------------------------------------------------------------------------------
def _staff(role: Role, township: str | None) -> Caller:
    user = StaffUser(username=f"{role}-x", role=role.value, township_code=township)
    return Caller(staff=user)


def test_capability_map() -> None:
    adviser = _staff(Role.ADVISER, None)
    # advisers answer hand-offs (人工服务) of their scope, use the elder-care directory, no cases
    assert ROLE_CAPABILITIES[Role.ADVISER] == {
        Capability.ASK_KNOWLEDGE,
        Capability.HANDLE_HANDOFFS,
        Capability.ELDERCARE_DIRECTORY,
    }
    assert not can(adviser, Capability.MANAGE_ELDERCARE_DIRECTORY)
    assert not can(adviser, Capability.CASE_DATA)
    assert not sees_full_id_numbers(adviser, [None])
    assert may_see_township_queue(adviser, None)
    assert not may_see_township_queue(_staff(Role.ADVISER, FUCHUN), None)
    reviewer = _staff(Role.REVIEWER, FUCHUN)
    assert sees_full_id_numbers(reviewer, [CHUNJIANG, FUCHUN])
    assert not sees_full_id_numbers(reviewer, [CHUNJIANG])
    assert may_see_township_queue(reviewer, FUCHUN)
    assert not may_see_township_queue(reviewer, CHUNJIANG)
    assert not may_see_township_queue(reviewer, None)  # the district queue is the supervisor's
    supervisor = _staff(Role.SUPERVISOR, None)
    assert sees_full_id_numbers(supervisor, [LUSHAN])
    assert may_see_township_queue(supervisor, None)
    assert may_see_township_queue(supervisor, LUSHAN)
    internal = Caller(staff=None)
    assert can(internal, Capability.CASE_DATA)
    assert not sees_full_id_numbers(internal, [FUCHUN])
    assert not may_see_township_queue(internal, None)


# Advisers ------------------------------------------------------------------------------------
def test_adviser_is_refused_every_case_and_application_endpoint(
    client: TestClient, login: Login, submit: Submit, body: Body
) -> None:
    application = submit()
    case_id = application["cases"][0]["id"]
    adviser = login("adviser")
    calls = [
        client.get("/api/cases", headers=adviser),
        client.get(f"/api/cases/{case_id}", headers=adviser),
        client.get(f"/api/cases/{case_id + 1000}", headers=adviser),
        client.post(
            f"/api/cases/{case_id}/transitions", json={"action": "accept"}, headers=adviser
        ),
        client.get(f"/api/applications/{application['id']}", headers=adviser),
        client.post("/api/applications", json=body(channel="counter"), headers=adviser),
        client.post(
            f"/api/applications/{application['id']}/documents",
            files={"file": ("a.pdf", b"%PDF-1.4 test", "application/pdf")},
            data={"kind": "id_card"},
            headers=adviser,
        ),
    ]
    for answer in calls:
        assert answer.status_code == 403, (answer.request.url, answer.text)
        assert "您的角色不能" in answer.json()["detail"]
    # nothing was submitted, uploaded or read on the adviser's behalf
    assert client.get("/api/cases", headers=login("super")).json()["total"] == 2


def test_adviser_keeps_the_knowledge_base_but_not_the_case_pages(
    client: TestClient, app: FastAPI, staff_users: None, submit: Submit
) -> None:
    case_id = submit()["cases"][0]["id"]
    _page_login(client, "adviser")
    for path in (
        "/staff/cases",
        f"/staff/cases/{case_id}",
        "/staff/dashboard",
        "/staff/documents/1",
    ):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 403, path
        assert "您的角色不能" in answer.text
        assert "无权访问" in answer.text
    adviser_page = client.get("/staff/adviser")
    assert adviser_page.status_code == 200
    assert "政策问答" in adviser_page.text
    assert 'href="/staff/cases"' not in adviser_page.text  # not offered in the navigation
    assert 'href="/staff/handoffs"' in adviser_page.text  # advisers answer hand-offs
    assert _events(app, "case.read") == []


# Masking by role -----------------------------------------------------------------------------
def test_id_numbers_masked_unless_the_role_checks_them(
    client: TestClient, login: Login, submit: Submit, body: Body, internal: dict[str, str]
) -> None:
    sent = body(programs=["dibao"])
    application = submit(programs=["dibao"])
    case_id = application["cases"][0]["id"]
    full = [m["id_number"] for m in sent["members"]]
    applicant = sent["applicant"]["id_number"]

    def case_ids(headers: dict[str, str]) -> tuple[list[str], str | None, bool]:
        answer = client.get(f"/api/cases/{case_id}", headers=headers)
        assert answer.status_code == 200, answer.text
        detail = answer.json()
        assert detail["applicant_id_number_masked"] == mask(applicant)
        return (
            [m["id_number"] for m in detail["members"]],
            detail["applicant_id_number"],
            detail["id_numbers_masked"],
        )

    for username in ("rev_fuchun", "counter_fuchun", "super"):
        assert case_ids(login(username)) == (full, applicant, False), username
    masked = ([mask(n) for n in full], None, True)
    assert case_ids(internal) == masked  # no action reads a case detail
    # forwarded 富春 -> 春江 -> 鹿山: 春江 sees the case only through the forward
    _forward(client, login("rev_fuchun"), case_id, CHUNJIANG)
    _forward(client, login("rev_chunjiang"), case_id, LUSHAN)
    assert case_ids(login("rev_chunjiang")) == masked
    assert case_ids(login("rev_lushan")) == (full, applicant, False)
    assert case_ids(login("rev_fuchun")) == (full, applicant, False)  # received it

    def application_id_number(headers: dict[str, str]) -> tuple[str, str | None]:
        answer = client.get(f"/api/applications/{application['id']}", headers=headers)
        assert answer.status_code == 200, answer.text
        person = answer.json()["applicant"]
        return person["id_number_masked"], person["id_number"]

    assert application_id_number(login("super")) == (mask(applicant), applicant)
    assert application_id_number(login("rev_lushan")) == (mask(applicant), applicant)
    assert application_id_number(login("rev_chunjiang")) == (mask(applicant), None)
    assert application_id_number(internal) == (mask(applicant), None)
    assert application["applicant"]["id_number"] is None  # the submission answer


# Audited reads -------------------------------------------------------------------------------
def test_every_case_read_is_audited_and_kept_out_of_the_timeline(
    client: TestClient, app: FastAPI, login: Login, submit: Submit
) -> None:
    application = submit(programs=["dibao"])
    case_id = application["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    for _ in range(2):
        assert client.get(f"/api/cases/{case_id}", headers=reviewer).status_code == 200
    assert client.get(f"/api/cases/{case_id}", headers=login("rev_chunjiang")).status_code == 404
    assert client.get("/api/cases", headers=reviewer).status_code == 200  # lists: not a read
    assert client.get(f"/api/applications/{application['id']}", headers=reviewer).status_code == 200

    reads = _events(app, "case.read")
    assert [(e.actor, e.entity_type, e.entity_id, e.data) for e in reads] == [
        ("staff:rev_fuchun", "case", str(case_id), {"view": "api.case_detail"}),
    ] * 2
    opened = _events(app, "application.read")
    assert [(e.actor, e.entity_id, e.data) for e in opened] == [
        ("staff:rev_fuchun", str(application["id"]), {"view": "api.application_detail"})
    ]
    history = client.get(f"/api/cases/{case_id}", headers=reviewer).json()["history"]
    assert [h["action"] for h in history] == ["case.opened"]


def test_every_case_page_read_is_audited(
    client: TestClient, app: FastAPI, staff_users: None, submit: Submit
) -> None:
    case_id = submit(programs=["dibao"])["cases"][0]["id"]
    _page_login(client, "rev_fuchun")
    for _ in range(3):
        page = client.get(f"/staff/cases/{case_id}")
        assert page.status_code == 200
        assert "case.read" not in page.text  # not a step in the timeline
    queue = client.get("/staff/cases")
    assert queue.status_code == 200
    _page_login(client, "rev_chunjiang")
    assert client.get(f"/staff/cases/{case_id}").status_code == 404

    reads = _events(app, "case.read")
    assert [(e.actor, e.entity_id, e.data["view"]) for e in reads] == [
        ("staff:rev_fuchun", str(case_id), "staff_page.case")
    ] * 3


@pytest.mark.parametrize("username", ["rev_fuchun", "super"])
def test_case_staff_keep_their_pages(
    client: TestClient, staff_users: None, submit: Submit, username: str
) -> None:
    submit()
    _page_login(client, username)
    for path in ("/staff/cases", "/staff/dashboard", "/staff/handoffs", "/staff/adviser"):
        assert client.get(path).status_code == 200, path
