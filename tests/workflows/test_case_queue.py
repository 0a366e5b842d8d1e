"""The staff queue: open cases by default, the whole history on request, a capped total, and
cases seen only through a forward merged in due-date order across pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from workflows.auth.actor import Caller
from workflows.auth.models import StaffUser
from workflows.cases import queries
from workflows.cases.enums import CaseStatus
from workflows.cases.models import CaseForward, ProgramCase

FUCHUN = "330111001000"
CHUNJIANG = "330111002000"
LUSHAN = "330111004000"
TODAY = dt.date(2026, 11, 2)
Submit = Callable[..., dict[str, Any]]
Login = Callable[[str], dict[str, str]]


def _queue(app: FastAPI, submit: Submit) -> dict[str, int]:
    """Five cases around 富春街道, due on distinct days (name → id)."""
    layout = {  # name: (submitted, handling, status, due in days, forwarded from 富春)
        "forwarded_only": (LUSHAN, LUSHAN, CaseStatus.ACCEPTED, 1, True),
        "handled": (FUCHUN, FUCHUN, CaseStatus.SUBMITTED, 2, False),
        "closed": (FUCHUN, FUCHUN, CaseStatus.APPROVED, 3, False),
        "received": (FUCHUN, CHUNJIANG, CaseStatus.INVESTIGATING, 4, False),
        "elsewhere": (CHUNJIANG, CHUNJIANG, CaseStatus.SUBMITTED, 0, False),
    }
    ids = {name: submit(programs=["temporary"])["cases"][0]["id"] for name in layout}
    with app.state.session_factory() as session:
        for name, (submitted, handling, status, days, forwarded) in layout.items():
            case_id = ids[name]
            session.execute(
                update(ProgramCase)
                .where(ProgramCase.id == case_id)
                .values(
                    submitted_township_code=submitted,
                    handling_township_code=handling,
                    status=status.value,
                    due_date=TODAY + dt.timedelta(days=days),
                )
            )
            if forwarded:
                session.add(
                    CaseForward(
                        case_id=case_id,
                        from_township_code=FUCHUN,
                        to_township_code=handling,
                        reason="实际居住地变更",
                        by_username="rev_fuchun",
                        at=dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC),
                        due_date=TODAY,
                    )
                )
        session.commit()
    return ids


def _fuchun() -> Caller:
    return Caller(staff=StaffUser(username="rev_fuchun", role="reviewer", township_code=FUCHUN))


def _list(app: FastAPI, **kwargs: Any) -> queries.CaseListing:
    with app.state.session_factory() as session:
        return queries.list_cases(session, caller=_fuchun(), today=TODAY, **kwargs)


def test_queue_defaults_to_open_cases_and_merges_forwarded_in_due_order(
    app: FastAPI, submit: Submit
) -> None:
    ids = _queue(app, submit)
    open_order = [ids["forwarded_only"], ids["handled"], ids["received"]]
    default = _list(app)
    assert [c.id for c in default.items] == open_order
    assert (default.total, default.total_capped) == (3, False)
    history = _list(app, include_closed=True)
    everything = [ids["forwarded_only"], ids["handled"], ids["closed"], ids["received"]]
    assert [c.id for c in history.items] == everything
    assert history.total == 4
    # page by page the forwarded-only case keeps its place in the due-date order
    pages = [_list(app, include_closed=True, page=n, page_size=1) for n in range(1, 6)]
    assert [c.id for p in pages for c in p.items] == everything
    assert all(p.total == 4 for p in pages)
    assert [c.id for c in _list(app, include_closed=True, page=2, page_size=3).items] == [
        ids["received"]
    ]
    # an explicit status is taken as asked, closed ones included
    assert [c.id for c in _list(app, status=CaseStatus.APPROVED).items] == [ids["closed"]]
    assert [c.id for c in _list(app, status=CaseStatus.ACCEPTED).items] == [ids["forwarded_only"]]


def test_total_is_capped(app: FastAPI, submit: Submit) -> None:
    ids = _queue(app, submit)
    capped = _list(app, include_closed=True, count_cap=2)
    assert (capped.total, capped.total_capped) == (2, True)
    assert len(capped.items) == 4  # the page itself is not cut by the cap
    exact = _list(app, count_cap=3)
    assert (exact.total, exact.total_capped) == (3, False)
    assert ids["closed"] not in [c.id for c in exact.items]


def test_api_include_closed(client: TestClient, app: FastAPI, login: Login, submit: Submit) -> None:
    ids = _queue(app, submit)
    reviewer = login("rev_fuchun")
    default = client.get("/api/cases", headers=reviewer).json()
    assert [i["id"] for i in default["items"]] == [
        ids["forwarded_only"],
        ids["handled"],
        ids["received"],
    ]
    assert (default["total"], default["total_capped"]) == (3, False)
    history = client.get("/api/cases", params={"include_closed": True}, headers=reviewer).json()
    assert history["total"] == 4
    assert ids["closed"] in [i["id"] for i in history["items"]]
    district = client.get("/api/cases", params={"include_closed": True}, headers=login("super"))
    assert district.json()["total"] == 5
