"""Page behaviour that needs no browser: CSRF, login redirects, /qr, the adviser page, static."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from huimin.townships import all_townships


def staff_client(site, username: str) -> httpx.Client:
    client = httpx.Client(base_url=site.url, follow_redirects=False)
    answer = client.post(
        "/staff/login", data={"username": username, "password": "page-test-pass-1"}
    )
    assert answer.status_code == 303
    assert "huimin_session" in client.cookies
    return client


def test_pages_redirect_to_login_when_not_logged_in(site) -> None:
    for path in ("/staff/cases", "/staff/dashboard", "/staff/intake", "/staff/adviser"):
        answer = httpx.get(site.url + path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/staff/login?next=")


def test_login_ignores_offsite_next(site) -> None:
    client = httpx.Client(base_url=site.url, follow_redirects=False)
    answer = client.post(
        "/staff/login",
        data={
            "username": "rev_fuchun",
            "password": "page-test-pass-1",
            "next": "//evil.example/phish",
        },
    )
    assert answer.headers["location"] == "/staff/cases"


def test_case_action_without_csrf_is_refused(site) -> None:
    application = site.submit(seq=601)
    case_id = application["cases"][0]["id"]
    client = staff_client(site, "rev_fuchun")
    answer = client.post(f"/staff/cases/{case_id}/actions", data={"action": "accept"})
    assert answer.status_code == 403
    assert "页面已过期,请刷新后重试" in answer.text
    page = client.get(f"/staff/cases/{case_id}")
    assert "已提交,等待受理" in page.text


def test_counter_may_accept_but_not_approve(site) -> None:
    application = site.submit(seq=611)
    case_id = application["cases"][0]["id"]
    client = staff_client(site, "counter_fuchun")
    page = client.get(f"/staff/cases/{case_id}").text
    assert 'data-action="accept"' in page
    assert 'data-action="start_investigation"' not in page


def test_adviser_may_not_use_the_intake_page(site) -> None:
    client = staff_client(site, "adviser")
    answer = client.get("/staff/intake?s=00000000-0000-0000-0000-000000000000")
    assert answer.status_code == 403
    assert "您的角色不能使用此页面" in answer.text


def test_qr_page_lists_every_station(site) -> None:
    answer = httpx.get(site.url + "/qr")
    assert answer.status_code == 200
    assert answer.text.count('class="card"') == 4 + len(all_townships())
    assert "https://t.me/huimin_fuyang_bot?start=apply" in answer.text
    assert f"{site.app.state.settings.public_base_url}/chat?start=station_" in answer.text


def test_static_files_only_from_the_folder(site) -> None:
    assert httpx.get(site.url + "/staff/static/chat.js").status_code == 200
    assert httpx.get(site.url + "/staff/static/..%2Fviews.py").status_code == 404
    assert httpx.get(site.url + "/staff/static/views.py").status_code == 404


@dataclass
class _Answer:
    data: dict[str, Any]

    def api_dict(self) -> dict[str, Any]:
        return self.data


class _KnowledgeStandIn:
    """Stands in for the knowledge service (its retrieval is tested in tests/knowledge)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def ask(self, question: str, audience: str) -> _Answer:
        self.asked.append((question, audience))
        return _Answer(
            {
                "question": question,
                "answer": "重度失能老年人可申请养老服务补贴[1]。",
                "confident": True,
                "citations": [
                    {
                        "n": 1,
                        "title": "富阳区养老服务补贴实施细则",
                        "source": "knowledge/docs/elder.md",
                        "section": "第三条",
                        "issuer": "富阳区民政局",
                        "effective_date": "2024-01-01",
                        "text": "经评估为重度失能的老年人,按月发放养老服务补贴。",
                        "score": 0.9,
                    }
                ],
            }
        )


