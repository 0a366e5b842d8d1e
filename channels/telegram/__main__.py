"""Entry point: ``python -m channels.telegram`` (long polling, or webhook when configured)."""

from __future__ import annotations

import asyncio
import logging
import sys

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from channels.api import ApiClient
from channels.telegram.app import build_application
from huimin import log_privacy
from huimin.rasa_client import RasaClient
from huimin.secrets import refuse_demo_secrets
from huimin.settings import Settings, get_settings

NO_TOKEN = (
    "未配置 Telegram 机器人令牌(HUIMIN_TELEGRAM_TOKEN),桥接未启动。"
    " / No Telegram bot token configured (HUIMIN_TELEGRAM_TOKEN); the bridge was not started."
)

BAD_TOKEN = (
    "Telegram 拒绝了机器人令牌(HUIMIN_TELEGRAM_TOKEN),请向 @BotFather 核对。"
    " / Telegram refused the bot token; check it with @BotFather."
)
UNREACHABLE = "无法连接 Telegram 服务器,请检查网络后重启桥接。 / Telegram is unreachable"


def main(settings: Settings | None = None) -> int:
    settings = settings or get_settings()
    refuse_demo_secrets(settings, process="Telegram bridge (python -m channels.telegram)")
    if settings.telegram_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 1
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry the bot token
    log_privacy.install()  # ID and mobile numbers masked in every log line
    application = build_application(
        settings, RasaClient.from_settings(settings), ApiClient.from_settings(settings)
    )
    try:
        if settings.telegram_webhook_url:
            from channels.telegram.webhook import run_webhook

            asyncio.run(run_webhook(application, settings))
        else:
            # Keep trying while Telegram is unreachable at start: under `make run` one process
            # that exits stops the others.
            application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
    except InvalidToken:
        print(BAD_TOKEN, file=sys.stderr)
        return 1
    except NetworkError as exc:
        print(f"{UNREACHABLE}({type(exc).__name__})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
