"""Visit follow-ups on the pages without a browser: the township's urgent alert reaches its
staff (banner script on every page, 待处理提醒 list, acknowledgement with CSRF), and a visit
lead becomes a 临时救助 case from the visit dashboard (consent required, township-scoped)."""

from __future__ import annotations

import datetime as dt
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select

from huimin.idcard import make_number
from workflows.leads.models import Lead
from workflows.outbox.models import OutboxMessage
from workflows.visits import roster
from workflows.visits.enums import TargetCategory

from .conftest import FUCHUN
from .test_pages_http import staff_client


def _csrf(html: str) -> str:
    found = re.search(r'(?:name="csrf" value|data-csrf)="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _urgent_visit(site: Any, seq: int) -> tuple[int, str]:
    with site.app.state.session_factory() as session:
        target, _ = roster.upsert(
            session,
            data=roster.TargetData(
                name="冯奶奶",
                id_number=make_number("330111", dt.date(1939, 5, 6), seq),
                township_code=FUCHUN,
                village="北村",
                categories=frozenset({TargetCategory.ALONE}),
                phone="13800000961",
            ),
            source="staff",
            today=dt.date(2026, 10, 1),
            now=site.clock.now(),
            actor="test",
        )
        session.commit()
        target_id = target.id
    client = staff_client(site, "rev_fuchun")
    form = client.get(f"/staff/visits/{target_id}")
    saved = client.post(
        f"/staff/visits/{target_id}",
        data={
            "visited_on": "2026-11-02",
            "way": "home",
            "seen": "本人",
            "findings": "老人在卫生间跌倒,无法起身",
            "risk_flags": ["fall"],
            "csrf": _csrf(form.text),
        },
    )
    assert saved.status_code == 303, saved.text
    number = saved.headers["location"].split("done=")[1]
    with site.app.state.session_factory() as session:
        lead = session.scalars(select(Lead).where(Lead.number == number)).one()
        return lead.id, number


def test_an_urgent_visit_alert_reaches_the_township_staff_and_is_acknowledged(site: Any) -> None:
    _, number = _urgent_visit(site, 961)
    other = staff_client(site, "rev_chunjiang")
    assert number not in str(other.get("/staff/alerts/api").json())

    counter = staff_client(site, "counter_fuchun")
    cases = counter.get("/staff/cases")
    assert 'id="township-alerts"' in cases.text
    assert "/staff/static/alerts.js" in cases.text
    assert 'id="alert-count"' in cases.text
    assert 'id="township-alerts"' in counter.get("/staff/dashboard").text
    polled = counter.get("/staff/alerts/api").json()
    mine = [a for a in polled["alerts"] if number in a["text"]]
    assert len(mine) == 1
    assert polled["count"] >= 1
    with site.app.state.session_factory() as session:
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.text.contains(number))
        ).one()
        assert message.status == "delivered"

    listing = counter.get("/staff/alerts")
    assert listing.status_code == 200
    assert number in listing.text
    ack_url = f"/staff/alerts/{mine[0]['id']}/ack"
    assert counter.post(ack_url, data={}).status_code == 403  # no CSRF token
    assert (
        other.post(ack_url, data={"csrf": _csrf(other.get("/staff/cases").text)}).status_code == 404
    )
    done = counter.post(ack_url, data={"csrf": _csrf(listing.text), "back": "/staff/cases"})
    assert done.status_code == 303
    assert done.headers["location"] == "/staff/cases"
    assert number not in counter.get("/staff/alerts").text
    assert number not in str(staff_client(site, "rev_fuchun").get("/staff/alerts/api").json())
    # district staff and advisers have no township banner
    assert 'id="township-alerts"' not in staff_client(site, "super").get("/staff/cases").text
    assert staff_client(site, "adviser").get("/staff/alerts").status_code == 403


def test_a_visit_lead_becomes_a_temporary_assistance_case_from_the_dashboard(site: Any) -> None:
    lead_id, number = _urgent_visit(site, 962)
    reviewer = staff_client(site, "rev_fuchun")
    dashboard = reviewer.get("/staff/visits/dashboard")
    assert f'action="/staff/leads/{lead_id}/temporary-application"' in dashboard.text
    url = f"/staff/leads/{lead_id}/temporary-application"
    token = _csrf(dashboard.text)
    assert reviewer.post(url, data={"consent_verification": "yes"}).status_code == 403
    elsewhere = staff_client(site, "rev_chunjiang")
    assert (
        elsewhere.post(
            url,
            data={"consent_verification": "yes", "csrf": _csrf(elsewhere.get("/staff/cases").text)},
        ).status_code
        == 404
    )
    refused = reviewer.post(url, data={"csrf": token})
    assert refused.status_code == 422
    assert "须取得本人或家属同意核对家庭经济状况" in refused.text
    assert 'href="/staff/intake"' in refused.text

    made = reviewer.post(url, data={"consent_verification": "yes", "csrf": token})
    assert made.status_code == 303
    case_url = made.headers["location"]
    assert re.fullmatch(r"/staff/cases/\d+", case_url)
    case_page = reviewer.get(case_url)
    assert case_page.status_code == 200
    assert "临时救助" in case_page.text
    assert "先行救助" in case_page.text  # offered by the process profile
    again = reviewer.post(url, data={"consent_verification": "yes", "csrf": token})
    assert again.headers["location"] == case_url  # one case per lead
    after = reviewer.get("/staff/visits/dashboard").text
    assert f'href="{case_url}">已转临时救助申请' in after
    assert number in after


def test_a_waiting_poll_answers_as_soon_as_an_urgent_visit_is_recorded(site: Any) -> None:
    counter = staff_client(site, "counter_fuchun")
    before = counter.get("/staff/alerts/api").json()
    known = ",".join(str(a["id"]) for a in before["alerts"])
    with ThreadPoolExecutor(max_workers=1) as worker:
        started = time.monotonic()
        waiting = worker.submit(
            counter.get, "/staff/alerts/api", params={"wait": 20, "known": known}, timeout=30
        )
        time.sleep(0.5)
        assert not waiting.done()  # nothing new: it waits
        _, number = _urgent_visit(site, 963)
        answer = waiting.result(timeout=25)
        elapsed = time.monotonic() - started
    assert answer.status_code == 200
    assert any(number in a["text"] for a in answer.json()["alerts"])
    assert elapsed < 10  # woken by the visit, not by the 20 s timeout
    assert counter.get("/staff/alerts/api", params={"wait": 26}).status_code == 422
