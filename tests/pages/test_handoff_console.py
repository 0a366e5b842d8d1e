"""The live hand-off over real HTTP (uvicorn on a free port, a Rasa stand-in): a web resident
in a hand-off writes (the assistant is not asked), the staff console's event stream shows it,
the staff reply reaches the resident's web chat through ``GET /chat/api/updates`` (a long poll
answered as soon as it is there), closing resumes the assistant."""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
import time
from typing import Any

import httpx
import pytest

from tests.pages.test_handoffs_page import csrf_of, staff_client

FUCHUN = "330111001000"


def web_resident(site: Any) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=site.url, follow_redirects=False)
    assert client.get("/chat").status_code == 200
    return client, str(client.cookies["huimin_web_id"])


def open_web_handoff(site: Any, web_id: str, township: str | None = FUCHUN) -> dict[str, Any]:
    token = site.app.state.settings.internal_token.get_secret_value()
    answer = httpx.post(
        f"{site.url}/api/handoffs",
        json={
            "channel": "web",
            "channel_user_id": web_id,
            "reason": "resident_request",
            "transcript": [{"role": "resident", "text": "我住在富春街道,转人工"}],
            "conversation_id": f"web:{web_id}",
            "township_code": township,
        },
        headers={"X-Internal-Token": token},
    )
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


