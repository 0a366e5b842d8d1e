"""oidc: OpenID Connect against the government single sign-on, with Authlib.

1. ``/api/identity/status`` hands the dialogue a one-use link with a ticket signed with
   secret_key (itsdangerous), bound to the subject and the ID number (as keyed hashes, never in
   clear), valid ``TICKET_SECONDS``.
2. ``GET /identity/oidc/start?ticket=`` checks the ticket, records it as used, asks Authlib for
   the authorization URL (discovery document, state, nonce), keeps state and nonce in the
   database and the state in a browser cookie, and redirects to the provider.
3. ``GET /identity/oidc/callback`` checks the state against the cookie and the database (one
   use), lets Authlib exchange the code and validate the ID token (signature by the provider's
   JWKS, issuer, audience, expiry, nonce, at_hash), reads the ID number from
   ``oidc_id_number_claim`` and records a verification only if it is the ticket's number.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from authlib.integrations.starlette_client import OAuth
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huimin import idcard
from huimin.settings import Settings
from workflows.identity import audit_events
from workflows.identity.enums import Method
from workflows.identity.hashing import audit_id_hash, id_number_hash, same
from workflows.identity.models import OidcLogin
from workflows.identity.schemas import OidcMethodOut
from workflows.identity.service import record_verification

log = logging.getLogger(__name__)

TICKET_SECONDS = 600  # the link in the chat
LOGIN_SECONDS = 600  # from the redirect to the provider until the callback
STATE_COOKIE = "huimin_oidc_state"
COOKIE_PATH = "/identity/oidc"
START_PATH = "/identity/oidc/start"
CALLBACK_PATH = "/identity/oidc/callback"
CLIENT_NAME = "gov_sso"


class OidcFailedError(Exception):
    """The round trip failed; ``message`` is shown to the resident on a Chinese page."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def configured(settings: Settings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret)


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key.get_secret_value(), salt="huimin-oidc-ticket")


