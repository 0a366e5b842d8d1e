"""The counter intake in a real headless Chromium against the whole running system.

A staff member of 富春街道 logs in, runs the resident dialogue for 王某甲 (the fictitious
registry household of ID 330183197803120116) through the intake chat, corrects the phone
number with the form beside the chat, submits, and a reviewer of the same township finds the
application's cases in the queue, attributed to the staff member and to the resident.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

PASSWORD = "demo-pass-2026"  # seed-demo's demo staff password
ID_NUMBER = "330183197803120116"  # 王某甲 in the fictitious local registry (富春街道, 3 people)
FIRST_PHONE = "13805711234"
CORRECTED_PHONE = "13900001111"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
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


def _bot_texts(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".msg.bot").all_inner_texts()]


def _say(page: Any, text: str) -> str:
    """Type one resident turn into the intake chat; the bot's new replies, joined."""
    composer = page.locator("#chat .composer")
    page.wait_for_function(
        "() => !document.querySelector('#chat .composer input').disabled", timeout=5_000
    )
    before_bot = page.locator("#chat .msg.bot").count()
    before_all = page.locator("#chat .log > .msg").count()
    composer.locator("input[name=text]").fill(text)
    composer.locator("button[type=submit]").click()
    # the user's line, then at least one bot reply (or a system notice) after it
    page.wait_for_function(
        """([bot, all]) => {
             const rows = document.querySelectorAll('#chat .log > .msg');
             const last = rows[rows.length - 1];
             return rows.length > all + 1 && last && !last.classList.contains('user')
               && (document.querySelectorAll('#chat .msg.bot').length > bot
                   || last.classList.contains('system'));
           }""",
        arg=[before_bot, before_all],
        timeout=REPLY_TIMEOUT_MS,
    )
    # replies of one turn arrive together; give the DOM a beat to settle
    page.wait_for_timeout(200)
    assert page.locator("#chat .msg.system").count() == 0, _bot_texts(page)
    return "\n".join(_bot_texts(page)[before_bot:])


def _field(page: Any, slot: str) -> str:
    return str(page.locator(f'tr[data-slot="{slot}"] .value').inner_text()).strip()


