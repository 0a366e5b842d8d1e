"""The ledger: open accounts, record a transfer (pending), confirm it (the only place balances
move), statements.

Confirmation under concurrency, the same on SQLite and PostgreSQL:
1. both accounts are locked in id order (``SELECT … FOR UPDATE``; PostgreSQL), so two transfers
   touching the same accounts queue instead of deadlocking;
2. ``UPDATE transfers SET status='confirmed' WHERE id=… AND status='pending'``: only one
   confirmation of a transfer can change a row (a second finds it confirmed: counted once);
3. ``UPDATE accounts SET balance = balance - m WHERE id=… AND balance - m >= floor``: a balance
   never passes its floor (no row changed: refused, rolled back); the CHECK constraint is the
   backstop; SQLite serialises writers, so the relative update sees the committed balance;
4. the two movements (-m, +m; unique per transfer and account) and the destination's balance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, aliased

from huimin.settings import Settings
from workflows.audit import service as audit
from workflows.auth.actor import Caller
from workflows.errors import ServiceError
from workflows.timebank.models import TimeAccount, TimeMovement, TimeTransfer
from workflows.timebank.schemas import AccountIn, AccountKind, TransferIn, TransferKind

PENDING = "pending"
CONFIRMED = "confirmed"

# Which kinds of account each kind of transfer may go from and to.
ALLOWED: dict[TransferKind, tuple[frozenset[AccountKind], frozenset[AccountKind]]] = {
    TransferKind.SERVICE: (
        frozenset({AccountKind.ELDER, AccountKind.POOL}),
        frozenset({AccountKind.VOLUNTEER}),
    ),
    TransferKind.GIFT: (
        frozenset({AccountKind.VOLUNTEER}),
        frozenset({AccountKind.ELDER, AccountKind.FAMILY}),
    ),
    TransferKind.EXCHANGE: (
        frozenset({AccountKind.VOLUNTEER, AccountKind.ELDER, AccountKind.FAMILY}),
        frozenset({AccountKind.POOL}),
    ),
}


class LedgerError(ServiceError):
    status_code = 409


class AccountNotFoundError(ServiceError):
    status_code = 404

    def __init__(self, message: str = "时间银行账户不存在") -> None:
        super().__init__(message)


class TransferNotFoundError(ServiceError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("时间银行记录不存在")


class BelowFloorError(LedgerError):
    def __init__(self, account: TimeAccount, minutes: int) -> None:
        available = account.balance_minutes - account.floor_minutes
        super().__init__(
            f"{account.holder_name}的时间银行账户可用时间为{_hours(available)}小时,"
            f"不足以转出{_hours(minutes)}小时(余额不能低于下限{_hours(account.floor_minutes)}小时)"
        )


class ConfirmerError(ServiceError):
    status_code = 403


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g}"


def hours(minutes: int) -> float:
    return round(minutes / 60, 2)


# Accounts --------------------------------------------------------------------------------------
def open_account(
    session: Session, *, body: AccountIn, settings: Settings, actor: str, now: dt.datetime
) -> TimeAccount:
    if body.family_of_id is not None:
        relative = session.get(TimeAccount, body.family_of_id)
        if relative is None or relative.kind == AccountKind.POOL.value:
            raise AccountNotFoundError("所关联的家人账户不存在")
    account = TimeAccount(
        kind=body.kind.value,
        holder_name=body.holder_name,
        phone=body.phone,
        channel=body.channel,
        channel_user_id=body.channel_user_id,
        township_code=body.township_code,
        family_of_id=body.family_of_id,
        floor_minutes=settings.timebank_floor_minutes.get(body.kind.value, 0),
        balance_minutes=0,
        created_at=now,
    )
    session.add(account)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="timebank.account_opened",
        entity_type="timebank_account",
        entity_id=account.id,
        data={"kind": account.kind, "township_code": account.township_code},
        at=now,
    )
    return account


def visible_account(session: Session, caller: Caller, account_id: int) -> TimeAccount:
    account = session.get(TimeAccount, account_id)
    scope = caller.township_scope
    if account is None or (scope is not None and account.township_code != scope):
        raise AccountNotFoundError()
    return account


def accounts_of_identity(
    session: Session, *, channel: str, channel_user_id: str
) -> Sequence[TimeAccount]:
    return session.scalars(
        select(TimeAccount)
        .where(TimeAccount.channel == channel, TimeAccount.channel_user_id == channel_user_id)
        .order_by(TimeAccount.id)
    ).all()


def linked(first: TimeAccount, second: TimeAccount) -> bool:
    """Registered as family of each other (``family_of_id`` either way)."""
    return first.family_of_id == second.id or second.family_of_id == first.id


# Transfers -------------------------------------------------------------------------------------
def request_hash(body: TransferIn) -> str:
    return hashlib.sha256(body.model_dump_json().encode("utf-8")).hexdigest()


class IdempotencyConflictError(LedgerError):
    def __init__(self) -> None:
        super().__init__("该 Idempotency-Key 已用于另一笔内容不同的记录")


def by_key(session: Session, key: str) -> TimeTransfer | None:
    return session.scalar(select(TimeTransfer).where(TimeTransfer.idempotency_key == key))


def record_transfer(
    session: Session,
    *,
    body: TransferIn,
    caller: Caller,
    idempotency_key: str | None,
    now: dt.datetime,
) -> tuple[TimeTransfer, bool]:
    """A pending transfer (nothing moves yet); (transfer, created). The same key with the same
    body returns the first one; with another body: IdempotencyConflictError (409)."""
    digest = request_hash(body)
    if idempotency_key:
        existing = by_key(session, idempotency_key)
        if existing is not None:
            if existing.request_hash != digest:
                raise IdempotencyConflictError()
            return existing, False
    if body.source_id == body.destination_id:
        raise LedgerError("转出和转入不能是同一个账户")
    source = visible_account(session, caller, body.source_id)
    destination = session.get(TimeAccount, body.destination_id)
    if destination is None:
        raise AccountNotFoundError("转入的时间银行账户不存在")
    sources, destinations = ALLOWED[body.kind]
    if source.kind not in sources or destination.kind not in destinations:
        raise LedgerError(
            f"“{body.kind.label}”只能从{'或'.join(k.label for k in sorted(sources))}账户"
            f"转入{'或'.join(k.label for k in sorted(destinations))}账户"
        )
    if body.kind is TransferKind.GIFT and not linked(source, destination):
        raise LedgerError("只能转赠给登记为本人家属的账户")
    if source.balance_minutes - body.minutes < source.floor_minutes:
        raise BelowFloorError(source, body.minutes)
    transfer = TimeTransfer(
        kind=body.kind.value,
        source_id=source.id,
        destination_id=destination.id,
        minutes=body.minutes,
        description=body.description,
        service_on=body.service_on,
        status=PENDING,
        idempotency_key=idempotency_key,
        request_hash=digest,
        created_by=caller.audit_name,
        created_at=now,
    )
    session.add(transfer)
    session.flush()
    audit.record(
        session,
        actor=caller.audit_name,
        action="timebank.transfer_recorded",
        entity_type="timebank_transfer",
        entity_id=transfer.id,
        data={"kind": transfer.kind, "minutes": transfer.minutes},
        at=now,
    )
    return transfer, True


def _confirmer_name(
    session: Session,
    *,
    transfer: TimeTransfer,
    source: TimeAccount,
    caller: Caller,
    account_id: int | None,
) -> str:
    """Who confirms: staff, or the giving side (the source's holder, or an account registered
    as the source's family); never the receiving side (the volunteer) alone."""
    if caller.staff is not None:
        return caller.audit_name
    if account_id is None:
        raise ConfirmerError("请说明由谁确认(老人本人、家属或工作人员)")
    if account_id == transfer.destination_id:
        raise ConfirmerError("服务记录须由老人、家属或工作人员确认,不能由志愿者本人确认")
    if source.kind == AccountKind.POOL.value:
        raise ConfirmerError("社区公共账户的转出须由工作人员确认")
    confirmer = session.get(TimeAccount, account_id)
    if confirmer is None:
        raise AccountNotFoundError("确认人的账户不存在")
    if confirmer.id == source.id or confirmer.family_of_id == source.id:
        return f"account:{confirmer.id}"
    raise ConfirmerError("只有转出一方(老人本人或其登记的家属)或工作人员可以确认")


def confirm(
    session: Session,
    *,
    transfer_id: int,
    caller: Caller,
    confirmer_account_id: int | None,
    now: dt.datetime,
) -> TimeTransfer:
    """Move the hours (see the module's docstring); committed here. A confirmed transfer is
    answered as it is (a second confirmation changes nothing)."""
    transfer = session.get(TimeTransfer, transfer_id)
    if transfer is None:
        raise TransferNotFoundError()
    source = session.get(TimeAccount, transfer.source_id)
    destination = session.get(TimeAccount, transfer.destination_id)
    assert source is not None
    assert destination is not None
    scope = caller.township_scope
    if scope is not None and scope not in (source.township_code, destination.township_code):
        raise TransferNotFoundError()
    if transfer.status == CONFIRMED:
        return transfer
    confirmer = _confirmer_name(
        session, transfer=transfer, source=source, caller=caller, account_id=confirmer_account_id
    )
    session.commit()  # end the read transaction: the writes below start a fresh one
    try:
        first, second = sorted((transfer.source_id, transfer.destination_id))
        session.execute(
            select(TimeAccount.id)
            .where(TimeAccount.id.in_((first, second)))
            .order_by(TimeAccount.id)
            .with_for_update()
        ).all()
        claimed = session.execute(
            update(TimeTransfer)
            .where(TimeTransfer.id == transfer_id, TimeTransfer.status == PENDING)
            .values(status=CONFIRMED, confirmed_by=confirmer, confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            session.refresh(transfer)
            return transfer
        minutes = transfer.minutes
        debited = session.execute(
            update(TimeAccount)
            .where(
                TimeAccount.id == transfer.source_id,
                TimeAccount.balance_minutes - minutes >= TimeAccount.floor_minutes,
            )
            .values(balance_minutes=TimeAccount.balance_minutes - minutes)
            .execution_options(synchronize_session=False)
        )
        if debited.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            session.refresh(source)
            raise BelowFloorError(source, minutes)
        session.execute(
            update(TimeAccount)
            .where(TimeAccount.id == transfer.destination_id)
            .values(balance_minutes=TimeAccount.balance_minutes + minutes)
            .execution_options(synchronize_session=False)
        )
        session.add_all(
            [
                TimeMovement(
                    transfer_id=transfer_id, account_id=transfer.source_id, minutes=-minutes, at=now
                ),
                TimeMovement(
                    transfer_id=transfer_id,
                    account_id=transfer.destination_id,
                    minutes=minutes,
                    at=now,
                ),
            ]
        )
        session.flush()
        audit.record(
            session,
            actor=caller.audit_name if caller.staff is not None else f"internal:{confirmer}",
            action="timebank.transfer_confirmed",
            entity_type="timebank_transfer",
            entity_id=transfer_id,
            data={"minutes": minutes, "confirmed_by": confirmer},
            at=now,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(transfer)
    return transfer


# Statements ------------------------------------------------------------------------------------
def statement(
    session: Session, *, account: TimeAccount, limit: int = 100
) -> tuple[list[tuple[TimeMovement, TimeTransfer, str]], int, int]:
    """(movements newest first, each with its transfer and counterparty name; pending in;
    pending out)."""
    other = aliased(TimeAccount)
    counterpart = aliased(TimeMovement)
    rows = session.execute(
        select(TimeMovement, TimeTransfer, other.holder_name)
        .join(TimeTransfer, TimeTransfer.id == TimeMovement.transfer_id)
        .join(
            counterpart,
            and_(
                counterpart.transfer_id == TimeMovement.transfer_id,
                counterpart.account_id != TimeMovement.account_id,
            ),
        )
        .join(other, other.id == counterpart.account_id)
        .where(TimeMovement.account_id == account.id)
        .order_by(TimeMovement.id.desc())
        .limit(limit)
    ).all()
    pending_in = session.scalar(
        select(func.coalesce(func.sum(TimeTransfer.minutes), 0)).where(
            TimeTransfer.destination_id == account.id, TimeTransfer.status == PENDING
        )
    )
    pending_out = session.scalar(
        select(func.coalesce(func.sum(TimeTransfer.minutes), 0)).where(
            TimeTransfer.source_id == account.id, TimeTransfer.status == PENDING
        )
    )
    return [(r[0], r[1], str(r[2])) for r in rows], int(pending_in or 0), int(pending_out or 0)
