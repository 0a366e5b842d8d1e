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


def test_a_token_ends_with_the_password_it_was_issued_under() -> None:
    import datetime as dt

    import jwt

    from huimin.settings import Settings
    from workflows.auth.security import hash_password, issue_token, token_fits

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    now = dt.datetime.now(dt.UTC)
    old_hash = hash_password("old-password-1", rounds=4)
    token, _ = issue_token(settings, username="u", password_hash=old_hash, now=now)
    assert token_fits(settings, token, password_hash=old_hash, now=now)
    new_hash = hash_password("new-password-2", rounds=4)
    assert not token_fits(settings, token, password_hash=new_hash, now=now)
    assert not token_fits(settings, token, password_hash=old_hash, now=now + dt.timedelta(days=1))
    # a token without the password fingerprint (issued before this rule) is refused
    legacy = jwt.encode(
        {"sub": "u", "exp": int(now.timestamp()) + 60},
        settings.secret_key.get_secret_value(),
        algorithm="HS256",
    )
    assert not token_fits(settings, legacy, password_hash=old_hash, now=now)
