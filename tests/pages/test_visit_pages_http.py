"""The visit pages without a browser: CSRF, Chinese validation errors, refusals, scoping, and
the dashboard's SVG charts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from huimin.idcard import make_number
from workflows.visits import charts, roster
from workflows.visits.enums import TargetCategory

from .conftest import FUCHUN
from .test_pages_http import staff_client


def _target(site: Any, seq: int, township: str = FUCHUN) -> int:
    with site.app.state.session_factory() as session:
        target, _ = roster.upsert(
            session,
            data=roster.TargetData(
                name="郑爷爷",
                id_number=make_number("330111", dt.date(1940, 1, 1), seq),
                township_code=township,
                village="南村",
                categories=frozenset({TargetCategory.EMPTY_NEST}),
            ),
            source="staff",
            today=dt.date(2026, 10, 1),
            now=site.clock.now(),
            actor="test",
        )
        session.commit()
        return target.id


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_visit_form_refuses_without_csrf_and_explains_bad_input(site: Any) -> None:
    target_id = _target(site, 951)
    client = staff_client(site, "rev_fuchun")
    form = client.get(f"/staff/visits/{target_id}")
    assert form.status_code == 200
    assert "330111********" in form.text  # the ID number masked
    no_csrf = client.post(
        f"/staff/visits/{target_id}", data={"visited_on": "2026-11-02", "way": "home", "seen": "x"}
    )
    assert no_csrf.status_code == 403
    assert "页面已过期" in no_csrf.text
    future = client.post(
        f"/staff/visits/{target_id}",
        data={"visited_on": "2026-12-01", "way": "home", "seen": "本人", "csrf": _csrf(form.text)},
    )
    assert future.status_code == 422
    assert "探访日期不能晚于今天" in future.text
    empty = client.post(
        f"/staff/visits/{target_id}",
        data={"visited_on": "", "way": "home", "seen": "本人", "csrf": _csrf(form.text)},
    )
    assert empty.status_code == 422
    assert 'id="form-error"' in empty.text
    saved = client.post(
        f"/staff/visits/{target_id}",
        data={"visited_on": "2026-11-02", "way": "phone", "seen": "本人", "csrf": _csrf(form.text)},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/staff/visits?done=saved"


def test_visit_pages_refuse_advisers_and_other_townships(site: Any) -> None:
    target_id = _target(site, 952)
    adviser = staff_client(site, "adviser")
    assert adviser.get("/staff/visits").status_code == 403
    assert adviser.get("/staff/visits/dashboard").status_code == 403
    other = staff_client(site, "rev_chunjiang")
    assert other.get(f"/staff/visits/{target_id}").status_code == 404
    assert "郑爷爷" not in other.get("/staff/visits").text
    district = staff_client(site, "super")
    page = district.get("/staff/visits/dashboard?month=2026-11")
    assert page.status_code == 200
    assert 'id="by-township"' in page.text
    assert "<svg" in page.text
    assert district.get("/staff/visits/dashboard?month=2026-13").status_code == 404


def test_charts_escape_labels_and_break_the_line_where_there_were_no_targets() -> None:
    svg = charts.trend([("2026-09", 1.0, 0), ("2026-10", 0.5, 4), ("2026-11", 0.75, 4)])
    assert svg.count("<circle") == 2
    assert svg.count("<polyline") == 1
    bars = charts.bars([("<村>", 0.5, 1, 2)])
    assert "&lt;村&gt;" in bars
    assert "<村>" not in bars
