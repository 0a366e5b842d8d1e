"""Live hand-off through the whole running system (real Rasa, action server and API over HTTP),
in headless Chromium: a web resident asks for a person, a reviewer of the resident's township
sees it waiting, claims it and replies, the resident's web chat shows the reply, the resident
answers and the console shows it live (server-sent events), the reviewer closes it and the
resident's next message is answered by the assistant again."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e

PASSWORD = "demo-pass-2026"  # seed-demo's demo staff password
REVIEWER = "reviewer-001"  # 富春街道
OTHER_REVIEWER = "reviewer-002"  # 春江街道
REPLY_TIMEOUT_MS = 90_000  # one dialogue turn through the real Rasa and action server


def _new_page(browser: Any, base_url: str) -> tuple[Any, Any]:
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _log_in(page: Any, username: str) -> None:
    page.goto("/staff/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/**")


def _resident_says(page: Any, text: str, *, expect: str = ".msg.bot") -> None:
    """Type one turn; wait until something new of ``expect`` shows up after it."""
    page.wait_for_function(
        "() => !document.querySelector('#chat .composer button').disabled", timeout=5_000
    )
    before = page.locator(f"#chat {expect}").count()
    page.locator("#chat input[name=text]").fill(text)
    page.locator("#chat .composer button[type=submit]").click()
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n",
        arg=[f"#chat {expect}", before],
        timeout=REPLY_TIMEOUT_MS,
    )


def test_web_resident_and_reviewer_talk_live(running_system: Any, browser: Any) -> None:
    resident_context, resident = _new_page(browser, running_system.api_url)
    staff_context, staff = _new_page(browser, running_system.api_url)
    try:
        resident.goto("/chat")
        resident.wait_for_selector("#chat .msg.bot", timeout=REPLY_TIMEOUT_MS)  # the greeting
        _resident_says(resident, "我住在富春街道")
        _resident_says(resident, "转人工")
        assert "转接工作人员" in resident.locator("#chat .msg.bot").last.inner_text()
        # the API's notice: the expected wait (office hours) or when staff answer
        resident.wait_for_selector("#chat .msg.system", timeout=10_000)
        notice = resident.locator("#chat .msg.system").last.inner_text()
        assert "预计等待" in notice or "非工作时间" in notice

        # another township's reviewer does not see it
        _log_in(staff, OTHER_REVIEWER)
        staff.goto("/staff/handoffs")
        assert staff.locator('tr[data-status="waiting"]', has_text="富春街道").count() == 0
        staff.locator("form.who button").click()

        _log_in(staff, REVIEWER)
        staff.goto("/staff/handoffs")
        row = staff.locator('tr[data-status="waiting"]', has_text="网页").last
        assert "富春街道" in row.inner_text()
        assert "转人工" in row.locator("td.recent").inner_text()
        row.locator("form[action$='/claim'] button").click()
        staff.wait_for_url("**/staff/handoffs/*")
        assert "接待中" in staff.locator(".status-label").inner_text()
        staff.wait_for_selector(".live-state:has-text('实时更新中')")

        # the resident is told who is serving them
        resident.wait_for_selector(
            "#chat .msg.system:has-text('工作人员 富春街道审核员 正在为您服务')", timeout=10_000
        )
        # a cited answer of the knowledge base (staff audience) goes into the reply box
        staff.locator("form.knowledge input[name=question]").fill("低保申请需要哪些材料")
        staff.locator("form.knowledge button[type=submit]").click()
        staff.wait_for_selector(
            "form.knowledge .knowledge-state:has-text('已插入回复框')", timeout=60_000
        )
        inserted = staff.locator("form.reply textarea").input_value()
        assert "出处" in inserted, inserted
        assert "[1]" in inserted, inserted
        staff.locator("form.reply button.quick").first.click()
        assert staff.locator("form.reply textarea").input_value().startswith("您好,我是工作人员")
        staff.locator("form.reply textarea").fill("您好,我是富春街道的工作人员,请问您想了解什么?")
        staff.locator("form.reply button[type=submit]").click()
        resident.wait_for_selector(
            "#chat .msg.staff:has-text('我是富春街道的工作人员')", timeout=10_000
        )

        _resident_says(
            resident, "我想问低保申请要带什么材料", expect=".msg.system, #chat .msg.user"
        )
        staff.wait_for_selector(
            ".handoff-log .msg.bot:has-text('我想问低保申请要带什么材料')", timeout=10_000
        )
        assert resident.locator("#chat .msg.bot").last.inner_text().find("转接工作人员") >= 0

        staff.locator("form.close input[name=summary]").fill("已说明低保申请材料")
        staff.locator("form.close button[type=submit]").click()
        staff.wait_for_url("**/staff/handoffs/*/release")
        outcome = staff.locator(".notice, .error").first.inner_text()
        assert "机器人已恢复服务" in outcome, outcome
        resident.wait_for_selector(
            "#chat .msg.system:has-text('本次人工服务已结束:已说明低保申请材料')", timeout=10_000
        )
        bots = resident.locator("#chat .msg.bot").count()
        _resident_says(resident, "低保怎么申请?")
        assert resident.locator("#chat .msg.bot").count() > bots  # the assistant answers again
    finally:
        resident_context.close()
        staff_context.close()
