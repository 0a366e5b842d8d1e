"""/api/identity/* (internal: the action server) and /identity/oidc/* (the resident's browser)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from workflows.auth.deps import InternalCaller
from workflows.deps import ClockDep, SessionDep, SettingsDep
from workflows.identity.adapters import oidc
from workflows.identity.adapters.counter import CounterVerification
from workflows.identity.adapters.sms import SmsVerification, make_otp_sender
from workflows.identity.deps import RegistryDep, oidc_client
from workflows.identity.errors import IdentityError
from workflows.identity.schemas import (
    CounterIn,
    MethodsOut,
    SmsSentOut,
    SmsVerifyIn,
    StatusOut,
    SubjectIdIn,
    VerifiedOut,
)
from workflows.identity.service import live_verification
from workflows.staff_pages.rendering import HERE as STAFF_PAGES_DIR

router = APIRouter(tags=["identity"])
# this package's pages extend the staff pages' base.html
_templates = Jinja2Templates(
    directory=[Path(__file__).parent / "templates", STAFF_PAGES_DIR / "templates"]
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"description": "验证码不正确(附 attempts_left)"},
    403: {"description": "无权登记窗口核验"},
    404: {"description": "登记信息中没有手机号码"},
    410: {"description": "验证码已失效"},
    429: {"description": "发送过于频繁(Retry-After)"},
    503: {"description": "短信或登记信息系统暂不可用"},
}


def _error(exc: IdentityError) -> JSONResponse:
    return JSONResponse(status_code=exc.status_code, content=exc.body(), headers=exc.headers)


def _sms(
    session: SessionDep, settings: SettingsDep, clock: ClockDep, registry: RegistryDep
) -> SmsVerification:
    return SmsVerification(
        session, settings, registry=registry, sender=make_otp_sender(settings), now=clock.now()
    )


@router.post("/api/identity/status", response_model=StatusOut)
def identity_status(
    body: SubjectIdIn,
    _: InternalCaller,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    registry: RegistryDep,
) -> StatusOut:
    now = clock.now()
    live = live_verification(
        session, settings, subject=body.subject, id_number=body.id_number, now=now
    )
    who = {"subject": body.subject, "id_number": body.id_number}
    methods = MethodsOut(
        sms=_sms(session, settings, clock, registry).availability(**who),
        counter=CounterVerification(session, settings, now=now).availability(**who),
        oidc=oidc.OidcVerification(settings, now=now).availability(**who),
    )
    session.commit()  # the audit event of the registry lookup for the mobile number
    return StatusOut(
        verified=live is not None,
        method=live.method if live else None,
        verified_at=live.verified_at if live else None,
        methods=methods,
    )


@router.post("/api/identity/sms/send", response_model=SmsSentOut, responses=_ERRORS)
def identity_sms_send(
    body: SubjectIdIn,
    _: InternalCaller,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    registry: RegistryDep,
) -> SmsSentOut | JSONResponse:
    try:
        return _sms(session, settings, clock, registry).send(
            subject=body.subject, id_number=body.id_number
        )
    except IdentityError as exc:
        return _error(exc)


@router.post("/api/identity/sms/verify", response_model=VerifiedOut, responses=_ERRORS)
def identity_sms_verify(
    body: SmsVerifyIn,
    _: InternalCaller,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    registry: RegistryDep,
) -> VerifiedOut | JSONResponse:
    try:
        _sms(session, settings, clock, registry).verify(
            subject=body.subject, id_number=body.id_number, code=body.code
        )
    except IdentityError as exc:
        return _error(exc)
    return VerifiedOut(verified=True, method="sms")


@router.post("/api/identity/counter", response_model=VerifiedOut, responses=_ERRORS)
def identity_counter(
    body: CounterIn, _: InternalCaller, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> VerifiedOut | JSONResponse:
    try:
        CounterVerification(session, settings, now=clock.now()).confirm(
            subject=body.subject, id_number=body.id_number, staff_username=body.staff_username
        )
    except IdentityError as exc:
        session.rollback()
        return _error(exc)
    session.commit()
    return VerifiedOut(verified=True, method="counter")


# OpenID Connect (the resident's browser) ----------------------------------------------------
def _page(
    request: Request, status_code: int, *, ok: bool, title: str, message: str
) -> HTMLResponse:
    return _templates.TemplateResponse(
        request,
        "oidc_result.html",
        {"ok": ok, "title": title, "message": message},
        status_code=status_code,
    )


def _failure(request: Request, failure: oidc.OidcFailedError) -> HTMLResponse:
    page = _page(
        request, failure.status_code, ok=False, title="身份核验未完成", message=failure.message
    )
    page.delete_cookie(oidc.STATE_COOKIE, path=oidc.COOKIE_PATH)
    return page


@router.get(oidc.START_PATH, include_in_schema=False)
async def oidc_start(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    ticket: str = Query("", max_length=2000),
) -> Response:
    if not oidc.configured(settings):
        return _failure(request, oidc.OidcFailedError(404, "统一身份认证未开通,请选择其他核验方式"))
    try:
        url, state = await oidc.start(
            session, settings, oidc_client(request), ticket_token=ticket, now=clock.now()
        )
    except oidc.OidcFailedError as failure:
        return _failure(request, failure)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        oidc.STATE_COOKIE,
        state,
        max_age=oidc.LOGIN_SECONDS,
        path=oidc.COOKIE_PATH,
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back to the callback
        secure=settings.public_base_url.startswith("https://"),
    )
    return response


@router.get(oidc.CALLBACK_PATH, include_in_schema=False)
async def oidc_callback(
    request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    if not oidc.configured(settings):
        return _failure(request, oidc.OidcFailedError(404, "统一身份认证未开通,请选择其他核验方式"))
    params = {key: value[:2000] for key, value in request.query_params.items()}
    try:
        await oidc.finish(
            session,
            settings,
            oidc_client(request),
            params=params,
            cookie_state=request.cookies.get(oidc.STATE_COOKIE),
            now=clock.now(),
        )
    except oidc.OidcFailedError as failure:
        return _failure(request, failure)
    page = _page(request, 200, ok=True, title="身份核验成功", message="身份核验成功,请回到对话继续")
    page.delete_cookie(oidc.STATE_COOKIE, path=oidc.COOKIE_PATH)
    return page
