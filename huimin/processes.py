"""The processes `make run` starts, as (name, command, environment) rows."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from huimin.rasa_model import RASA_BIN, model_path
from huimin.settings import PROJECT_ROOT, Settings


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    command: list[str]
    url: str
    what: str
    env: dict[str, str] = field(default_factory=dict)


def process_specs(settings: Settings) -> list[ProcessSpec]:
    python = sys.executable
    specs = [
        ProcessSpec(
            "api",
            [python, "-m", "workflows", "serve", "--port", str(settings.api_port)],
            f"http://{settings.api_host}:{settings.api_port}",
            "API 服务 (FastAPI): 申请、审核、资格预审、政策问答、工作人员页面",
        ),
        ProcessSpec(
            "actions",
            [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)],
            f"http://127.0.0.1:{settings.action_port}/webhook",
            "Rasa 自定义动作服务 (rasa-sdk)",
        ),
        ProcessSpec(
            "rasa",
            [
                str(RASA_BIN), "run", "--enable-api", "--cors", "*",
                "-i", settings.rasa_host, "-p", str(settings.rasa_port),
                "--model", str(model_path(settings)),
                "--endpoints", "bot/endpoints.yml",
                "--credentials", "bot/credentials.yml",
            ],
            f"http://{settings.rasa_host}:{settings.rasa_port}",
            "Rasa 对话服务 (REST: /webhooks/rest/webhook, /model/parse)",
        ),
    ]
    if settings.telegram_token:
        specs.append(
            ProcessSpec(
                "telegram",
                [python, "-m", "channels.telegram"],
                "Telegram long polling" if not settings.telegram_webhook_url
                else settings.telegram_webhook_url,
                "Telegram 桥接 (python-telegram-bot)",
            )
        )
    return specs


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("ANONYMIZED_TELEMETRY", "False")
    env.setdefault("PYTHONPATH", str(PROJECT_ROOT))
    env["PYTHONUNBUFFERED"] = "1"
    return env
