"""The adviser's service plan in a real headless Chromium: fill the profile, get the plan, print
it to an A4 PDF (print CSS: no navigation, no form, large type)."""

from __future__ import annotations

import pytest

from workflows.eldercare import importer
from workflows.eldercare.communities import SAMPLE_FACILITIES_FILE, load_communities

pytestmark = pytest.mark.browser


def test_adviser_prints_a_service_plan(site, log_in, screenshots) -> None:
    with site.app.state.session_factory() as session:  # the FICTITIOUS sample directory
        importer.import_csv(
            session,
            SAMPLE_FACILITIES_FILE.read_bytes(),
            mode="all",
            actor="test",
            now=site.clock.now(),
        )
        session.commit()
    site.app.state.eldercare_directory = None  # rebuilt on the next request
    village = load_communities()[0]

    page = log_in("adviser")
    page.wait_for_url("**/staff/adviser")
    page.goto("/staff/adviser/plan")
    page.fill("input[name=salutation]", "王奶奶")
    page.fill("input[name=age]", "84")
    page.select_option("select[name=level]", "3")
    page.select_option("select[name=lives_alone]", "yes")
    page.check("input[name=confirmed][value=tekun]")
    page.fill("input[name=income]", "0")
    page.select_option("select[name=township]", village.township_code)
    page.fill("input[name=place]", village.name)
    page.click("form.plan-form button[type=submit]")

    plan = page.locator("#plan")
    plan.wait_for()
    assert "王奶奶的养老服务规划" in plan.locator("h1").inner_text()
    text = plan.inner_text()
    assert "养老机构入住(兜底保障)" in text
    assert "示例数据(虚构)" in text
    assert "0571-0" in text
    page.screenshot(path=str(screenshots / "adviser_plan.png"), full_page=True)

    page.emulate_media(media="print")
    assert page.locator("form.plan-form").is_hidden()
    assert page.locator("header.top").is_hidden()
    size = plan.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 20  # 16pt ≈ 21.3 px: large type for the family
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    (screenshots / "adviser_plan.pdf").write_bytes(pdf)


def test_elder_web_chat_reads_aloud_and_shows_a_phone(site, browser_page, screenshots) -> None:
    page = browser_page
    page.add_init_script(
        "window.__spoken = [];"
        "window.speechSynthesis.speak = function (u) { window.__spoken.push([u.text, u.lang]); };"
    )
    page.goto("/chat?elder=1")
    assert "elder" in page.locator("body").get_attribute("class")
    page.locator(".msg.bot button.speak").first.wait_for()  # the greeting
    page.fill(".composer input[name=text]", "附近有老年食堂吗")
    page.click(".composer button[type=submit]")
    page.locator(".msg.bot button.speak").nth(1).wait_for()
    bot = page.locator(".msg.bot").nth(1)
    assert "附近有老年食堂吗" in bot.inner_text()  # the stand-in echoes the message
    assert "咨询电话 0571-00000000(示例号码,不能拨打)" in bot.inner_text()
    size = bot.locator(".bubble").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 24
    height = bot.locator("button.speak").evaluate("e => e.getBoundingClientRect().height")
    assert height >= 56  # big buttons
    bot.locator("button.speak").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken
    assert spoken[-1][1] == "zh-CN"
    assert "咨询电话" not in spoken[-1][0]  # the answer is read, the phone line is shown
    page.screenshot(path=str(screenshots / "elder_chat.png"), full_page=True)
