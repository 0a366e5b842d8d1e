"""The HTTP adapters against a tiny real HTTP server on 127.0.0.1 (answers from the demo data)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from huimin.idcard import InvalidIdNumber, make_number
from huimin.settings import Settings
from workflows.registry import (
    HttpRegistry,
    HttpVerifier,
    LocalRegistry,
    LocalVerifier,
    RegistryUnavailableError,
    make_registry,
    make_verifier,
)
from workflows.registry.http import HttpCertificates
from workflows.registry.local import LocalCertificates

TOKEN = "test-token"
HEAD_H01 = "330183197803120116"
CHECKED_AT = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)


class ExchangeServer(ThreadingHTTPServer):
    mode = "ok"  # ok | slow | error | garbage | notfound404
    seen_paths: list[str]


class Handler(BaseHTTPRequestHandler):
    server: ExchangeServer

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return

    def do_POST(self) -> None:
        self.server.seen_paths.append(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send(401, {"error": "unauthorised"})
            return
        mode = self.server.mode
        if mode == "slow":
            time.sleep(0.5)
        if mode == "error":
            self._send(503, {"error": "maintenance"})
            return
        if mode == "garbage":
            self._raw(200, b"<html>not json</html>")
            return
        if mode == "notfound404":
            self._send(404, {"error": "no such person"})
            return
        if self.path == "/api/households/lookup":
            household = LocalRegistry().lookup(body["id_number"])
            answer = {
                "found": household is not None,
                "household": household.model_dump() if household else None,
            }
            self._send(200, answer)
        elif self.path == "/api/certificates":
            found = LocalCertificates().certificates(body["id_numbers"])
            self._send(200, {"certificates": [c.model_dump() for c in found]})
        elif self.path == "/api/verifications":
            report = LocalVerifier(clock=lambda: CHECKED_AT).verify(body["id_numbers"])
            self._send(200, report.model_dump(mode="json"))
        else:
            self._send(404, {"error": "no route"})

    def _send(self, status: int, payload: object) -> None:
        self._raw(status, json.dumps(payload, ensure_ascii=False).encode())

    def _raw(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def server() -> Iterator[ExchangeServer]:
    httpd = ExchangeServer(("127.0.0.1", 0), Handler)
    httpd.seen_paths = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def base_url(server: ExchangeServer) -> Iterator[str]:
    server.mode = "ok"
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.mode = "ok"


def test_lookup_over_http_matches_local(base_url: str, server: ExchangeServer) -> None:
    registry = HttpRegistry(base_url, TOKEN, timeout_seconds=2)
    household = registry.lookup(HEAD_H01)
    assert household == LocalRegistry().lookup(HEAD_H01)
    assert household is not None
    assert len(household.members) == 3
    assert household.members[0].mobile == "13900000001"  # the field "mobile" is read
    assert all(HEAD_H01 not in path for path in server.seen_paths)  # never in the URL
    assert registry.lookup(make_number("330111", dt.date(1990, 1, 1), 999)) is None


def test_verify_over_http(base_url: str) -> None:
    verifier = HttpVerifier(base_url, TOKEN, timeout_seconds=2)
    report = verifier.verify([HEAD_H01, "330183198107050227"])
    assert report.checked_at == CHECKED_AT
    assert [(i.kind, i.monthly_amount, i.value) for i in report.items] == [
        ("deposit", None, 8000.0),
        ("wage", 1900.0, None),
    ]


def test_404_means_not_found(base_url: str, server: ExchangeServer) -> None:
    server.mode = "notfound404"
    assert HttpRegistry(base_url, TOKEN).lookup(HEAD_H01) is None


def test_timeout_gives_chinese_error(base_url: str, server: ExchangeServer) -> None:
    server.mode = "slow"
    with pytest.raises(RegistryUnavailableError) as caught:
        HttpRegistry(base_url, TOKEN, timeout_seconds=0.1).lookup(HEAD_H01)
    assert "户籍信息系统响应超时" in caught.value.message_zh
    assert "0.1秒" in caught.value.message_zh


def test_server_error_and_bad_token_and_garbage(base_url: str, server: ExchangeServer) -> None:
    server.mode = "error"
    with pytest.raises(RegistryUnavailableError, match=r"经济状况核对系统返回错误\(HTTP 503\)"):
        HttpVerifier(base_url, TOKEN).verify([HEAD_H01])
    server.mode = "ok"
    with pytest.raises(RegistryUnavailableError, match=r"拒绝访问.*HUIMIN_REGISTRY_TOKEN"):
        HttpRegistry(base_url, "wrong").lookup(HEAD_H01)
    server.mode = "garbage"
    with pytest.raises(RegistryUnavailableError, match="数据格式无法识别"):
        HttpRegistry(base_url, TOKEN).lookup(HEAD_H01)


def test_unreachable_server() -> None:
    # A port nobody listens on: bind, note it, close.
    probe = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = probe.server_address[1]
    probe.server_close()
    with pytest.raises(RegistryUnavailableError, match="暂时无法连接户籍信息系统"):
        HttpRegistry(f"http://127.0.0.1:{port}", TOKEN, timeout_seconds=1).lookup(HEAD_H01)


def test_invalid_number_never_leaves_the_machine(base_url: str, server: ExchangeServer) -> None:
    before = len(server.seen_paths)
    with pytest.raises(InvalidIdNumber):
        HttpRegistry(base_url, TOKEN).lookup("330183197803120117")
    assert len(server.seen_paths) == before


def test_factories_build_http_adapters(base_url: str) -> None:
    settings = Settings(
        _env_file=None,
        registry_provider="http",
        registry_base_url=base_url,
        registry_token=TOKEN,
        registry_timeout_seconds=2,
    )
    registry = make_registry(settings)
    verifier = make_verifier(settings)
    assert isinstance(registry, HttpRegistry)
    assert isinstance(verifier, HttpVerifier)
    found = registry.lookup("330183198107050227")
    assert found is not None
    assert found.hukou_township_code == "330111001000"
    assert verifier.verify(["330183198107050227"]).items[0].kind == "wage"


H08_HEAD = "330183197303031715"  # holds a 低保边缘 certificate in the demo data


def test_certificates_over_http_match_local(base_url: str, server: ExchangeServer) -> None:
    certificates = HttpCertificates(base_url, TOKEN, timeout_seconds=2)
    found = certificates.certificates([H08_HEAD, HEAD_H01])
    assert found == LocalCertificates().certificates([H08_HEAD, HEAD_H01])
    assert [(c.id_number, c.program, c.number) for c in found] == [
        (H08_HEAD, "dibao_edge", "示例-低边-0008")
    ]
    assert all(H08_HEAD not in path for path in server.seen_paths)  # never in the URL
    server.mode = "garbage"
    with pytest.raises(RegistryUnavailableError, match="救助对象认定系统"):
        certificates.certificates([H08_HEAD])


def test_certificates_are_not_in_the_household_the_dialogue_sees() -> None:
    household = LocalRegistry().lookup(H08_HEAD)
    assert household is not None
    assert "certificates" not in str(household.public_dump())