class EventReader:
    """Reads a server-sent event stream in a thread; events land in a queue."""

    def __init__(self, client: httpx.Client, path: str) -> None:
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self._client = client
        self._path = path
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._stop = threading.Event()
        self._thread.start()

    def _run(self) -> None:
        with self._client.stream("GET", self._path, timeout=30) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            name = ""
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith("event: "):
                    name = line[len("event: ") :]
                elif line.startswith("data: "):
                    self.events.put((name, json.loads(line[len("data: ") :])))

    def next(self, name: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {name} event within {timeout}s")
            event, data = self.events.get(timeout=left)
            if event == name:
                return data

    def stop(self) -> None:
        self._stop.set()


def test_web_resident_and_console_talk_live(site: Any) -> None:
    site.rasa.reset()
    resident, web_id = web_resident(site)
    opened = open_web_handoff(site, web_id)
    hid = opened["id"]

    # the resident's chat first gets the notice with the expected wait
    first = resident.get("/chat/api/updates").json()
    assert [m["from"] for m in first["messages"]] == ["system"]
    assert "预计等待" in first["messages"][0]["text"]
    cursor = first["cursor"]
    assert resident.get("/chat/api/updates", params={"after": cursor}).json() == {
        "messages": [],
        "cursor": cursor,
    }

    staff = staff_client(site, "rev_fuchun")
    queue_page = staff.get("/staff/handoffs").text
    row = queue_page.split(f'data-handoff-id="{hid}"')[1].split("</tr>")[0]
    assert "等待接待" in row
    assert "网页" in row
    assert "转人工" in row
    csrf = csrf_of(queue_page)
    claimed = staff.post(f"/staff/handoffs/{hid}/claim", data={"csrf": csrf})
    assert claimed.status_code == 303
    assert claimed.headers["location"] == f"/staff/handoffs/{hid}"

    stream = EventReader(staff, f"/staff/handoffs/{hid}/events")
    try:
        assert stream.next("status") == {
            "status": "active",
            "staff_display_name": "富春街道审核员",
        }
        said = resident.post("/chat/api/message", json={"text": "我家里有两口人,想申请低保"})
        assert said.status_code == 200
        assert said.json() == {
            "replies": [],
            "handoff": {"status": "active", "staff_display_name": "富春街道审核员"},
        }
        assert site.rasa.messages == []  # the paused assistant was not asked
        seen = stream.next("message")  # the notices before it came with the first status
        assert (seen["from"], seen["text"]) == ("resident", "我家里有两口人,想申请低保")

        # a long poll waiting in the resident's page gets the reply as soon as it is sent
        answers: queue.Queue[dict[str, Any]] = queue.Queue()
        polled = threading.Thread(
            target=lambda: answers.put(
                resident.get(
                    "/chat/api/updates", params={"after": cursor, "wait": 20}, timeout=30
                ).json()
            )
        )
        polled.start()
        updates_claimed = answers.get(timeout=10)  # the "正在为您服务" notice is already there
        assert updates_claimed["messages"][0]["text"] == "工作人员 富春街道审核员 正在为您服务。"
        cursor = updates_claimed["cursor"]
        waiting = threading.Thread(
            target=lambda: answers.put(
                resident.get(
                    "/chat/api/updates", params={"after": cursor, "wait": 20}, timeout=30
                ).json()
            )
        )
        waiting.start()
        time.sleep(0.5)
        sent_at = time.monotonic()
        replied = staff.post(
            f"/staff/handoffs/{hid}/reply",
            data={"csrf": csrf, "text": "您好,请问两口人的月收入大约多少?"},
            headers={"Accept": "application/json"},
        )
        assert replied.status_code == 204
        update = answers.get(timeout=10)
        assert time.monotonic() - sent_at < 2.0
        assert [(m["from"], m["text"]) for m in update["messages"]] == [
            ("staff", "您好,请问两口人的月收入大约多少?")
        ]
        assert stream.next("message")["from"] == "staff"
    finally:
        stream.stop()

    closed = staff.post(
        f"/staff/handoffs/{hid}/release", data={"csrf": csrf, "summary": "已说明低保收入标准"}
    )
    assert closed.status_code == 200
    assert site.rasa.events == [(f"web:{web_id}", [{"event": "resume"}])]
    last = resident.get("/chat/api/updates", params={"after": update["cursor"]}).json()
    assert last["messages"][0]["text"].startswith("本次人工服务已结束:已说明低保收入标准。")
    # the assistant answers again
    again = resident.post("/chat/api/message", json={"text": "谢谢"})
    assert again.json()["replies"][0]["text"] == "收到:谢谢"
    assert "handoff" not in again.json()


def test_another_township_cannot_stream_or_answer(site: Any) -> None:
    _resident, web_id = web_resident(site)
    opened = open_web_handoff(site, web_id)
    other = staff_client(site, "rev_chunjiang")
    csrf = csrf_of(other.get("/staff/adviser").text)
    assert other.get(f"/staff/handoffs/{opened['id']}/events").status_code == 404
    for action, data in (("claim", {}), ("reply", {"text": "你好"}), ("transfer", {})):
        answer = other.post(f"/staff/handoffs/{opened['id']}/{action}", data={"csrf": csrf, **data})
        assert answer.status_code == 404, action
    knowledge = other.post(
        f"/staff/handoffs/{opened['id']}/knowledge",
        data={"question": "低保"},
        headers={"X-CSRF-Token": csrf},
    )
    assert knowledge.status_code == 404
    supervisor = staff_client(site, "super")
    supervisor.post(
        f"/staff/handoffs/{opened['id']}/release",
        data={"csrf": csrf_of(supervisor.get("/staff/handoffs").text)},
    )


def test_updates_need_the_chat_cookie(site: Any) -> None:
    answer = httpx.get(f"{site.url}/chat/api/updates")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "会话已失效,请刷新页面后再试"
    bad = httpx.get(f"{site.url}/chat/api/updates", params={"wait": 100})
    assert bad.status_code == 422


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_dashboard_shows_waiting_and_first_response_per_township(site: Any) -> None:
    _resident, web_id = web_resident(site)
    opened = open_web_handoff(site, web_id, township="330111002000")  # 春江街道
    staff = staff_client(site, "rev_chunjiang")
    csrf = csrf_of(staff.get("/staff/handoffs").text)
    supervisor = staff_client(site, "super")
    before = supervisor.get("/staff/dashboard").text
    table = before.split('id="handoffs-by-township"')[1].split("</table>")[0]
    row = table.split("春江街道")[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in row  # one waiting
    assert '<svg class="chart"' in before
    assert "正在等待的人工服务(按镇街)" in before

    start = site.clock.current
    site.clock.current = start + dt.timedelta(seconds=150)
    try:
        replied = staff.post(
            f"/staff/handoffs/{opened['id']}/reply", data={"csrf": csrf, "text": "您好"}
        )
        assert replied.status_code == 303
        after = supervisor.get("/staff/dashboard").text
    finally:
        site.clock.current = start
    row = after.split('id="handoffs-by-township"')[1].split("春江街道")[1].split("</tr>")[0]
    assert "150 秒" in row
    chart = after.split("首次回复用时中位数(按镇街)</title>")[1].split("</svg>")[0]
    assert "春江街道" in chart
    assert "2.5分钟" in chart
    # township staff see their own township only
    mine = staff.get("/staff/handoffs").text
    assert "春江街道" in mine
    staff.post(f"/staff/handoffs/{opened['id']}/release", data={"csrf": csrf})


def test_console_forms_need_the_csrf_token_and_a_question(site: Any) -> None:
    _resident, web_id = web_resident(site)
    opened = open_web_handoff(site, web_id)
    hid = opened["id"]
    staff = staff_client(site, "counter_fuchun")
    page = staff.get(f"/staff/handoffs/{hid}").text
    assert "插入政策答案(带出处)" in page
    assert "您好,我是工作人员" in page
    csrf = csrf_of(page)
    for action, data in (("claim", {}), ("reply", {"text": "你好"}), ("transfer", {})):
        refused = staff.post(f"/staff/handoffs/{hid}/{action}", data={"csrf": "forged", **data})
        assert refused.status_code == 403, action
    no_token = staff.post(f"/staff/handoffs/{hid}/knowledge", data={"question": "低保"})
    assert no_token.status_code == 403
    empty = staff.post(
        f"/staff/handoffs/{hid}/knowledge", data={"question": " "}, headers={"X-CSRF-Token": csrf}
    )
    assert (empty.status_code, empty.json()["detail"]) == (422, "请输入要查询的问题")
    blank = staff.post(f"/staff/handoffs/{hid}/reply", data={"csrf": csrf, "text": "  "})
    assert blank.status_code == 422
    assert "请输入回复内容" in blank.text
    # nothing was claimed by the refused or blank requests
    assert 'data-status="waiting"' in staff.get(f"/staff/handoffs/{hid}").text
    staff.post(f"/staff/handoffs/{hid}/release", data={"csrf": csrf})
