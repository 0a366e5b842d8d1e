"""The fault scripts' short forms (scripts/faults/, issue #18), as real processes.

Each runs the script as a user would and judges its result file: nothing lost, nothing
duplicated, every fault injected and recovered from. PostgreSQL is required under CI=true;
otherwise an unreachable server skips with the reason. The PostgreSQL-restart fault needs the
trained Rasa model and root (its own cluster): it runs with the end-to-end tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = os.environ.get(
    "HUIMIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MODEL = ROOT / "var" / "models" / "huimin.tar.gz"


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def postgres() -> str:
    import psycopg

    try:
        psycopg.connect(ADMIN_URL.replace("+psycopg", ""), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        _skip_or_fail(f"PostgreSQL unreachable at {ADMIN_URL}: {exc}")
    return ADMIN_URL


def run_fault(script: str, results: Path, *args: str, timeout: float) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", f"scripts.faults.{script}", "--short"]
    completed = subprocess.run(
        [*argv, "--results-dir", str(results), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    path = results / f"{script}-short.json"
    assert path.exists(), completed.stdout[-3000:] + completed.stderr[-3000:]
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return result


@pytest.mark.postgres
def test_api_killed_during_submissions_loses_and_duplicates_nothing(
    postgres: str, tmp_path: Path
) -> None:
    result = run_fault(
        "api_killed",
        tmp_path,
        "--port=5202",
        "--database-name=f_faults_test",
        f"--admin-url={postgres}",
        timeout=300,
    )
    assert result["faults_injected"] == 2
    assert result["recovered"] is True
    assert result["sent"] == result["accepted"] == 30
    assert result["lost"] == result["duplicated"] == 0
    assert result["details"]["applications stored"] == 30
    assert result["details"]["API starts"] == 3  # started once, restarted after each kill
    # replaying every acknowledged submission answers the same application; another body 409
    assert result["details"]["replayed afterwards: same application (200)"] == 30
    assert result["details"]["same key, other body: 409"] is True


@pytest.mark.postgres
def test_telegram_storm_drains_the_outbox_exactly_once(postgres: str, tmp_path: Path) -> None:
    result = run_fault(
        "telegram_storm",
        tmp_path,
        "--telegram-port=5232",
        "--api-port=5233",
        "--database-name=f_faults_tg_test",
        f"--admin-url={postgres}",
        timeout=300,
    )
    answers = result["details"]["sendMessage answers"]
    assert answers["429"] > 0
    assert answers["5xx"] > 0
    assert result["sent"] == result["accepted"] == 20
    assert result["details"]["delivered exactly once (at the fake)"] == 20
    assert result["details"]["outbox rows by status"] == {"delivered": 20}
    assert result["lost"] == result["duplicated"] == 0


@pytest.mark.e2e
def test_postgres_restart_api_and_rasa_recover_without_loss(tmp_path: Path) -> None:
    from scripts.faults.pg_cluster import why_unavailable

    reason = why_unavailable()
    if reason:
        _skip_or_fail(f"no PostgreSQL cluster of our own: {reason}")
    if not MODEL.exists():
        _skip_or_fail("no trained Rasa model: run `make test` (it trains before the e2e step)")
    result = run_fault("postgres_restart", tmp_path, "--port=5221", timeout=900)
    assert result["faults_injected"] == 1
    assert result["recovered"] is True
    assert result["lost"] == result["duplicated"] == 0
    details = result["details"]
    assert details["failures later than 15s after a restart"] == 0
    submitted, acknowledged, stored = details["API: submissions / acknowledged / stored"].split(
        " / "
    )
    assert submitted == acknowledged == stored
    _messages, answered, in_tracker = details["Rasa: messages / answered / in tracker store"].split(
        " / "
    )
    assert int(answered) > 0
    assert answered == in_tracker
