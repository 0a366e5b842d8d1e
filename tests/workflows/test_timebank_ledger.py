"""The ledger's invariants, on SQLite and PostgreSQL: every transfer balances, a record counts
exactly once, a balance never passes its floor: by property tests (hypothesis) against a model,
and under concurrent confirmations."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huimin.settings import Settings
from workflows.auth.actor import Caller
from workflows.auth.models import StaffUser
from workflows.timebank import ledger
from workflows.timebank.models import TimeAccount, TimeMovement, TimeTransfer
from workflows.timebank.schemas import AccountIn, AccountKind, TransferIn, TransferKind

from .conftest import FUCHUN
from .eldercare_support import Login

NOW = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
STAFF = Caller(
    staff=StaffUser(username="prop", role="supervisor", township_code=None, password_hash="x")
)
KINDS = (
    AccountKind.POOL,
    AccountKind.VOLUNTEER,
    AccountKind.VOLUNTEER,
    AccountKind.ELDER,
    AccountKind.FAMILY,
)

operation = st.tuples(
    st.sampled_from(list(TransferKind)),
    st.integers(0, len(KINDS) - 1),
    st.integers(0, len(KINDS) - 1),
    st.integers(1, 180),
    st.booleans(),  # confirm it now
    st.booleans(),  # confirm it twice
)


def _open(session: Session, settings: Settings) -> list[TimeAccount]:
    accounts = [
        ledger.open_account(
            session,
            body=AccountIn(kind=kind, holder_name=f"账户{i}", township_code=FUCHUN),
            settings=settings,
            actor="test",
            now=NOW,
        )
        for i, kind in enumerate(KINDS)
    ]
    accounts[3].family_of_id = accounts[1].id  # the elder is volunteer 1's parent
    accounts[4].family_of_id = accounts[2].id  # the family account belongs to volunteer 2
    session.commit()
    return accounts


def _check_invariants(session: Session, ids: list[int], expected: dict[int, int]) -> None:
    session.expire_all()
    rows = session.scalars(select(TimeAccount).where(TimeAccount.id.in_(ids))).all()
    for account in rows:
        moved = session.scalar(
            select(func.coalesce(func.sum(TimeMovement.minutes), 0)).where(
                TimeMovement.account_id == account.id
            )
        )
        assert account.balance_minutes == moved  # the cached balance is the movements' sum
        assert account.balance_minutes >= account.floor_minutes  # the floor held
        assert account.balance_minutes == expected[account.id]  # as the model says
    transfers = session.scalars(select(TimeTransfer).where(TimeTransfer.source_id.in_(ids))).all()
    for transfer in transfers:
        movements = session.scalars(
            select(TimeMovement.minutes).where(TimeMovement.transfer_id == transfer.id)
        ).all()
        if transfer.status == ledger.CONFIRMED:
            assert sorted(movements) == [-transfer.minutes, transfer.minutes]  # balanced, once
        else:
            assert movements == []


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operation, min_size=1, max_size=25))
def test_ledger_properties_against_a_model(app: FastAPI, ops: list[Any]) -> None:
    settings_ = app.state.settings
    with app.state.session_factory() as session:
        accounts = _open(session, settings_)
        ids = [a.id for a in accounts]
        floors = {a.id: a.floor_minutes for a in accounts}
        expected = dict.fromkeys(ids, 0)
        pending: list[int] = []
        for kind, src, dst, minutes, now_, twice in ops:
            body = TransferIn(
                kind=kind, source_id=ids[src], destination_id=ids[dst], minutes=minutes
            )
            try:
                transfer, _ = ledger.record_transfer(
                    session, body=body, caller=STAFF, idempotency_key=None, now=NOW
                )
                session.commit()
            except (ledger.LedgerError, ledger.AccountNotFoundError):
                session.rollback()
                continue
            pending.append(transfer.id)
            if not now_:
                continue
            for _ in range(2 if twice else 1):
                transfer_id = pending[-1]
                row = session.get(TimeTransfer, transfer_id)
                assert row is not None
                was_pending = row.status == ledger.PENDING
                source_id, dest_id, amount = row.source_id, row.destination_id, row.minutes
                allowed = expected[source_id] - amount >= floors[source_id]
                try:
                    ledger.confirm(
                        session,
                        transfer_id=transfer_id,
                        caller=STAFF,
                        confirmer_account_id=None,
                        now=NOW,
                    )
                except ledger.BelowFloorError:
                    assert not allowed
                    continue
                if was_pending:
                    assert allowed
                    expected[source_id] -= amount
                    expected[dest_id] += amount
        # the rest confirmed late, in order
        for transfer_id in pending:
            row = session.get(TimeTransfer, transfer_id)
            assert row is not None
            if row.status != ledger.PENDING:
                continue
            allowed = expected[row.source_id] - row.minutes >= floors[row.source_id]
            source_id, dest_id, amount = row.source_id, row.destination_id, row.minutes
            try:
                ledger.confirm(
                    session,
                    transfer_id=transfer_id,
                    caller=STAFF,
                    confirmer_account_id=None,
                    now=NOW,
                )
            except ledger.BelowFloorError:
                assert not allowed
                continue
            assert allowed
            expected[source_id] -= amount
            expected[dest_id] += amount
        _check_invariants(session, ids, expected)
        assert sum(expected.values()) == 0


def _setup_concurrent(client: TestClient, staff: dict[str, str]) -> tuple[int, int]:
    def account(**body: Any) -> int:
        answer = client.post(
            "/api/timebank/accounts", json={"township_code": FUCHUN, **body}, headers=staff
        )
        assert answer.status_code == 201, answer.text
        value: int = answer.json()["id"]
        return value

    pool = account(kind="pool", holder_name="公共账户")
    volunteer = account(kind="volunteer", holder_name="小赵")
    earn = client.post(
        "/api/timebank/transfers",
        json={"kind": "service", "source_id": pool, "destination_id": volunteer, "minutes": 100},
        headers=staff,
    ).json()["id"]
    assert (
        client.post(f"/api/timebank/transfers/{earn}/confirm", json={}, headers=staff).status_code
        == 200
    )
    return pool, volunteer


def test_concurrent_confirmations_never_pass_the_floor(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    staff = login("rev_fuchun")
    pool, volunteer = _setup_concurrent(client, staff)
    spend = [
        client.post(
            "/api/timebank/transfers",
            json={
                "kind": "exchange",
                "source_id": volunteer,
                "destination_id": pool,
                "minutes": 30,
            },
            headers=staff,
        ).json()["id"]
        for _ in range(10)
    ]

    def confirm(transfer_id: int) -> int:
        answer = client.post(
            f"/api/timebank/transfers/{transfer_id}/confirm", json={}, headers=staff
        )
        return answer.status_code

    with ThreadPoolExecutor(max_workers=8) as workers:
        codes = list(workers.map(confirm, spend))
    assert sorted(codes) == [200] * 3 + [409] * 7
    with app.state.session_factory() as session:
        account = session.get(TimeAccount, volunteer)
        assert account is not None
        assert account.balance_minutes == 10
        assert session.scalar(select(func.sum(TimeMovement.minutes))) == 0
        assert session.scalar(select(func.count()).select_from(TimeMovement)) == 2 + 3 * 2


def test_concurrent_confirmations_of_one_record_count_it_once(
    client: TestClient, app: FastAPI, login: Login
) -> None:
    staff = login("rev_fuchun")
    pool, volunteer = _setup_concurrent(client, staff)
    record = client.post(
        "/api/timebank/transfers",
        json={"kind": "service", "source_id": pool, "destination_id": volunteer, "minutes": 45},
        headers=staff,
    ).json()["id"]

    def confirm(_: int) -> Any:
        return client.post(f"/api/timebank/transfers/{record}/confirm", json={}, headers=staff)

    with ThreadPoolExecutor(max_workers=8) as workers:
        answers = list(workers.map(confirm, range(16)))
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["status"] for a in answers} == {"confirmed"}
    with app.state.session_factory() as session:
        moved = session.scalars(
            select(TimeMovement.minutes).where(TimeMovement.transfer_id == record)
        ).all()
        assert sorted(moved) == [-45, 45]
        account = session.get(TimeAccount, volunteer)
        assert account is not None
        assert account.balance_minutes == 145


def test_the_database_refuses_a_balance_below_the_floor(app: FastAPI) -> None:
    """The CHECK constraint is the backstop should code ever skip the conditional update."""
    from sqlalchemy.exc import IntegrityError

    with app.state.session_factory() as session:
        accounts = _open(session, app.state.settings)
        volunteer = session.get(TimeAccount, accounts[1].id)
        assert volunteer is not None
        volunteer.balance_minutes = -1
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
        else:  # pragma: no cover - the constraint must hold
            raise AssertionError("a balance below the floor was stored")
