"""The action tests' canned API answers against the REAL API (as tests/channels/ does for the
bridge).

The action tests fake the API (``fake_api.on(...)`` in tests/actions/conftest.py). Here the
actions' own client (:mod:`actions.api_client`) sends the same requests to the real app
(``app`` / ``client`` of tests/conftest.py, SQLite and PostgreSQL) and every real answer must
have the shape the canned one assumes: each key of the canned answer is there, with a value of
the same JSON type (``null`` on either side is accepted), lists item by item. Canned answers
named in CAPITALS are imported from the action test modules; the few written inline there are
repeated here with the test they come from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client
from actions.application_submit import build_application
from actions.handoff import ActionHandoff
from actions.hardship import ActionSubmitLead
from actions.prescreen import build_household
from knowledge.service import KnowledgeService
from tests.actions.test_actions_application import SUBMITTED, VERIFIED, filled_application
from tests.actions.test_actions_identity_check import REGISTRY, status_body
from tests.actions.test_actions_other_flows import APPLICATION
from tests.actions.test_actions_policy import ANSWER, NO_ANSWER
from tests.identity.conftest import WANG, Gateway
from tests.knowledge.conftest import FakeEmbedder, make_settings
from workflows.auth import service as auth_service
from workflows.auth.enums import Role

BASE = "http://real-api.test"
# inline canned answers of the action tests (file: test)
# test_actions_identity_check
SMS_SENT = {"sent": True, "phone_masked": "138****5678", "expires_in_seconds": 300}
SMS_VERIFIED = {"verified": True, "method": "sms"}  # test_actions_identity_check
COUNTER_VERIFIED = {"verified": True, "method": "counter"}  # test_actions_identity_check
HANDOFF = {"id": 3, "status": "waiting"}  # test_actions_handoff
LEAD = {"id": 1, "number": "XS00001", "township_code": "330111006000"}  # test_actions_other_flows
PRESCREEN = {  # test_actions_other_flows.test_prescreen_verdicts_prefill_the_application
    "verdicts": [
        {
            "program": "dibao",
            "program_label": "最低生活保障(低保)",
            "verdict": "likely",
            "reasons": [{"text": "收入低于标准", "citation": None}],
            "materials": [],
        },
    ]
}
STATUS_REFUSED = {"detail": "查询过于频繁,请 42 秒后再试"}  # test_status_lookup_limits
PRESCREEN_SLOTS = {  # test_actions_other_flows.test_prescreen_verdicts_prefill_the_application
    "household_size": "3",
    "member_ages": "我72,老伴70,孙子10",
    "disability_text": "老伴肢体残疾二级",
    "income_text": "养老金800,老伴打零工一个月一千",
    "expenses_text": "看病一年3万",
    "hukou_township": "场口镇",
    "residence_township": "场口镇",
}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def assert_shape(canned: Any, real: Any, where: str = "answer") -> None:
    """``real`` has every key of ``canned`` with a value of the same JSON type."""
    if canned is None or real is None:
        return
    assert _kind(canned) == _kind(real), f"{where}: canned {canned!r}, real {real!r}"
    if isinstance(canned, dict):
        for key, value in canned.items():
            assert key in real, f"{where}: the real answer has no {key!r}: {real!r}"
            assert_shape(value, real[key], f"{where}.{key}")
    elif isinstance(canned, list) and canned and real:
        for index, item in enumerate(canned):
            assert_shape(item, real[min(index, len(real) - 1)], f"{where}[{index}]")


def tracker(kit: Any, slots: dict[str, Any], sender_id: str = "telegram:12345") -> Any:
    return kit.tracker("/affirm", "affirm", slots=slots, sender_id=sender_id)


@dataclass
class Recorder:
    """What the real API answered to the actions' client."""

    answers: list[tuple[str, str, int, Any]] = field(default_factory=list)

    def answer(self, method: str, path: str, status: int = 200) -> Any:
        found = [a for a in self.answers if a[:2] == (method, path)]
        assert found, f"{method} {path} was not called"
        assert found[-1][2] == status, found[-1]
        return found[-1][3]


