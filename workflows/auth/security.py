"""Password hashes (bcrypt) and signed bearer tokens (JWT, HS256)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
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


def password_version(password_hash: str) -> str:
    """A short fingerprint of the stored hash: a token carries it, so a new password (or a reset)
    ends every token and page session issued before."""
    return hashlib.sha256(password_hash.encode("ascii")).hexdigest()[:16]


def issue_token(
    settings: Settings, *, username: str, password_hash: str, now: dt.datetime
) -> tuple[str, int]:
    ttl = settings.token_ttl_minutes * 60
    claims = {
        "sub": username,
        "pwv": password_version(password_hash),
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + ttl,
    }
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=_ALGORITHM)
    return token, ttl


def token_fits(settings: Settings, token: str, *, password_hash: str, now: dt.datetime) -> bool:
    """The token is valid now and was issued under the user's current password."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[_ALGORITHM],
            options={"verify_exp": False},
        )
    except jwt.PyJWTError:
        return False
    version = claims.get("pwv")
    return (
        int(claims.get("exp", 0)) > int(now.timestamp())
        and isinstance(version, str)
        and hmac.compare_digest(version, password_version(password_hash))
    )


def username_from_token(settings: Settings, token: str, *, now: dt.datetime) -> str | None:
    """The username the token was issued to, or None if it is forged, expired or malformed.
    Callers then check :func:`token_fits` against the user's current password hash."""
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
