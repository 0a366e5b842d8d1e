"""Fail closed at start-up: the API and its workers refuse production with demo secrets or with
demo staff accounts that still open with the printed demo password.

A demo account is one of the usernames ``seed-demo`` creates (see :mod:`workflows.cli.seed`),
active, whose password is still :data:`workflows.cli.seed.DEMO_PASSWORD`. An account of that
name with its own password is not refused (one bcrypt check per such account at start-up).
Fix: ``python -m workflows disable-user NAME`` or ``python -m workflows reset-password NAME``.
"""

from __future__ import annotations

import sys

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from huimin.secrets import refuse_demo_secrets
from huimin.settings import Settings
from workflows.auth.models import StaffUser
from workflows.auth.security import verify_password
from workflows.cli.common import cli_session
from workflows.cli.seed import DEMO_PASSWORD, demo_accounts

EX_CONFIG = 78


class DemoAccountsInProduction(SystemExit):
    """Raised (exit status 78, like the demo secrets) by :func:`refuse_unsafe_start`."""


def demo_accounts_in_use(session: Session) -> list[str]:
    """Active accounts with a demo username whose password is still the demo password."""
    names = [username for username, *_ in demo_accounts()]
    users = session.scalars(
        select(StaffUser)
        .where(StaffUser.username.in_(names), StaffUser.active.is_(True))
        .order_by(StaffUser.username)
    ).all()
    return [u.username for u in users if verify_password(DEMO_PASSWORD, u.password_hash)]


def refuse_unsafe_start(settings: Settings, *, process: str) -> None:
    """Stop ``process`` in production on a demo secret or a usable demo account."""
    refuse_demo_secrets(settings, process=process)
    if not settings.is_production:
        return
    try:
        with cli_session(settings) as session:
            found = demo_accounts_in_use(session)
    except SQLAlchemyError as exc:
        print(
            f"{process}: 无法检查演示账号,拒绝启动(数据库:{type(exc).__name__})"
            " / cannot check for demo accounts, refusing to start",
            file=sys.stderr,
        )
        raise DemoAccountsInProduction(EX_CONFIG) from None
    if found:
        shown = "、".join(found[:10]) + (f" 等 {len(found)} 个" if len(found) > 10 else "")
        print(
            f"{process}: 生产环境拒绝启动,演示账号仍可用演示密码登录:{shown}\n"
            "  请停用(python -m workflows disable-user 用户名)或重设密码"
            "(python -m workflows reset-password 用户名)"
            " / refusing to start in production: demo accounts still open with the demo password",
            file=sys.stderr,
        )
        raise DemoAccountsInProduction(EX_CONFIG)
