"""探访 in a real headless Chromium: a grid worker on a phone-width screen logs a visit with a
risk flag; it becomes a lead the township reviewer sees on the visit dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from huimin.idcard import make_number
from workflows.auth import service as auth_service
from workflows.auth.enums import Role
from workflows.visits import roster
from workflows.visits.enums import TargetCategory
from workflows.visits.models import WorkerArea

from .conftest import FUCHUN, PASSWORD

pytestmark = pytest.mark.browser


def _grid_worker_with_a_target(site: Any) -> None:
    app = site.app
    with app.state.session_factory() as session:
        if auth_service.get_by_username(session, username="grid_browser") is None:
            auth_service.create_user(
                session,
                username="grid_browser",
                password=PASSWORD,
                role=Role.GRID_WORKER,
                township_code=FUCHUN,
                display_name="东村网格员",
                rounds=4,
                now=site.clock.now(),
            )
            session.add(WorkerArea(username="grid_browser", township_code=FUCHUN, village="东村"))
        roster.upsert(
            session,
            data=roster.TargetData(
                name="吴奶奶",
                id_number=make_number("330111", dt.date(1938, 2, 3), 901),
                township_code=FUCHUN,
                village="东村",
                categories=frozenset({TargetCategory.ALONE, TargetCategory.DISABLED}),
                address="东村12号",
            ),
            source="staff",
            today=site.clock.now().date() - dt.timedelta(days=30),
            now=site.clock.now(),
            actor="test",
        )
        session.commit()


def test_grid_worker_logs_a_risk_visit_and_the_reviewer_sees_the_lead(
    site: Any, log_in: Any, screenshots: Any
) -> None:
    _grid_worker_with_a_target(site)
    page = log_in("grid_browser")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_url("**/staff/visits")
    card = page.locator("li.target", has_text="吴奶奶")
    assert "待探访" in card.inner_text()
    assert "独居老人、失能老人" in card.inner_text()
    page.screenshot(path=str(screenshots / "visits_list_phone.png"), full_page=True)
    card.locator("a").click()

    page.wait_for_url("**/staff/visits/*")
    assert page.locator("h1").inner_text() == "吴奶奶"
    page.check("input[name=way][value=home]")
    page.fill("textarea[name=findings]", "老人前天在厨房跌倒,腿部淤青,家中无人照料")
    page.check("input[name=risk_flags][value=fall]")
    page.screenshot(path=str(screenshots / "visit_form_phone.png"), full_page=True)
    page.click("#visit button[type=submit]")

    page.wait_for_url("**/staff/visits?done=*")
    notice = page.locator("#done").inner_text()
    assert "已登记探访,并生成线索 XS" in notice
    lead_number = notice.split("线索 ")[1].split(",")[0]
    assert "本月已探访" in page.locator("li.target", has_text="吴奶奶").inner_text()
    # the grid worker sees no cases
    assert page.goto("/staff/cases").status == 403

    page.set_viewport_size({"width": 1280, "height": 900})
    page = log_in("rev_fuchun", "/staff/visits/dashboard")
    page.wait_for_url("**/staff/visits/dashboard")
    leads = page.locator("#visit-leads").inner_text()
    assert lead_number in leads
    assert "跌倒" in leads
    assert "紧急" in leads
    assert page.locator("svg.trend").count() == 1
    # the urgent flag reached the township at once: banner under the header, count in the nav
    alert = page.locator("#township-alerts .alert-item", has_text=lead_number)
    alert.wait_for()
    assert "跌倒" in alert.inner_text()
    assert int(page.locator("#alert-count").inner_text()) >= 1
    page.screenshot(path=str(screenshots / "visit_dashboard.png"), full_page=True)
    alert.locator("button", has_text="已知悉").click()
    page.wait_for_url("**/staff/visits/dashboard")
    page.wait_for_timeout(300)  # the banner's first poll after the reload
    assert page.locator("#township-alerts .alert-item", has_text=lead_number).count() == 0

    # the lead becomes a 临时救助 case in one step and lands in the township's queue
    row = page.locator("#visit-leads tr", has_text=lead_number)
    row.locator("input[name=consent_verification]").check()
    row.locator("button", has_text="转临时救助申请").click()
    page.wait_for_url("**/staff/cases/*")
    assert "临时救助" in page.content()
    assert "吴奶奶" in page.content()
    case_path = page.url.split(site.url)[1]
    page.goto("/staff/cases")
    assert page.locator(f'a[href="{case_path}"]').count() >= 1
    page.screenshot(path=str(screenshots / "visit_lead_case.png"), full_page=True)

    page = log_in("rev_chunjiang", "/staff/visits/dashboard")
    page.wait_for_url("**/staff/visits/dashboard")
    assert page.locator("#visit-leads").count() == 0
    assert lead_number not in page.content()
