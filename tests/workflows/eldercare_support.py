"""Helpers of the 幸福颐养 part 2 tests: grid workers, approving a case, visit targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from workflows.auth import service as auth_service
from workflows.auth.enums import Role
from workflows.visits import roster
from workflows.visits.enums import TargetCategory
from workflows.visits.models import VisitTarget, WorkerArea

from .conftest import FUCHUN, PASSWORD, id_number

Login = Callable[[str], dict[str, str]]
Submit = Callable[..., dict[str, Any]]
LOCAL = dt.timezone(dt.timedelta(hours=8))


def add_grid_worker(app: FastAPI, username: str, township: str, *villages: str) -> None:
    with app.state.session_factory() as session:
        auth_service.create_user(
            session,
            username=username,
            password=PASSWORD,
            role=Role.GRID_WORKER,
            township_code=township,
            rounds=4,
            now=app.state.clock.now(),
        )
        for village in villages:
            session.add(WorkerArea(username=username, township_code=township, village=village))
        session.commit()


def approve(
    client: TestClient, login: Login, submit: Submit, clock: Any, **overrides: Any
) -> dict[str, Any]:
    """Submit (overrides as for ``submit``) and take the first case to approved (district),
    through the stages its program's process profile has (e.g. no 公示 for 医疗救助)."""
    application = submit(**overrides)
    case_id = application["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    for action in ("accept", "start_investigation", "submit_opinion", "start_public_notice"):
        case = client.get(f"/api/cases/{case_id}", headers=reviewer).json()
        if action not in {allowed["action"] for allowed in case["allowed_actions"]}:
            continue  # a stage this program's process does not have
        answer = client.post(
            f"/api/cases/{case_id}/transitions", json={"action": action}, headers=reviewer
        )
        assert answer.status_code == 200, answer.text
    clock.advance(days=7)
    answer = client.post(
        f"/api/cases/{case_id}/transitions",
        json={"action": "approve", "note": "同意"},
        headers=login("super"),
    )
    assert answer.status_code == 200, answer.text
    return application


def add_target(
    app: FastAPI,
    *,
    seq: int,
    added_on: dt.date,
    village: str = "东村",
    township: str = FUCHUN,
    categories: tuple[TargetCategory, ...] = (TargetCategory.ALONE,),
    birth_year: int = 1945,
    name: str = "王五",
    worker: str | None = None,
) -> int:
    with app.state.session_factory() as session:
        target, _ = roster.upsert(
            session,
            data=roster.TargetData(
                name=name,
                id_number=id_number(birth_year, seq),
                township_code=township,
                village=village,
                categories=frozenset(categories),
                worker_username=worker,
            ),
            source="staff",
            today=added_on,
            now=dt.datetime.combine(added_on, dt.time(9), tzinfo=LOCAL),
            actor="test",
        )
        session.commit()
        return target.id


def target(app: FastAPI, target_id: int) -> VisitTarget:
    with app.state.session_factory() as session:
        found = session.get(VisitTarget, target_id)
        assert found is not None
        session.expunge(found)
        return found