def test_counter_intake_in_the_browser_lands_in_the_review_queue(
    running_system: Any, browser: Any, tmp_path: Path
) -> None:
    api = running_system.api_url
    context, page = _new_page(browser, api)
    try:
        # --- the counter staff member logs in and lands on a fresh intake ---------------------
        _log_in(page, "counter-001")
        page.wait_for_url(re.compile(r".*/staff/intake\?s=" + UUID))
        session_id = page.url.split("s=")[1]
        # the page starts the application dialogue by itself: the consent question comes first
        page.locator("#chat .msg.bot .bubble").first.wait_for(timeout=REPLY_TIMEOUT_MS)
        assert "同意" in "\n".join(_bot_texts(page))

        transcript: list[tuple[str, str]] = []

        def turn(text: str) -> str:
            replies = _say(page, text)
            transcript.append((text, replies))
            return replies

        turn("同意")
        # the registry household is shown only after the staff member checks the ID card
        asked_check = turn(ID_NUMBER)
        assert "身份证原件" in asked_check, transcript
        assert "王某甲" not in asked_check, transcript
        asked_phone = turn("已核验居民身份证原件")
        page.wait_for_function(
            "() => document.querySelector('tr[data-slot=applicant_name] .value')"
            ".textContent === '王某甲'",
            timeout=30_000,
        )
        assert "手机号" in asked_phone, transcript
        turn(FIRST_PHONE)
        turn("一样的")
        turn("对的")
        turn("老公打工,一个月两千五")
        # a counter intake starts without programs: after the property question the resident
        # names them; 医疗救助 then asks for the spending (and who is ill), the other programs
        # the household may qualify for are proposed ("一件事"), then the documents question
        assert "您想申请哪些救助" in turn("没有存款,也没车"), transcript
        assert "看病" in turn("低保和医疗救助"), transcript
        after = turn("老公住院,看病一年自付两万")
        if "一起申请" in after:
            after = turn("不用了")
        assert "证明材料" in after, transcript
        summary = turn("以后再交")
        assert summary.startswith("请核对一下"), transcript
        assert f"手机:{FIRST_PHONE}" in summary, transcript
        applied = [line for line in summary.splitlines() if line.startswith("申请:")]
        assert applied, transcript
        assert set(applied[0].removeprefix("申请:").split("、")) == {
            "医疗救助",
            "最低生活保障(低保)",
        }, transcript

        # --- the staff member corrects the phone number on the form beside the chat -----------
        page.wait_for_function(
            f"() => document.querySelector('tr[data-slot=phone] .value').textContent"
            f" === '{FIRST_PHONE}'",
            timeout=30_000,
        )
        page.locator('tr[data-slot="phone"] button.edit').click()
        assert page.input_value("#correction input[name=value]") == FIRST_PHONE
        page.fill("#correction input[name=value]", CORRECTED_PHONE)
        page.click("#correction button[type=submit]")
        page.wait_for_function(
            f"() => document.querySelector('tr[data-slot=phone] .value').textContent"
            f" === '{CORRECTED_PHONE}'",
            timeout=30_000,
        )
        assert page.locator("#correction").is_hidden()
        assert page.locator("#form-error").is_hidden()
        assert _field(page, "applicant_name") == "王某甲"
        assert _field(page, "id_number") == ID_NUMBER
        assert "低保" in _field(page, "programs")
        assert "医疗救助" in _field(page, "programs")
        shot = tmp_path / "counter_intake.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        print(f"intake screenshot: {shot}")

        # --- confirmed and submitted through the chat ----------------------------------------
        final = turn("对,没错")
        match = re.search(r"申请编号[^0-9A-Za-z]*([0-9A-Za-z-]{6,})", final)
        assert match, transcript
        number = match.group(1)
        page.wait_for_function(
            "() => document.querySelector('tr[data-slot=last_application_number] .value')"
            f".textContent.includes('{number}')",
            timeout=30_000,
        )
    except Exception:
        print("--- intake chat ---\n" + page.locator("#chat .log").inner_text())
        print("--- intake form ---\n" + page.locator("#fields").inner_text())
        page.screenshot(path=str(tmp_path / "counter_intake_failure.png"), full_page=True)
        raise
    finally:
        context.close()

    # --- the API has it, entered by the staff member at the counter, with the corrected phone
    token = {"X-Internal-Token": running_system.internal_token}
    listed = httpx.get(
        f"{api}/api/residents/applications",
        params={"channel": "counter", "channel_user_id": session_id},
        headers=token,
        timeout=30,
    )
    listed.raise_for_status()
    applications = listed.json()
    assert [a["number"] for a in applications] == [number], applications
    answer = httpx.get(f"{api}/api/applications/{applications[0]['id']}", headers=token, timeout=30)
    answer.raise_for_status()
    application = answer.json()
    assert application["channel"] == "counter", application
    assert application["applicant"]["name"] == "王某甲", application
    assert application["applicant"]["phone_masked"] == "139****1111", application
    cases = application["cases"]
    assert {case["program"] for case in cases} == {"dibao", "medical"}
    assert {case["handling_township_code"] for case in cases} == {"330111001000"}
    # The API answer does not carry the staff member nor the full phone: read the stored row.
    database = running_system.var_dir / "huimin.db"
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        stored = connection.execute(
            "SELECT channel, channel_user_id, entered_by_staff, applicant_phone,"
            " applicant_id_number FROM applications WHERE number = ?",
            (number,),
        ).fetchone()
    assert stored == ("counter", session_id, "counter-001", CORRECTED_PHONE, ID_NUMBER), stored

    # --- a reviewer of 富春街道 finds both cases in the queue and opens one ----------------
    context, page = _new_page(browser, api)
    try:
        _log_in(page, "reviewer-001")
        page.wait_for_url(re.compile(r".*/staff/cases$"))
        rows = page.locator("table.queue tbody tr", has_text=number)
        assert rows.count() == 2, page.locator("table.queue").inner_text()
        texts = rows.all_inner_texts()
        assert any("低保" in text for text in texts), texts
        assert any("医疗救助" in text for text in texts), texts
        assert all("富春街道" in text and "王某甲" in text for text in texts), texts
        assert all(ID_NUMBER not in text for text in texts), texts  # masked in the queue

        rows.filter(has_text="低保").first.locator("a").click()
        page.wait_for_url(re.compile(r".*/staff/cases/\d+$"))
        facts = page.locator("section.facts").inner_text()
        assert "王某甲" in facts, facts
        assert ID_NUMBER not in page.content()  # only the masked ID is shown
        assert "窗口" in facts, facts
        assert "counter-001" in page.locator(".entered-by").inner_text(), facts
        assert "富春街道" in facts, facts
        # the case page shows no phone number, neither the first nor the corrected one (the
        # stored application keeps the corrected one, checked above)
        assert "电话" not in facts, facts
        assert CORRECTED_PHONE not in page.content()
        assert FIRST_PHONE not in page.content()
    finally:
        context.close()
