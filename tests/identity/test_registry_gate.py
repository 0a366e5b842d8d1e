"""The attack: an unverified chat identity typing someone else's ID number sees nothing; every
lookup, allowed or refused, is audited (masked ID + keyed hash, purpose, who)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from huimin.idcard import mask
from tests.conftest import FakeClock
from tests.identity.conftest import CHEN, LIN, WANG, CountingRegistry
from workflows.identity.hashing import audit_id_hash
from workflows.identity.models import IdentityVerification

COUNTER_A = "counter:counter_fuchun:7f0c2d5e-1111-4d7a-9a55-000000000001"
COUNTER_B = "counter:counter_fuchun:7f0c2d5e-2222-4d7a-9a55-000000000002"
STRANGER = "web:5b8a3c4e-9d21-4f7e-8c55-3a1b2c3d4e5f"


def _household(client: TestClient, headers: dict[str, str], id_number: str, **params: str) -> Any:
    return client.get(f"/api/registry/households/{id_number}", headers=headers, params=params)


def _counter(client: TestClient, internal: dict[str, str], subject: str, staff: str) -> Any:
    return client.post(
        "/api/identity/counter",
        json={"subject": subject, "id_number": WANG, "staff_username": staff},
        headers=internal,
    )


def test_stranger_gets_403_and_the_registry_is_not_asked(
    client: TestClient,
    app: FastAPI,
    internal: dict[str, str],
    registry: CountingRegistry,
    audit_events: Callable[[str], list[Any]],
) -> None:
    answer = _household(client, internal, WANG, subject=STRANGER, purpose="application")
    assert answer.status_code == 403
    assert answer.json() == {"detail": "身份未核验,不能查询登记信息"}
    assert "王某甲" not in answer.text
    assert registry.calls == []
    # without any subject, the internal caller is refused as well
    assert _household(client, internal, WANG).status_code == 403
    assert registry.calls == []

    refused = audit_events("registry.lookup")
    assert [event.action for event in refused] == ["registry.lookup_refused"] * 2
    first = refused[0]
    assert first.actor == STRANGER
    assert first.data["purpose"] == "application"
    assert first.data["outcome"] == "not_verified"
    assert first.data["id_number_masked"] == mask(WANG)
    assert first.data["id_number_hmac"] == audit_id_hash(app.state.settings, WANG)
    assert refused[1].data["outcome"] == "no_subject"
    assert all(WANG not in str(event.data) for event in refused)


def test_counter_verification_opens_the_registry_for_that_subject_only(
    client: TestClient,
    app: FastAPI,
    internal: dict[str, str],
    staff: None,
    registry: CountingRegistry,
    audit_events: Callable[[str], list[Any]],
) -> None:
    assert _counter(client, internal, COUNTER_A, "nobody").status_code == 403  # unknown
    assert (
        _counter(client, internal, COUNTER_A.replace("counter_fuchun", "gone"), "gone").status_code
        == 403
    )
    adviser = _counter(client, internal, COUNTER_A.replace("counter_fuchun", "adviser"), "adviser")
    assert adviser.status_code == 403
    assert "窗口" in adviser.json()["detail"]
    # a staff member can only vouch for their own intake conversation
    assert _counter(client, internal, COUNTER_A, "rev_fuchun").status_code == 403
    assert _counter(client, internal, STRANGER, "counter_fuchun").status_code == 403

    ok = _counter(client, internal, COUNTER_A, "counter_fuchun")
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"verified": True, "method": "counter"}
    with app.state.session_factory() as session:
        [row] = session.scalars(select(IdentityVerification)).all()
    assert (row.subject, row.method, row.staff_username) == (COUNTER_A, "counter", "counter_fuchun")
    assert row.id_number_masked == mask(WANG)
    assert WANG not in row.id_number_hash
    [verified] = audit_events("identity.verified")
    assert verified.actor == "staff:counter_fuchun"
    assert verified.data["staff_username"] == "counter_fuchun"

    found = _household(client, internal, WANG, subject=COUNTER_A, purpose="application")
    assert found.status_code == 200, found.text
    members = found.json()["household"]["members"]
    assert members[0]["name"] == "王某甲"
    assert all("mobile" not in member for member in members)
    assert "13900000001" not in found.text
    assert registry.calls == [WANG]
    # another conversation of the same staff member is not verified, nor another ID number
    assert _household(client, internal, WANG, subject=COUNTER_B).status_code == 403
    assert _household(client, internal, LIN, subject=COUNTER_A).status_code == 403
    assert registry.calls == [WANG]
    actions = [event.action for event in audit_events("registry.lookup")]
    assert actions == ["registry.lookup", "registry.lookup_refused", "registry.lookup_refused"]
    allowed = audit_events("registry.lookup")[0]
    assert (allowed.actor, allowed.data["outcome"]) == (COUNTER_A, "found")


def test_verification_expires_after_the_ttl(
    client: TestClient,
    app: FastAPI,
    clock: FakeClock,
    internal: dict[str, str],
    staff: None,
    registry: CountingRegistry,
) -> None:
    assert _counter(client, internal, COUNTER_A, "counter_fuchun").status_code == 200
    hours = app.state.settings.identity_verification_ttl_hours
    clock.advance(hours=hours, seconds=-1)
    assert _household(client, internal, WANG, subject=COUNTER_A).status_code == 200
    clock.advance(seconds=2)
    assert _household(client, internal, WANG, subject=COUNTER_A).status_code == 403
    status = client.post(
        "/api/identity/status", json={"subject": COUNTER_A, "id_number": WANG}, headers=internal
    )
    assert status.json()["verified"] is False


def test_staff_look_up_with_a_purpose_advisers_may_not(
    client: TestClient,
    staff: None,
    registry: CountingRegistry,
    audit_events: Callable[[str], list[Any]],
) -> None:
    def bearer(username: str) -> dict[str, str]:
        token = client.post(
            "/api/auth/token", data={"username": username, "password": "test-password-1"}
        ).json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

    reviewer = _household(client, bearer("rev_fuchun"), WANG, purpose="review")
    assert reviewer.status_code == 200
    assert "mobile" not in reviewer.json()["household"]["members"][0]
    adviser = _household(client, bearer("adviser"), WANG, purpose="review")
    assert adviser.status_code == 403
    assert registry.calls == [WANG]
    events = audit_events("registry.lookup")
    assert [(e.actor, e.action, e.data["purpose"]) for e in events] == [
        ("staff:rev_fuchun", "registry.lookup", "review"),
        ("staff:adviser", "registry.lookup_refused", "review"),
    ]
    assert _household(client, bearer("rev_fuchun"), WANG, purpose="curious").status_code == 422


def test_status_lists_the_methods(
    client: TestClient, internal: dict[str, str], staff: None, registry: CountingRegistry
) -> None:
    web = client.post(
        "/api/identity/status", json={"subject": STRANGER, "id_number": WANG}, headers=internal
    )
    assert web.status_code == 200, web.text
    assert web.json() == {
        "verified": False,
        "method": None,
        "verified_at": None,
        "methods": {
            "sms": {"available": True, "phone_masked": "139****0001"},  # development sink
            "counter": {"available": False},
            "oidc": {"available": False, "url": None},  # not configured
        },
    }
    no_mobile = client.post(
        "/api/identity/status", json={"subject": COUNTER_A, "id_number": CHEN}, headers=internal
    ).json()
    assert no_mobile["methods"]["sms"] == {"available": False, "phone_masked": None}
    assert no_mobile["methods"]["counter"] == {"available": True}
    assert _counter(client, internal, COUNTER_A, "counter_fuchun").status_code == 200
    verified = client.post(
        "/api/identity/status", json={"subject": COUNTER_A, "id_number": WANG}, headers=internal
    ).json()
    assert (verified["verified"], verified["method"]) == (True, "counter")
    assert verified["verified_at"].startswith("2026-11-02T02:00:00")
    bad = client.post(
        "/api/identity/status", json={"subject": STRANGER, "id_number": "123"}, headers=internal
    )
    assert bad.status_code == 422
    assert (
        client.post(
            "/api/identity/status", json={"subject": STRANGER, "id_number": WANG}
        ).status_code
        == 401
    )
