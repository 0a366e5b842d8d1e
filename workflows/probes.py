"""Short, real checks of the services the system depends on (``/api/health``, the launcher's
preflight): an SQL ``SELECT 1``, a Redis ``PING``, an AMQP 0-9-1 log-in to RabbitMQ, an HTTP
GET. Each takes a timeout, never raises, and reports no secret (URLs are shown redacted)."""

from __future__ import annotations

import contextlib
import socket
import struct
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from huimin.topology import amqp_address, redact_url, redis_address


@dataclass(frozen=True)
class Dependency:
    name: str
    kind: str  # sql, redis, in_memory, rabbitmq, none, server, embedded, rasa, action_server ...
    state: str  # up, down, local (in this process / a file), off (not configured)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state != "down"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def sqlalchemy_url(url: str) -> str:
    """The API's driver (psycopg 3) for a PostgreSQL URL written for any driver."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def probe_sql(name: str, url: str, timeout: float) -> Dependency:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    try:
        parsed = make_url(sqlalchemy_url(url))
        args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            args = {"connect_timeout": max(1, round(timeout))}
        engine = create_engine(parsed, connect_args=args, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as exc:
        return Dependency(name, "sql", "down", _reason(exc))
    return Dependency(name, "sql", "up", parsed.get_backend_name())


def probe_redis(name: str, url: str, timeout: float) -> Dependency:
    import redis

    address = redis_address(url)
    detail = f"{address.host}:{address.port}/{address.redis_db}"
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return Dependency(name, "redis", "down", f"{detail} {_reason(exc)}")
    return Dependency(name, "redis", "up", detail)


# AMQP 0-9-1 -------------------------------------------------------------------------------
_FRAME_METHOD = 1
_FRAME_END = b"\xce"


def _shortstr(value: str) -> bytes:
    raw = value.encode("utf-8")
    return struct.pack("!B", len(raw)) + raw


def _method_frame(class_id: int, method_id: int, arguments: bytes, channel: int = 0) -> bytes:
    payload = struct.pack("!HH", class_id, method_id) + arguments
    return struct.pack("!BHI", _FRAME_METHOD, channel, len(payload)) + payload + _FRAME_END


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed by the broker")
        data += chunk
    return data


def _read_method(sock: socket.socket) -> tuple[int, int, bytes]:
    while True:
        frame_type, _channel, size = struct.unpack("!BHI", _read_exact(sock, 7))
        payload = _read_exact(sock, size)
        _read_exact(sock, 1)
        if frame_type == _FRAME_METHOD:
            class_id, method_id = struct.unpack("!HH", payload[:4])
            return class_id, method_id, payload[4:]
        # heartbeat or other frames before the method we wait for: skip


def _close_reason(arguments: bytes) -> str:
    code = struct.unpack("!H", arguments[:2])[0]
    length = arguments[2]
    return f"{code} {arguments[3 : 3 + length].decode('utf-8', errors='replace')}"


def _queue_method(
    sock: socket.socket, queue: str, method_id: int, bits: int
) -> tuple[int, int, bytes]:
    """Channel 1: Channel.Open, then Queue.Declare (10) or Queue.Delete (40) of ``queue``."""
    sock.sendall(_method_frame(20, 10, _shortstr(""), channel=1))
    if _read_method(sock)[:2] != (20, 11):
        raise ConnectionError("no Channel.Open-Ok from the broker")
    arguments = struct.pack("!H", 0) + _shortstr(queue) + struct.pack("!B", bits)
    if method_id == 10:
        arguments += struct.pack("!I", 0)  # no arguments table
    sock.sendall(_method_frame(50, method_id, arguments, channel=1))
    return _read_method(sock)


def queue_depth(sock: socket.socket, queue: str) -> int | None:
    """Messages waiting in ``queue`` (a passive Queue.Declare); None when it does not exist."""
    class_id, method_id, arguments = _queue_method(sock, queue, 10, 0b1)  # passive
    if (class_id, method_id) != (50, 11):
        return None  # 404: Channel.Close (the connection stays usable for Connection.Close)
    length = arguments[0]
    return int(struct.unpack("!I", arguments[1 + length : 5 + length])[0])


def delete_queue(sock: socket.socket, queue: str) -> None:
    _queue_method(sock, queue, 40, 0)


def amqp_login(
    url: str, timeout: float, then: Callable[[socket.socket], Any] | None = None
) -> Any:
    """Connection.Start → Start-Ok (PLAIN) → Tune → Tune-Ok → Open (vhost) → Open-Ok, ``then``
    (e.g. :func:`queue_depth`), Close. Returns what ``then`` returned. Raises on a refused
    log-in, an unknown virtual host or no answer."""
    address = amqp_address(url)
    with socket.create_connection((address.host, address.port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        sock.sendall(b"AMQP\x00\x00\x09\x01")
        if _read_method(sock)[:2] != (10, 10):
            raise ConnectionError("no Connection.Start from the broker")
        response = f"\x00{address.username or 'guest'}\x00{address.password or 'guest'}"
        raw = response.encode("utf-8")
        # client properties: capabilities.authentication_failure_close, so that a refused
        # log-in is answered with Connection.Close (ACCESS_REFUSED) rather than silence
        capability = _shortstr("authentication_failure_close") + b"t\x01"
        capabilities = _shortstr("capabilities") + b"F" + struct.pack("!I", len(capability))
        start_ok = (
            struct.pack("!I", len(capabilities + capability))
            + capabilities
            + capability
            + _shortstr("PLAIN")
            + struct.pack("!I", len(raw))
            + raw
            + _shortstr("en_US")
        )
        sock.sendall(_method_frame(10, 11, start_ok))
        class_id, method_id, arguments = _read_method(sock)
        if (class_id, method_id) == (10, 50):
            raise PermissionError(_close_reason(arguments))
        if (class_id, method_id) != (10, 30):
            raise ConnectionError("no Connection.Tune from the broker")
        channel_max, frame_max, _heartbeat = struct.unpack("!HIH", arguments[:8])
        sock.sendall(_method_frame(10, 31, struct.pack("!HIH", channel_max, frame_max, 0)))
        sock.sendall(_method_frame(10, 40, _shortstr(address.amqp_vhost) + _shortstr("") + b"\0"))
        class_id, method_id, arguments = _read_method(sock)
        if (class_id, method_id) == (10, 50):
            raise PermissionError(_close_reason(arguments))
        if (class_id, method_id) != (10, 41):
            raise ConnectionError("no Connection.Open-Ok from the broker")
        result = then(sock) if then is not None else None
        sock.sendall(_method_frame(10, 50, struct.pack("!H", 200) + _shortstr("") + b"\0" * 4))
        with contextlib.suppress(ConnectionError, OSError):
            _read_method(sock)  # Close-Ok
        return result


def probe_amqp(name: str, url: str, timeout: float, queue: str) -> Dependency:
    """Up when the log-in succeeds; the detail says how many events wait in the queue."""
    address = amqp_address(url)
    detail = f"{address.host}:{address.port} vhost {address.amqp_vhost} queue {queue}"
    try:
        depth = amqp_login(url, timeout, then=lambda sock: queue_depth(sock, queue))
    except Exception as exc:
        return Dependency(name, "rabbitmq", "down", f"{detail} {_reason(exc)}")
    waiting = "not declared yet" if depth is None else f"{depth} waiting"
    return Dependency(name, "rabbitmq", "up", f"{detail} ({waiting})")


def probe_http(
    name: str,
    kind: str,
    url: str,
    timeout: float,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    shown: str | None = None,
    verify: str | bool = True,
    expect: str | None = None,
) -> Dependency:
    """Up when the GET answers 2xx (and its body contains ``expect``). ``shown``: what to
    report instead of the URL."""
    detail = shown or redact_url(url)
    try:
        answer = httpx.get(url, params=params, headers=headers, timeout=timeout, verify=verify)
    except httpx.HTTPError as exc:
        return Dependency(name, kind, "down", f"{detail} {_reason(exc)}")
    if answer.status_code >= 300:
        return Dependency(name, kind, "down", f"{detail} HTTP {answer.status_code}")
    if expect is not None and expect not in answer.text:
        return Dependency(name, kind, "down", f"{detail} unexpected answer")
    return Dependency(name, kind, "up", detail)
