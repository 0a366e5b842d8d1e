"""Rasa's event broker (``event_broker:`` in the generated endpoints file) from the settings.

With ``HUIMIN_EVENT_BROKER_URL`` set (``amqp://user:password@host:port/vhost``), Rasa's pika
broker publishes every conversation event to RabbitMQ's fanout exchange
(``HUIMIN_EVENT_BROKER_EXCHANGE``, Rasa's default ``rasa-exchange``) and the
durable queue ``HUIMIN_EVENT_BROKER_QUEUE``, which ``python -m workflows analytics-consume``
reads. Unset: no block, no broker (the development profile).

The password stays a ``${HUIMIN_EVENT_BROKER_PASSWORD}`` reference that Rasa fills from its
environment (:func:`broker_environment`, to be merged into the child environment), like the
action secret.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from huimin.settings import Settings

PASSWORD_VARIABLE = "HUIMIN_EVENT_BROKER_PASSWORD"
DEFAULT_AMQP_PORT = 5672


def _parts(url: str) -> tuple[str, int, str, str, str]:
    """(host, port, username, password, vhost) of an amqp:// URL."""
    parsed = urlsplit(url)
    if parsed.scheme not in ("amqp", "amqps") or not parsed.hostname:
        raise ValueError("HUIMIN_EVENT_BROKER_URL: amqp://user:password@host:port/ expected")
    vhost = unquote(parsed.path[1:]) if parsed.path.startswith("/") else ""
    return (
        parsed.hostname,
        parsed.port or DEFAULT_AMQP_PORT,
        unquote(parsed.username or "guest"),
        unquote(parsed.password or ""),
        vhost,
    )


def event_broker_yaml(settings: Settings) -> str:
    """The ``event_broker:`` block for Rasa's endpoints file; "" when no broker is configured."""
    if not settings.event_broker_url:
        return ""
    host, port, username, _password, vhost = _parts(settings.event_broker_url)
    scheme = urlsplit(settings.event_broker_url).scheme
    # Rasa passes no virtual host with a bare host name; an amqp:// "url" carries it (Rasa adds
    # the username and password itself, rasa/core/brokers/pika.py _configure_url)
    url = f"{scheme}://{host}:{port}/{vhost}" if vhost or scheme == "amqps" else host
    lines = [
        "event_broker:",
        "  type: pika",
        f'  url: "{url}"',
        f"  port: {port}",
        f'  username: "{username}"',
        f"  password: ${{{PASSWORD_VARIABLE}}}",
        f'  exchange_name: "{settings.event_broker_exchange}"',
        "  queues:",
        f'    - "{settings.event_broker_queue}"',
    ]
    return "\n".join(lines) + "\n"


def broker_environment(settings: Settings) -> dict[str, str]:
    """What Rasa's environment needs for the block above (empty without a broker)."""
    if not settings.event_broker_url:
        return {}
    return {PASSWORD_VARIABLE: _parts(settings.event_broker_url)[3]}
