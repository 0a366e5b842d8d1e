"""Secrets fail closed: a production process refuses to start on a demo value."""

from __future__ import annotations

import sys

from huimin.settings import Settings


class DemoSecretsInProduction(SystemExit):
    """Raised (exit status 78, EX_CONFIG) by :func:`refuse_demo_secrets`."""


def refuse_demo_secrets(settings: Settings, *, process: str) -> None:
    """Stop ``process`` at start-up when production settings still carry a demo secret.

    Every process calls this before it listens or works (API, action server, bridge, workers).
    Outside production the demo values are allowed; they are documented in `.env.example`.
    """
    if not settings.is_production:
        return
    problems = settings.production_problems()
    if problems:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        print(
            f"{process}: 生产环境拒绝启动,以下密钥仍为演示值 / refusing to start in production:\n"
            f"{lines}",
            file=sys.stderr,
        )
        raise DemoSecretsInProduction(78)
