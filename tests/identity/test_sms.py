"""SMS one-time codes: through a real local gateway, hashed at rest, never logged, limited."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import FakeClock
from tests.identity.conftest import CHEN, LIN, WANG, WANG_MOBILE, CountingRegistry, Gateway

SUBJECT = "web:0d9e2a61-5f7b-4c2e-9a8d-1b2c3d4e5f60"
OTHER = "telegram:424242"


def _send(
    client: TestClient, internal: dict[str, str], subject: str = SUBJECT, id_number: str = WANG
) -> Any:
    return client.post(
        "/api/identity/sms/send",
        json={"subject": subject, "id_number": id_number},
        headers=internal,
    )


def _verify(client: TestClient, internal: dict[str, str], code: str, subject: str = SUBJECT) -> Any:
    return client.post(
        "/api/identity/sms/verify",
        json={"subject": subject, "id_number": WANG, "code": code},
        headers=internal,
    )


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _all_stored_text(app: FastAPI) -> str:
    with app.state.engine.connect() as connection:
        rows = []
        for table in ("identity_otp_challenges", "identity_verifications", "audit_events"):
            rows += [str(tuple(row)) for row in connection.execute(text(f"SELECT * FROM {table}"))]
    return "\n".join(rows)


def test_code_by_sms_then_the_registry_opens(
    client: TestClient,
    app: FastAPI,
    internal: dict[str, str],
    gateway: Gateway,
    registry: CountingRegistry,
    caplog: pytest.LogCaptureFixture,
    audit_events: Callable[[str], list[Any]],
) -> None:
    with caplog.at_level(logging.DEBUG):
        sent = _send(client, internal)
        assert sent.status_code == 200, sent.text
        assert sent.json() == {
            "sent": True,
            "phone_masked": "139****0001",
            "expires_in_seconds": 300,
        }
        [message] = gateway.received
        assert message["phone"] == WANG_MOBILE  # the number the REGISTRY holds
        code = gateway.last_code()
        assert code not in sent.text

        wrong = _verify(client, internal, _wrong(code))
        assert wrong.status_code == 400
        assert wrong.json() == {"detail": "验证码不正确,还可以再试 4 次", "attempts_left": 4}
        assert (
            client.get(
                f"/api/registry/households/{WANG}", params={"subject": SUBJECT}, headers=internal
            ).status_code
            == 403
        )

        right = _verify(client, internal, code)
        assert right.status_code == 200, right.text
        assert right.json() == {"verified": True, "method": "sms"}
        found = client.get(
            f"/api/registry/households/{WANG}",
            params={"subject": SUBJECT, "purpose": "application"},
            headers=internal,
        )
        assert found.status_code == 200
        assert found.json()["found"] is True
        # used once: the same code again is gone
        assert _verify(client, internal, code).status_code == 410
    assert code not in caplog.text
    assert WANG_MOBILE not in caplog.text
    stored = _all_stored_text(app)
    assert code not in stored
    assert WANG_MOBILE not in stored
    assert WANG not in stored
    assert [event.action for event in audit_events("identity.")] == [
        "identity.sms_sent",
        "identity.verified",
    ]
    # the mobile lookup itself is an audited registry lookup
    lookups = [(e.action, e.data["purpose"]) for e in audit_events("registry.lookup")]
    assert lookups == [
        ("registry.lookup", "identity_verification"),
        ("registry.lookup_refused", "application"),
        ("registry.lookup", "application"),
    ]


def test_expired_code_is_410(
    client: TestClient, clock: FakeClock, internal: dict[str, str], gateway: Gateway
) -> None:
    assert _send(client, internal).status_code == 200
    clock.advance(seconds=301)
    expired = _verify(client, internal, gateway.last_code())
    assert expired.status_code == 410
    assert expired.json() == {"detail": "验证码已失效,请重新获取"}


def test_too_many_attempts_is_410_even_for_the_right_code(
    client: TestClient, internal: dict[str, str], gateway: Gateway
) -> None:
    assert _send(client, internal).status_code == 200
    code = gateway.last_code()
    lefts = [_verify(client, internal, _wrong(code)).json().get("attempts_left") for _ in range(4)]
    assert lefts == [4, 3, 2, 1]
    assert _verify(client, internal, _wrong(code)).status_code == 410
    assert _verify(client, internal, code).status_code == 410


def test_a_code_for_subject_a_does_not_verify_subject_b(
    client: TestClient, internal: dict[str, str], gateway: Gateway, registry: CountingRegistry
) -> None:
    assert _send(client, internal, SUBJECT).status_code == 200
    code = gateway.last_code()
    assert _verify(client, internal, code, subject=OTHER).status_code == 410
    assert _verify(client, internal, code, subject=SUBJECT).status_code == 200
    refused = client.get(
        f"/api/registry/households/{WANG}", params={"subject": OTHER}, headers=internal
    )
    assert refused.status_code == 403


def test_sends_are_limited_per_id_number_and_per_subject(
    client: TestClient,
    clock: FakeClock,
    internal: dict[str, str],
    gateway: Gateway,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for minute in range(3):
        assert _send(client, internal).status_code == 200, minute
        clock.advance(minutes=1)
    limited = _send(client, internal, subject=OTHER)  # same ID number, another conversation
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) == 3600 - 180
    assert "每小时最多3次" in limited.json()["detail"]
    # the same conversation trying another person's number is limited too
    assert _send(client, internal, id_number=LIN).status_code == 429
    assert len(gateway.received) == 3
    clock.advance(minutes=58)
    # two different codes are drawn, so a chance repeat of the random code cannot make the
    # older one look valid below
    draws = iter([123_456, 654_321])
    monkeypatch.setattr(secrets, "randbelow", lambda _upper: next(draws))
    assert _send(client, internal, subject=OTHER).status_code == 200
    first = gateway.last_code()
    assert first == "123456"
    # a newer code replaces the older ones for that conversation
    clock.advance(seconds=1)
    assert _send(client, internal, subject=OTHER).status_code == 200
    assert gateway.last_code() == "654321"
    assert _verify(client, internal, first, subject=OTHER).status_code == 400
    assert _verify(client, internal, "654321", subject=OTHER).status_code == 200


def test_no_mobile_on_record_is_404(
    client: TestClient, internal: dict[str, str], gateway: Gateway
) -> None:
    answer = _send(client, internal, id_number=CHEN)
    assert answer.status_code == 404
    assert answer.json()["detail"].startswith("登记信息中没有可接收验证码的手机号码")
    assert gateway.received == []


def test_gateway_failure_is_503_and_nothing_is_kept(
    client: TestClient, app: FastAPI, internal: dict[str, str], gateway: Gateway
) -> None:
    gateway.status = 500
    answer = _send(client, internal)
    assert answer.status_code == 503
    assert "发送失败" in answer.json()["detail"]
    with app.state.engine.connect() as connection:
        count = connection.execute(text("SELECT COUNT(*) FROM identity_otp_challenges")).scalar()
    assert count == 0


def test_development_sink_writes_a_file_and_production_refuses_it(
    client: TestClient, app: FastAPI, internal: dict[str, str]
) -> None:
    settings = app.state.settings
    assert settings.sms_gateway_url is None
    assert _send(client, internal).status_code == 200
    outbox = settings.var_dir / "dev-sms" / "outbox.txt"
    line = outbox.read_text(encoding="utf-8")
    assert WANG_MOBILE in line
    assert "核验码为" in line

    app.state.settings = settings.model_copy(update={"environment": "production"})
    status = client.post(
        "/api/identity/status", json={"subject": SUBJECT, "id_number": WANG}, headers=internal
    ).json()
    assert status["methods"]["sms"] == {"available": False, "phone_masked": None}
    refused = _send(client, internal, subject=OTHER)
    assert refused.status_code == 503
    assert len(outbox.read_text(encoding="utf-8").splitlines()) == 1
