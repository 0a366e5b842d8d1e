"""Password hashes (bcrypt) and signed bearer tokens (JWT, HS256)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import bcrypt
import jwt

from huimin.settings import Settings

_ALGORITHM = "HS256"


def hash_password(password: str, *, rounds: int) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False


@lru_cache(maxsize=4)
def dummy_hash(rounds: int) -> str:
    """A fixed hash of the current cost, checked when there is no such user (same time spent)."""
    return hash_password("huimin-no-such-user", rounds=rounds)


def issue_token(settings: Settings, *, username: str, now: dt.datetime) -> tuple[str, int]:
    ttl = settings.token_ttl_minutes * 60
    claims = {"sub": username, "iat": int(now.timestamp()), "exp": int(now.timestamp()) + ttl}
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=_ALGORITHM)
    return token, ttl


def username_from_token(settings: Settings, token: str, *, now: dt.datetime) -> str | None:
    """The username the token was issued to, or None if it is forged, expired or malformed."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[_ALGORITHM],
            options={"verify_exp": False},
        )
    except jwt.PyJWTError:
        return None
    if int(claims.get("exp", 0)) <= int(now.timestamp()):
        return None
    subject = claims.get("sub")
    return subject if isinstance(subject, str) else None
