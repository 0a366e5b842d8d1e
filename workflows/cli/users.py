"""create-user, disable-user, reset-password: staff accounts from the command line (audited)."""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from typing import TextIO

from huimin.settings import Settings
from workflows.auth import service
from workflows.auth.enums import Role
from workflows.cli.common import cli_session
from workflows.cli.seed import DEMO_PASSWORD


def create_user(
    settings: Settings,
    *,
    username: str,
    password: str | None,
    role: str,
    township: str | None,
    stdin: TextIO | None = None,
) -> int:
    """``password`` None: typed at a prompt, or the first line of stdin (see read_new_password)."""
    try:
        role_value = Role(role)
    except ValueError:
        choices = "、".join(r.value for r in Role)
        print(f"角色无效:{role}(可选:{choices})", file=sys.stderr)
        return 2
    if password is None:
        try:
            password = read_new_password(stdin)
        except service.StaffUserError as exc:
            print(str(exc), file=sys.stderr)
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


def read_new_password(stdin: TextIO | None = None) -> str:
    """The new password: typed twice at a hidden prompt on a terminal, else the first line of
    standard input (for scripts). Never taken from the command line (shell history, ps)."""
    stream = stdin or sys.stdin
    if stream.isatty():
        first = getpass.getpass("新密码:")
        if getpass.getpass("再输入一次:") != first:
            raise service.StaffUserError("两次输入的密码不一致")
        return first
    return stream.readline().rstrip("\r\n")


def disable_user(settings: Settings, *, username: str) -> int:
    with cli_session(settings) as session:
        try:
            changed = service.disable_user(
                session, username=username, now=dt.datetime.now(dt.UTC), actor="cli"
            )
        except service.StaffUserError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        session.commit()
    print(f"已停用账号 {username}" if changed else f"账号 {username} 已是停用状态")
    return 0


def reset_password(settings: Settings, *, username: str, stdin: TextIO | None = None) -> int:
    try:
        password = read_new_password(stdin)
        if password == DEMO_PASSWORD:
            raise service.StaffUserError("不能使用演示密码")
        with cli_session(settings) as session:
            user = service.reset_password(
                session,
                username=username,
                password=password,
                rounds=settings.password_hash_rounds,
                now=dt.datetime.now(dt.UTC),
                actor="cli",
            )
            active = user.active
            session.commit()
    except service.StaffUserError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    note = "" if active else "(该账号仍为停用状态)"
    print(f"已重设账号 {username} 的密码{note}")
    return 0
