"""Each program's process profile drives the case (workflows/cases/data/profiles.yaml):
先行救助 for 临时救助, the direct grant of 医疗救助 on a certificate, Zhejiang's time limits,
referral of 教育/住房/就业救助, and what the approval says about payment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from huimin.programs import Program
from workflows.applications.models import Application
from workflows.audit.models import AuditEvent
from workflows.auth.actor import Caller
from workflows.calendar import WorkingDayCalendar
from workflows.cases.models import ProgramCase
from workflows.cases.profiles import SAMPLE_LABEL, Stage, load_profiles
from workflows.outbox.models import OutboxMessage
from workflows.staff_pages.stats import dashboard

Login = Callable[[str], dict[str, str]]
Submit = Callable[..., dict[str, Any]]
CAL = WorkingDayCalendar()
START_DAY = dt.date(2026, 11, 2)
H08_HEAD = "330183197303031715"  # registry household H08: holds a 低保边缘 certificate


def _act(
    client: TestClient, headers: dict[str, str], case_id: int, action: str, **body: Any
) -> Any:
    return client.post(
        f"/api/cases/{case_id}/transitions", json={"action": action, **body}, headers=headers
    )


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _actions(client: TestClient, headers: dict[str, str], case_id: int) -> list[str]:
    detail = _ok(client.get(f"/api/cases/{case_id}", headers=headers))
    return [a["action"] for a in detail["allowed_actions"]]


def _last_notice(app: FastAPI) -> str:
    with app.state.session_factory() as session:
        message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert message is not None
        return message.text


# The data ----------------------------------------------------------------------------------
def test_every_program_has_a_profile_and_every_figure_is_cited_or_sample() -> None:
    table = load_profiles()
    assert set(table.known_programs()) == set(Program)
    for name, profile in table.programs.items():
        for deadline in (profile.deadlines.national, profile.deadlines.zhejiang):
            if deadline is not None:
                assert deadline.sample or table.citation(deadline.cite), name
        if profile.urgent_grant is not None:
            assert profile.urgent_grant.paperwork_sample  # no figure found in the regulations
    # 公示 only where FACTS.md requires it: 低保 ([DB] 19), 特困 ([TK] 15), 临时救助 ([ZJ] 39)
    with_notice = {p for p, prof in table.known_programs().items() if prof.has(Stage.PUBLIC_NOTICE)}
    assert with_notice == {Program.DIBAO, Program.TEKUN, Program.TEMPORARY}
    # another branch's program codes are kept, waiting for their code
    assert "care_home_admission" in table.programs
    assert table.profile("no_such_program") == table.default
    assert "民发〔2021〕57号" in table.citation(table.programs["dibao"].deadlines.national.cite)


# Zhejiang time limits ------------------------------------------------------------------------
def test_dibao_due_date_follows_the_zhejiang_profile(
    client: TestClient, app: FastAPI, login: Login, submit: Submit, clock: Any
) -> None:
    case = submit(programs=["dibao"])["cases"][0]
    assert case["due_date"] == CAL.add_working_days(START_DAY, 23).date.isoformat()
    assert case["due_date_sample"] is False
    supervisor = login("super")
    detail = _ok(client.get(f"/api/cases/{case['id']}", headers=supervisor))
    assert detail["allowed_working_days"] == 23
    assert "《浙江省社会救助条例》第十一条" in detail["deadline_source"]
    assert detail["process"]["stages"] == ["入户调查和信息核对", "公示"]
    assert "次月" in detail["process"]["payment"]
    # overdue warnings follow the same profile: day 24 is overdue under Zhejiang's 23
    day_24 = CAL.add_working_days(START_DAY, 24).date
    clock.set(dt.datetime.combine(day_24, dt.time(10), clock.current.tzinfo))
    overdue = _ok(client.get("/api/cases", params={"overdue": True}, headers=supervisor))
    assert [item["id"] for item in overdue["items"]] == [case["id"]]
    # the national setting gives the national time limit ([DB] art. 22)
    app.state.settings = app.state.settings.model_copy(update={"case_jurisdiction": "national"})
    later = submit(programs=["dibao"], channel_user_id="10002")["cases"][0]
    assert later["due_date"] == CAL.add_working_days(clock.current.date(), 30).date.isoformat()


def test_a_sample_time_limit_is_labelled_for_residents(submit: Submit) -> None:
    case = submit(programs=["housing"])["cases"][0]
    assert case["due_date_sample"] is True
    assert SAMPLE_LABEL in case["due_date_note"]


# 先行救助 ----------------------------------------------------------------------------------
def test_urgent_grant_before_investigation_then_paperwork_deadline(
    client: TestClient, app: FastAPI, login: Login, submit: Submit, clock: Any
) -> None:
    case_id = submit(programs=["temporary"])["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    assert "grant_urgent" in _actions(client, reviewer, case_id)  # offered on the new case

    missing = _act(client, reviewer, case_id, "grant_urgent", reason="火灾,无处居住")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "amount"]
    zero = _act(client, reviewer, case_id, "grant_urgent", amount=0, reason="火灾")
    assert zero.status_code == 422
    assert "大于0" in zero.json()["detail"][0]["msg"]
    negative = _act(client, reviewer, case_id, "grant_urgent", amount=-5, reason="火灾")
    assert negative.status_code == 422
    assert negative.json()["detail"][0]["loc"] == ["body", "amount"]
    # another township cannot give it
    assert (
        _act(client, login("rev_lushan"), case_id, "grant_urgent", amount=1, reason="x").status_code
        == 404
    )

    granted = _ok(
        _act(client, reviewer, case_id, "grant_urgent", amount="1500.00", reason="火灾,无处居住")
    )
    paperwork_due = CAL.add_working_days(START_DAY, 5).date.isoformat()
    assert granted["status"] == "accepted"  # granted before any investigation
    assert granted["urgent_granted_on"] == START_DAY.isoformat()
    assert granted["urgent_amount"] == 1500.0
    assert granted["paperwork_due_date"] == paperwork_due
    assert granted["paperwork_overdue"] is False
    assert "grant_urgent" not in [a["action"] for a in granted["allowed_actions"]]
    assert "start_investigation" in [a["action"] for a in granted["allowed_actions"]]
    notice = _last_notice(app)  # the resident is told at once
    assert "已先行救助 1500.00 元" in notice
    assert paperwork_due in notice
    assert SAMPLE_LABEL in notice  # the paperwork deadline is a sample value
    assert _act(client, reviewer, case_id, "grant_urgent", amount=1, reason="再").status_code == 409
    with app.state.session_factory() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.grant_urgent")
        ).one()
        assert event.data["amount"] == "1500.00"
        assert event.data["paperwork_due_date"] == paperwork_due
        stored = session.get(ProgramCase, case_id)
        assert stored is not None
        assert stored.urgent_reason == "火灾,无处居住"

    # past the paperwork date the open case shows on the dashboard
    clock.advance(days=14)
    late = _ok(client.get(f"/api/cases/{case_id}", headers=reviewer))
    assert late["paperwork_overdue"] is True
    with app.state.session_factory() as session:
        figures = dashboard(
            session, caller=Caller(staff=None), today=clock.current.date(), calendar=CAL
        )
    assert [u.case_id for u in figures.urgent_overdue] == [case_id]


def test_urgent_grant_is_not_offered_for_dibao(
    client: TestClient, login: Login, submit: Submit
) -> None:
    case_id = submit(programs=["dibao"])["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    assert "grant_urgent" not in _actions(client, reviewer, case_id)
    refused = _act(client, reviewer, case_id, "grant_urgent", amount=100, reason="x")
    assert refused.status_code == 409
    assert "不适用先行救助" in refused.json()["detail"]


def test_temporary_approval_does_not_promise_next_month(
    client: TestClient, app: FastAPI, login: Login, submit: Submit, clock: Any
) -> None:
    case_id = submit(programs=["temporary"])["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    for action in ("accept", "start_investigation", "submit_opinion", "start_public_notice"):
        _ok(_act(client, reviewer, case_id, action))
    clock.advance(days=7)
    _ok(_act(client, reviewer, case_id, "approve"))
    notice = _last_notice(app)
    assert "一次性发放" in notice
    assert "次月" not in notice


# 医疗救助 direct grant ------------------------------------------------------------------------
def _approve_dibao(client: TestClient, login: Login, case_id: int, clock: Any) -> None:
    reviewer = login("rev_fuchun")
    for action in ("accept", "start_investigation", "submit_opinion", "start_public_notice"):
        _ok(_act(client, reviewer, case_id, action))
    clock.advance(days=7)
    _ok(_act(client, login("super"), case_id, "approve"))


def test_medical_direct_grant_for_a_certified_dibao_household(
    client: TestClient, app: FastAPI, login: Login, submit: Submit, clock: Any
) -> None:
    dibao_id = submit(programs=["dibao"])["cases"][0]["id"]
    _approve_dibao(client, login, dibao_id, clock)
    medical_id = submit(programs=["medical"], channel_user_id="10002")["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    _ok(_act(client, reviewer, medical_id, "accept"))
    detail = _ok(client.get(f"/api/cases/{medical_id}", headers=reviewer))
    actions = [a["action"] for a in detail["allowed_actions"]]
    assert "grant_direct" in actions
    assert "start_investigation" not in actions
    assert "start_public_notice" not in actions
    assert "最低生活保障" in detail["direct_grant_source"]

    missing = _act(client, reviewer, medical_id, "grant_direct")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "certificate_ref"]
    granted = _ok(_act(client, reviewer, medical_id, "grant_direct", certificate_ref="低保证 0001"))
    assert granted["status"] == "approved"
    assert granted["certificate_ref"] == "低保证 0001"
    notice = _last_notice(app)
    assert "已审核通过" in notice
    assert "次月" not in notice
    with app.state.session_factory() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.grant_direct")
        ).one()
        assert event.data["from"] == "accepted"
        assert "申请编号" in event.data["certificate_source"]
        assert not session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == str(medical_id),
                AuditEvent.action.in_(["case.start_investigation", "case.start_public_notice"]),
            )
        ).all()


def test_medical_without_certificate_is_assessed(
    client: TestClient, login: Login, submit: Submit
) -> None:
    case_id = submit(programs=["medical"])["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    _ok(_act(client, reviewer, case_id, "accept"))
    actions = _actions(client, reviewer, case_id)
    assert "grant_direct" not in actions
    assert "start_investigation" in actions
    refused = _act(client, reviewer, case_id, "grant_direct", certificate_ref="x")
    assert refused.status_code == 409
    _ok(_act(client, reviewer, case_id, "start_investigation"))
    opinion = _ok(_act(client, reviewer, case_id, "submit_opinion"))
    names = [a["action"] for a in opinion["allowed_actions"]]
    assert "start_public_notice" not in names  # no 公示 on 医疗救助
    assert "approve" in names


def test_medical_direct_grant_on_a_registry_certificate(
    client: TestClient, app: FastAPI, login: Login, submit: Submit, body: Any
) -> None:
    applicant = {"name": "冯某甲", "id_number": H08_HEAD, "phone": "13900000016"}
    member = {**body()["members"][0], "name": "冯某甲", "id_number": H08_HEAD}
    case_id = submit(programs=["medical"], applicant=applicant, members=[member])["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    _ok(_act(client, reviewer, case_id, "accept"))
    # the registry is consulted only once the applicant's identity is verified
    assert "grant_direct" not in _actions(client, reviewer, case_id)
    with app.state.session_factory() as session:
        application = session.scalars(select(Application)).one()
        application.identity_verified_method = "counter"
        application.identity_verified_by = "counter_fuchun"
        session.commit()
    detail = _ok(client.get(f"/api/cases/{case_id}", headers=reviewer))
    assert "grant_direct" in [a["action"] for a in detail["allowed_actions"]]
    assert "示例-低边-0008" in detail["direct_grant_source"]


# Referral -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("program", "department"), [("education", "教育部门"), ("housing", "住房")]
)
def test_referral_programs_are_referred_and_tracked(
    client: TestClient, app: FastAPI, login: Login, submit: Submit, program: str, department: str
) -> None:
    case_id = submit(programs=[program])["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    accepted = _ok(_act(client, reviewer, case_id, "accept"))
    names = [a["action"] for a in accepted["allowed_actions"]]
    assert "refer" in names
    assert "start_investigation" not in names
    assert "approve" not in names
    referred = _ok(_act(client, reviewer, case_id, "refer"))
    assert referred["status"] == "referred"
    assert department in referred["referred_to"]
    assert referred["referral_due_date"] == CAL.add_working_days(START_DAY, 10).date.isoformat()
    assert department in _last_notice(app)
    done = _ok(_act(client, reviewer, case_id, "approve", note="教育部门已给予资助"))
    assert done["status"] == "approved"


def test_committed_profile_table_matches_the_data() -> None:
    """docs/PROCESS-PROFILES.md is generated: python scripts/profiles_table.py."""
    from pathlib import Path

    from workflows.cases.profiles_table import render

    committed = Path(__file__).resolve().parents[2] / "docs" / "PROCESS-PROFILES.md"
    text = render(load_profiles())
    assert committed.read_text(encoding="utf-8") == text
    for program in Program:
        assert f"(`{program.value}`)" in text


# The machine reads the profile -------------------------------------------------------------
def _ctx_for(program: Program, **extra: object) -> Any:
    from workflows.cases import machine

    profile = load_profiles().profile(program.value)
    values: dict[str, Any] = {
        "today": START_DAY,
        "extendable": True,
        "extended": False,
        "public_notice_ends_on": None,
        "stages": frozenset(profile.stages),
        "urgent_grant": profile.urgent_grant is not None,
        "referral": profile.referral is not None,
        **extra,
    }
    return machine.GuardContext(**values)


@pytest.mark.parametrize("program", list(Program), ids=lambda p: p.value)
def test_allowed_actions_follow_each_profile(program: Program) -> None:
    from workflows.cases import machine
    from workflows.cases.enums import Action, CaseStatus

    profile = load_profiles().profile(program.value)
    ctx = _ctx_for(program)
    accepted = machine.allowed_actions(CaseStatus.ACCEPTED, ctx)
    opinion = machine.allowed_actions(CaseStatus.TOWNSHIP_OPINION, ctx)
    investigates = profile.has(Stage.INVESTIGATION) and profile.referral is None
    assert (Action.START_INVESTIGATION in accepted) is investigates
    assert (Action.START_PUBLIC_NOTICE in opinion) is profile.has(Stage.PUBLIC_NOTICE)
    assert (Action.APPROVE in opinion) is not profile.has(Stage.PUBLIC_NOTICE)
    assert (Action.APPROVE in accepted) is (not investigates and profile.referral is None)
    assert (Action.REFER in accepted) is (profile.referral is not None)
    new = machine.allowed_actions(CaseStatus.SUBMITTED, ctx)
    assert (Action.GRANT_URGENT in new) is (program is Program.TEMPORARY)
    assert Action.GRANT_DIRECT not in accepted  # only with a certificate
    if profile.direct_grant is not None:
        certified = machine.allowed_actions(
            CaseStatus.ACCEPTED, _ctx_for(program, direct_grant=True)
        )
        assert Action.GRANT_DIRECT in certified
        assert Action.START_INVESTIGATION not in certified
