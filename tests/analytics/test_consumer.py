"""The consumer against the real RabbitMQ (127.0.0.1:5672, queues and exchanges named a_… and
deleted after): recorded Rasa events in, funnel rows out; acknowledged only after the commit;
redelivered events counted once; unreadable messages rejected; an unreachable RabbitMQ is
retried with back-off, never a crash. Under CI=true a missing RabbitMQ fails."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pika
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from huimin.settings import Settings
from tests.analytics.test_record import SECRET, record_all
from workflows.analytics.consumer import AnalyticsConsumer
from workflows.analytics.models import AnalyticsConversation, AnalyticsStep

BROKER = os.environ.get("HUIMIN_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


@pytest.fixture
def names() -> Iterator[tuple[str, str]]:
    """A queue and an exchange of this test only; deleted afterwards."""
    try:
        connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    except pika.exceptions.AMQPError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"RabbitMQ is required in CI but unreachable: {error!r}")
        pytest.skip(f"RabbitMQ unreachable at {BROKER}")
    suffix = uuid.uuid4().hex[:8]
    queue, exchange = f"a_test_events_{suffix}", f"a_test_exchange_{suffix}"
    try:
        yield queue, exchange
    finally:
        channel = connection.channel()
        channel.queue_delete(queue)
        channel.exchange_delete(exchange)
        connection.close()


def settings_for(app: FastAPI, queue: str, exchange: str, url: str = BROKER) -> Settings:
    return app.state.settings.model_copy(
        update={
            "event_broker_url": url,
            "event_broker_queue": queue,
            "event_broker_exchange": exchange,
            "analytics_hmac_key": app.state.settings.analytics_hmac_key.__class__(SECRET.decode()),
        }
    )


def publish(exchange: str, bodies: list[bytes]) -> None:
    """As Rasa's pika broker does: to the fanout exchange, persistent."""
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    try:
        channel = connection.channel()
        for body in bodies:
            channel.basic_publish(
                exchange=exchange,
                routing_key="",
                body=body,
                properties=pika.BasicProperties(delivery_mode=2),
            )
    finally:
        connection.close()


def queue_depth(queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    try:
        return int(connection.channel().queue_declare(queue, durable=True).method.message_count)
    finally:
        connection.close()


def counts(app: FastAPI) -> tuple[int, int]:
    with app.state.session_factory() as session:
        return (
            int(session.scalar(select(func.count()).select_from(AnalyticsConversation)) or 0),
            int(session.scalar(select(func.count()).select_from(AnalyticsStep)) or 0),
        )


def running(consumer: AnalyticsConsumer) -> threading.Thread:
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    return thread


def until(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("not within the time")


def test_recorded_events_through_rabbitmq_count_once(
    app: FastAPI, recorded: dict[str, Any], names: tuple[str, str]
) -> None:
    queue, exchange = names
    consumer = AnalyticsConsumer(settings_for(app, queue, exchange), app.state.session_factory)
    thread = running(consumer)
    try:
        until(lambda: consumer.stats.connections == 1)  # queue declared and bound
        bodies = [json.dumps(e, ensure_ascii=False).encode() for e in recorded["events"]]
        publish(exchange, bodies + bodies)  # every event delivered twice
        until(lambda: consumer.stats.received == 2 * len(bodies))
    finally:
        consumer.stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert queue_depth(queue) == 0  # all acknowledged
    through_broker = counts(app)
    assert through_broker[0] == 4
    assert consumer.stats.counted == through_broker[1]
    # the same as recording the events directly, once
    assert record_all(app, recorded["events"]) == []


def test_unacknowledged_on_a_database_error_then_redelivered_once(
    app: FastAPI, recorded: dict[str, Any], names: tuple[str, str]
) -> None:
    queue, exchange = names
    real_factory = app.state.session_factory
    failures = {"left": 3}

    def flaky_factory() -> Any:
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("SELECT 1", {}, Exception("database away"))
        return real_factory()

    consumer = AnalyticsConsumer(
        settings_for(app, queue, exchange), flaky_factory, max_backoff_seconds=0.5
    )
    thread = running(consumer)
    try:
        until(lambda: consumer.stats.connections >= 1)
        bodies = [json.dumps(e, ensure_ascii=False).encode() for e in recorded["events"]]
        publish(exchange, bodies)
        until(lambda: queue_depth(queue) == 0 and consumer.stats.outages == 3, timeout=60)
        until(lambda: counts(app)[0] == 4)
    finally:
        consumer.stop.set()
        thread.join(10)
    assert consumer.stats.connections >= 4  # reconnected after each database error
    expected_steps = counts(app)[1]
    assert consumer.stats.counted == expected_steps
    assert record_all(app, recorded["events"]) == []  # nothing missing, nothing twice


def test_unreadable_messages_are_rejected_not_requeued(
    app: FastAPI, names: tuple[str, str]
) -> None:
    queue, exchange = names
    consumer = AnalyticsConsumer(settings_for(app, queue, exchange), app.state.session_factory)
    thread = running(consumer)
    try:
        until(lambda: consumer.stats.connections == 1)
        publish(exchange, [b"\xff not json", b'{"event": "user"}', b"[1, 2]"])
        until(lambda: consumer.stats.rejected == 3)
    finally:
        consumer.stop.set()
        thread.join(10)
    assert queue_depth(queue) == 0
    assert counts(app) == (0, 0)


def test_unreachable_rabbitmq_is_retried_with_back_off(app: FastAPI) -> None:
    nothing_there = "amqp://guest:guest@127.0.0.1:5399/"  # a port of this helper, closed
    consumer = AnalyticsConsumer(
        settings_for(app, "a_never", "a_never", url=nothing_there),
        app.state.session_factory,
        max_backoff_seconds=2,
    )
    thread = running(consumer)
    time.sleep(4)
    assert thread.is_alive()  # no crash
    consumer.stop.set()
    thread.join(5)
    assert not thread.is_alive()
    # waits 1 s, 2 s, 2 s, …: about 3 attempts in 4 s, not a tight loop
    assert 2 <= consumer.stats.outages <= 4
    assert consumer.stats.connections == 0


def test_the_command_without_a_broker_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    from workflows.analytics.consumer import analytics_consume

    assert analytics_consume(Settings(_env_file=None)) == 2  # type: ignore[call-arg]
    assert "未配置事件代理" in capsys.readouterr().err


def test_the_command_refuses_the_demo_key_in_production() -> None:
    from huimin.secrets import DemoSecretsInProduction
    from workflows.analytics.consumer import analytics_consume

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="production",
        event_broker_url=BROKER,
        secret_key="a" * 40,
        internal_token="b" * 40,
        rasa_auth_token="c" * 40,
        action_secret="d" * 40,
        audit_hmac_key="e" * 40,
    )
    with pytest.raises(DemoSecretsInProduction):
        analytics_consume(settings)
