"""Which processes the settings describe and where they listen: one source for the launcher
(what it starts, the balancer's configuration) and the API (what ``/api/health`` probes).

Development profile: one Rasa on ``rasa_port``, one action server on ``action_port``.
Production profile: ``rasa_replicas`` Rasa servers on ``rasa_replica_base_port + i`` and
``action_replicas`` action servers on ``action_replica_base_port + i``, with the balancer on
``rasa_port`` / ``action_port`` (so every client keeps using ``rasa_url`` and the action URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from huimin.settings import Settings

WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def reachable_host(host: str) -> str:
    """The address a client on this machine uses for a server bound to ``host``."""
    host = "127.0.0.1" if host in WILDCARD_HOSTS else host
    return f"[{host}]" if ":" in host else host


@dataclass(frozen=True)
class Replica:
    kind: str  # "rasa" or "actions"
    index: int  # 1-based
    host: str
    port: int
    scheme: str = "http"

    @property
    def name(self) -> str:
        return f"{self.kind}{self.index}"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{reachable_host(self.host)}:{self.port}"


def rasa_servers(settings: Settings) -> list[Replica]:
    scheme = "https" if settings.rasa_ssl_certificate and settings.rasa_ssl_keyfile else "http"
    if not settings.is_production_profile:
        return [Replica("rasa", 1, settings.rasa_host, settings.rasa_port, scheme)]
    return [
        Replica("rasa", i + 1, settings.rasa_host, settings.rasa_replica_base_port + i, scheme)
        for i in range(settings.rasa_replicas)
    ]


def action_servers(settings: Settings) -> list[Replica]:
    tls = settings.action_ssl_certificate and settings.action_ssl_keyfile
    scheme = "https" if tls else "http"
    if not settings.is_production_profile:
        return [Replica("actions", 1, settings.action_host, settings.action_port, scheme)]
    return [
        Replica(
            "actions", i + 1, settings.action_host, settings.action_replica_base_port + i, scheme
        )
        for i in range(settings.action_replicas)
    ]


def redact_url(url: str) -> str:
    """The URL without its password (for logs, banners and /api/health)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class ServiceAddress:
    """A Redis or AMQP URL taken apart (what Rasa's endpoints file and the probes need)."""

    scheme: str
    host: str
    port: int
    username: str
    password: str
    path: str  # Redis: the database number; AMQP: the virtual host

    @classmethod
    def parse(cls, url: str, *, default_port: int) -> ServiceAddress:
        parts = urlsplit(url)
        return cls(
            scheme=parts.scheme,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or default_port,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            path=unquote(parts.path.lstrip("/")),
        )

    @property
    def redis_db(self) -> int:
        return int(self.path) if self.path.isdigit() else 0

    @property
    def amqp_vhost(self) -> str:
        return self.path or "/"


def redis_address(url: str) -> ServiceAddress:
    return ServiceAddress.parse(url, default_port=6379)


def amqp_address(url: str) -> ServiceAddress:
    return ServiceAddress.parse(url, default_port=5672)


def amqp_url(host: str, port: int, user: str, password: str, vhost: str = "/") -> str:
    return f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/" + quote(
        vhost, safe=""
    )