@pytest.fixture
def knowledge_stand_in(site):
    original = site.app.state.knowledge_service
    stand_in = _KnowledgeStandIn()
    site.app.state.knowledge_service = stand_in
    yield stand_in
    site.app.state.knowledge_service = original


def test_adviser_asks_with_audience_adviser_and_sees_citations(site, knowledge_stand_in) -> None:
    client = staff_client(site, "adviser")
    page = client.get("/staff/adviser").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    answer = client.post(
        "/staff/adviser", data={"question": "重度失能老人有什么补贴?", "csrf": csrf}
    )
    assert answer.status_code == 200
    assert knowledge_stand_in.asked == [("重度失能老人有什么补贴?", "adviser")]
    assert "重度失能老年人可申请养老服务补贴" in answer.text
    assert "富阳区养老服务补贴实施细则" in answer.text
    assert "第三条" in answer.text
    assert "按月发放养老服务补贴" in answer.text


def test_dashboard_median_working_days_to_decision(site) -> None:
    import datetime as dt

    from workflows.calendar import make_calendar

    application = site.submit(seq=701)
    case_id = application["cases"][0]["id"]

    def act(action: str, username: str = "rev_fuchun", **extra: Any) -> None:
        token = httpx.post(
            f"{site.url}/api/auth/token",
            data={"username": username, "password": "page-test-pass-1"},
        ).json()["access_token"]
        answer = httpx.post(
            f"{site.url}/api/cases/{case_id}/transitions",
            json={"action": action, **extra},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200, answer.text

    started = site.clock.current
    for action in ("accept", "start_investigation", "submit_opinion", "start_public_notice"):
        act(action)
    site.clock.current = started + dt.timedelta(days=8)  # the 7-day public notice is over
    try:
        act("approve", username="super")  # 低保: the district decides ([DB] art. 20)
        expected = make_calendar(site.app.state.settings).working_days_between(
            started.date(), site.clock.current.date()
        )
        client = staff_client(site, "super")
        page = client.get("/staff/dashboard").text
    finally:
        site.clock.current = started
    median = page.split('id="median">')[1].split("<")[0]
    assert float(median) == expected
    assert "已批准" in page.split('id="by-status"')[1]


def test_staff_open_a_document_of_their_township_only(site) -> None:
    application = site.submit(seq=801)
    jpeg = b"\xff\xd8\xff\xe0" + b"\x01" * 100
    uploaded = httpx.post(
        f"{site.url}/api/applications/{application['id']}/documents",
        files={"file": ("身份证正面.jpg", jpeg, "image/jpeg")},
        data={"kind": "id_card"},
        headers={"X-Internal-Token": "pages-internal"},
    )
    assert uploaded.status_code == 201, uploaded.text
    document_id = uploaded.json()["id"]

    reviewer = staff_client(site, "rev_fuchun")
    case_page = reviewer.get(f"/staff/cases/{application['cases'][0]['id']}").text
    assert f'href="/staff/documents/{document_id}"' in case_page
    answer = reviewer.get(f"/staff/documents/{document_id}")
    assert answer.status_code == 200
    assert answer.content == jpeg
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["content-disposition"].startswith("inline;")

    other = staff_client(site, "rev_chunjiang")
    refused = other.get(f"/staff/documents/{document_id}")
    assert refused.status_code == 404
    assert "材料不存在或不在您的辖区" in refused.text

    from sqlalchemy import select

    from workflows.audit.models import AuditEvent

    with site.app.state.session_factory() as session:
        opened = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "document.opened", AuditEvent.entity_id == str(document_id)
            )
        ).all()
    assert [e.actor for e in opened] == ["staff:rev_fuchun"]


def _queue_total(client: httpx.Client, query: str = "") -> int:
    page = client.get(f"/staff/cases?{query}").text
    return int(page.split("<small>共 ")[1].split(" 件")[0].rstrip("+"))


