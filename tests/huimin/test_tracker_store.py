"""Rasa's conversations in the SQL tracker store (rasa_addons.tracker_store), SQLite and
PostgreSQL: raw ID numbers, mobile numbers and one-time codes never reach the database rows,
personal slot values are masked once the privacy reset replaces them, and a new store object (a
restarted Rasa) restores the conversation. The store runs under Rasa's environment
(``tests/huimin/tracker_store_probe.py`` in a subprocess: .venv-rasa has no pytest); the rows are
read raw from here. Also the retention job (``python -m launcher prune-conversations``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from huimin.settings import PROJECT_ROOT, Settings
from launcher.conversations import forget_idle_personal_data, prune_conversations
from rasa_addons.masking import mask_new_event, mask_text, mask_value, superseded_positions

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
PROBE = Path(__file__).with_name("tracker_store_probe.py")
ID_NUMBER = "330183197803120116"
PHONE = "13800138000"
OTP = "358201"
PG_BASE = os.environ.get(
    "HUIMIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

needs_rasa = pytest.mark.skipif(not RASA_PYTHON.exists(), reason="no .venv-rasa")


def probe(url: str, step: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    result = subprocess.run(
        [str(RASA_PYTHON), str(PROBE), url, step],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def raw_rows(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT type_name, data FROM events ORDER BY id"))
            return [(str(kind), str(data)) for kind, data in rows]
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(URL for Rasa's SQLAlchemy 1.4 + psycopg2, URL for this environment's SQLAlchemy 2)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'rasa' / 'trackers.db'}"
        yield url, url
        return
    schema = f"rasa_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {type(exc).__name__}")
    options = f"options=-csearch_path%3D{schema}"
    joiner = "&" if "?" in PG_BASE else "?"
    project_url = f"{PG_BASE}{joiner}{options}"
    try:
        # the project's spelling (postgresql+psycopg) is what the store is given, as in .env
        yield project_url, project_url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@needs_rasa
def test_personal_data_never_stored_raw_and_the_conversation_survives(
    store_urls: tuple[str, str],
) -> None:
    rasa_url, our_url = store_urls

    collected = probe(rasa_url, "collect")
    rows = raw_rows(our_url)
    stored = "\n".join(data for _kind, data in rows)
    # user and bot texts, entities: masked at once
    user_rows = [json.loads(data) for kind, data in rows if kind in ("user", "bot")]
    assert all(ID_NUMBER not in json.dumps(row) for row in user_rows)
    assert all(PHONE not in json.dumps(row) for row in user_rows)
    assert "330183********0116" in user_rows[0]["text"]
    assert "138****8000" in user_rows[0]["text"]
    assert user_rows[0]["parse_data"]["entities"][0]["value"] == "330183********0116"
    # the form still needs the value it collected on the next turn: restored as collected
    assert collected["slots"]["id_number"] == ID_NUMBER
    assert collected["slots"]["phone"] == PHONE
    assert collected["texts"] == ["我的身份证号是330183********0116,电话138****8000"]
    assert stored.count(ID_NUMBER) == 2  # the id_number slot and the members list, until reset

    after_code = probe(rasa_url, "otp")
    stored = "\n".join(data for _kind, data in raw_rows(our_url))
    assert OTP not in stored  # the one-time code: neither the text nor the slot
    assert after_code["texts"][-1] == "******"
    assert after_code["slots"]["identity_code"] == "******"
    assert after_code["slots"]["id_number"] == ID_NUMBER  # a new store object: restart survival

    after_reset = probe(rasa_url, "reset")
    rows = raw_rows(our_url)
    stored = "\n".join(data for _kind, data in rows)
    assert ID_NUMBER not in stored
    assert PHONE not in stored
    assert "张三" not in stored
    slot_values = {
        json.loads(data)["name"]: json.loads(data)["value"]
        for kind, data in rows
        if kind == "slot" and json.loads(data)["value"] is not None
    }
    assert slot_values["id_number"] == "330183********0116"
    assert slot_values["phone"] == "138****8000"
    assert slot_values["members"] == [{"name": "张*", "id_number": "330183********0116"}]
    assert after_reset["slots"]["id_number"] is None
    assert len(after_reset["texts"]) == 3  # the whole conversation is still there


@needs_rasa
def test_store_survives_the_database_ending_its_connections(
    store_urls: tuple[str, str],
) -> None:
    """A PostgreSQL restart ends every pooled connection; the next save must not fail."""
    rasa_url, _our_url = store_urls
    if not rasa_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    answer = probe(rasa_url, "disconnect")
    assert answer["terminated"] is True
    assert answer["texts"] == ["断开之前", "断开之后"]


@needs_rasa
@pytest.mark.postgres
def test_store_waits_out_a_database_outage_instead_of_losing_the_turn() -> None:
    """Stopped for 3 s (the fault scripts' own cluster, never the shared server): the turn
    waits, is stored, and the conversation is intact (not answered from memory and lost)."""
    from scripts.faults.common import recreate_database
    from scripts.faults.pg_cluster import ensure_cluster, why_unavailable

    reason = why_unavailable()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    cluster, _done = ensure_cluster()
    url = recreate_database(cluster.admin_url, "f_tracker_outage")
    answer = probe(url, f"outage:{cluster.version}:{cluster.name}")
    assert answer["waited"] >= 2.5  # it did wait for the database
    assert answer["texts"] == ["停机之前", "停机期间"]


def test_masking_rules() -> None:
    assert mask_text(f"号码{ID_NUMBER}。") == "号码330183********0116。"
    assert mask_text("33018319780312011X") == "330183********011X"
    assert mask_text("电话 138-0013-8000 或 +86 13900139000") == "电话 138****8000 或 139****9000"
    assert mask_text("申请编号 FY20261102000123") == "申请编号 FY20261102000123"
    assert mask_text("1234567890123456789") == "1234567890123456789"  # 19 digits: not an ID
    assert mask_value(["张三", 3, True, None]) == ["张*", 3, True, None]
    otp = mask_new_event(
        {"event": "user", "text": "358201", "parse_data": {"text": "358201", "entities": []}},
        requested_slot="identity_code",
    )
    assert "358201" not in json.dumps(otp)
    kept = mask_new_event({"event": "slot", "name": "id_number", "value": ID_NUMBER})
    assert kept["value"] == ID_NUMBER
    # the dialogue's own states in the code slot survive the reload on the next message
    for state in ("sent", "verified", "skipped"):
        slot = mask_new_event({"event": "slot", "name": "identity_code", "value": state})
        assert slot["value"] == state
    typed = mask_new_event({"event": "slot", "name": "identity_code", "value": "358201"})
    assert typed["value"] == "******"
    events = [
        {"event": "slot", "name": "id_number", "value": "a"},
        {"event": "slot", "name": "phone", "value": "b"},
        {"event": "slot", "name": "id_number", "value": None},
    ]
    assert superseded_positions(events) == [0]


def _store_events(url: str, rows: list[tuple[str, float]]) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                "action_name VARCHAR(255), data TEXT)"
            )
        )
        for sender, stamp in rows:
            connection.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) "
                    "VALUES (:s, 'user', :t, '{}')"
                ),
                {"s": sender, "t": stamp},
            )
    engine.dispose()


def test_prune_deletes_conversations_idle_beyond_the_retention(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'trackers.db'}"
    settings = Settings(var_dir=tmp_path, tracker_store_url=url, conversation_retention_days=90)
    now = time.time()
    day = 86400.0
    _store_events(
        url,
        [
            ("telegram:old", now - 200 * day),
            ("telegram:old", now - 91 * day),
            ("web:recent", now - 200 * day),  # an old start but active yesterday
            ("web:recent", now - 1 * day),
        ],
    )
    assert prune_conversations(settings, now=now) == 1
    engine = create_engine(url)
    with engine.connect() as connection:
        senders = set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    assert senders == {"web:recent"}
    assert prune_conversations(settings, now=now) == 0


def test_prune_command_without_a_store_yet(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HUIMIN_VAR_DIR": str(tmp_path),
        "HUIMIN_TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'none.db'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "launcher", "prune-conversations"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "已删除 0 个" in result.stdout


@needs_rasa
def test_an_unfinished_form_forgets_its_personal_data_when_idle(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rasa' / 'trackers.db'}"
    settings = Settings(var_dir=tmp_path, tracker_store_url=url)
    probe(url, "collect")  # the form holds the ID number, phone and members, then goes quiet
    assert forget_idle_personal_data(settings, idle_hours=24) == 0  # not idle yet
    assert ID_NUMBER in "".join(data for _kind, data in raw_rows(url))

    later = time.time() + 2 * 86400
    latest_before = _latest_timestamp(url)
    assert forget_idle_personal_data(settings, idle_hours=24, now=later) == 1
    assert _latest_timestamp(url) == latest_before  # forgetting does not make it look active
    assert forget_idle_personal_data(settings, idle_hours=24, now=later) == 0  # done once
    stored = "".join(data for _kind, data in raw_rows(url))
    assert ID_NUMBER not in stored
    assert PHONE not in stored
    restored = probe(url, "noop")  # Rasa restores the conversation without the personal slots
    assert restored["slots"]["id_number"] is None
    assert restored["slots"]["members"] is None
    assert restored["slots"]["requested_slot"] == "identity_code"


def _latest_timestamp(url: str) -> float:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return float(connection.execute(text("SELECT MAX(timestamp) FROM events")).scalar_one())
    finally:
        engine.dispose()
