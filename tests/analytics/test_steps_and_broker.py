"""The funnel's questions follow the application form's domain; the broker's endpoints block."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from huimin.settings import Settings
from launcher.broker import PASSWORD_VARIABLE, broker_environment, event_broker_yaml
from workflows.analytics import keys, steps

ROOT = Path(__file__).resolve().parents[2]


def test_questions_are_the_application_forms_required_slots_in_order() -> None:
    domain = yaml.safe_load((ROOT / "bot" / "domain" / "application_form.yml").read_text("utf-8"))
    required = domain["forms"][steps.APPLICATION_FORM]["required_slots"]
    assert [slot for slot, _, _ in steps.APPLICATION_QUESTIONS] == required


def test_no_broker_no_block() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert event_broker_yaml(settings) == ""
    assert broker_environment(settings) == {}


def test_broker_block_keeps_the_password_out_of_the_file() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        event_broker_url="amqp://huimin:s3cret%21@10.0.0.5:5673/",
        event_broker_queue="rasa_events",
    )
    text = event_broker_yaml(settings)
    block = yaml.safe_load(text)["event_broker"]
    assert block["type"] == "pika"
    assert block["url"] == "10.0.0.5"
    assert block["port"] == 5673
    assert block["username"] == "huimin"
    assert block["password"] == "${" + PASSWORD_VARIABLE + "}"
    assert block["queues"] == ["rasa_events"]
    assert block["exchange_name"] == "rasa-exchange"
    assert "s3cret" not in text
    assert broker_environment(settings) == {PASSWORD_VARIABLE: "s3cret!"}


def test_a_virtual_host_goes_in_an_amqp_url() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        event_broker_url="amqp://guest:guest@127.0.0.1:5672/huimin",
    )
    block = yaml.safe_load(event_broker_yaml(settings))["event_broker"]
    assert block["url"] == "amqp://127.0.0.1:5672/huimin"


def test_a_broker_url_that_is_not_amqp_is_refused() -> None:
    settings = Settings(_env_file=None, event_broker_url="http://x")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="amqp"):
        event_broker_yaml(settings)


def test_production_refuses_the_demo_analytics_key_with_a_broker() -> None:
    base = {"_env_file": None, "environment": "production"}
    without = Settings(**base)  # type: ignore[arg-type]
    assert not any("ANALYTICS" in p for p in without.production_problems())
    with_broker = Settings(**base, event_broker_url="amqp://u:p@127.0.0.1/")  # type: ignore[arg-type]
    assert any("HUIMIN_ANALYTICS_HMAC_KEY" in p for p in with_broker.production_problems())


def test_channel_and_week() -> None:
    assert keys.channel_of("telegram:123", "rest") == "telegram"
    assert keys.channel_of("counter:rev:uuid", "rest") == "counter"
    assert keys.channel_of("a1b2", "rest") == "rest"
    assert keys.channel_of("a1b2", None) is None
    # Sunday 2026-11-29 23:30 in Shanghai is 15:30 UTC: still ISO week 48 (Monday 11-23)
    sunday_night = keys.moment(1795966200.0)
    assert sunday_night.isoformat() == "2026-11-29T15:30:00+00:00"
    monday = keys.week_start(sunday_night)
    assert monday.isoformat() == "2026-11-23"
    assert keys.iso_week(monday) == "2026-W48"
    # 16:30 UTC the same day is Monday 00:30 in Shanghai: week 49
    assert keys.iso_week(keys.week_start(keys.moment(1795966200.0 + 3600))) == "2026-W49"


def test_keys_are_hmacs_that_change_with_the_secret() -> None:
    a = keys.sender_key(b"k1", "telegram:42")
    assert a != keys.sender_key(b"k2", "telegram:42")
    assert "42" not in a
    assert len(a) == 64
    assert keys.conversation_key(b"k1", "telegram:42", 1.5) != keys.conversation_key(
        b"k1", "telegram:42", 2.5
    )