def test_dibao_decision_is_the_districts_and_the_queue_hides_decided_cases(site) -> None:
    application = site.submit(seq=901)
    case_id = application["cases"][0]["id"]

    def act(action: str, username: str, **extra: Any) -> httpx.Response:
        token = httpx.post(
            f"{site.url}/api/auth/token",
            data={"username": username, "password": "page-test-pass-1"},
        ).json()["access_token"]
        return httpx.post(
            f"{site.url}/api/cases/{case_id}/transitions",
            json={"action": action, **extra},
            headers={"Authorization": f"Bearer {token}"},
        )

    for action in ("accept", "start_investigation", "submit_opinion", "start_public_notice"):
        assert act(action, "rev_fuchun").status_code == 200
    started = site.clock.current
    site.clock.current = started + dt.timedelta(days=8)  # the 7-day public notice is over
    try:
        reviewer = staff_client(site, "rev_fuchun")
        supervisor = staff_client(site, "super")
        page = reviewer.get(f"/staff/cases/{case_id}").text
        assert 'id="awaits-district"' in page
        assert "由区级督导作出批准或不予批准的决定" in page
        assert 'data-action="approve"' not in page
        assert 'data-action="reject"' not in page
        district_page = supervisor.get(f"/staff/cases/{case_id}").text
        assert 'data-action="approve"' in district_page
        assert 'id="awaits-district"' not in district_page
        refused = act("approve", "rev_fuchun")
        assert refused.status_code == 403
        open_before = _queue_total(reviewer)
        all_before = _queue_total(reviewer, "status=all")
        assert act("approve", "super", note="同意").status_code == 200
        assert _queue_total(reviewer) == open_before - 1  # decided: out of the default queue
        assert _queue_total(reviewer, "status=all") == all_before  # still in the history
        approved = reviewer.get("/staff/cases?status=approved").text
        assert application["number"] in approved
    finally:
        site.clock.current = started


def test_adviser_is_offered_the_closest_rules_and_a_pick_answers(site, tmp_path) -> None:
    """A real knowledge service over a small corpus, set so that no answer is certain."""
    from dataclasses import replace

    from knowledge.service import KnowledgeService
    from tests.knowledge.conftest import FakeEmbedder, make_settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "care.md").write_text(
        "---\nid: care\ntitle: 养老服务补贴要点\nregion: fuyang\naudience: [adviser]\n---\n\n"
        "## 1 护理补贴\n\n经评估为重度失能的老年人，按月发放护理补贴。\n\n"
        "## 2 高龄津贴\n\n年满80周岁的老年人按月领取高龄津贴。\n",
        encoding="utf-8",
    )
    service = KnowledgeService(make_settings(tmp_path), embedder=FakeEmbedder())
    service.ingest()
    service.params = replace(service.params, min_confidence=0.99, suggest_floor=0.1)
    service.reload()
    original = site.app.state.knowledge_service
    site.app.state.knowledge_service = service
    try:
        client = staff_client(site, "adviser")
        csrf = client.get("/staff/adviser").text.split('name="csrf" value="')[1].split('"')[0]
        refused = client.post(
            "/staff/adviser", data={"question": "失能老人护理补贴怎么发", "csrf": csrf}
        )
        assert refused.status_code == 200
        assert "您想查的是不是这些规定" in refused.text
        assert '<button type="submit">护理补贴</button>' in refused.text
        passage = refused.text.split('name="passage" value="')[1].split('"')[0]
        picked = client.post(
            "/staff/adviser",
            data={"question": "失能老人护理补贴怎么发", "csrf": csrf, "passage": passage},
        )
        assert "按月发放护理补贴" in picked.text
        assert "依据不足" not in picked.text
        gone = client.post(
            "/staff/adviser",
            data={"question": "护理补贴", "csrf": csrf, "passage": "gone-0001"},
        )
        assert gone.status_code == 200
        assert "这条资料已经更新或不存在" in gone.text
    finally:
        site.app.state.knowledge_service = original