@pytest.fixture
def real(app: FastAPI, client: TestClient, tmp_path: Path) -> Iterator[Recorder]:
    """The actions' client routed to the real app; a small knowledge base; a counter clerk."""
    recorder = Recorder()

    def forward(request: httpx.Request) -> httpx.Response:
        answer = client.request(
            request.method,
            request.url.path,
            params=dict(request.url.params),
            content=request.content,
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
        )
        body = answer.json() if answer.content else None
        recorder.answers.append((request.method, request.url.path, answer.status_code, body))
        return httpx.Response(answer.status_code, content=answer.content, headers=answer.headers)

    docs = tmp_path / "kb" / "docs"
    docs.mkdir(parents=True)
    (docs / "db.md").write_text(
        "---\nregion: fuyang\naudience: [resident, adviser, staff]\n"
        "title: 最低生活保障审核确认办法\nissuer: 民政部\neffective_date: 2021-07-01\n---\n\n"
        "## 第十条\n\n低保标准由市政府按年公布。申请低保应当向户籍所在地乡镇人民政府提出。\n",
        encoding="utf-8",
    )
    app.state.knowledge_service = KnowledgeService(
        make_settings(tmp_path / "kb"), embedder=FakeEmbedder()
    )
    with app.state.session_factory() as session:
        auth_service.create_user(
            session,
            username="wangli",
            password="test-password-1",
            role=Role.COUNTER,
            township_code="330111001000",
            rounds=4,
            now=app.state.clock.now(),
        )
        session.commit()
    assert api_client.get_settings().internal_token == app.state.settings.internal_token
    api_client.use_transport(httpx.MockTransport(forward), BASE)
    try:
        yield recorder
    finally:
        api_client.use_transport(None, None)


@pytest.fixture
def gateway(app: FastAPI) -> Iterator[Gateway]:
    from tests.identity.conftest import gateway as make_gateway

    yield from make_gateway.__wrapped__(app)  # type: ignore[attr-defined]


async def test_application_submit_and_the_resident_views(kit: Any, real: Recorder) -> None:
    client = api_client.get_client()
    body = await build_application(tracker(kit, filled_application()))
    submitted = await client.submit_application(body, "k" * 64)
    assert_shape(SUBMITTED, submitted)
    assert [m["incomes"] for m in body["members"]][2] == [{"kind": "wage", "monthly_amount": 3000}]
    again = await client.submit_application(body, "k" * 64)  # the retry of the action tests
    assert again["number"] == submitted["number"]

    mine = await client.resident_applications("telegram", "12345")
    assert_shape([APPLICATION], mine)
    found = await client.status_lookup(submitted["number"], body["applicant"]["id_number"], "t:1")
    assert_shape(APPLICATION, found)


async def test_status_lookup_refusals_are_chinese_details(kit: Any, real: Recorder) -> None:
    client = api_client.get_client()
    with pytest.raises(api_client.ApiRejectedError) as refused:
        await client.status_lookup("FY2026999999", "330183195503120211", "t:2")
    assert refused.value.status_code in (404, 429)
    assert_shape({"detail": "未找到"}, refused.value.body)
    assert re.search(r"[\u4e00-\u9fff]", refused.value.message)
    assert_shape(STATUS_REFUSED, refused.value.body)


async def test_prescreen(kit: Any, real: Recorder) -> None:
    household = await build_household(tracker(kit, PRESCREEN_SLOTS))
    assert household["members"][0]["incomes"] == [{"kind": "pension", "monthly_amount": 800}]
    assert household["members"][1]["incomes"] == [{"kind": "wage", "monthly_amount": 1000}]
    result = await api_client.get_client().prescreen(household)
    assert_shape(PRESCREEN, result)


async def test_knowledge_ask(real: Recorder) -> None:
    answer = await api_client.get_client().ask("低保标准是多少", conversation_id="telegram:1")
    assert_shape(NO_ANSWER, answer)
    if answer["citations"]:
        assert_shape(ANSWER, answer)


