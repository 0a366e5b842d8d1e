"""Staff pages in a real headless Chromium: login, queue, case page, a transition, timeline."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.browser


def test_reviewer_logs_in_opens_a_case_and_accepts_it(site, log_in, screenshots) -> None:
    application = site.submit(seq=201)
    number = application["number"]
    page = log_in("rev_fuchun")
    page.wait_for_url("**/staff/cases")
    assert page.locator("h1").inner_text().startswith("审核队列")

    row = page.locator("table.queue tr", has_text=number)
    assert row.count() == 1
    assert "已提交,等待受理" in row.inner_text()
    row.locator("a").click()

    page.wait_for_url("**/staff/cases/*")
    assert page.locator(".facts .status").inner_text() == "已提交,等待受理"
    assert "张三" in page.locator("#members").inner_text()
    assert "李四" in page.locator("#members").inner_text()
    assert page.locator(".eligibility .verdict").inner_text().startswith("最低生活保障")
    # exactly the allowed actions for a reviewer on a submitted case
    actions = page.locator("form.action").evaluate_all("forms => forms.map(f => f.dataset.action)")
    assert actions == ["accept", "request_materials", "reject", "forward", "extend"]
    page.screenshot(path=str(screenshots / "case_page.png"), full_page=True)

    page.locator('form.action[data-action="accept"] button').click()
    page.wait_for_url("**done=accept")
    assert page.locator(".notice").inner_text() == "已完成:受理"
    assert page.locator(".facts .status").inner_text() == "已受理"
    timeline = page.locator(".timeline").inner_text()
    assert "受理" in timeline
    assert "rev_fuchun" in timeline
    assert "已提交,等待受理 → 已受理" in timeline
    new_actions = page.locator("form.action").evaluate_all(
        "forms => forms.map(f => f.dataset.action)"
    )
    assert "accept" not in new_actions
    assert "start_investigation" in new_actions


def test_action_needing_a_reason_is_refused_without_one(site, log_in) -> None:
    application = site.submit(seq=301)
    case_id = application["cases"][0]["id"]
    page = log_in("rev_fuchun", f"/staff/cases/{case_id}")
    page.wait_for_url(f"**/staff/cases/{case_id}")
    form = page.locator('form.action[data-action="reject"]')
    # bypass the browser's "required" check to see the server's refusal
    form.evaluate("f => f.querySelector('input[name=reason]').removeAttribute('required')")
    form.locator("button").click()
    assert page.locator(".error").inner_text() == "“不予批准”须填写理由"
    assert page.locator(".facts .status").inner_text() == "已提交,等待受理"


def test_other_township_sees_nothing_and_district_sees_all(site, log_in) -> None:
    application = site.submit(seq=401)
    page = log_in("rev_chunjiang")
    page.wait_for_url("**/staff/cases")
    assert page.locator("table.queue tr", has_text=application["number"]).count() == 0
    response = page.goto(f"/staff/cases/{application['cases'][0]['id']}")
    assert response.status == 404


def test_queue_filters_and_overdue_highlighting(site, log_in, screenshots) -> None:
    # Submitted 90 days ago: long past its due date today. (The clock goes back, not forward:
    # the JWT library refuses tokens issued "in the future" of the real time.)
    site.clock.current -= dt.timedelta(days=90)
    try:
        application = site.submit(seq=501)
    finally:
        site.clock.current += dt.timedelta(days=90)
    number = application["number"]
    page = log_in("super")
    page.wait_for_url("**/staff/dashboard")
    page.goto("/staff/cases?overdue=yes&program=dibao")
    row = page.locator("table.queue tr", has_text=number)
    assert row.count() == 1
    assert "deadline-overdue" in (row.get_attribute("class") or "")
    assert row.locator("td.deadline").inner_text() == "已超期"
    page.screenshot(path=str(screenshots / "queue_overdue.png"), full_page=True)
    page.goto("/staff/cases?overdue=no")
    assert page.locator("table.queue tr", has_text=number).count() == 0

    page.goto("/staff/dashboard")
    rate = page.locator("#overdue-rate").inner_text()
    assert rate.endswith("%")
    assert rate != "0.0%"
    assert "最低生活保障" in page.locator("#by-program").inner_text()
    assert "富春街道" in page.locator("#by-township").inner_text()


def test_wrong_password_is_refused(site, browser_page) -> None:
    browser_page.goto("/staff/login")
    browser_page.fill("input[name=username]", "rev_fuchun")
    browser_page.fill("input[name=password]", "wrong-password")
    browser_page.click("button[type=submit]")
    assert browser_page.locator(".error").inner_text() == "用户名或密码错误"
    browser_page.goto("/staff/cases")
    assert "/staff/login" in browser_page.url


def test_printed_qr_codes_scan_back_to_their_links(site, browser_page, tmp_path) -> None:
    import cv2
    import numpy as np

    page = browser_page
    page.goto("/qr")
    card = page.locator('section.card[data-payload="station_330111001000"]')
    assert card.locator("h3").inner_text() == "富春街道服务站"
    for index, expected in enumerate(
        [
            "https://t.me/huimin_fuyang_bot?start=station_330111001000",
            f"{site.app.state.settings.public_base_url}/chat?start=station_330111001000",
        ]
    ):
        shot = tmp_path / f"code{index}.png"
        card.locator("svg").nth(index).screenshot(path=str(shot))
        image = cv2.imdecode(np.fromfile(str(shot), dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
        text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
        assert text == expected


def test_unverified_applicant_blocks_the_economic_verification_until_the_id_card_check(
    site, log_in, screenshots
) -> None:
    application = site.submit(seq=701)
    case_id = application["cases"][0]["id"]
    page = log_in("counter_fuchun", f"/staff/cases/{case_id}")
    page.wait_for_url(f"**/staff/cases/{case_id}")
    assert page.locator("#identity").inner_text() == "申请人身份:未核验 —— 受理时请核验身份证原件"
    blocked = page.locator("#verification-blocked").inner_text()
    assert blocked.startswith("申请人身份尚未核验,暂不进行经济状况核对")
    assert page.locator("#verification table").count() == 0
    page.screenshot(path=str(screenshots / "case_identity_unverified.png"), full_page=True)

    form = page.locator("#identity-check")
    form.locator("input[name=confirmed]").check()
    form.locator("button").click()
    page.wait_for_url(f"**/staff/cases/{case_id}#identity")
    assert page.locator("#identity").inner_text().startswith(
        "申请人身份:已核验(窗口核验身份证原件,工作人员 counter_fuchun)"
    )
    assert page.locator("#verification-blocked").count() == 0
    assert page.locator("#identity-check").count() == 0
    assert "核对" in page.locator("#verification").inner_text()
