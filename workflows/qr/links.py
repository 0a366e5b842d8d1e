"""The links printed as QR codes: a Telegram deep link and a web chat link per payload."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from huimin.deeplinks import all_payloads
from huimin.settings import Settings


@dataclass(frozen=True)
class CodeTarget:
    payload: str
    label: str
    telegram_url: str
    web_url: str


def telegram_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={quote(payload)}"


def web_link(public_base_url: str, payload: str) -> str:
    return f"{public_base_url.rstrip('/')}/chat?start={quote(payload)}"


def targets(settings: Settings) -> list[CodeTarget]:
    return [
        CodeTarget(
            payload=payload,
            label=label,
            telegram_url=telegram_link(settings.telegram_bot_username, payload),
            web_url=web_link(settings.public_base_url, payload),
        )
        for payload, label in all_payloads()
    ]
