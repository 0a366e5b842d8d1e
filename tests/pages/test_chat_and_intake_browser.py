"""The resident web chat and the counter intake page in Chromium (Rasa stood in for by a local
server speaking its REST channel and tracker API: these parts are about the pages)."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.browser
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_resident_web_chat_deep_link_buttons_and_refusal(site, browser_page, screenshots) -> None:
    page = browser_page
    page.goto("/chat?start=apply")
    page.locator(".msg.bot .bubble", has_text="我们开始办理申请").wait_for()
    first = site.rasa.messages[0]
    assert first["message"] == "/apply_assistance"
    assert re.fullmatch(f"web:{UUID}", first["sender"])

    page.locator(".msg.bot .buttons button", has_text="低保").click()
    page.locator(".msg.bot .bubble", has_text='收到:/inform{"programs":["dibao"]}').wait_for()
    assert site.rasa.messages[1] == {
        "sender": first["sender"],
        "message": '/inform{"programs":["dibao"]}',
    }

    page.fill(".composer input", "我家有三口人")
    page.click(".composer button")
    page.locator(".msg.bot .bubble", has_text="收到:我家有三口人").wait_for()
    assert site.rasa.messages[2]["sender"] == first["sender"]

    # a reload shows the conversation again without starting the dialogue over
    page.reload()
    page.locator(".msg.bot .bubble", has_text="收到:我家有三口人").wait_for()
    assert len(site.rasa.messages) == 3

    # typed "/intent{...}" is not passed to Rasa
    page.fill(".composer input", '/inform{"township":"新登镇"}')
    page.click(".composer button")
    page.locator(".msg.system .bubble", has_text="请直接输入文字").wait_for()
    assert len(site.rasa.messages) == 3
    page.screenshot(path=str(screenshots / "web_chat.png"), full_page=True)


def test_web_chat_keeps_the_message_and_retries_when_rasa_is_busy(site, browser_page) -> None:
    page = browser_page
    page.goto("/chat")
    page.locator(".msg.bot .bubble").first.wait_for()
    site.rasa.down = 1
    page.fill(".composer input", "临时救助怎么申请")
    page.click(".composer button")
    page.locator(".msg.system .bubble", has_text="系统暂时繁忙").wait_for()
    page.locator(".msg.bot .bubble", has_text="收到:临时救助怎么申请").wait_for()
    assert [m["message"] for m in site.rasa.messages[1:]] == ["临时救助怎么申请"] * 2
    assert page.locator(".msg.system").count() == 0  # the notice goes once it got through


def test_web_chat_asks_to_resend_when_rasa_stays_down(site, browser_page) -> None:
    page = browser_page
    page.goto("/chat")
    page.locator(".msg.bot .bubble").first.wait_for()
    page.evaluate("() => { document.getElementById('chat').dataset.retryDelays = '50,50,50'; }")
    site.rasa.down = 100
    page.fill(".composer input", "我要转人工")
    page.click(".composer button")
    page.locator(".msg.system .bubble", has_text="请稍后重新发送").wait_for()
    assert [m["message"] for m in site.rasa.messages[1:]] == ["我要转人工"] * 4
    assert page.input_value(".composer input") == "我要转人工"  # given back to resend


def test_forged_button_payload_is_refused(site, browser_page) -> None:
    page = browser_page
    page.goto("/chat")
    page.locator(".msg.bot .bubble").first.wait_for()
    status = page.evaluate(
        """() => fetch('/chat/api/message', {method: 'POST',
             headers: {'Content-Type': 'application/json'},
             body: JSON.stringify({payload: '/inform{"programs":["tekun"]}', signature: 'x'})})
           .then(r => r.status)"""
    )
    assert status == 422
    assert all("tekun" not in m["message"] for m in site.rasa.messages)


def test_counter_intake_form_correction_and_printable_summary(site, log_in, screenshots) -> None:
    page = log_in("counter_fuchun")
    page.wait_for_url(re.compile(r".*/staff/intake\?s=" + UUID))
    session_id = page.url.split("s=")[1]
    sender = f"counter:counter_fuchun:{session_id}"
    page.locator(".msg.bot .bubble", has_text="我们开始办理申请").wait_for()
    assert site.rasa.messages[0] == {"sender": sender, "message": "/apply_assistance"}

    # the form beside the chat follows the tracker's slots
    name_row = page.locator('tr[data-slot="applicant_name"]')
    page.wait_for_function(
        "() => document.querySelector('tr[data-slot=applicant_name] .value').textContent === '张三'"
    )
    assert page.locator('tr[data-slot="programs"] .value').inner_text() == "最低生活保障(低保)"

    # a correction goes to Rasa as a slot event
    name_row.locator("button.edit").click()
    page.fill("#correction input[name=value]", "王五")
    page.click("#correction button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('tr[data-slot=applicant_name] .value').textContent === '王五'"
    )
    assert site.rasa.events[-1] == (
        sender,
        [{"event": "slot", "name": "applicant_name", "value": "王五"}],
    )

    # an invalid ID number is refused with the reason, and nothing is sent
    events_before = len(site.rasa.events)
    page.locator('tr[data-slot="id_number"] button.edit').click()
    page.fill("#correction input[name=value]", "330111197003141234")
    page.click("#correction button[type=submit]")
    page.locator("#form-error", has_text="校验位不正确").wait_for()
    assert len(site.rasa.events) == events_before

    # the counter may send an intent payload directly (trusted staff)
    page.fill(".composer input", '/inform{"township":"富春街道"}')
    page.click(".composer button")
    page.locator(".msg.bot .bubble", has_text='收到:/inform{"township":"富春街道"}').wait_for()
    page.screenshot(path=str(screenshots / "intake.png"), full_page=True)

    # printable one-page summary
    page.goto(f"/staff/intake/summary?s={session_id}")
    assert page.locator('tr[data-slot="applicant_name"] td').inner_text() == "王五"
    assert "申请人签名" in page.locator(".sign").first.inner_text()
    page.emulate_media(media="print")
    assert not page.locator(".noprint").is_visible()
    page.screenshot(path=str(screenshots / "intake_summary_print.png"), full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_intake_api_needs_login_and_csrf(site, browser_page) -> None:
    page = browser_page
    page.goto("/staff/login")
    answer = page.evaluate(
        """() => fetch('/staff/intake/api/form?s=00000000-0000-0000-0000-000000000000')
             .then(r => r.status)"""
    )
    assert answer == 401
    body = json.dumps({"session": "00000000-0000-0000-0000-000000000000", "text": "x"})
    status = page.evaluate(
        f"""() => fetch('/staff/intake/api/message', {{method: 'POST',
              headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(body)}}})
            .then(r => r.status)"""
    )
    assert status == 401


def _web_cookie(page) -> str | None:
    cookies = [c for c in page.context.cookies() if c["name"] == "huimin_web_id"]
    return cookies[0]["value"] if cookies else None


def test_ending_the_web_chat_on_a_shared_device(site, browser_page) -> None:
    page = browser_page
    page.goto("/chat")
    page.locator(".msg.bot .bubble").first.wait_for()
    first = _web_cookie(page)
    page.fill(".composer input", "我的电话是13800001111")
    page.click(".composer button")
    page.locator(".msg.bot .bubble", has_text="收到:我的电话是13800001111").wait_for()
    assert site.rasa.messages[-1]["sender"] == f"web:{first}"

    page.click("#end-session")
    page.wait_for_function(
        "() => !document.body.innerText.includes('13800001111')"
        " && document.querySelectorAll('.msg.bot').length >= 1"
    )
    second = _web_cookie(page)
    assert second is not None
    assert second != first
    stored = page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    assert "13800001111" not in stored

    page.fill(".composer input", "你好")
    page.click(".composer button")
    page.locator(".msg.bot .bubble", has_text="收到:你好").wait_for()
    assert site.rasa.messages[-1]["sender"] == f"web:{second}"
    assert page.locator(".msg.user").all_inner_texts() == ["你好"]


def test_pages_work_under_their_content_security_policy(site, log_in) -> None:
    page = log_in("counter_fuchun")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.wait_for_url(re.compile(r".*/staff/intake\?s=" + UUID))
    page.locator(".msg.bot .bubble", has_text="我们开始办理申请").wait_for()  # scripts ran
    session_id = page.url.split("s=")[1]

    page.goto(f"/staff/intake/summary?s={session_id}")
    # the inline style (nonce) applies: the sheet's table cells have their border
    border = page.evaluate(
        "() => getComputedStyle(document.querySelector('.sheet th')).borderTopStyle"
    )
    assert border == "solid"
    page.evaluate("() => { window.print = () => { window.__printed = true; }; }")
    page.click("button[data-print]")
    assert page.evaluate("() => window.__printed") is True

    page.goto("/qr")
    colour = page.evaluate("() => getComputedStyle(document.querySelector('h2')).borderBottomStyle")
    assert colour == "solid"
    page.evaluate("() => { window.print = () => { window.__printed = true; }; }")
    page.click("button[data-print]")
    assert page.evaluate("() => window.__printed") is True

    page.goto("/chat")
    page.locator(".msg.bot .bubble").first.wait_for()
    assert violations == []
