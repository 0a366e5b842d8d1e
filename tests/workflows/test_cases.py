"""Program cases: the state machine over HTTP, scoping, deadlines, forwarding, notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from workflows.outbox.models import OutboxMessage

FUCHUN = "330111001000"
CHUNJIANG = "330111002000"
Login = Callable[[str], dict[str, str]]
Submit = Callable[..., dict[str, Any]]


def _act(
    client: TestClient, headers: dict[str, str], case_id: int, action: str, **extra: Any
) -> Any:
    return client.post(
        f"/api/cases/{case_id}/transitions", json={"action": action, **extra}, headers=headers
    )


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _outbox(app: FastAPI) -> list[OutboxMessage]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_full_path_to_approval_with_notifications(
    client: TestClient, app: FastAPI, login: Login, submit: Submit, clock: Any
) -> None:
    case_id = submit(programs=["dibao"])["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    detail = _ok(client.get(f"/api/cases/{case_id}", headers=reviewer))
    assert [a["action"] for a in detail["allowed_actions"]] == [
        "accept",
        "request_materials",
        "reject",
        "forward",
        "extend",
    ]
    assert detail["members"][0]["id_number"].startswith("330111")  # the reviewer needs it
    assert "第二十二条" in detail["deadline_source"]
    assert detail["deadline_is_sample"] is False
    assert _ok(_act(client, reviewer, case_id, "accept"))["status"] == "accepted"
    assert _ok(_act(client, reviewer, case_id, "start_investigation"))["status"] == "investigating"
    _ok(_act(client, reviewer, case_id, "submit_opinion", note="符合条件"))
    notice = _ok(_act(client, reviewer, case_id, "start_public_notice"))
    assert notice["status"] == "public_notice"
    assert notice["public_notice_ends_on"] == "2026-11-08"
    assert "approve" not in [a["action"] for a in notice["allowed_actions"]]
    # 低保: the county decides ([DB] art. 20); the township's last step was its opinion + 公示
    assert "reject" not in [a["action"] for a in notice["allowed_actions"]]
    clock.advance(days=7)
    by_township = _act(client, reviewer, case_id, "approve", note="同意")
    assert by_township.status_code == 403
    assert "区级督导" in by_township.json()["detail"]
    clock.advance(days=-7)
    supervisor = login("super")
    too_early = _act(client, supervisor, case_id, "approve")
    assert too_early.status_code == 409
    assert "公示期" in too_early.json()["detail"]
    clock.advance(days=7)
    on_page = _ok(client.get(f"/api/cases/{case_id}", headers=supervisor))["allowed_actions"]
    assert {"approve", "reject"} <= {a["action"] for a in on_page}
    approved = _ok(_act(client, supervisor, case_id, "approve", note="同意"))
    assert approved["status"] == "approved"
    assert approved["deadline_state"] == "finished"
    assert _ok(_act(client, reviewer, case_id, "close"))["status"] == "closed"

    texts = [m.text for m in _outbox(app)]
    assert len(texts) == 2
    assert "公示" in texts[0]
    assert "2026-11-08" in texts[0]
    assert "审核通过" in texts[1]
    assert {m.channel for m in _outbox(app)} == {"telegram"}
    history = _ok(client.get(f"/api/cases/{case_id}", headers=reviewer))["history"]
    assert [h["action"] for h in history] == [
        "case.opened",
        "case.accept",
        "case.start_investigation",
        "case.submit_opinion",
        "case.start_public_notice",
        "case.approve",
        "case.close",
    ]
    assert history[1]["actor"] == "staff:rev_fuchun"
    assert history[5]["actor"] == "staff:super"


def test_illegal_transition_is_409_with_allowed_actions(
    client: TestClient, login: Login, submit: Submit
) -> None:
    case_id = submit()["cases"][0]["id"]
    answer = _act(client, login("rev_fuchun"), case_id, "approve")
    assert answer.status_code == 409
    body = answer.json()
    assert body["status"] == "submitted"
    assert body["allowed_actions"] == ["accept", "request_materials", "reject", "forward", "extend"]
    assert "不能执行" in body["detail"]


def test_reject_needs_a_reason_and_notifies(
    client: TestClient, app: FastAPI, login: Login, submit: Submit
) -> None:
    case_id = submit()["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    missing = _act(client, reviewer, case_id, "reject")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "reason"]
    assert "理由" in missing.json()["detail"][0]["msg"]
    rejected = _ok(_act(client, reviewer, case_id, "reject", reason="家庭人均收入高于低保标准"))
    assert rejected["status"] == "rejected"
    assert rejected["decision_reason"] == "家庭人均收入高于低保标准"
    assert "家庭人均收入高于低保标准" in _outbox(app)[-1].text


def test_materials_request_pauses_the_clock(
    client: TestClient,
    app: FastAPI,
    login: Login,
    submit: Submit,
    internal: dict[str, str],
    clock: Any,
) -> None:
    created = submit(programs=["dibao"])
    case_id = created["cases"][0]["id"]
    assert created["cases"][0]["due_date"] == "2026-12-03"  # 23 working days (Zhejiang)
    reviewer = login("counter_fuchun")
    empty = _act(client, reviewer, case_id, "request_materials", missing_materials=[" "])
    assert empty.status_code == 422
    needed = _ok(
        _act(
            client,
            reviewer,
            case_id,
            "request_materials",
            missing_materials=["户口本复印件", "银行流水(近6个月)"],
        )
    )
    assert needed["status"] == "materials_needed"
    assert needed["deadline_state"] == "paused"
    assert "户口本复印件" in _outbox(app)[-1].text
    assert "银行流水" in _outbox(app)[-1].text

    mine = client.get(
        "/api/residents/applications",
        params={"channel": "telegram", "channel_user_id": "10001"},
        headers=internal,
    ).json()
    assert mine[0]["status"] == "materials_needed"
    assert "户口本复印件" in mine[0]["cases"][0]["needs_from_resident"]

    clock.advance(days=7)  # Mon 11-02 -> Mon 11-09: five working days waiting
    supplied = _ok(_act(client, reviewer, case_id, "supply_materials"))
    assert supplied["status"] == "accepted"
    assert supplied["due_date"] == "2026-12-10"  # pushed back by the five paused working days
    assert supplied["used_working_days"] == 0


def test_deadline_warning_and_overdue_filter(
    client: TestClient, login: Login, submit: Submit, clock: Any
) -> None:
    case_id = submit(programs=["dibao"])["cases"][0]["id"]
    supervisor = login("super")
    clock.set(dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC))  # 18 of 23 working days used
    detail = _ok(client.get(f"/api/cases/{case_id}", headers=supervisor))
    assert detail["deadline_state"] == "warning"
    assert detail["used_working_days"] == 18
    assert _ok(client.get("/api/cases", params={"overdue": True}, headers=supervisor))["total"] == 0
    clock.set(dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC))
    overdue = _ok(client.get("/api/cases", params={"overdue": True}, headers=supervisor))
    assert [item["id"] for item in overdue["items"]] == [case_id]
    assert overdue["items"][0]["deadline_state"] == "overdue"


def test_extension_once_for_programs_that_allow_it(
    client: TestClient, login: Login, submit: Submit
) -> None:
    cases = submit(programs=["dibao", "tekun"])["cases"]
    reviewer = login("rev_fuchun")
    extended = _ok(_act(client, reviewer, cases[0]["id"], "extend", reason="需补充核对"))
    assert extended["allowed_working_days"] == 45
    assert extended["due_date"] > cases[0]["due_date"]
    assert _act(client, reviewer, cases[0]["id"], "extend", reason="再延").status_code == 409
    assert _act(client, reviewer, cases[1]["id"], "extend", reason="x").status_code == 409


def test_objection_sends_case_back_to_investigation(
    client: TestClient, login: Login, submit: Submit
) -> None:
    case_id = submit(programs=["dibao"])["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    for action in ("accept", "start_investigation", "submit_opinion", "start_public_notice"):
        _ok(_act(client, reviewer, case_id, action))
    back = _ok(_act(client, reviewer, case_id, "record_objection", reason="邻居反映有经营收入"))
    assert back["status"] == "investigating"
    assert back["public_notice_ends_on"] is None


def test_township_scoping_and_roles(client: TestClient, login: Login, submit: Submit) -> None:
    case_id = submit()["cases"][0]["id"]
    assert client.get(f"/api/cases/{case_id}", headers=login("rev_chunjiang")).status_code == 404
    assert _act(client, login("rev_chunjiang"), case_id, "accept").status_code == 404
    assert client.get(f"/api/cases/{case_id}", headers=login("super")).status_code == 200
    listed = _ok(client.get("/api/cases", headers=login("rev_chunjiang")))
    assert listed["total"] == 0
    assert _ok(client.get("/api/cases", headers=login("rev_fuchun")))["total"] == 2
    adviser = _act(client, login("adviser"), case_id, "accept")
    assert adviser.status_code == 403
    counter = login("counter_fuchun")
    _ok(_act(client, counter, case_id, "accept"))
    assert _act(client, counter, case_id, "start_investigation").status_code == 403
    assert client.get(f"/api/cases/{case_id}").status_code == 401


def test_forward_is_audited_with_its_own_deadline_and_both_townships_see_it(
    client: TestClient, app: FastAPI, login: Login, submit: Submit
) -> None:
    case_id = submit(programs=["dibao"])["cases"][0]["id"]
    fuchun = login("rev_fuchun")
    bad = _act(client, fuchun, case_id, "forward", to_township_code=FUCHUN, reason="x")
    assert bad.status_code == 422
    forwarded = _ok(
        _act(
            client,
            fuchun,
            case_id,
            "forward",
            to_township_code=CHUNJIANG,
            reason="申请人实际户籍已迁至春江街道",
        )
    )
    assert forwarded["handling_township_code"] == CHUNJIANG
    assert forwarded["status"] == "submitted"
    assert forwarded["forward_due_date"] == "2026-11-05"  # 3 working days
    assert forwarded["forwards"][0]["from_township_code"] == FUCHUN
    assert forwarded["history"][-1]["action"] == "case.forward"
    assert "已转交春江街道办理" in _outbox(app)[-1].text
    chunjiang = login("rev_chunjiang")
    assert client.get(f"/api/cases/{case_id}", headers=chunjiang).status_code == 200
    # the sending township still sees it, but can no longer act on it
    assert client.get(f"/api/cases/{case_id}", headers=fuchun).status_code == 200
    assert _act(client, fuchun, case_id, "accept").status_code == 403
    accepted = _ok(_act(client, chunjiang, case_id, "accept"))
    assert accepted["forward_due_date"] is None
    listing = _ok(client.get("/api/cases", params={"township": CHUNJIANG}, headers=login("super")))
    assert listing["total"] == 1
    # forwarded on again: 春江 neither received nor handles it now, but still sees it
    _ok(
        _act(
            client,
            chunjiang,
            case_id,
            "forward",
            to_township_code="330111004000",
            reason="实际居住在鹿山街道",
        )
    )
    for username in ("rev_fuchun", "rev_chunjiang", "rev_lushan"):
        page = _ok(client.get("/api/cases", headers=login(username)))
        assert [item["id"] for item in page["items"]] == [case_id], username
        assert page["total"] == 1
    assert _act(client, chunjiang, case_id, "accept").status_code == 403
    assert _ok(_act(client, login("rev_lushan"), case_id, "accept"))["status"] == "accepted"


@pytest.mark.parametrize(
    ("params", "expected"),
    [({"status": "submitted"}, 2), ({"program": "medical"}, 1), ({"status": "closed"}, 0)],
)
def test_case_list_filters_and_pagination(
    client: TestClient, login: Login, submit: Submit, params: dict[str, str], expected: int
) -> None:
    submit()
    supervisor = login("super")
    page = _ok(client.get("/api/cases", params=params, headers=supervisor))
    assert page["total"] == expected
    first = _ok(client.get("/api/cases", params={"page_size": 1}, headers=supervisor))
    second = _ok(client.get("/api/cases", params={"page_size": 1, "page": 2}, headers=supervisor))
    assert first["total"] == 2
    assert first["items"][0]["id"] != second["items"][0]["id"]
    assert "*" in first["items"][0]["applicant_id_number_masked"]
    bad = client.get("/api/cases", params={"status": "nope"}, headers=supervisor)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "status"]
    bad = client.get("/api/cases", params={"township": "1"}, headers=supervisor)
    assert bad.json()["detail"] == [
        {"loc": ["query", "township"], "msg": "乡镇(街道)代码不存在:1", "type": "value_error"}
    ]


def _to_public_notice(
    client: TestClient, headers: dict[str, str], case_id: int, *, public_notice: bool = True
) -> None:
    """Through the township's stages: to the 公示, or to its opinion where there is none."""
    steps = ["accept", "start_investigation", "submit_opinion"]
    for action in steps + (["start_public_notice"] if public_notice else []):
        _ok(_act(client, headers, case_id, action))


