"""Hand-offs carry the township the resident named and are scoped like cases: a township's staff
see and release only theirs (404 across townships), the district queue (no township) is the
supervisor's (and a district adviser's); reading a transcript is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from workflows.audit.models import AuditEvent

FUCHUN = "330111001000"
CHUNJIANG = "330111002000"
Login = Callable[[str], dict[str, str]]


def _open(
    client: TestClient, internal: dict[str, str], user: str, township: str | None
) -> dict[str, Any]:
    answer = client.post(
        "/api/handoffs",
        json={
            "channel": "telegram",
            "channel_user_id": user,
            "reason": "resident_request",
            "transcript": [{"role": "resident", "text": f"我是{user},要人工"}],
            "township_code": township,
        },
        headers=internal,
    )
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _listed(client: TestClient, headers: dict[str, str]) -> list[int]:
    answer = client.get("/api/handoffs", headers=headers)
    assert answer.status_code == 200, answer.text
    return [h["id"] for h in answer.json()]


def test_each_township_sees_and_releases_only_its_own(
    client: TestClient, app: FastAPI, internal: dict[str, str], login: Login
) -> None:
    fuchun = _open(client, internal, "1", FUCHUN)
    chunjiang = _open(client, internal, "2", CHUNJIANG)
    district = _open(client, internal, "3", None)
    assert (fuchun["township_code"], fuchun["township_name"]) == (FUCHUN, "富春街道")
    assert district["township_code"] is None

    assert _listed(client, login("rev_fuchun")) == [fuchun["id"]]
    assert _listed(client, login("counter_fuchun")) == [fuchun["id"]]
    assert _listed(client, login("rev_chunjiang")) == [chunjiang["id"]]
    assert _listed(client, login("rev_lushan")) == []
    assert _listed(client, login("super")) == [fuchun["id"], chunjiang["id"], district["id"]]
    # a district elder-care adviser answers hand-offs too (the district's: every queue)
    assert _listed(client, login("adviser")) == [fuchun["id"], chunjiang["id"], district["id"]]
    assert "transcript" not in client.get("/api/handoffs", headers=login("super")).json()[0]

    reviewer = login("rev_fuchun")
    mine = client.get(f"/api/handoffs/{fuchun['id']}", headers=reviewer)
    assert mine.status_code == 200
    assert mine.json()["transcript"] == [{"role": "resident", "text": "我是1,要人工"}]
    for other in (chunjiang, district):
        for answer in (
            client.get(f"/api/handoffs/{other['id']}", headers=reviewer),
            client.post(f"/api/handoffs/{other['id']}/release", headers=reviewer),
        ):
            assert answer.status_code == 404
            assert answer.json()["detail"] == "人工服务请求不存在或不在您的辖区"
    assert client.get("/api/handoffs/99999", headers=reviewer).status_code == 404
    adviser_read = client.get(f"/api/handoffs/{district['id']}", headers=login("adviser"))
    assert adviser_read.status_code == 200
    # nothing was released across townships
    assert _listed(client, login("super")) == [fuchun["id"], chunjiang["id"], district["id"]]

    released = client.post(f"/api/handoffs/{fuchun['id']}/release", headers=reviewer)
    assert released.status_code == 200
    assert released.json()["released_by"] == "rev_fuchun"
    assert "transcript" not in released.json()
    by_super = client.post(f"/api/handoffs/{district['id']}/release", headers=login("super"))
    assert by_super.status_code == 200
    assert _listed(client, login("super")) == [chunjiang["id"]]

    with app.state.session_factory() as session:
        reads = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "handoff.read").order_by(AuditEvent.seq)
        ).all()
        opened = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "handoff.opened").order_by(AuditEvent.seq)
        ).all()
    assert [(e.actor, e.entity_id, e.data) for e in reads] == [
        ("staff:rev_fuchun", str(fuchun["id"]), {"view": "api.handoff_detail"}),
        ("staff:adviser", str(district["id"]), {"view": "api.handoff_detail"}),
    ]
    assert [e.data["township_code"] for e in opened] == [FUCHUN, CHUNJIANG, None]


def test_township_is_validated_and_filled_in_on_the_open_one(
    client: TestClient, internal: dict[str, str], login: Login
) -> None:
    bad = client.post(
        "/api/handoffs",
        json={"channel": "web", "channel_user_id": "9", "township_code": "330111999000"},
        headers=internal,
    )
    assert bad.status_code == 422
    assert "乡镇(街道)代码不存在" in bad.json()["detail"][0]["msg"]
    first = _open(client, internal, "5", None)
    again = _open(client, internal, "5", FUCHUN)
    assert again["id"] == first["id"]
    assert again["township_code"] == FUCHUN
    assert _listed(client, login("rev_fuchun")) == [first["id"]]
    # a later, different township does not move it away from the staff already handling it
    assert _open(client, internal, "5", CHUNJIANG)["township_code"] == FUCHUN


def test_internal_caller_cannot_list_or_read_transcripts(
    client: TestClient, internal: dict[str, str]
) -> None:
    opened = _open(client, internal, "6", FUCHUN)
    assert client.get("/api/handoffs", headers=internal).status_code == 401
    assert client.get(f"/api/handoffs/{opened['id']}", headers=internal).status_code == 401
