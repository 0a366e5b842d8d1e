"""seed-demo: demo staff for all 24 townships (refused in production)."""

from __future__ import annotations

import datetime as dt
import sys

from huimin import townships
from huimin.settings import Settings
from workflows.auth import service
from workflows.auth.enums import Role
from workflows.cli.common import cli_session

DEMO_PASSWORD = "demo-pass-2026"  # a printed demo credential; seed-demo refuses production


def demo_accounts() -> list[tuple[str, Role, str | None, str]]:
    """(username, role, township code, display name) for every demo account."""
    accounts: list[tuple[str, Role, str | None, str]] = [
        ("supervisor", Role.SUPERVISOR, None, "区民政局督导"),
        ("adviser", Role.ADVISER, None, "养老顾问"),
    ]
    for township in townships.all_townships():
        suffix = township.code[6:9]
        accounts.append(
            (f"reviewer-{suffix}", Role.REVIEWER, township.code, f"{township.name}审核员")
        )
        accounts.append((f"counter-{suffix}", Role.COUNTER, township.code, f"{township.name}窗口"))
    return accounts


def seed_demo(settings: Settings) -> int:
    if settings.is_production:
        print("生产环境不能写入演示数据(HUIMIN_ENVIRONMENT=production)", file=sys.stderr)
        return 2
    now = dt.datetime.now(dt.UTC)
    created = 0
    with cli_session(settings) as session:
        for username, role, code, name in demo_accounts():
            if service.get_by_username(session, username=username) is not None:
                continue
            service.create_user(
                session,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                township_code=code,
                display_name=name,
                rounds=settings.password_hash_rounds,
                now=now,
                actor="seed-demo",
            )
            created += 1
        session.commit()
    print(f"演示账号已就绪(新建 {created} 个),密码均为 {DEMO_PASSWORD}:")
    print("  supervisor        区级督导,可查看全区案件")
    print("  adviser           养老顾问(政策问答、养老服务目录与方案、人工服务;不看案件)")
    for township in townships.all_townships():
        suffix = township.code[6:9]
        print(f"  reviewer-{suffix} / counter-{suffix}  {township.name}")
    return 0
