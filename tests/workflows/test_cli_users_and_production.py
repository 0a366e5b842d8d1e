"""Fail closed in production (demo secrets, usable demo accounts) and the account commands
disable-user / reset-password (audited; the password never on the command line).

The processes are started for real (`python -m workflows …`, `python -m channels.telegram`)
against the test database; an empty working folder keeps a developer's .env out."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from huimin.settings import Settings
from workflows.audit.models import AuditEvent
from workflows.auth import service as auth_service
from workflows.auth.enums import Role
from workflows.cli import users
from workflows.cli.production import DemoAccountsInProduction, refuse_unsafe_start
from workflows.cli.seed import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "test-password-1"
NEW_PASSWORD = "a-new-password-7"
PRODUCTION_SECRETS = {
    "HUIMIN_SECRET_KEY": "prod-secret-key-0123456789abcdef0123456789",
    "HUIMIN_INTERNAL_TOKEN": "prod-internal-token-0123456789",
    "HUIMIN_RASA_AUTH_TOKEN": "prod-rasa-token-0123456789",
    "HUIMIN_ACTION_SECRET": "prod-action-secret-0123456789",
    "HUIMIN_AUDIT_HMAC_KEY": "prod-audit-key-0123456789",
}


def _run(
    tmp_path: Path, *args: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUIMIN_")}
    clean.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=tmp_path,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _db_env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        "HUIMIN_DATABASE_URL": settings.effective_database_url,
        "HUIMIN_VAR_DIR": str(settings.var_dir),
        "HUIMIN_PASSWORD_HASH_ROUNDS": "4",
        **extra,
    }


def _production(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "environment": "production",
            **{
                k.removeprefix("HUIMIN_").lower(): SecretStr(v)
                for k, v in PRODUCTION_SECRETS.items()
            },
        }
    )


def _add_user(app: FastAPI, username: str, password: str, role: Role = Role.SUPERVISOR) -> None:
    with app.state.session_factory() as session:
        auth_service.create_user(
            session,
            username=username,
            password=password,
            role=role,
            township_code=None,
            rounds=4,
            now=app.state.clock.now(),
        )
        session.commit()


def _audit(app: FastAPI, action: str) -> list[AuditEvent]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _token(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/auth/token", json={"username": username, "password": password})


# --- reset-password ----------------------------------------------------------------------------
def test_reset_password_reads_stdin_in_a_real_process(
    app: FastAPI, client: TestClient, api_settings: Settings, tmp_path: Path
) -> None:
    _add_user(app, "super", PASSWORD)
    before = _token(client, "super", PASSWORD).json()["access_token"]
    me = {"Authorization": f"Bearer {before}"}
    assert client.get("/api/auth/me", headers=me).status_code == 200
    done = _run(
        tmp_path,
        "workflows",
        "reset-password",
        "super",
        env=_db_env(api_settings),
        stdin=NEW_PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    assert "已重设账号 super 的密码" in done.stdout
    # a token issued under the old password ends with the reset
    assert client.get("/api/auth/me", headers=me).status_code == 401
    assert _token(client, "super", PASSWORD).status_code == 401
    assert _token(client, "super", NEW_PASSWORD).status_code == 200
    [event] = _audit(app, "staff_user.password_reset")
    assert event.actor == "cli"
    assert event.data == {"username": "super"}
    # the password is never an argument
    refused = _run(
        tmp_path,
        "workflows",
        "reset-password",
        "super",
        "--password",
        "x" * 12,
        env=_db_env(api_settings),
    )
    assert refused.returncode == 2
    assert "unrecognized arguments" in refused.stderr


def test_reset_password_at_a_terminal_asks_twice(
    app: FastAPI,
    client: TestClient,
    api_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _add_user(app, "super", PASSWORD)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    typed = iter([NEW_PASSWORD, "a-typo-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert users.reset_password(api_settings, username="super", stdin=Terminal()) == 2
    assert "两次输入的密码不一致" in capsys.readouterr().err
    typed = iter([NEW_PASSWORD, NEW_PASSWORD])
    assert users.reset_password(api_settings, username="super", stdin=Terminal()) == 0
    assert _token(client, "super", NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("username", "typed", "reason"),
    [
        ("super", "short", "密码至少8位"),
        ("super", DEMO_PASSWORD, "不能使用演示密码"),
        ("nobody", NEW_PASSWORD, "用户名不存在:nobody"),
    ],
)
def test_reset_password_refusals(
    app: FastAPI,
    api_settings: Settings,
    capsys: pytest.CaptureFixture[str],
    username: str,
    typed: str,
    reason: str,
) -> None:
    _add_user(app, "super", PASSWORD)
    assert users.reset_password(api_settings, username=username, stdin=io.StringIO(typed)) == 2
    assert reason in capsys.readouterr().err
    assert _audit(app, "staff_user.password_reset") == []


def test_create_user_reads_the_password_from_stdin_when_not_given(
    app: FastAPI, client: TestClient, api_settings: Settings
) -> None:
    code = users.create_user(
        api_settings,
        username="new-adviser",
        password=None,
        role="adviser",
        township=None,
        stdin=io.StringIO(NEW_PASSWORD + "\n"),
    )
    assert code == 0
    assert _token(client, "new-adviser", NEW_PASSWORD).status_code == 200


# --- disable-user ------------------------------------------------------------------------------
def test_disable_user_stops_tokens_and_logins_at_once(
    app: FastAPI,
    client: TestClient,
    api_settings: Settings,
    tmp_path: Path,
    login: Callable[[str], dict[str, str]],
) -> None:
    headers = login("rev_fuchun")
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    done = _run(tmp_path, "workflows", "disable-user", "rev_fuchun", env=_db_env(api_settings))
    assert done.returncode == 0, done.stderr
    assert "已停用账号 rev_fuchun" in done.stdout
    assert client.get("/api/auth/me", headers=headers).status_code == 401
    assert _token(client, "rev_fuchun", PASSWORD).status_code == 401
    [event] = _audit(app, "staff_user.disabled")
    assert (event.actor, event.data) == ("cli", {"username": "rev_fuchun"})
    # again: nothing to do, nothing recorded
    assert users.disable_user(api_settings, username="rev_fuchun") == 0
    assert len(_audit(app, "staff_user.disabled")) == 1
    assert users.disable_user(api_settings, username="nobody") == 2


# --- fail closed in production -----------------------------------------------------------------
def test_production_refuses_usable_demo_accounts(app: FastAPI, api_settings: Settings) -> None:
    production = _production(api_settings)
    refuse_unsafe_start(production, process="test")  # no demo accounts: starts
    _add_user(app, "supervisor", DEMO_PASSWORD)
    _add_user(app, "adviser", "operators-own-password", Role.ADVISER)  # a demo name, own password
    with pytest.raises(DemoAccountsInProduction) as refused:
        refuse_unsafe_start(production, process="test")
    assert refused.value.code == 78
    # outside production the demo accounts are fine
    refuse_unsafe_start(api_settings, process="test")
    # fixed by a new password, or by disabling the account
    assert (
        users.reset_password(api_settings, username="supervisor", stdin=io.StringIO(NEW_PASSWORD))
        == 0
    )
    refuse_unsafe_start(production, process="test")
    _add_user(app, "reviewer-001", DEMO_PASSWORD, Role.SUPERVISOR)
    with pytest.raises(DemoAccountsInProduction):
        refuse_unsafe_start(production, process="test")
    assert users.disable_user(api_settings, username="reviewer-001") == 0
    refuse_unsafe_start(production, process="test")


def test_serve_refuses_a_demo_account_in_production(
    app: FastAPI, api_settings: Settings, tmp_path: Path
) -> None:
    _add_user(app, "supervisor", DEMO_PASSWORD)
    env = _db_env(api_settings, HUIMIN_ENVIRONMENT="production", **PRODUCTION_SECRETS)
    done = _run(tmp_path, "workflows", "serve", "--port", "1", env=env)
    assert done.returncode == 78, done.stderr
    assert "演示账号仍可用演示密码登录:supervisor" in done.stderr
    assert "reset-password" in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("workflows", "serve", "--port", "1"),
        ("workflows", "deliver-sms", "--once"),
        ("channels.telegram",),
    ],
    ids=["api", "sms-worker", "telegram-bridge"],
)
def test_every_process_refuses_demo_secrets_in_production(
    api_settings: Settings, tmp_path: Path, command: tuple[str, ...]
) -> None:
    env = _db_env(
        api_settings,
        HUIMIN_ENVIRONMENT="production",
        HUIMIN_TELEGRAM_TOKEN="123456:not-a-real-token",
        HUIMIN_SMS_GATEWAY_URL="http://127.0.0.1:1/send",
        # every secret set but HUIMIN_SECRET_KEY, left at its demo value
        **{k: v for k, v in PRODUCTION_SECRETS.items() if k != "HUIMIN_SECRET_KEY"},
    )
    done = _run(tmp_path, *command, env=env)
    assert done.returncode == 78, done.stderr
    assert "HUIMIN_SECRET_KEY 仍为演示值" in done.stderr
    assert "HUIMIN_INTERNAL_TOKEN" not in done.stderr  # only the demo one is named
