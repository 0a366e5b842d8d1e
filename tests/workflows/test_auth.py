"""Staff login: JSON or form, wrong password, expiry, forged tokens; OpenAPI lists the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def test_token_by_json_and_form(client: TestClient, staff_users: None) -> None:
    by_json = client.post(
        "/api/auth/token", json={"username": "rev_fuchun", "password": "test-password-1"}
    )
    assert by_json.status_code == 200
    assert by_json.json()["token_type"] == "bearer"
    assert by_json.json()["user"]["role_label"] == "审核人员"
    by_form = client.post(
        "/api/auth/token", data={"username": "super", "password": "test-password-1"}
    )
    assert by_form.status_code == 200
    me = client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {by_form.json()['access_token']}"}
    )
    assert me.json()["township_name"] == "富阳区"


def test_wrong_password_missing_fields_and_forged_token(
    client: TestClient, staff_users: None
) -> None:
    wrong = client.post("/api/auth/token", json={"username": "super", "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "用户名或密码错误"
    missing = client.post("/api/auth/token", json={"username": "super"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "password"]
    forged = client.get("/api/cases", headers={"Authorization": "Bearer abc.def.ghi"})
    assert forged.status_code == 401


def test_token_expires(client: TestClient, staff_users: None, clock: Any, app: Any) -> None:
    token = client.post(
        "/api/auth/token", json={"username": "super", "password": "test-password-1"}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/cases", headers=headers).status_code == 200
    clock.advance(minutes=app.state.settings.token_ttl_minutes + 1)
    assert client.get("/api/cases", headers=headers).status_code == 401


def test_openapi_lists_the_workflow_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/applications",
        "/api/cases/{case_id}/transitions",
        "/api/outbox/claim",
        "/api/status-lookup",
        "/api/health",
    ):
        assert path in paths
