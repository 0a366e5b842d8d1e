"""Residents' views, status lookup, hand-offs, hardship leads, townships, registry, documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

Submit = Callable[..., dict[str, Any]]
Login = Callable[[str], dict[str, str]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def test_resident_applications_newest_first(
    client: TestClient, internal: dict[str, str], submit: Submit, clock: Any
) -> None:
    first = submit()
    clock.advance(hours=1)
    second = submit(programs=["temporary"])
    submit(channel_user_id="someone-else")
    mine = client.get(
        "/api/residents/applications",
        params={"channel": "telegram", "channel_user_id": "10001"},
        headers=internal,
    )
    assert mine.status_code == 200
    assert [a["id"] for a in mine.json()] == [second["id"], first["id"]]
    case = mine.json()[0]["cases"][0]
    assert case["status_label"] == "已提交,等待受理"
    assert case["needs_from_resident"] is None
    assert "due_date" in case
    assert (
        client.get(
            "/api/residents/applications",
            params={"channel": "telegram", "channel_user_id": "10001"},
        ).status_code
        == 401
    )


def test_status_lookup_needs_number_and_matching_id(client: TestClient, submit: Submit) -> None:
    created = submit()
    body = {"number": created["number"], "id_number": "330111197003141230"}
    wrong = client.post("/api/status-lookup", json=body)
    assert wrong.status_code == 404
    assert "未找到" in wrong.json()["detail"]


def test_status_lookup_found(
    client: TestClient, submit: Submit, body: Callable[..., dict[str, Any]]
) -> None:
    created = submit()
    applicant_id = body()["applicant"]["id_number"]
    found = client.post(
        "/api/status-lookup",
        json={"number": created["number"].lower(), "id_number": applicant_id.lower()},
    )
    assert found.status_code == 200, found.text
    assert found.json()["id"] == created["id"]
    assert applicant_id not in found.text  # masked


def test_application_visible_to_staff_of_its_townships_only(
    client: TestClient, submit: Submit, login: Login, internal: dict[str, str]
) -> None:
    created = submit()
    path = f"/api/applications/{created['id']}"
    assert client.get(path, headers=internal).status_code == 200
    assert client.get(path, headers=login("rev_fuchun")).status_code == 200
    assert client.get(path, headers=login("super")).status_code == 200
    assert client.get(path, headers=login("rev_chunjiang")).status_code == 404
    assert client.get("/api/applications/99999", headers=internal).status_code == 404


def test_handoff_open_active_release(
    client: TestClient, internal: dict[str, str], login: Login
) -> None:
    body = {
        "channel": "telegram",
        "channel_user_id": "42",
        "reason": "想找人工",
        "transcript": [{"from": "user", "text": "我要人工"}],
        "township_code": "330111001000",  # 富春街道: rev_fuchun's
    }
    opened = client.post("/api/handoffs", json=body, headers=internal)
    assert opened.status_code == 201
    assert opened.json()["status"] == "waiting"
    assert (
        client.post("/api/handoffs", json=body, headers=internal).json()["id"]
        == opened.json()["id"]
    )
    query = {"channel": "telegram", "channel_user_id": "42"}
    active = client.get("/api/handoffs/active", params=query, headers=internal).json()
    assert active["active"] is True
    assert active["handoff"]["id"] == opened.json()["id"]
    handoff_id = opened.json()["id"]
    assert client.post(f"/api/handoffs/{handoff_id}/release", headers=internal).status_code == 401
    released = client.post(f"/api/handoffs/{handoff_id}/release", headers=login("rev_fuchun"))
    assert released.json()["status"] == "closed"
    assert client.get("/api/handoffs/active", params=query, headers=internal).json() == {
        "active": False,
        "handoff": None,
    }


def test_leads_numbered_and_validated(
    client: TestClient, internal: dict[str, str], login: Login
) -> None:
    body = {
        "channel": "telegram",
        "channel_user_id": "42",
        "township_code": "330111002000",
        "address": "春江街道示例社区3幢",
        "description": "独居老人多日未出门",
        "contact_phone": "13900000000",
        "urgent": True,
    }
    created = client.post("/api/leads", json=body, headers=internal)
    assert created.status_code == 201, created.text
    assert created.json()["number"] == "XS-20261102-0001"
    assert created.json()["township_code"] == "330111002000"
    bad = client.post(
        "/api/leads", json={**body, "township_code": "1", "contact_phone": "12"}, headers=internal
    )
    assert bad.status_code == 422
    fields = {e["loc"][-1] for e in bad.json()["detail"]}
    assert fields == {"township_code", "contact_phone"}
    assert len(client.get("/api/leads", headers=login("rev_chunjiang")).json()) == 1
    assert client.get("/api/leads", headers=login("rev_fuchun")).json() == []
    # an elder-care adviser has no township and no case data: addresses and phones stay hidden
    refused = client.get("/api/leads", headers=login("adviser"))
    assert refused.status_code == 403
    assert "13900000000" not in refused.text


def test_townships_are_public(client: TestClient) -> None:
    answer = client.get("/api/townships")
    assert answer.status_code == 200
    assert len(answer.json()) == 24
    assert answer.json()[0] == {"code": "330111001000", "name": "富春街道", "kind": "街道"}


def test_registry_lookup(client: TestClient, internal: dict[str, str], login: Login) -> None:
    # staff look up with a purpose; chat identities only once verified (tests/identity)
    staff = login("rev_fuchun")
    found = client.get(
        "/api/registry/households/330183197803120116", params={"purpose": "review"}, headers=staff
    )
    assert found.status_code == 200, found.text
    assert found.json()["found"] is True
    assert found.json()["household"]["members"]
    # a well-formed ID number that the registry does not know: found, False (not an error)
    missing = client.get("/api/registry/households/330111197003141232", headers=staff)
    assert missing.status_code == 200, missing.text
    assert missing.json()["found"] is False
    wrong_check_digit = client.get("/api/registry/households/330111197003141239", headers=staff)
    assert wrong_check_digit.status_code == 422
    unverified = client.get("/api/registry/households/330183197803120116", headers=internal)
    assert unverified.status_code == 403
    bad = client.get("/api/registry/households/123", headers=internal)
    assert bad.status_code == 422
    assert "18位" in bad.json()["detail"][0]["msg"]


def test_document_upload_and_rejections(
    client: TestClient, app: FastAPI, internal: dict[str, str], submit: Submit, tmp_path: Any
) -> None:
    created = submit()
    path = f"/api/applications/{created['id']}/documents"
    case_id = created["cases"][0]["id"]
    ok = client.post(
        path,
        headers=internal,
        data={"kind": "户口本", "case_id": str(case_id)},
        files={"file": ("hukou.png", PNG, "image/png")},
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["size"] == len(PNG)
    assert len(ok.json()["sha256"]) == 64
    too_big = app.state.settings.max_upload_bytes + 1
    big = client.post(
        path,
        headers=internal,
        data={"kind": "x"},
        files={"file": ("big.png", PNG + b"\x00" * too_big, "image/png")},
    )
    assert big.status_code == 422
    assert "太大" in big.json()["detail"][0]["msg"]
    exe = client.post(
        path,
        headers=internal,
        data={"kind": "x"},
        files={"file": ("a.exe", b"MZ\x90\x00", "application/octet-stream")},
    )
    assert exe.status_code == 422
    assert exe.json()["detail"][0]["loc"] == ["body", "file"]
    other_case = client.post(
        path,
        headers=internal,
        data={"kind": "x", "case_id": "99999"},
        files={"file": ("a.png", PNG, "image/png")},
    )
    assert other_case.status_code == 422
