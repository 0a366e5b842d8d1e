"""Page headers and cookies over HTTP: the CSP (same origin, inline code only with the
request's nonce), framing/sniffing/referrer headers, HttpOnly + SameSite=Lax cookies that are
Secure behind an https proxy, and the web chat's "结束会话"."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.requests import Request

from huimin.settings import Settings
from workflows.security_headers import content_security_policy
from workflows.staff_pages.session import cookie_secure

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def staff_client(site, username: str) -> httpx.Client:
    client = httpx.Client(base_url=site.url, follow_redirects=False)
    answer = client.post(
        "/staff/login", data={"username": username, "password": "page-test-pass-1"}
    )
    assert answer.status_code == 303
    return client


def _nonce(answer: httpx.Response) -> str:
    csp = answer.headers["content-security-policy"]
    found = re.search(r"'nonce-([A-Za-z0-9_-]+)'", csp)
    assert found is not None, csp
    assert csp == content_security_policy(found.group(1))
    return found.group(1)


def _assert_page_headers(answer: httpx.Response) -> None:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    nonce = _nonce(answer)
    csp = answer.headers["content-security-policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    # every script is a file of this site or carries the nonce; every inline style the nonce
    for tag in re.findall(r"<script\b[^>]*>", answer.text):
        assert 'src="/staff/static/' in tag or f'nonce="{nonce}"' in tag, tag
    for tag in re.findall(r"<style\b[^>]*>", answer.text):
        assert f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"\son[a-z]+=", answer.text)  # no inline event handlers
    assert " style=" not in answer.text


def test_public_pages_have_the_security_headers(site) -> None:
    for path in ("/chat", "/staff/login", "/qr"):
        _assert_page_headers(httpx.get(site.url + path))


def test_staff_pages_have_the_security_headers(site) -> None:
    client = staff_client(site, "counter_fuchun")
    intake = client.get("/staff/intake", follow_redirects=True)
    _assert_page_headers(intake)
    session_id = re.search(r"s=(" + UUID + ")", str(intake.url))
    assert session_id is not None
    for path in ("/staff/cases", "/staff/dashboard", f"/staff/intake/summary?s={session_id[1]}"):
        _assert_page_headers(client.get(path))


def test_each_response_has_its_own_nonce(site) -> None:
    first, second = httpx.get(site.url + "/chat"), httpx.get(site.url + "/chat")
    assert _nonce(first) != _nonce(second)


def test_json_answers_are_left_alone(site) -> None:
    answer = httpx.get(site.url + "/api/health")
    assert "content-security-policy" not in answer.headers


def _set_cookie(answer: httpx.Response, name: str) -> str:
    lines = [v for v in answer.headers.get_list("set-cookie") if v.startswith(f"{name}=")]
    assert len(lines) == 1, answer.headers.get_list("set-cookie")
    return lines[0].lower()


def test_cookies_are_httponly_lax_and_secure_behind_an_https_proxy(site) -> None:
    plain = _set_cookie(httpx.get(site.url + "/chat"), "huimin_web_id")
    assert "httponly" in plain
    assert "samesite=lax" in plain
    assert "secure" not in plain
    # the test server is uvicorn with its defaults: X-Forwarded-Proto trusted from 127.0.0.1
    proxied = httpx.get(site.url + "/chat", headers={"X-Forwarded-Proto": "https"})
    cookie = _set_cookie(proxied, "huimin_web_id")
    assert "secure" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie

    login = httpx.post(
        site.url + "/staff/login",
        data={"username": "rev_fuchun", "password": "page-test-pass-1"},
        headers={"X-Forwarded-Proto": "https"},
    )
    staff = _set_cookie(login, "huimin_session")
    assert all(flag in staff for flag in ("secure", "httponly", "samesite=lax"))


def _request(scheme: str) -> Request:
    return Request(
        {"type": "http", "scheme": scheme, "server": ("x", 80), "path": "/", "headers": []}
    )


@pytest.mark.parametrize(
    ("public_base_url", "scheme", "secure"),
    [
        ("http://127.0.0.1:8000", "http", False),
        ("http://127.0.0.1:8000", "https", True),
        ("https://huimin.example.gov.cn", "http", True),
    ],
)
def test_cookie_secure_rule(public_base_url: str, scheme: str, secure: bool) -> None:
    settings = Settings(_env_file=None, public_base_url=public_base_url)  # type: ignore[call-arg]
    assert cookie_secure(_request(scheme), settings) is secure


def test_ending_the_web_chat_forgets_the_conversation(site) -> None:
    client = httpx.Client(base_url=site.url)
    client.get("/chat")
    first = client.cookies["huimin_web_id"]
    assert client.post("/chat/api/message", json={"text": "你好"}).status_code == 200
    assert site.rasa.messages[-1]["sender"] == f"web:{first}"

    ended = client.post("/chat/api/end")
    assert ended.status_code == 200
    assert ended.json() == {"ended": True}
    cleared = _set_cookie(ended, "huimin_web_id")
    assert cleared.startswith('huimin_web_id=""'), cleared  # Starlette's delete_cookie
    assert "max-age=0" in cleared
    assert "huimin_web_id" not in client.cookies

    refused = client.post("/chat/api/message", json={"text": "还在吗"})
    assert refused.status_code == 400
    assert refused.json()["detail"] == "会话已失效,请刷新页面后再试"

    client.get("/chat")
    second = client.cookies["huimin_web_id"]
    assert second != first
    assert client.post("/chat/api/message", json={"text": "你好"}).status_code == 200
    assert site.rasa.messages[-1]["sender"] == f"web:{second}"
