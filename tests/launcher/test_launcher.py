"""Start-up: one clear line per bad setting; Rasa retrained only when its inputs change."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from huimin.settings import ACTION_SECRET_HEADER, PROJECT_ROOT, Settings
from launcher import rasa_model
from launcher.preflight import (
    check_database,
    check_embedding_model,
    check_internal_hops,
    check_port_free,
    run_checks,
)
from launcher.processes import child_environment, process_specs, write_endpoints


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(var_dir=tmp_path, **overrides)  # type: ignore[arg-type]


def test_port_in_use_is_named(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        problem = check_port_free("127.0.0.1", port, "HUIMIN_API_PORT")
    assert problem is not None
    assert problem.setting == "HUIMIN_API_PORT"
    assert str(port) in problem.message


def test_unreachable_database_is_named(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database_url="postgresql://nobody@127.0.0.1:1/none")
    problem = check_database(settings)
    assert problem is not None
    assert problem.setting == "HUIMIN_DATABASE_URL"


def test_missing_model_folder_is_named(tmp_path: Path) -> None:
    problem = check_embedding_model(make_settings(tmp_path, embedding_model=str(tmp_path / "no")))
    assert problem is not None
    assert problem.setting == "HUIMIN_EMBEDDING_MODEL"
    assert check_embedding_model(make_settings(tmp_path)) is None  # the bundled default


def test_production_refuses_demo_secrets(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, environment="production")
    problems = run_checks(settings, check_ports=False)
    assert {p.setting for p in problems} >= {"HUIMIN_SECRET_KEY", "HUIMIN_INTERNAL_TOKEN"}


def test_cli_stops_with_one_line_per_problem_and_no_traceback(tmp_path: Path) -> None:
    env = {
        "HUIMIN_VAR_DIR": str(tmp_path),
        "HUIMIN_API_PORT": "99999",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "launcher", "check"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "HUIMIN_API_PORT" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_endpoints_follow_the_action_port(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, action_port=6123)
    path = write_endpoints(settings)
    assert "http://127.0.0.1:6123/webhook" in path.read_text(encoding="utf-8")
    rasa = next(spec for spec in process_specs(settings) if spec.name == "rasa")
    assert str(path) in rasa.command
    assert "127.0.0.1" in rasa.command  # Rasa listens on an internal address only


def test_endpoints_send_the_secret_and_store_conversations_without_secrets_on_disk(
    tmp_path: Path,
) -> None:
    settings = make_settings(
        tmp_path, action_secret="a-real-secret-1234", tracker_store_url="sqlite:////srv/t.db"
    )
    text = write_endpoints(settings).read_text(encoding="utf-8")
    assert f"    {ACTION_SECRET_HEADER}: ${{HUIMIN_ACTION_SECRET}}" in text
    assert "a-real-secret-1234" not in text
    assert "type: rasa_addons.tracker_store.MaskingSQLTrackerStore" in text
    assert "url: ${HUIMIN_TRACKER_STORE_URL}" in text
    env = child_environment(settings)  # what Rasa fills the references from
    assert env["HUIMIN_ACTION_SECRET"] == "a-real-secret-1234"
    assert env["HUIMIN_TRACKER_STORE_URL"] == "sqlite:////srv/t.db"
    assert str(PROJECT_ROOT) in env["PYTHONPATH"].split(os.pathsep)  # rasa_addons importable
    default = child_environment(make_settings(tmp_path))["HUIMIN_TRACKER_STORE_URL"]
    assert default == f"sqlite:///{tmp_path / 'rasa' / 'trackers.db'}"


def test_endpoints_with_action_tls_use_https_and_trust_the_certificate(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        action_host="10.0.0.5",
        action_ssl_certificate=tmp_path / "c.pem",
        action_ssl_keyfile=tmp_path / "k.pem",
    )
    text = write_endpoints(settings).read_text(encoding="utf-8")
    assert 'url: "https://10.0.0.5:5055/webhook"' in text
    assert f'cafile: "{tmp_path / "c.pem"}"' in text


def test_rasa_api_needs_the_token_and_allows_no_cross_origin_calls(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rasa_auth_token="tok-123")
    specs = {spec.name: spec for spec in process_specs(settings)}
    rasa = specs["rasa"].command
    assert rasa[rasa.index("--auth-token") + 1] == "tok-123"
    assert "--cors" not in rasa
    assert "*" not in rasa
    assert "--ssl-certificate" not in rasa
    assert specs["actions"].command[1:] == ["-m", "actions.server"]
    with_tls = make_settings(
        tmp_path, rasa_ssl_certificate=tmp_path / "c.pem", rasa_ssl_keyfile=tmp_path / "k.pem"
    )
    rasa = next(s for s in process_specs(with_tls) if s.name == "rasa")
    assert rasa.command[rasa.command.index("--ssl-certificate") + 1] == str(tmp_path / "c.pem")
    assert rasa.url.startswith("https://")


def test_loopback_hosts_need_nothing_more(tmp_path: Path) -> None:
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert check_internal_hops(make_settings(tmp_path, rasa_host=host, action_host=host)) == []


def test_beyond_loopback_needs_tls_and_real_secrets(tmp_path: Path) -> None:
    problems = check_internal_hops(
        make_settings(tmp_path, rasa_host="0.0.0.0", action_host="10.0.0.5")
    )
    named = [p.setting for p in problems]
    assert named == [
        "HUIMIN_RASA_HOST",
        "HUIMIN_RASA_AUTH_TOKEN",
        "HUIMIN_ACTION_HOST",
        "HUIMIN_ACTION_SECRET",
    ]
    assert all("\n" not in str(p) for p in problems)
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("x")
    configured = make_settings(
        tmp_path,
        rasa_host="0.0.0.0",
        action_host="10.0.0.5",
        rasa_ssl_certificate=cert,
        rasa_ssl_keyfile=key,
        action_ssl_certificate=cert,
        action_ssl_keyfile=tmp_path / "missing.pem",
        rasa_auth_token="real-token-9",
        action_secret="real-secret-9",
    )
    assert [p.setting for p in check_internal_hops(configured)] == ["HUIMIN_ACTION_SSL_KEYFILE"]


def test_cli_refuses_a_public_rasa_host_without_tls(tmp_path: Path) -> None:
    env = {
        "HUIMIN_VAR_DIR": str(tmp_path),
        "HUIMIN_RASA_HOST": "0.0.0.0",
        "HUIMIN_RASA_PORT": str(free_port()),
        "HUIMIN_RASA_AUTH_TOKEN": "real-token-9",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "launcher", "check"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if "HUIMIN_RASA" in line]
    assert len(lines) == 1
    assert "HUIMIN_RASA_HOST" in lines[0]
    assert "Traceback" not in result.stderr


def test_telegram_bridge_only_with_a_token(tmp_path: Path) -> None:
    assert "telegram" not in {s.name for s in process_specs(make_settings(tmp_path))}
    with_token = make_settings(tmp_path, telegram_token="123:abc")
    assert "telegram" in {s.name for s in process_specs(with_token)}


def test_sms_worker_only_with_a_gateway(tmp_path: Path) -> None:
    assert "sms" not in {s.name for s in process_specs(make_settings(tmp_path))}
    with_gateway = make_settings(tmp_path, sms_gateway_url="https://sms.example/api/send")
    sms = next(s for s in process_specs(with_gateway) if s.name == "sms")
    assert sms.command[-3:] == ["-m", "workflows", "deliver-sms"]


def test_rasa_fingerprint_changes_with_training_data_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bot" / "data").mkdir(parents=True)
    (tmp_path / "bot" / "tests").mkdir()
    (tmp_path / "config.yml").write_text("language: zh\n", encoding="utf-8")
    (tmp_path / "bot" / "data" / "nlu.yml").write_text("nlu: []\n", encoding="utf-8")
    monkeypatch.setattr(rasa_model, "PROJECT_ROOT", tmp_path)
    before = rasa_model.fingerprint()
    (tmp_path / "bot" / "tests" / "test_x.yml").write_text("stories: []\n", encoding="utf-8")
    (tmp_path / "bot" / "README.md").write_text("# notes\n", encoding="utf-8")
    assert rasa_model.fingerprint() == before
    (tmp_path / "bot" / "data" / "nlu.yml").write_text("nlu: [x]\n", encoding="utf-8")
    assert rasa_model.fingerprint() != before


def test_current_model_is_not_retrained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings(tmp_path)
    model = rasa_model.model_path(settings)
    model.parent.mkdir(parents=True)
    model.write_bytes(b"model")
    rasa_model.fingerprint_path(settings).write_text(rasa_model.fingerprint(), encoding="utf-8")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("rasa train must not run for an unchanged model")

    monkeypatch.setattr(rasa_model.subprocess, "run", refuse)
    assert rasa_model.train_if_needed(settings) is False
