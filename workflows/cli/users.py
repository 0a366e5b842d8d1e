"""create-user: add one staff account."""

from __future__ import annotations

import datetime as dt
import sys

from huimin.settings import Settings
from workflows.auth import service
from workflows.auth.enums import Role
from workflows.cli.common import cli_session


def create_user(
    settings: Settings, *, username: str, password: str, role: str, township: str | None
) -> int:
    try:
        role_value = Role(role)
    except ValueError:
        choices = "、".join(r.value for r in Role)
        print(f"角色无效:{role}(可选:{choices})", file=sys.stderr)
        return 2
    with cli_session(settings) as session:
        try:
            user = service.create_user(
                session,
                username=username,
                password=password,
                role=role_value,
                township_code=township,
                rounds=settings.password_hash_rounds,
                now=dt.datetime.now(dt.UTC),
                actor="cli",
            )
        except service.StaffUserError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        session.commit()
        print(f"已创建账号 {user.username}({role_value.label},{township or '区级'})")
    return 0
