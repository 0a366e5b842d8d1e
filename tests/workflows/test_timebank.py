"""时间银行 over HTTP: registration, service records confirmed by the giving side only, the
floor, idempotency, gifts to family, exchanges, statements, scoping."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from workflows.timebank.models import TimeMovement

from .conftest import CHUNJIANG, FUCHUN
from .eldercare_support import Login


def _account(client: TestClient, headers: dict[str, str], **body: Any) -> int:
    body.setdefault("township_code", FUCHUN)
    answer = client.post("/api/timebank/accounts", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    account_id: int = answer.json()["id"]
    return account_id


def _transfer(
    client: TestClient, headers: dict[str, str], key: str | None = None, **body: Any
) -> Any:
    extra = {"Idempotency-Key": key} if key else {}
    return client.post("/api/timebank/transfers", json=body, headers={**headers, **extra})


def _confirm(client: TestClient, headers: dict[str, str], transfer_id: int, by: int | None) -> Any:
    return client.post(
        f"/api/timebank/transfers/{transfer_id}/confirm",
        json={"confirmer_account_id": by},
        headers=headers,
    )


def _balance(client: TestClient, headers: dict[str, str], account_id: int) -> int:
    answer = client.get(f"/api/timebank/accounts/{account_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    minutes: int = answer.json()["balance_minutes"]
    return minutes


def test_the_time_bank_from_registration_to_statement(
    client: TestClient, app: FastAPI, login: Login, internal: dict[str, str]
) -> None:
    staff = login("rev_fuchun")
    pool = _account(client, staff, kind="pool", holder_name="东村社区公共账户")
    volunteer = _account(
        client,
        internal,
        kind="volunteer",
        holder_name="志愿者小李",
        channel="telegram",
        channel_user_id="v1",
    )
    mother = _account(client, internal, kind="elder", holder_name="李母", family_of_id=volunteer)
    elder = _account(client, internal, kind="elder", holder_name="张老伯")
    daughter = _account(client, internal, kind="family", holder_name="张女儿", family_of_id=elder)

    service = {"kind": "service", "source_id": pool, "destination_id": volunteer, "minutes": 120}
    first = _transfer(client, internal, key="svc-1", description="陪同就医", **service)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "pending"
    again = _transfer(client, internal, key="svc-1", description="陪同就医", **service)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    changed = _transfer(client, internal, key="svc-1", description="助洁", **service)
    assert changed.status_code == 409
    assert "Idempotency-Key" in changed.json()["detail"]
    transfer_id = first.json()["id"]

    by_volunteer = _confirm(client, internal, transfer_id, volunteer)
    assert by_volunteer.status_code == 403
    assert "不能由志愿者本人确认" in by_volunteer.json()["detail"]
    assert _confirm(client, internal, transfer_id, None).status_code == 403
    pool_by_resident = _confirm(client, internal, transfer_id, elder)
    assert pool_by_resident.status_code == 403
    assert "工作人员" in pool_by_resident.json()["detail"]
    assert _balance(client, staff, volunteer) == 0  # nothing moved yet

    confirmed = _confirm(client, staff, transfer_id, None)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirmed_by"] == "staff:rev_fuchun"
    assert _confirm(client, staff, transfer_id, None).json()["status"] == "confirmed"
    assert (_balance(client, staff, volunteer), _balance(client, staff, pool)) == (120, -120)

    # the served elder has no hours: refused at once with the reason
    broke = _transfer(
        client, internal, kind="service", source_id=elder, destination_id=volunteer, minutes=60
    )
    assert broke.status_code == 409
    assert broke.json()["detail"] == (
        "张老伯的时间银行账户可用时间为0小时,不足以转出1小时(余额不能低于下限0小时)"
    )
    # a gift to the volunteer's mother (registered family), confirmed by the giver
    gift = _transfer(
        client, internal, kind="gift", source_id=volunteer, destination_id=mother, minutes=90
    )
    assert gift.status_code == 201, gift.text
    assert _confirm(client, internal, gift.json()["id"], volunteer).status_code == 200
    stranger = _transfer(
        client, internal, kind="gift", source_id=volunteer, destination_id=elder, minutes=10
    )
    assert stranger.status_code == 409
    assert "家属" in stranger.json()["detail"]
    # the mother spends saved hours on a service; then exchanges the rest at the pool
    spend = _transfer(
        client, internal, kind="service", source_id=mother, destination_id=volunteer, minutes=60
    )
    assert _confirm(client, internal, spend.json()["id"], mother).status_code == 200
    exchange = _transfer(
        client, internal, kind="exchange", source_id=mother, destination_id=pool, minutes=30
    )
    assert _confirm(client, internal, exchange.json()["id"], mother).status_code == 200
    # a daughter confirms for her father (his side gives)
    gift2 = _transfer(
        client, staff, kind="service", source_id=pool, destination_id=volunteer, minutes=30
    )
    assert _confirm(client, staff, gift2.json()["id"], None).status_code == 200
    assert daughter

    statement = client.get(f"/api/timebank/accounts/{volunteer}", headers=staff).json()
    assert statement["balance_minutes"] == 120 - 90 + 60 + 30
    assert statement["balance_hours"] == 2.0
    assert [(m["kind"], m["minutes"], m["counterparty"]) for m in statement["movements"]] == [
        ("service", 30, "东村社区公共账户"),
        ("service", 60, "李母"),
        ("gift", -90, "李母"),
        ("service", 120, "东村社区公共账户"),
    ]
    assert _balance(client, staff, mother) == 0
    mine = client.get(
        "/api/timebank/balance?channel=telegram&channel_user_id=v1", headers=internal
    ).json()
    assert [(a["id"], a["balance_hours"]) for a in mine] == [(volunteer, 2.0)]
    assert (
        client.get(
            f"/api/timebank/accounts/{volunteer}", headers=login("rev_chunjiang")
        ).status_code
        == 404
    )
    assert (
        client.get(f"/api/timebank/accounts/{volunteer}", headers=login("adviser")).status_code
        == 403
    )
    with app.state.session_factory() as session:
        assert session.scalar(select(func.sum(TimeMovement.minutes))) == 0


def test_a_second_pending_transfer_past_the_floor_is_refused_at_confirmation(
    client: TestClient, login: Login, internal: dict[str, str]
) -> None:
    staff = login("rev_fuchun")
    pool = _account(client, staff, kind="pool", holder_name="公共账户")
    volunteer = _account(client, internal, kind="volunteer", holder_name="小王")
    earn = _transfer(
        client, staff, kind="service", source_id=pool, destination_id=volunteer, minutes=30
    )
    _confirm(client, staff, earn.json()["id"], None)
    one = _transfer(
        client, internal, kind="exchange", source_id=volunteer, destination_id=pool, minutes=30
    )
    two = _transfer(
        client, internal, kind="exchange", source_id=volunteer, destination_id=pool, minutes=30
    )
    assert (one.status_code, two.status_code) == (201, 201)
    assert _confirm(client, internal, one.json()["id"], volunteer).status_code == 200
    refused = _confirm(client, internal, two.json()["id"], volunteer)
    assert refused.status_code == 409
    assert "不足以转出0.5小时" in refused.json()["detail"]
    assert _balance(client, staff, volunteer) == 0
    still = client.get(f"/api/timebank/accounts/{volunteer}", headers=staff).json()
    assert still["pending_out_minutes"] == 30


def test_bad_requests_are_422_in_chinese(
    client: TestClient, login: Login, internal: dict[str, str]
) -> None:
    staff = login("rev_fuchun")
    for body in (
        {"kind": "service", "source_id": 1, "destination_id": 2, "minutes": 0},
        {"kind": "service", "source_id": 1, "destination_id": 2, "minutes": 24 * 60 + 1},
        {"kind": "loan", "source_id": 1, "destination_id": 2, "minutes": 5},
    ):
        answer = _transfer(client, staff, **body)
        assert answer.status_code == 422
        assert any(ord(ch) > 127 for ch in answer.json()["detail"][0]["msg"])
    same = _transfer(client, staff, kind="service", source_id=1, destination_id=1, minutes=5)
    assert same.status_code == 409
    assert (
        client.post(
            "/api/timebank/accounts",
            json={"kind": "volunteer", "holder_name": "x", "township_code": CHUNJIANG},
            headers=staff,
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/timebank/accounts",
            json={"kind": "pool", "holder_name": "x", "township_code": FUCHUN},
            headers=internal,
        ).status_code
        == 403
    )


def test_a_family_member_confirms_for_the_served_elder_and_strangers_cannot(
    client: TestClient, login: Login, internal: dict[str, str]
) -> None:
    staff = login("rev_fuchun")
    son = _account(client, internal, kind="volunteer", holder_name="儿子")
    father = _account(client, internal, kind="elder", holder_name="父亲", family_of_id=son)
    daughter = _account(client, internal, kind="family", holder_name="女儿", family_of_id=father)
    stranger = _account(client, internal, kind="family", holder_name="邻居")
    helper = _account(client, internal, kind="volunteer", holder_name="志愿者")
    pool = _account(client, staff, kind="pool", holder_name="公共账户")
    earn = _transfer(client, staff, kind="service", source_id=pool, destination_id=son, minutes=60)
    _confirm(client, staff, earn.json()["id"], None)
    gift = _transfer(
        client, internal, kind="gift", source_id=son, destination_id=father, minutes=60
    )
    assert _confirm(client, internal, gift.json()["id"], son).status_code == 200
    served = _transfer(
        client, internal, kind="service", source_id=father, destination_id=helper, minutes=45
    )
    refused = _confirm(client, internal, served.json()["id"], stranger)
    assert refused.status_code == 403
    assert "家属" in refused.json()["detail"]
    assert _confirm(client, internal, served.json()["id"], daughter).status_code == 200
    assert (_balance(client, staff, father), _balance(client, staff, helper)) == (15, 45)
