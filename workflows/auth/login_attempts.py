"""One login attempt, shared by POST /api/auth/token and the staff login page.

Failed attempts are counted per username and per client address in a moving window
(``login_failures_per_username`` / ``login_failures_per_address`` per ``login_window_seconds``).
Once either is used up the attempt is refused before the password is checked (429, "登录失败次数
过多,请 N 分钟后再试"). Unknown usernames are counted like known ones, so the lockout does not
tell which usernames exist either.

A successful login clears its username's failures (the owner got in), but never the address's:
otherwise someone with one valid account could log in between guesses at other accounts and
keep guessing from the same address without end.

The password check (bcrypt) runs in a worker thread, never in the event loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from huimin.settings import Settings
from workflows.auth import service
from workflows.auth.models import StaffUser
from workflows.ratelimit import Limit, RateLimits, client_address, rate_limits

PER_USERNAME = "login-username"
PER_ADDRESS = "login-address"


@dataclass(frozen=True)
class LoginOutcome:
    user: StaffUser | None  # None: wrong username or password, or locked out
    locked_seconds: int | None = None  # set: refused without checking the password

    @property
    def lockout_message(self) -> str:
        minutes = max(1, math.ceil((self.locked_seconds or 0) / 60))
        return f"登录失败次数过多,请 {minutes} 分钟后再试"


def _limits(settings: Settings) -> tuple[Limit, Limit]:
    window = settings.login_window_seconds
    return (
        Limit(settings.login_failures_per_username, window),
        Limit(settings.login_failures_per_address, window),
    )


def _username_key(username: str) -> str:
    return username.strip().casefold()


def locked_for(
    limits: RateLimits, settings: Settings, *, username: str, address: str
) -> int | None:
    """Seconds until this username or address may try again; None when it may now."""
    per_username, per_address = _limits(settings)
    waits = [
        limits.blocked(PER_USERNAME, _username_key(username), per_username),
        limits.blocked(PER_ADDRESS, address, per_address),
    ]
    found = [wait for wait in waits if wait is not None]
    return max(found) if found else None


def record_failure(limits: RateLimits, settings: Settings, *, username: str, address: str) -> None:
    per_username, per_address = _limits(settings)
    limits.hit(PER_USERNAME, _username_key(username), per_username)
    limits.hit(PER_ADDRESS, address, per_address)


def record_success(limits: RateLimits, settings: Settings, *, username: str) -> None:
    per_username, _ = _limits(settings)
    limits.clear(PER_USERNAME, _username_key(username), per_username)


async def attempt(
    request: Request, session: Session, settings: Settings, *, username: str, password: str
) -> LoginOutcome:
    """Check one username + password under the failure limits."""
    limits = rate_limits(request)
    address = client_address(request)
    wait = locked_for(limits, settings, username=username, address=address)
    if wait is not None:
        return LoginOutcome(user=None, locked_seconds=wait)
    user = await run_in_threadpool(
        service.authenticate,
        session,
        username=username,
        password=password,
        rounds=settings.password_hash_rounds,
    )
    if user is None:
        record_failure(limits, settings, username=username, address=address)
    else:
        record_success(limits, settings, username=username)
    return LoginOutcome(user=user)
