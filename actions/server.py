"""The action server: rasa-sdk's Sanic app on ``settings.action_host`` (loopback by default),
answering ``/webhook`` (and ``/actions``) only for callers that send the shared secret.

``python -m actions.server`` (started by ``make run``). Rasa sends the secret in the header
``ACTION_SECRET_HEADER`` (``headers:`` under ``action_endpoint`` in its endpoints file);
``/health`` stays open for probes. With ``HUIMIN_ACTION_SSL_CERTIFICATE`` and
``HUIMIN_ACTION_SSL_KEYFILE`` it serves TLS.
"""

from __future__ import annotations

import hmac
import logging
import sys

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from huimin import log_privacy
from huimin.http_client import close_shared_client
from huimin.secrets import refuse_demo_secrets
from huimin.settings import ACTION_SECRET_HEADER, Settings, get_settings

log = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})


def secret_matches(settings: Settings, presented: str | None) -> bool:
    """Constant-time comparison of the presented header with ``settings.action_secret``."""
    expected = settings.action_secret.get_secret_value().encode("utf-8")
    return hmac.compare_digest((presented or "").encode("utf-8"), expected)


def build_app(settings: Settings, *, package: str = "actions") -> Sanic:
    """rasa-sdk's application (no CORS: only Rasa calls it) behind the secret check."""
    from rasa_sdk.endpoint import create_app
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package(package)
    previous = Sanic._app_registry.get("rasa_sdk")  # create_app names every app "rasa_sdk"
    if previous is not None:
        Sanic.unregister_app(previous)
    app = create_app(executor, cors_origins=None)

    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if not secret_matches(settings, request.headers.get(ACTION_SECRET_HEADER)):
            log.warning("action server: refused %s without a valid secret", request.path)
            return response.json({"error": "未授权:缺少或错误的动作服务密钥"}, status=401)
        return None

    app.register_middleware(require_secret, "request")

    async def close_pool(_app: Sanic) -> None:
        await close_shared_client()  # the pooled client of the API calls

    app.register_listener(close_pool, "after_server_stop")
    return app


def ssl_config(settings: Settings) -> dict[str, str] | None:
    if settings.action_ssl_certificate and settings.action_ssl_keyfile:
        return {
            "cert": str(settings.action_ssl_certificate),
            "key": str(settings.action_ssl_keyfile),
        }
    return None


def main() -> int:
    settings = get_settings()
    refuse_demo_secrets(settings, process="actions")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s - %(message)s")
    log_privacy.install()  # ID and mobile numbers masked in every log line (also sanic's)
    app = build_app(settings)
    app.config.KEEP_ALIVE_TIMEOUT = 120
    log.info(
        "action server on %s://%s:%s",
        "https" if ssl_config(settings) else "http",
        settings.action_host,
        settings.action_port,
    )
    app.run(
        host=settings.action_host,
        port=settings.action_port,
        ssl=ssl_config(settings),
        single_process=True,
        access_log=False,
        motd=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
