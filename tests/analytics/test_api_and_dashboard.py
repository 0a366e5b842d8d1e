"""GET /api/analytics/funnel (district staff only, not township-scoped), the dashboard's funnel
chart, and /api/health's analytics part."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.analytics.conftest import PASSWORD
from tests.analytics.test_funnel import scripted, today_of
from tests.analytics.test_record import record_all
from tests.conftest import FakeClock
from workflows.analytics import keys
from workflows.analytics.steps import APPLICATION_QUESTIONS

URL = "/api/analytics/funnel"


def at_fixture_time(clock: FakeClock, recorded: dict[str, Any]) -> None:
    day = today_of(recorded)
    clock.set(keys.moment(min(float(e["timestamp"]) for e in recorded["events"])))
    assert clock.now().astimezone(keys.LOCAL_TZ).date() == day


def test_only_district_staff_read_the_funnel(
    client: TestClient, bearer: Callable[[str], dict[str, str]]
) -> None:
    assert client.get(URL).status_code == 401
    for township_staff in ("rev_fuchun", "adviser_fuchun"):
        answer = client.get(URL, headers=bearer(township_staff))
        assert answer.status_code == 403
        assert answer.json()["detail"] == "只有区级督导和区级工作人员可以查看对话统计"
    internal = {"X-Internal-Token": client.app.state.settings.internal_token.get_secret_value()}  # type: ignore[attr-defined]
    assert client.get(URL, headers=internal).status_code == 401
    for district in ("super", "district_adviser"):
        answer = client.get(URL, headers=bearer(district))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["steps"][0] == {
            "step": "started",
            "label": "开始对话",
            "count": 0,
            "conditional": False,
        }
        assert body["drop_off"] is None
        assert "不按镇街划分" in body["scope"]


def test_bad_parameters_are_422(
    client: TestClient, bearer: Callable[[str], dict[str, str]]
) -> None:
    headers = bearer("super")
    for params in ({"weeks": 0}, {"weeks": 53}, {"weeks": "八"}, {"channel": "Tele gram"}):
        answer = client.get(URL, params=params, headers=headers)
        assert answer.status_code == 422, (params, answer.text)


def test_the_api_counts_what_the_consumer_recorded(
    app: FastAPI,
    client: TestClient,
    bearer: Callable[[str], dict[str, str]],
    clock: FakeClock,
    recorded: dict[str, Any],
) -> None:
    record_all(app, scripted(recorded))
    at_fixture_time(clock, recorded)
    headers = bearer("super")
    body = client.get(URL, params={"weeks": 8}, headers=headers).json()
    count = {s["step"]: s["count"] for s in body["steps"]}
    assert (count["started"], count["application_begun"], count["submitted"]) == (8, 4, 1)
    assert body["outcomes"] == [
        {"step": "handed_off", "label": "转人工", "count": 1, "conditional": False}
    ]
    assert body["drop_off"]["from_step"] == "started"
    assert body["drop_off"]["to_step"] == "application_begun"
    assert len(body["by_week"]) == 8
    telegram = client.get(URL, params={"channel": "telegram"}, headers=headers).json()
    assert {s["step"]: s["count"] for s in telegram["steps"]}["submitted"] == 1
    assert telegram["channel"] == "telegram"


def page_client(client: TestClient, username: str) -> TestClient:
    answer = client.post(
        "/staff/login",
        data={"username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def test_the_dashboard_draws_the_funnel_for_the_supervisor(
    app: FastAPI,
    client: TestClient,
    staff_users: None,
    clock: FakeClock,
    recorded: dict[str, Any],
) -> None:
    record_all(app, scripted(recorded))
    at_fixture_time(clock, recorded)
    page = page_client(client, "super").get("/staff/dashboard").text
    section = page.split('id="conversation-funnel"')[1].split("</section>")[0]
    svg = section.split("<svg")[1].split("</svg>")[0]
    assert 'aria-label="对话漏斗(近 8 周)"' in svg
    # started, begun, one bar per form question, submitted, 转人工
    assert svg.count("<rect") == 2 + len(APPLICATION_QUESTIONS) + 1 + 1
    assert ">8(100%)<" in svg  # conversations started
    assert ">4(50%)<" in svg  # applications begun
    assert "问到:居住证(部分)" in svg
    assert "从「开始对话」到「开始申请」减少 4 个对话(50%)" in section
    assert "<script" not in section


def test_township_staff_see_no_funnel_on_the_dashboard(
    client: TestClient, staff_users: None
) -> None:
    page = page_client(client, "rev_fuchun").get("/staff/dashboard")
    assert page.status_code == 200
    assert 'id="conversation-funnel"' not in page.text


def test_health_says_none_without_a_broker(client: TestClient) -> None:
    assert client.get("/api/health").json()["analytics"] == {"kind": "none"}


def test_health_names_the_broker_when_configured(app: FastAPI, client: TestClient) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"event_broker_url": "amqp://guest:guest@127.0.0.1:5399/"}
    )
    analytics = client.get("/api/health").json()["analytics"]
    assert analytics["kind"] == "rabbitmq"
    assert analytics["ok"] is False  # nothing listens on 5399
    assert analytics["queue"] == "rasa_events"
    assert "guest" not in str(analytics)
