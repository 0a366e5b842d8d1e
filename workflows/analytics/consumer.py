"""``python -m workflows analytics-consume``: Rasa's events from RabbitMQ into the funnel tables.

- The queue (``HUIMIN_EVENT_BROKER_QUEUE``) is durable and bound to Rasa's fanout exchange
  (``HUIMIN_EVENT_BROKER_EXCHANGE``, Rasa's default ``rasa-exchange``), both declared exactly
  as Rasa's pika broker declares them (``rasa/core/brokers/pika.py``), so whichever starts
  first, nothing published is missed.
- Manual acknowledgement after the database commit: a crash or a database outage before the
  commit leaves the message unacknowledged, and RabbitMQ delivers it again; ``record_event`` is
  idempotent (one row per (conversation, step)), so it counts once.
- RabbitMQ (or the database) unreachable: wait 1 s, doubling up to 30 s, and connect again —
  the process never exits on an outage, so the supervisor sees no crash loop.
- A message that is not a readable Rasa event is rejected (not requeued) and logged by kind,
  never by content. Nothing is logged from a message body.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

import pika
import pika.exceptions
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from huimin.settings import Settings
from workflows.analytics.record import InvalidEventError, record_event

log = logging.getLogger(__name__)

FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
PREFETCH = 50
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    pika.exceptions.AMQPError,
    ConnectionError,
    OSError,
)


@dataclass
class ConsumerStats:
    received: int = 0
    counted: int = 0  # steps newly recorded
    rejected: int = 0
    connections: int = 0
    outages: int = 0


def connection_parameters(settings: Settings) -> pika.URLParameters:
    if not settings.event_broker_url:
        raise ValueError("HUIMIN_EVENT_BROKER_URL is not set")
    parameters = pika.URLParameters(settings.event_broker_url)
    parameters.heartbeat = 10
    parameters.blocked_connection_timeout = 30
    parameters.connection_attempts = 1
    parameters.socket_timeout = 5
    return parameters


def declare(channel: Any, *, queue: str, exchange: str) -> None:
    """Rasa's exchange (fanout, not durable: aio-pika's defaults there) and our durable queue."""
    channel.exchange_declare(exchange=exchange, exchange_type="fanout", durable=False)
    channel.queue_declare(queue=queue, durable=True)
    channel.queue_bind(queue=queue, exchange=exchange, routing_key="")


class AnalyticsConsumer:
    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        *,
        stop: threading.Event | None = None,
        max_backoff_seconds: float = MAX_BACKOFF_SECONDS,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.stop = stop or threading.Event()
        self.max_backoff_seconds = max_backoff_seconds
        self.stats = ConsumerStats()
        self._secret = settings.analytics_hmac_key.get_secret_value().encode("utf-8")

    def handle(self, body: bytes) -> bool:
        """Record one message; False when it is to be rejected. Database errors propagate
        (the message stays unacknowledged and comes back)."""
        self.stats.received += 1
        try:
            event = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            log.warning("analytics: rejected a message that is not JSON")
            self.stats.rejected += 1
            return False
        with self.session_factory() as session:
            try:
                step = record_event(session, event, secret=self._secret)
            except InvalidEventError as error:
                session.rollback()
                log.warning("analytics: rejected an event (%s)", error)
                self.stats.rejected += 1
                return False
            session.commit()
        if step is not None:
            self.stats.counted += 1
        return True

    def _consume_once(self) -> None:
        connection = pika.BlockingConnection(connection_parameters(self.settings))
        try:
            channel = connection.channel()
            declare(
                channel,
                queue=self.settings.event_broker_queue,
                exchange=self.settings.event_broker_exchange,
            )
            channel.basic_qos(prefetch_count=PREFETCH)
            self.stats.connections += 1
            log.info("analytics: consuming queue %s", self.settings.event_broker_queue)
            for method, _properties, body in channel.consume(
                self.settings.event_broker_queue, inactivity_timeout=1.0
            ):
                if self.stop.is_set():
                    break
                if method is None:
                    continue
                if self.handle(body):
                    channel.basic_ack(delivery_tag=method.delivery_tag)
                else:
                    channel.basic_nack(delivery_tag=method.delivery_tag, requeue=False)
            channel.cancel()
        finally:
            if connection.is_open:
                with contextlib.suppress(*BROKER_ERRORS):
                    connection.close()

    def run(self) -> int:
        delay = FIRST_BACKOFF_SECONDS
        while not self.stop.is_set():
            try:
                self._consume_once()
                delay = FIRST_BACKOFF_SECONDS
            except BROKER_ERRORS as error:
                self.stats.outages += 1
                log.warning(
                    "analytics: RabbitMQ unreachable (%s); retrying in %.0f s",
                    type(error).__name__,
                    delay,
                )
            except SQLAlchemyError as error:
                self.stats.outages += 1
                log.warning(
                    "analytics: database unavailable (%s); unacknowledged events come back; "
                    "retrying in %.0f s",
                    type(error).__name__,
                    delay,
                )
            else:
                continue
            self.stop.wait(delay)
            delay = min(delay * 2, self.max_backoff_seconds)
        return 0


def analytics_consume(settings: Settings) -> int:
    """The command: exits 2 with a Chinese message when no broker is configured."""
    import signal
    import sys

    from huimin.secrets import refuse_demo_secrets
    from workflows.db import make_engine, make_session_factory
    from workflows.models_registry import import_all_models

    refuse_demo_secrets(
        settings, process="analytics consumer (python -m workflows analytics-consume)"
    )
    if not settings.event_broker_url:
        print(
            "未配置事件代理:请设置 HUIMIN_EVENT_BROKER_URL (conversation analytics are off)",
            file=sys.stderr,
        )
        return 2
    logging.getLogger("pika").setLevel(logging.WARNING)  # its own lines on every reconnect
    import_all_models()
    engine = make_engine(settings)
    consumer = AnalyticsConsumer(settings, make_session_factory(engine))
    signal.signal(signal.SIGTERM, lambda *_: consumer.stop.set())
    signal.signal(signal.SIGINT, lambda *_: consumer.stop.set())
    try:
        return consumer.run()
    finally:
        engine.dispose()