def callback_url(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/") + CALLBACK_PATH


def scopes(settings: Settings) -> str:
    words = settings.oidc_scopes.split()
    return " ".join(words if "openid" in words else ["openid", *words])


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    subject: str
    id_hash: str
    id_audit_hash: str
    id_masked: str
    expires: int  # epoch seconds on the app clock


def issue_ticket(settings: Settings, *, subject: str, id_number: str, now: dt.datetime) -> str:
    payload = {
        "j": secrets.token_urlsafe(16),
        "s": subject,
        "h": id_number_hash(settings, id_number),
        "a": audit_id_hash(settings, id_number),
        "m": idcard.mask(id_number),
        "e": int(now.timestamp()) + TICKET_SECONDS,
    }
    token = _serializer(settings).dumps(payload)
    assert isinstance(token, str)
    return token


def read_ticket(settings: Settings, token: str, *, now: dt.datetime) -> Ticket:
    try:
        payload: Any = _serializer(settings).loads(token)
        ticket = Ticket(
            ticket_id=str(payload["j"]),
            subject=str(payload["s"]),
            id_hash=str(payload["h"]),
            id_audit_hash=str(payload["a"]),
            id_masked=str(payload["m"]),
            expires=int(payload["e"]),
        )
    except (BadSignature, KeyError, TypeError, ValueError):
        raise OidcFailedError(400, "核验链接无效,请回到对话重新获取") from None
    if ticket.expires <= now.timestamp():
        raise OidcFailedError(410, "核验链接已过期,请回到对话重新获取")
    return ticket


class OidcVerification:
    """Availability for the status endpoint (a fresh ticket link for web chat subjects)."""

    method = Method.OIDC

    def __init__(self, settings: Settings, *, now: dt.datetime) -> None:
        self.settings = settings
        self.now = now

    def availability(self, *, subject: str, id_number: str) -> OidcMethodOut:
        if not configured(self.settings) or not subject.startswith("web:"):
            return OidcMethodOut(available=False, url=None)
        ticket = issue_ticket(self.settings, subject=subject, id_number=id_number, now=self.now)
        base = self.settings.public_base_url.rstrip("/")
        return OidcMethodOut(
            available=True, url=f"{base}{START_PATH}?{urlencode({'ticket': ticket})}"
        )


def make_client(settings: Settings) -> Any:
    """An Authlib OpenID Connect client (discovery document loaded and cached on first use)."""
    if not (settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret):
        raise ValueError("OpenID Connect is not configured (HUIMIN_OIDC_*)")
    oauth = OAuth()
    return oauth.register(
        name=CLIENT_NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": scopes(settings), "timeout": 10.0},
    )


async def start(
    session: Session, settings: Settings, client: Any, *, ticket_token: str, now: dt.datetime
) -> tuple[str, str]:
    """(the provider's authorization URL, the state for the browser cookie)."""
    ticket = read_ticket(settings, ticket_token, now=now)
    used = session.scalars(select(OidcLogin.id).where(OidcLogin.ticket_id == ticket.ticket_id))
    if used.first() is not None:
        raise OidcFailedError(410, "核验链接已使用过,请回到对话重新获取")
    try:
        created = await client.create_authorization_url(callback_url(settings))
    except Exception as exc:  # discovery failed: the provider is unreachable or misconfigured
        log.warning("oidc discovery failed: %s", type(exc).__name__)
        raise OidcFailedError(
            502, "暂时无法连接统一身份认证平台,请稍后重试或选择其他核验方式"
        ) from None
    session.add(
        OidcLogin(
            ticket_id=ticket.ticket_id,
            state=created["state"],
            nonce=created["nonce"],
            subject=ticket.subject,
            id_number_hash=ticket.id_hash,
            id_number_masked=ticket.id_masked,
            id_number_audit_hash=ticket.id_audit_hash,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=LOGIN_SECONDS),
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise OidcFailedError(410, "核验链接已使用过,请回到对话重新获取") from None
    return str(created["url"]), str(created["state"])


async def finish(
    session: Session,
    settings: Settings,
    client: Any,
    *,
    params: dict[str, str],
    cookie_state: str | None,
    now: dt.datetime,
) -> None:
    """Validate the callback and record the verification, or raise OidcFailedError (no record)."""
    state = params.get("state", "")
    if not state or not cookie_state or not same(state, cookie_state):
        raise OidcFailedError(400, "核验请求与本浏览器不匹配,请回到对话重新获取核验链接")
    login = session.scalars(select(OidcLogin).where(OidcLogin.state == state)).first()
    if login is None or login.finished_at is not None or login.expires_at <= now:
        raise OidcFailedError(410, "核验请求已失效,请回到对话重新获取核验链接")
    login.finished_at = now  # one use, whatever happens next
    session.commit()
    if params.get("error"):
        _refused(session, settings, login, now, reason=f"provider:{params['error'][:40]}")
        raise OidcFailedError(403, "统一身份认证未完成(已取消或被拒绝),未进行身份核验")
    if not params.get("code"):
        raise OidcFailedError(400, "统一身份认证的返回缺少授权码,请重新核验")
    try:
        token = await client.fetch_access_token(
            redirect_uri=callback_url(settings), code=params["code"]
        )
        claims = await client.parse_id_token(
            token,
            nonce=login.nonce,
            claims_options={
                "iss": {"essential": True, "values": [_issuer(settings)]},
                "aud": {"essential": True, "values": [settings.oidc_client_id or ""]},
            },
        )
    except Exception as exc:  # token exchange or ID token validation failed
        log.warning("oidc callback refused: %s", type(exc).__name__)
        _refused(session, settings, login, now, reason=f"token:{type(exc).__name__}")
        raise OidcFailedError(502, "统一身份认证的结果无法验证,未进行身份核验,请稍后重试") from None
    if claims is None:
        _refused(session, settings, login, now, reason="no_id_token")
        raise OidcFailedError(502, "统一身份认证没有返回身份凭证,未进行身份核验")
    raw = claims.get(settings.oidc_id_number_claim)
    number = idcard.normalise(raw) if isinstance(raw, str) else ""
    if not number or not same(id_number_hash(settings, number), login.id_number_hash):
        _refused(session, settings, login, now, reason="id_number_mismatch")
        raise OidcFailedError(403, "统一身份认证的身份证号码与对话中填写的不一致,未通过核验")
    record_verification(
        session,
        settings,
        subject=login.subject,
        id_hash=login.id_number_hash,
        id_number_masked=login.id_number_masked,
        id_audit_hash=login.id_number_audit_hash,
        method=Method.OIDC,
        at=now,
        actor=login.subject,
    )
    session.commit()


def _issuer(settings: Settings) -> str:
    return (settings.oidc_issuer or "").rstrip("/")


def _refused(
    session: Session, settings: Settings, login: OidcLogin, now: dt.datetime, *, reason: str
) -> None:
    audit_events.identity_event(
        session,
        settings,
        actor=login.subject,
        action="identity.oidc_refused",
        subject=login.subject,
        id_number=None,
        id_number_masked=login.id_number_masked,
        id_hash_for_audit=login.id_number_audit_hash,
        at=now,
        extra={"method": Method.OIDC.value, "reason": reason},
    )
    session.commit()
