"""The hand-off console in a real headless Chromium (the API under uvicorn, a Rasa stand-in):
the conversation page shows the resident's message without a reload (server-sent events), a
reply typed there reaches the resident's web chat, quick replies fill the box, and closing
answers with the notice (the event the close causes does not reload the page under it)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pages.test_handoff_console import open_web_handoff, web_resident

pytestmark = pytest.mark.browser


def test_console_updates_live_and_replies_reach_the_web_chat(site: Any, log_in: Any) -> None:
    resident, web_id = web_resident(site)
    opened = open_web_handoff(site, web_id)
    hid = opened["id"]
    cursor = resident.get("/chat/api/updates").json()["cursor"]

    page = log_in("rev_fuchun", f"/staff/handoffs/{hid}")
    page.wait_for_url(f"**/staff/handoffs/{hid}")
    page.locator("form.claim button").click()
    page.wait_for_url(f"**/staff/handoffs/{hid}")
    page.wait_for_selector(".live-state:has-text('实时更新中')")

    said = resident.post("/chat/api/message", json={"text": "请问临时救助多久能批下来?"})
    assert said.json()["handoff"]["status"] == "active"
    page.wait_for_selector(".handoff-log .msg.bot:has-text('请问临时救助多久能批下来')")

    page.locator("form.reply button.quick").nth(1).click()
    assert page.locator("form.reply textarea").input_value() == "请稍等,我帮您查询一下。"
    page.locator("form.reply button[type=submit]").click()
    page.wait_for_selector(".handoff-log .msg.user:has-text('请稍等,我帮您查询一下。')")
    assert page.locator("form.reply textarea").input_value() == ""
    update = resident.get("/chat/api/updates", params={"after": cursor, "wait": 10}).json()
    texts = [(m["from"], m["text"]) for m in update["messages"]]
    assert ("staff", "请稍等,我帮您查询一下。") in texts

    page.locator("form.close input[name=summary]").fill("已答复临时救助办理时限")
    page.locator("form.close button[type=submit]").click()
    page.wait_for_url("**/release")
    assert "机器人已恢复服务" in page.locator(".notice").inner_text()
    assert site.rasa.events[-1] == (f"web:{web_id}", [{"event": "resume"}])
