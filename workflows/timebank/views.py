"""The time bank API: accounts (register), offers, transfers (Idempotency-Key), confirmation,
statements; the chat's balance look-up by channel identity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflows.audit import service as audit
from workflows.auth.deps import TimebankCaller
from workflows.deps import ClockDep, IdPath, SessionDep, SettingsDep
from workflows.timebank import ledger
from workflows.timebank.models import TimeAccount, TimeOffer, TimeTransfer
from workflows.timebank.schemas import (
    AccountIn,
    AccountOut,
    ConfirmIn,
    MovementOut,
    OfferIn,
    OfferOut,
    StatementOut,
    TransferIn,
    TransferKind,
    TransferOut,
)

router = APIRouter(tags=["timebank"])


def _account_out(a: TimeAccount) -> AccountOut:
    return AccountOut(
        id=a.id,
        kind=a.kind,
        holder_name=a.holder_name,
        township_code=a.township_code,
        balance_minutes=a.balance_minutes,
        balance_hours=ledger.hours(a.balance_minutes),
        floor_minutes=a.floor_minutes,
    )


def _transfer_out(t: TimeTransfer) -> TransferOut:
    return TransferOut(
        id=t.id,
        kind=t.kind,
        source_id=t.source_id,
        destination_id=t.destination_id,
        minutes=t.minutes,
        status=t.status,
        description=t.description,
        confirmed_by=t.confirmed_by,
    )


@router.post("/api/timebank/accounts", response_model=AccountOut, status_code=201)
def open_account(
    body: AccountIn,
    caller: TimebankCaller,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> AccountOut:
    """Register a volunteer, an elder, a family member (family_of_id: the relative's account) or a
    community pool (staff), at a station or from the chat."""
    scope = caller.township_scope
    if scope is not None and body.township_code != scope:
        raise ledger.AccountNotFoundError("只能为本乡镇(街道)登记时间银行账户")
    if body.kind.value == "pool" and caller.staff is None:
        raise ledger.ConfirmerError("社区公共账户只能由工作人员开设")
    account = ledger.open_account(
        session, body=body, settings=settings, actor=caller.audit_name, now=clock.now()
    )
    session.commit()
    return _account_out(account)


@router.get("/api/timebank/accounts/{account_id}", response_model=StatementOut)
def account_statement(
    account_id: IdPath, caller: TimebankCaller, session: SessionDep
) -> StatementOut:
    """Balance and statement (newest first); staff of another township: 404."""
    account = ledger.visible_account(session, caller, account_id)
    rows, pending_in, pending_out = ledger.statement(session, account=account)
    return StatementOut(
        **_account_out(account).model_dump(),
        movements=[
            MovementOut(
                transfer_id=t.id,
                kind=t.kind,
                kind_label=TransferKind(t.kind).label,
                minutes=m.minutes,
                counterparty=name,
                description=t.description,
                at=m.at,
            )
            for m, t, name in rows
        ],
        pending_in_minutes=pending_in,
        pending_out_minutes=pending_out,
    )


@router.get("/api/timebank/balance", response_model=list[AccountOut])
def balance_of_identity(
    caller: TimebankCaller,
    session: SessionDep,
    channel: Annotated[str, Query(min_length=1, max_length=20)],
    channel_user_id: Annotated[str, Query(min_length=1, max_length=100)],
) -> list[AccountOut]:
    """The chat's look-up: the accounts of a (verified) chat identity."""
    if caller.staff is not None:
        raise ledger.ConfirmerError("此接口仅供对话服务调用")
    accounts = ledger.accounts_of_identity(
        session, channel=channel, channel_user_id=channel_user_id
    )
    return [_account_out(a) for a in accounts]


@router.post(
    "/api/timebank/transfers",
    response_model=TransferOut,
    status_code=201,
    responses={200: {"description": "同一 Idempotency-Key 的重复请求:返回原记录"}},
)
def record_transfer(
    body: TransferIn,
    caller: TimebankCaller,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> TransferOut | JSONResponse:
    """A service record, a gift to family or an exchange: pending until the giving side confirms."""
    try:
        transfer, created = ledger.record_transfer(
            session, body=body, caller=caller, idempotency_key=idempotency_key, now=clock.now()
        )
        session.commit()
    except IntegrityError:
        session.rollback()  # the same key committed by a concurrent request
        existing = ledger.by_key(session, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        if existing.request_hash != ledger.request_hash(body):
            raise ledger.IdempotencyConflictError() from None
        transfer, created = existing, False
    answer = _transfer_out(transfer)
    if created:
        return answer
    return JSONResponse(status_code=200, content=answer.model_dump(mode="json"))


@router.post("/api/timebank/transfers/{transfer_id}/confirm", response_model=TransferOut)
def confirm_transfer(
    transfer_id: IdPath,
    body: ConfirmIn,
    caller: TimebankCaller,
    session: SessionDep,
    clock: ClockDep,
) -> TransferOut:
    transfer = ledger.confirm(
        session,
        transfer_id=transfer_id,
        caller=caller,
        confirmer_account_id=body.confirmer_account_id,
        now=clock.now(),
    )
    return _transfer_out(transfer)


@router.post("/api/timebank/offers", response_model=OfferOut, status_code=201)
def add_offer(
    body: OfferIn, caller: TimebankCaller, session: SessionDep, clock: ClockDep
) -> OfferOut:
    account = ledger.visible_account(session, caller, body.account_id)
    if account.kind != "volunteer":
        raise ledger.LedgerError("只有志愿者账户可以发布服务")
    offer = TimeOffer(
        account_id=account.id,
        title=body.title,
        description=body.description,
        created_at=clock.now(),
    )
    session.add(offer)
    session.flush()
    audit.record(
        session,
        actor=caller.audit_name,
        action="timebank.offer_added",
        entity_type="timebank_offer",
        entity_id=offer.id,
        data={"account_id": account.id},
        at=clock.now(),
    )
    session.commit()
    return OfferOut(
        id=offer.id,
        account_id=account.id,
        holder_name=account.holder_name,
        title=offer.title,
        description=offer.description,
    )


@router.get("/api/timebank/offers", response_model=list[OfferOut])
def list_offers(
    caller: TimebankCaller,
    session: SessionDep,
    township: Annotated[str | None, Query(max_length=12)] = None,
) -> list[OfferOut]:
    query = (
        select(TimeOffer, TimeAccount)
        .join(TimeAccount, TimeAccount.id == TimeOffer.account_id)
        .where(TimeOffer.active.is_(True))
        .order_by(TimeOffer.id.desc())
        .limit(200)
    )
    chosen = caller.township_scope or township
    if chosen is not None:
        query = query.where(TimeAccount.township_code == chosen)
    return [
        OfferOut(
            id=o.id,
            account_id=a.id,
            holder_name=a.holder_name,
            title=o.title,
            description=o.description,
        )
        for o, a in session.execute(query)
    ]
