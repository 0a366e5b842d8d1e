"""Staff accounts: create, find, authenticate."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin import townships
from workflows.audit import service as audit
from workflows.auth.enums import Role
from workflows.auth.models import StaffUser
from workflows.auth.security import dummy_hash, hash_password, verify_password


class StaffUserError(ValueError):
    """Carries a Chinese reason."""


def get_by_username(session: Session, *, username: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.username == username))


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    township_code: str | None,
    display_name: str = "",
    rounds: int,
    now: dt.datetime,
    actor: str = "system",
) -> StaffUser:
    if not username.strip() or len(username) > 64:
        raise StaffUserError("用户名不能为空,且不超过64个字符")
    if len(password) < 8:
        raise StaffUserError("密码至少8位")
    if township_code is not None and townships.by_code(township_code) is None:
        raise StaffUserError(f"乡镇(街道)代码不存在:{township_code}")
    if role in (Role.REVIEWER, Role.COUNTER) and township_code is None:
        raise StaffUserError("审核人员和窗口人员必须属于一个乡镇(街道)")
    if role is Role.SUPERVISOR and township_code is not None:
        raise StaffUserError("区级督导不属于某个乡镇(街道),请不要指定 --township")
    if get_by_username(session, username=username) is not None:
        raise StaffUserError(f"用户名已存在:{username}")
    user = StaffUser(
        username=username,
        password_hash=hash_password(password, rounds=rounds),
        role=role.value,
        township_code=township_code,
        display_name=display_name or username,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="staff_user.created",
        entity_type="staff_user",
        entity_id=user.id,
        data={"username": username, "role": role.value, "township_code": township_code},
        at=now,
    )
    return user


def authenticate(
    session: Session, *, username: str, password: str, rounds: int
) -> StaffUser | None:
    """The active user with this password, else None. Blocking (bcrypt): call it in a thread.

    An unknown or disabled username costs one bcrypt check too (against a dummy hash of the
    same cost), so the answer time does not tell which usernames exist.
    """
    user = get_by_username(session, username=username)
    if user is None or not user.active:
        verify_password(password, dummy_hash(rounds))
        return None
    return user if verify_password(password, user.password_hash) else None


def _existing(session: Session, username: str) -> StaffUser:
    user = get_by_username(session, username=username)
    if user is None:
        raise StaffUserError(f"用户名不存在:{username}")
    return user


def disable_user(session: Session, *, username: str, now: dt.datetime, actor: str) -> bool:
    """Stop the account at once (its tokens and page sessions are refused from the next
    request on). False when it was already disabled (nothing recorded)."""
    user = _existing(session, username)
    if not user.active:
        return False
    user.active = False
    _record_account_change(session, user, "staff_user.disabled", actor=actor, now=now)
    return True


def _record_account_change(
    session: Session, user: StaffUser, action: str, *, actor: str, now: dt.datetime
) -> None:
    """One audit event for a change to an account; it names the account, nothing else."""
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="staff_user",
        entity_id=user.id,
        data={"username": user.username},
        at=now,
    )


def reset_password(
    session: Session, *, username: str, password: str, rounds: int, now: dt.datetime, actor: str
) -> StaffUser:
    """A new password (never recorded: the audit event names the account only)."""
    if len(password) < 8:
        raise StaffUserError("密码至少8位")
    user = _existing(session, username)
    user.password_hash = hash_password(password, rounds=rounds)
    _record_account_change(session, user, "staff_user.password_reset", actor=actor, now=now)
    return user
