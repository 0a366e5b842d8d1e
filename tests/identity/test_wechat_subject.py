"""A WeChat conversation (``wechat:<openid>``) proves identity like the other channels."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.identity.conftest import WANG, Gateway
from workflows.applications.identity import subject_of

WECHAT = "wechat:oHuimin_Resident-0001"


def test_sms_code_verifies_a_wechat_conversation(
    client: TestClient, internal: dict[str, str], gateway: Gateway
) -> None:
    sent = client.post(
        "/api/identity/sms/send", json={"subject": WECHAT, "id_number": WANG}, headers=internal
    )
    assert sent.status_code == 200, sent.text
    verified = client.post(
        "/api/identity/sms/verify",
        json={"subject": WECHAT, "id_number": WANG, "code": gateway.last_code()},
        headers=internal,
    )
    assert verified.status_code == 200, verified.text
    status = client.post(
        "/api/identity/status", json={"subject": WECHAT, "id_number": WANG}, headers=internal
    )
    assert status.json()["verified"] is True
    # the same openid on another channel is another conversation
    other = client.post(
        "/api/identity/status",
        json={"subject": "telegram:oHuimin_Resident-0001", "id_number": WANG},
        headers=internal,
    )
    assert other.json()["verified"] is False


def test_unknown_channel_is_refused_with_the_channels_named(
    client: TestClient, internal: dict[str, str]
) -> None:
    refused = client.post(
        "/api/identity/status", json={"subject": "qq:12345", "id_number": WANG}, headers=internal
    )
    assert refused.status_code == 422
    assert "wechat:" in refused.text


def test_a_wechat_application_names_its_conversation() -> None:
    assert subject_of("wechat", "oABC", None) == "wechat:oABC"
