"""A hand-off is a conversation: the resident waits (told the expected wait, or out of hours when
staff answer), a township's staff member claims it (the resident is told their display name),
messages go both ways (staff replies through the outbox to the resident's channel), transfer,
close with a summary (the assistant resumes). Another township's staff get 404 for every step;
every step is audited. Time is the app's FakeClock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import FakeClock
from workflows.audit.models import AuditEvent
from workflows.auth.models import StaffUser
from workflows.outbox.models import OutboxMessage

Login = Callable[[str], dict[str, str]]
FUCHUN = "330111001000"
CHUNJIANG = "330111002000"
CN = dt.timezone(dt.timedelta(hours=8))


class RecordingResumer:
    def __init__(self) -> None:
        self.resumed: list[str] = []

    def resume(self, conversation_id: str) -> bool:
        self.resumed.append(conversation_id)
        return True


@pytest.fixture
def resumer(app: FastAPI) -> RecordingResumer:
    recording = RecordingResumer()
    app.state.conversation_resumer = recording
    return recording


@pytest.fixture
def named(app: FastAPI, staff_users: None) -> None:
    with app.state.session_factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "rev_fuchun"))
        assert user is not None
        user.display_name = "小王"
        session.commit()


def _open(
    client: TestClient,
    internal: dict[str, str],
    *,
    channel: str = "web",
    user: str = "11111111-1111-4111-8111-111111111111",
    township: str | None = FUCHUN,
) -> dict[str, Any]:
    answer = client.post(
        "/api/handoffs",
        json={
            "channel": channel,
            "channel_user_id": user,
            "reason": "resident_request",
            "transcript": [{"role": "resident", "text": "我住在富春街道,转人工"}],
            "conversation_id": f"{channel}:{user}",
            "township_code": township,
        },
        headers=internal,
    )
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _outbox(app: FastAPI, channel: str) -> list[OutboxMessage]:
    with app.state.session_factory() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.channel == channel)
                .order_by(OutboxMessage.id)
            )
        )


def _say(client: TestClient, internal: dict[str, str], channel: str, user: str, text: str) -> Any:
    answer = client.post(
        "/api/handoffs/resident-messages",
        json={"channel": channel, "channel_user_id": user, "text": text},
        headers=internal,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_telegram_conversation_claim_reply_close(
    client: TestClient,
    app: FastAPI,
    clock: FakeClock,
    internal: dict[str, str],
    login: Login,
    named: None,
    resumer: RecordingResumer,
) -> None:
    opened = _open(client, internal, channel="telegram", user="4242")
    assert opened["status"] == "waiting"
    first = _outbox(app, "telegram")
    assert len(first) == 1
    assert "预计等待约 5 分钟" in first[0].text
    assert first[0].channel_user_id == "4242"

    clock.advance(seconds=90)
    queue = client.get("/api/handoffs", headers=login("rev_fuchun")).json()
    assert [(h["id"], h["status"], h["waiting_seconds"]) for h in queue] == [
        (opened["id"], "waiting", 90)
    ]
    # the resident writes while waiting: stored on the hand-off, not sent to the assistant
    said = _say(client, internal, "telegram", "4242", "我的身份证是330111197003140012,想问低保")
    assert said == {"accepted": True, "handoff": {"status": "waiting", "staff_display_name": None}}
    assert _say(client, internal, "telegram", "9999", "你好") == {
        "accepted": False,
        "handoff": None,
    }

    claimed = client.post(f"/api/handoffs/{opened['id']}/claim", headers=login("rev_fuchun"))
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["status"] == "active"
    assert claimed.json()["staff_display_name"] == "小王"
    assert claimed.json()["waiting_seconds"] == 90
    assert _outbox(app, "telegram")[-1].text == "【人工服务】工作人员 小王 正在为您服务。"
    # another staff member of the same township cannot take it over
    taken = client.post(f"/api/handoffs/{opened['id']}/claim", headers=login("counter_fuchun"))
    assert taken.status_code == 409
    assert "小王" in taken.json()["detail"]

    clock.advance(seconds=30)
    sent = client.post(
        f"/api/handoffs/{opened['id']}/messages",
        json={"text": "您好,请问您家里几口人?"},
        headers=login("rev_fuchun"),
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["from"] == "staff"
    assert _outbox(app, "telegram")[-1].text == "【人工服务】工作人员 小王:您好,请问您家里几口人?"
    assert _say(client, internal, "telegram", "4242", "三口人")["handoff"] == {
        "status": "active",
        "staff_display_name": "小王",
    }
    messages = client.get(
        f"/api/handoffs/{opened['id']}/messages", headers=login("rev_fuchun")
    ).json()
    assert [(m["from"], m["text"]) for m in messages] == [
        ("system", messages[0]["text"]),
        ("resident", "我的身份证是330111********0012,想问低保"),
        ("system", "工作人员 小王 正在为您服务。"),
        ("staff", "您好,请问您家里几口人?"),
        ("resident", "三口人"),
    ]
    after = client.get(
        f"/api/handoffs/{opened['id']}/messages",
        params={"after": messages[3]["id"]},
        headers=login("rev_fuchun"),
    ).json()
    assert [m["text"] for m in after] == ["三口人"]

    closed = client.post(
        f"/api/handoffs/{opened['id']}/release",
        json={"summary": "已告知低保申请材料,建议到富春街道窗口递交"},
        headers=login("rev_fuchun"),
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["conversation_resumed"] is True
    assert resumer.resumed == ["telegram:4242"]
    assert _outbox(app, "telegram")[-1].text.startswith(
        "【人工服务】本次人工服务已结束:已告知低保申请材料,建议到富春街道窗口递交。小助手将继续"
    )
    # closed: the resident's next message goes to the assistant again
    assert _say(client, internal, "telegram", "4242", "谢谢") == {
        "accepted": False,
        "handoff": None,
    }
    assert client.get("/api/handoffs", headers=login("rev_fuchun")).json() == []

    with app.state.session_factory() as session:
        actions = [
            (e.action, e.actor)
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity_type == "handoff")
                .order_by(AuditEvent.seq)
            )
        ]
    assert actions == [
        ("handoff.opened", "internal:telegram"),
        ("handoff.claimed", "staff:rev_fuchun"),
        ("handoff.replied", "staff:rev_fuchun"),
        ("handoff.read", "staff:rev_fuchun"),
        ("handoff.read", "staff:rev_fuchun"),
        ("handoff.released", "staff:rev_fuchun"),
    ]


def test_other_townships_get_404_for_every_step(
    client: TestClient, internal: dict[str, str], login: Login, resumer: RecordingResumer
) -> None:
    opened = _open(client, internal)
    other = login("rev_chunjiang")
    hid = opened["id"]
    for method, path, body in (
        ("GET", f"/api/handoffs/{hid}", None),
        ("GET", f"/api/handoffs/{hid}/messages", None),
        ("POST", f"/api/handoffs/{hid}/claim", None),
        ("POST", f"/api/handoffs/{hid}/messages", {"text": "你好"}),
        ("POST", f"/api/handoffs/{hid}/transfer", {"township_code": CHUNJIANG}),
        ("POST", f"/api/handoffs/{hid}/release", None),
    ):
        answer = client.request(method, path, json=body, headers=other)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.json()["detail"] == "人工服务请求不存在或不在您的辖区"
    assert client.get("/api/handoffs", headers=other).json() == []
    assert resumer.resumed == []
    # nothing changed
    mine = client.get("/api/handoffs", headers=login("rev_fuchun")).json()
    assert [(h["id"], h["status"]) for h in mine] == [(hid, "waiting")]


def test_transfer_moves_it_to_the_other_township_and_tells_the_resident(
    client: TestClient, app: FastAPI, internal: dict[str, str], login: Login, named: None
) -> None:
    opened = _open(client, internal)
    hid = opened["id"]
    assert client.post(f"/api/handoffs/{hid}/claim", headers=login("rev_fuchun")).status_code == 200
    moved = client.post(
        f"/api/handoffs/{hid}/transfer",
        json={"township_code": CHUNJIANG},
        headers=login("rev_fuchun"),
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["status"], moved.json()["township_code"]) == ("waiting", CHUNJIANG)
    assert moved.json()["claimed_by"] is None
    assert client.get(f"/api/handoffs/{hid}", headers=login("rev_fuchun")).status_code == 404
    assert [
        h["id"] for h in client.get("/api/handoffs", headers=login("rev_chunjiang")).json()
    ] == [hid]
    assert "春江街道" in _outbox(app, "web")[-1].text
    bad = client.post(
        f"/api/handoffs/{hid}/transfer",
        json={"township_code": "330111999000"},
        headers=login("rev_chunjiang"),
    )
    assert bad.status_code == 422
    to_district = client.post(
        f"/api/handoffs/{hid}/transfer",
        json={"township_code": None},
        headers=login("rev_chunjiang"),
    )
    assert to_district.json()["township_code"] is None
    assert [h["id"] for h in client.get("/api/handoffs", headers=login("super")).json()] == [hid]


def test_counter_staff_and_advisers_may_answer_their_townships(
    client: TestClient, internal: dict[str, str], login: Login
) -> None:
    opened = _open(client, internal, township=None)
    reply = client.post(
        f"/api/handoffs/{opened['id']}/messages", json={"text": "您好"}, headers=login("adviser")
    )
    assert reply.status_code == 201, reply.text
    fuchun = _open(client, internal, user="22222222-2222-4222-8222-222222222222")
    by_counter = client.post(
        f"/api/handoffs/{fuchun['id']}/messages",
        json={"text": "您好"},
        headers=login("counter_fuchun"),
    )
    assert by_counter.status_code == 201
    empty = client.post(
        f"/api/handoffs/{fuchun['id']}/messages", json={"text": ""}, headers=login("counter_fuchun")
    )
    assert empty.status_code == 422
    blank = client.post(
        f"/api/handoffs/{fuchun['id']}/messages",
        json={"text": "   "},
        headers=login("counter_fuchun"),
    )
    assert (blank.status_code, blank.json()["detail"]) == (422, "请输入回复内容")


def test_out_of_hours_says_when_staff_answer_and_offers_the_alternatives(
    client: TestClient, app: FastAPI, clock: FakeClock, internal: dict[str, str], login: Login
) -> None:
    clock.set(dt.datetime(2026, 11, 6, 18, 30, tzinfo=CN))  # a Friday evening
    _open(client, internal)
    notice = _outbox(app, "web")[-1].text
    assert "非工作时间" in notice
    assert "11月9日(星期一)08:30" in notice  # the next working day's opening
    assert "0571-00000000(示例)" in notice
    assert "继续使用小助手" in notice
    # no "unclaimed" notice on top of it overnight
    clock.advance(hours=12)
    client.get("/api/handoffs", headers=login("rev_fuchun"))
    assert len(_outbox(app, "web")) == 1


def test_no_claim_within_the_timeout_tells_the_resident_once(
    client: TestClient, app: FastAPI, clock: FakeClock, internal: dict[str, str], login: Login
) -> None:
    _open(client, internal)
    clock.advance(minutes=9)
    client.get("/api/handoffs", headers=login("rev_fuchun"))
    assert len(_outbox(app, "web")) == 1
    clock.advance(minutes=2)
    app.state.handoff_sweeper.sweep_once()  # the API's background check
    client.get("/api/handoffs", headers=login("rev_fuchun"))
    texts = [m.text for m in _outbox(app, "web")]
    assert len(texts) == 2
    assert "还没有接入" in texts[1]
    assert "继续使用小助手" in texts[1]


def test_the_resident_may_leave_the_queue_for_the_bot(
    client: TestClient, app: FastAPI, internal: dict[str, str], resumer: RecordingResumer
) -> None:
    opened = _open(client, internal, channel="telegram", user="77")
    said = _say(client, internal, "telegram", "77", "继续使用小助手")
    assert said["handoff"]["status"] == "closed"
    assert resumer.resumed == ["telegram:77"]
    assert "已为您结束人工服务" in _outbox(app, "telegram")[-1].text
    assert _say(client, internal, "telegram", "77", "低保怎么申请")["accepted"] is False
    assert opened["id"]