async def test_identity_sms_registry_and_counter(real: Recorder, gateway: Gateway) -> None:
    client = api_client.get_client()
    subject = "web:contract"
    status = await client.identity_status(subject, WANG)
    assert_shape(status_body(), status)
    sent = await client.identity_sms_send(subject, WANG)
    assert_shape(SMS_SENT, sent)
    with pytest.raises(api_client.ApiRejectedError) as wrong:
        await client.identity_sms_verify(
            subject, WANG, "000000" if gateway.last_code() != "000000" else "111111"
        )
    assert wrong.value.status_code == 400
    assert_shape({"detail": "验证码不正确"}, wrong.value.body)
    verified = await client.identity_sms_verify(subject, WANG, gateway.last_code())
    assert_shape(SMS_VERIFIED, verified)
    assert_shape(VERIFIED, await client.identity_status(subject, WANG))
    household = await client.registry_household(WANG, subject)
    assert_shape(REGISTRY, household)

    counter = await client.identity_counter("counter:wangli:5d2e", WANG, "wangli")
    assert_shape(COUNTER_VERIFIED, counter)


async def test_handoff_and_lead_as_the_actions_send_them(kit: Any, real: Recorder) -> None:
    dispatcher = CollectingDispatcher()
    slots = {
        "lead_township": "银湖街道",
        "lead_address": "村口第二家",
        "lead_description": "独居老人几天没吃饭",
        "lead_urgent": True,
        "lead_contact": "none",
    }
    await ActionSubmitLead().run(dispatcher, kit.tracker("不留", "deny", slots=slots), kit.domain)
    assert_shape(LEAD, real.answer("POST", "/api/leads", 201))

    history = [kit.user("低保怎么申请", "ask_policy"), {"event": "bot", "text": "您好"}]
    handoff = kit.tracker("转人工", "request_human", history=history)
    await ActionHandoff().run(dispatcher, handoff, kit.domain)
    assert_shape(HANDOFF, real.answer("POST", "/api/handoffs", 201))
    assert "utter_api_unavailable" not in kit.responses(dispatcher)


async def test_household_parse_is_what_the_fake_api_answers(real: Recorder) -> None:
    """The action tests answer /api/household/parse with the API's parser in-process
    (tests/actions/conftest.py ``real_parse``): the HTTP answer must be the same."""
    from tests.actions.conftest import real_parse

    members = [{"relation": "本人", "name": "张建国"}, {"relation": "配偶", "name": "李秀英"}]
    for kind, text in [
        ("income", "老公打工,一个月两千五"),
        ("income", "不知道"),
        ("property", "只有一套自住房,存款1万"),
        ("expenses", "看病一年花了3万"),
        ("members", "女儿张小丽,330111201602290263,肢体残疾二级"),
    ]:
        real_answer = await api_client.get_client().parse_household(kind, text, members)
        body = {"field": kind, "text": text, "members": members}
        canned = json.loads(
            real_parse(httpx.Request("POST", BASE, content=json.dumps(body))).content
        )
        assert real_answer == canned, (kind, text)
    spouse = (
        await api_client.get_client().parse_household("income", "老公打工,一个月两千五", members)
    )["members"][1]
    assert spouse["incomes"][0]["monthly_amount"] == 2500


async def test_elder_service_nearby(app: FastAPI, kit: Any, real: Recorder) -> None:
    from tests.actions.test_actions_eldercare import HIT, NEARBY, PLACE_UNKNOWN
    from workflows.eldercare import importer
    from workflows.eldercare.communities import SAMPLE_FACILITIES_FILE

    with app.state.session_factory() as session:
        importer.import_csv(
            session, SAMPLE_FACILITIES_FILE.read_bytes(), mode="all", actor="t",
            now=app.state.clock.now(),
        )  # fmt: skip
        session.commit()
    client = api_client.get_client()
    with pytest.raises(api_client.ApiRejectedError):
        await client.nearby_services({"service": "meal", "place": "附近有老年食堂吗"})
    assert_shape(PLACE_UNKNOWN, real.answer("GET", NEARBY, 422))
    hits = await client.nearby_services(
        {"service": "meal", "place": "富春示例一社区", "minutes": "60", "limit": "3"}
    )
    assert hits
    assert_shape([HIT], real.answer("GET", NEARBY))
