"""/staff/handoffs over HTTP (no browser): the open hand-offs of the staff member's township
(the district queue: the supervisor) with masked ids, the conversation page (masked, audited),
and the 释放/恢复机器人 form (CSRF) that releases and resumes the Rasa conversation."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any

import httpx
from sqlalchemy import select

from huimin.idcard import make_number, mask
from workflows.audit.models import AuditEvent
from workflows.handoffs.conversation import RasaConversationResumer

PASSWORD = "page-test-pass-1"
FUCHUN = "330111001000"
CHUNJIANG = "330111002000"


def staff_client(site: Any, username: str) -> httpx.Client:
    client = httpx.Client(base_url=site.url, follow_redirects=False)
    answer = client.post("/staff/login", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 303
    return client


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def open_handoff(
    site: Any, user_id: str, transcript: list[dict[str, str]], township: str | None = FUCHUN
) -> dict[str, Any]:
    token = site.app.state.settings.internal_token.get_secret_value()
    answer = httpx.post(
        f"{site.url}/api/handoffs",
        json={
            "channel": "telegram",
            "channel_user_id": user_id,
            "reason": "resident_request",
            "transcript": transcript,
            "conversation_id": f"telegram:{user_id}",
            "township_code": township,
        },
        headers={"X-Internal-Token": token},
    )
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def row_of(page: str, handoff_id: int) -> str:
    return page.split(f'data-handoff-id="{handoff_id}"')[1].split("</tr>")[0]


def reads_of(site: Any, handoff_id: int) -> list[tuple[str, str]]:
    with site.app.state.session_factory() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "handoff.read", AuditEvent.entity_id == str(handoff_id))
            .order_by(AuditEvent.seq)
        ).all()
    return [(e.actor, e.data["view"]) for e in events]


def test_handoffs_page_needs_login_and_is_in_the_navigation(site: Any) -> None:
    answer = httpx.get(site.url + "/staff/handoffs", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/staff/login?next=")
    page = staff_client(site, "rev_fuchun").get("/staff/cases").text
    assert '<a href="/staff/handoffs">人工服务</a>' in page


def test_staff_see_open_handoffs_masked_and_release_resumes_the_bot(site: Any) -> None:
    site.rasa.reset()
    id_number = make_number("330111", dt.date(1955, 3, 12), 21)
    opened = open_handoff(
        site,
        "7700123456",
        [
            {"role": "resident", "text": "我想办低保"},
            {"role": "bot", "text": "请问申请人的身份证号?"},
            {"role": "resident", "text": f"身份证 {id_number}"},
            {"role": "resident", "text": "转人工"},
        ],
    )
    client = staff_client(site, "rev_fuchun")
    page = client.get("/staff/handoffs")
    assert page.status_code == 200
    row = row_of(page.text, opened["id"])
    assert "Telegram" in row
    assert "富春街道" in row
    assert "群众要求转人工" in row
    assert "7700123456" not in page.text
    assert "770****456" in row
    # the list shows the recent conversation (the last lines), ID numbers masked
    assert "我想办低保" not in page.text
    assert mask(id_number) in row
    assert id_number not in page.text
    assert "接待" in row
    assert f'href="/staff/handoffs/{opened["id"]}"' in row
    assert "释放/恢复机器人" in row
    assert reads_of(site, opened["id"]) == []

    conversation = client.get(f"/staff/handoffs/{opened['id']}")
    assert conversation.status_code == 200
    assert id_number not in conversation.text
    assert mask(id_number) in conversation.text
    assert "我想办低保" in conversation.text
    assert "请问申请人的身份证号?" in conversation.text
    assert "结束并恢复机器人" in conversation.text
    assert reads_of(site, opened["id"]) == [("staff:rev_fuchun", "staff_page.handoff")]

    refused = client.post(f"/staff/handoffs/{opened['id']}/release", data={"csrf": "forged"})
    assert refused.status_code == 403
    assert "页面已过期,请刷新后重试" in refused.text
    assert f'data-handoff-id="{opened["id"]}"' in client.get("/staff/handoffs").text
    assert site.rasa.events == []

    done = client.post(f"/staff/handoffs/{opened['id']}/release", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 200
    assert f"第 {opened['id']} 号已释放,机器人已恢复服务。" in done.text
    assert f'data-handoff-id="{opened["id"]}"' not in done.text
    assert site.rasa.events == [("telegram:7700123456", [{"event": "resume"}])]

    api = httpx.get(
        f"{site.url}/api/handoffs/active",
        params={"channel": "telegram", "channel_user_id": "7700123456"},
        headers={"X-Internal-Token": site.app.state.settings.internal_token.get_secret_value()},
    )
    assert api.json() == {"active": False, "handoff": None}


def test_page_says_so_when_rasa_is_unreachable(site: Any) -> None:
    site.rasa.reset()
    opened = open_handoff(site, "7700999888", [{"role": "resident", "text": "人工"}])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    site.app.state.conversation_resumer = RasaConversationResumer(closed, timeout=2)
    try:
        client = staff_client(site, "super")
        csrf = csrf_of(client.get("/staff/handoffs").text)
        answer = client.post(f"/staff/handoffs/{opened['id']}/release", data={"csrf": csrf})
    finally:
        site.app.state.conversation_resumer = None
    assert answer.status_code == 200
    assert f"第 {opened['id']} 号已释放,但对话服务暂时不可用" in answer.text
    assert "重试恢复机器人" in answer.text
    assert f'data-handoff-id="{opened["id"]}"' not in answer.text
    assert site.rasa.events == []


def test_townships_see_only_their_hand_offs_and_the_district_queue_is_the_supervisors(
    site: Any,
) -> None:
    site.rasa.reset()
    fuchun = open_handoff(site, "7711000001", [{"role": "resident", "text": "富春的"}])
    chunjiang = open_handoff(
        site, "7711000002", [{"role": "resident", "text": "春江的"}], township=CHUNJIANG
    )
    district = open_handoff(
        site, "7711000003", [{"role": "resident", "text": "没说镇街"}], township=None
    )
    reviewer = staff_client(site, "rev_chunjiang")
    page = reviewer.get("/staff/handoffs").text
    assert f'data-handoff-id="{chunjiang["id"]}"' in page
    assert f'data-handoff-id="{fuchun["id"]}"' not in page
    assert f'data-handoff-id="{district["id"]}"' not in page
    assert "未指明镇街的请求由区级督导处理" in page
    csrf = csrf_of(page)
    for other in (fuchun, district):
        seen = reviewer.get(f"/staff/handoffs/{other['id']}")
        assert seen.status_code == 404
        assert "人工服务请求不存在或不在您的辖区" in seen.text
        released = reviewer.post(f"/staff/handoffs/{other['id']}/release", data={"csrf": csrf})
        assert released.status_code == 404
        assert reads_of(site, other["id"]) == []
    assert site.rasa.events == []

    supervisor = staff_client(site, "super")
    everything = supervisor.get("/staff/handoffs").text
    for handoff in (fuchun, chunjiang, district):
        assert f'data-handoff-id="{handoff["id"]}"' in everything  # none was released
    assert "富阳区(未指明镇街)" in row_of(everything, district["id"])
    assert supervisor.get(f"/staff/handoffs/{district['id']}").status_code == 200
    assert reads_of(site, district["id"]) == [("staff:super", "staff_page.handoff")]
    done = supervisor.post(
        f"/staff/handoffs/{district['id']}/release", data={"csrf": csrf_of(everything)}
    )
    assert done.status_code == 200
    assert site.rasa.events == [("telegram:7711000003", [{"event": "resume"}])]
    for handoff in (fuchun, chunjiang):  # leave the shared site as found
        supervisor.post(
            f"/staff/handoffs/{handoff['id']}/release", data={"csrf": csrf_of(everything)}
        )


def test_a_district_adviser_answers_hand_offs_too(site: Any) -> None:
    opened = open_handoff(site, "7722000001", [{"role": "resident", "text": "人工"}], None)
    adviser = staff_client(site, "adviser")
    for path in ("/staff/handoffs", f"/staff/handoffs/{opened['id']}"):
        answer = adviser.get(path)
        assert answer.status_code == 200
    assert '<a href="/staff/handoffs">' in adviser.get("/staff/adviser").text
    assert reads_of(site, opened["id"]) == [("staff:adviser", "staff_page.handoff")]
    csrf = csrf_of(adviser.get("/staff/handoffs").text)
    done = adviser.post(f"/staff/handoffs/{opened['id']}/release", data={"csrf": csrf})
    assert done.status_code == 200