@pytest.mark.parametrize(
    ("program", "delegated", "township_decides"),
    [
        ("dibao", False, False),
        ("dibao_edge", False, False),
        ("tekun", False, False),
        ("dibao", True, True),
        ("dibao_edge", True, True),
        ("tekun", True, False),  # the delegation covers 低保/低保边缘 only
        ("temporary", False, True),
    ],
)
def test_who_decides_after_the_public_notice(
    client: TestClient,
    app: FastAPI,
    login: Login,
    submit: Submit,
    clock: Any,
    program: str,
    delegated: bool,
    township_decides: bool,
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"dibao_review_delegated": delegated})
    case_id = submit(programs=[program])["cases"][0]["id"]
    reviewer = login("rev_fuchun")
    # 低保边缘 has no 公示 in its process profile (FACTS: 公示 for 低保/特困/临时救助)
    _to_public_notice(client, reviewer, case_id, public_notice=program != "dibao_edge")
    clock.advance(days=7)
    actions = {
        a["action"]
        for a in _ok(client.get(f"/api/cases/{case_id}", headers=reviewer))["allowed_actions"]
    }
    assert ("approve" in actions) is township_decides
    assert ("reject" in actions) is township_decides
    refused = _act(client, reviewer, case_id, "reject", reason="收入超标")
    if township_decides:
        assert _ok(refused)["status"] == "rejected"
        return
    assert refused.status_code == 403
    assert "区级督导" in refused.json()["detail"]
    assert (
        _ok(_act(client, login("super"), case_id, "reject", reason="收入超标"))["status"]
        == "rejected"
    )
