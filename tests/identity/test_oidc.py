"""OpenID Connect against a local identity provider (oidc-provider-mock, Flask + Authlib) on a
free loopback port: start → the provider's authorization form → callback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from oidc_provider_mock import run_server_in_thread
from pydantic import SecretStr
from sqlalchemy import select

from tests.identity.conftest import LIN, WANG, CountingRegistry
from workflows.audit.models import AuditEvent
from workflows.identity.models import IdentityVerification

SUBJECT = "web:3c2b1a00-aaaa-4bbb-8ccc-0123456789ab"


@pytest.fixture
def provider(app: FastAPI) -> Iterator[str]:
    with run_server_in_thread(require_nonce=True) as server:
        issuer = f"http://localhost:{server.server_port}"
        app.state.settings = app.state.settings.model_copy(
            update={
                "oidc_issuer": issuer,
                "oidc_client_id": "huimin-test",
                "oidc_client_secret": SecretStr("client-secret"),
                "public_base_url": "http://testserver",
            }
        )
        yield issuer


def _person(issuer: str, sub: str, id_number: str) -> None:
    answer = httpx.put(f"{issuer}/users/{sub}", json={"id_number": id_number, "name": "王某甲"})
    assert answer.status_code == 204, answer.text


def _link(client: TestClient, internal: dict[str, str], subject: str = SUBJECT) -> str:
    status = client.post(
        "/api/identity/status", json={"subject": subject, "id_number": WANG}, headers=internal
    )
    assert status.status_code == 200, status.text
    oidc = status.json()["methods"]["oidc"]
    assert oidc["available"] is True
    assert WANG not in oidc["url"]
    url: str = oidc["url"]
    assert url.startswith("http://testserver/identity/oidc/start?ticket=")
    return url


def _log_in_at_provider(client: TestClient, link: str, sub: str) -> Any:
    """Follow the link, sign in at the provider as ``sub``, come back to the callback."""
    started = client.get(link, follow_redirects=False)
    assert started.status_code == 302, started.text
    authorize = started.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["state"]
    assert query["nonce"]
    assert query["redirect_uri"] == ["http://testserver/identity/oidc/callback"]
    consent = httpx.post(authorize, data={"sub": sub})
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["location"])
    return client.get(f"{back.path}?{back.query}")


def _verifications(app: FastAPI) -> list[IdentityVerification]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(IdentityVerification)))


def test_matching_id_number_is_verified(
    client: TestClient,
    app: FastAPI,
    internal: dict[str, str],
    provider: str,
    registry: CountingRegistry,
) -> None:
    _person(provider, "alice", WANG)
    link = _link(client, internal)
    page = _log_in_at_provider(client, link, "alice")
    assert page.status_code == 200, page.text
    assert "身份核验成功,请回到对话继续" in page.text
    [row] = _verifications(app)
    assert (row.subject, row.method) == (SUBJECT, "oidc")
    found = client.get(
        f"/api/registry/households/{WANG}", params={"subject": SUBJECT}, headers=internal
    )
    assert found.status_code == 200
    # the link is one-use
    again = client.get(link, follow_redirects=False)
    assert again.status_code == 410
    assert "已使用" in again.text


def test_another_persons_login_is_refused(
    client: TestClient, app: FastAPI, internal: dict[str, str], provider: str
) -> None:
    _person(provider, "bob", LIN)  # signs in as someone else than the ID number in the chat
    page = _log_in_at_provider(client, _link(client, internal), "bob")
    assert page.status_code == 403
    assert "不一致" in page.text
    assert _verifications(app) == []
    with app.state.session_factory() as session:
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "identity.oidc_refused")
        ).all()
    assert event.data["reason"] == "id_number_mismatch"
    assert event.actor == SUBJECT


def test_callback_needs_the_browser_that_started(
    client: TestClient, app: FastAPI, internal: dict[str, str], provider: str
) -> None:
    _person(provider, "alice", WANG)
    started = client.get(_link(client, internal), follow_redirects=False)
    consent = httpx.post(started.headers["location"], data={"sub": "alice"})
    back = urlsplit(consent.headers["location"])
    client.cookies.clear()  # another browser (the link was forwarded): no state cookie
    page = client.get(f"{back.path}?{back.query}")
    assert page.status_code == 400
    assert _verifications(app) == []


def test_tampered_or_unavailable_links(
    client: TestClient, internal: dict[str, str], provider: str
) -> None:
    link = _link(client, internal)
    tampered = client.get(link[:-3] + "abc", follow_redirects=False)
    assert tampered.status_code == 400
    assert "无效" in tampered.text
    telegram = client.post(
        "/api/identity/status", json={"subject": "telegram:99", "id_number": WANG}, headers=internal
    ).json()
    assert telegram["methods"]["oidc"] == {"available": False, "url": None}
