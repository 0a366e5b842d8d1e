"""Fault "RabbitMQ down" (issue #18), short form of scripts/faults/rabbitmq_down.py: real Rasa
with its pika event broker on a RabbitMQ node of the test's own (ports 5372/5373), the API, the
action server and the analytics consumer. RabbitMQ is stopped while residents keep chatting;
every turn must be answered; once it is back, the funnel must count exactly what was said,
including the conversations on Rasa's REST channel. CI=true: a missing RabbitMQ or model fails."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "faults" / "rabbitmq_down.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rabbitmq_down", SCRIPT)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    # registered first: its dataclasses resolve their (string) annotations through sys.modules
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_dialogue_keeps_answering_and_analytics_catch_up(tmp_path: Path) -> None:
    fault = load()
    missing = None
    if not fault.RabbitNode.available():
        missing = "rabbitmq-server/rabbitmqctl not installed"
    elif not fault.MODEL.exists():
        missing = "no trained Rasa model: run `make test` (it trains before the e2e step)"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    report = fault.run_fault(tmp_path, short=True, base_port=5300, catch_up_seconds=90)
    during = report["during_outage"]
    assert during["turns"] == 8  # two conversations of 4 turns (the last types an ID number)
    assert during["answered"] == 8, report
    assert report["dialogue_kept_answering"]
    assert report["health_during_outage"]["kind"] == "rabbitmq"
    assert report["health_during_outage"]["ok"] is False
    assert report["caught_up"], report
    assert report["lost"] == {}
    assert report["broker_copy"]["id_number_found"] is False  # the typed ID number: never raw
    assert report["over_counted"] == {}
    counted = report["counted"]
    assert counted["conversations"] == 3
    assert counted["channel:rest"] == 2  # the two conversations during the outage
    assert counted["channel:web"] == 1
    assert report["ok"]
