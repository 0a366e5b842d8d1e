"""The case page offers what the program's profile allows (先行救助 with its amount), shows the
profile, and the dashboard lists open 先行救助 cases past their paperwork deadline."""

from __future__ import annotations

import datetime as dt

from tests.pages.test_pages_http import staff_client


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def test_urgent_grant_on_the_case_page_and_the_dashboard(site) -> None:
    application = site.submit(seq=911, programs=["temporary"])
    case_id = application["cases"][0]["id"]
    reviewer = staff_client(site, "rev_fuchun")
    page = reviewer.get(f"/staff/cases/{case_id}").text
    assert 'data-action="grant_urgent"' in page
    assert 'name="amount"' in page
    assert 'id="process"' in page
    assert "先行救助" in page.split('id="process"')[1]
    assert "示例配置,以民政部门公布为准" in page  # the paperwork deadline is a sample

    bad = reviewer.post(
        f"/staff/cases/{case_id}/actions",
        data={"csrf": _csrf(page), "action": "grant_urgent", "amount": "abc", "reason": "火灾"},
    )
    assert bad.status_code == 422
    done = reviewer.post(
        f"/staff/cases/{case_id}/actions",
        data={"csrf": _csrf(page), "action": "grant_urgent", "amount": "600", "reason": "火灾"},
    )
    assert done.status_code == 303
    page = reviewer.get(f"/staff/cases/{case_id}").text
    assert 'id="urgent"' in page
    assert "600.00 元" in page
    assert 'data-action="grant_urgent"' not in page

    started = site.clock.current
    site.clock.current = started + dt.timedelta(days=14)
    try:
        dashboard = staff_client(site, "super").get("/staff/dashboard").text
        # a fresh login: the earlier page session has expired two weeks later
        late_page = staff_client(site, "rev_fuchun").get(f"/staff/cases/{case_id}").text
    finally:
        site.clock.current = started
    section = dashboard.split('id="urgent-overdue"')[1].split("</section>")[0]
    assert application["number"] in section
    assert "已超期" in late_page.split('id="urgent"')[1].split("</dd>")[0]


def test_dibao_case_page_shows_the_zhejiang_time_limit(site) -> None:
    application = site.submit(seq=921)
    case_id = application["cases"][0]["id"]
    page = staff_client(site, "rev_fuchun").get(f"/staff/cases/{case_id}").text
    assert "《浙江省社会救助条例》第十一条" in page.split('id="deadline-source"')[1]
    assert 'data-action="grant_urgent"' not in page


def test_medical_direct_grant_form_for_a_certified_household(site) -> None:
    import httpx

    dibao_app = site.submit(seq=931, programs=["dibao"])
    medical_app = site.submit(seq=931, programs=["medical"], channel_user_id="9931b")
    dibao_id = dibao_app["cases"][0]["id"]
    medical_id = medical_app["cases"][0]["id"]

    def act(case_id: int, action: str, username: str = "rev_fuchun") -> None:
        token = httpx.post(
            f"{site.url}/api/auth/token",
            data={"username": username, "password": "page-test-pass-1"},
        ).json()["access_token"]
        answer = httpx.post(
            f"{site.url}/api/cases/{case_id}/transitions",
            json={"action": action},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200, answer.text

    started = site.clock.current
    for action in ("accept", "start_investigation", "submit_opinion", "start_public_notice"):
        act(dibao_id, action)
    site.clock.current = started + dt.timedelta(days=8)
    try:
        act(dibao_id, "approve", username="super")
        act(medical_id, "accept")
        reviewer = staff_client(site, "rev_fuchun")
        page = reviewer.get(f"/staff/cases/{medical_id}").text
        assert 'data-action="grant_direct"' in page
        assert 'name="certificate_ref"' in page
        assert 'data-action="start_investigation"' not in page
        assert 'id="certificate"' in page
        done = reviewer.post(
            f"/staff/cases/{medical_id}/actions",
            data={"csrf": _csrf(page), "action": "grant_direct", "certificate_ref": "低保证 931"},
        )
        assert done.status_code == 303
        page = reviewer.get(f"/staff/cases/{medical_id}").text
        assert "已批准" in page
        assert "低保证 931" in page
    finally:
        site.clock.current = started
