"""Below the confidence threshold the closest passages are offered; a picked one answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from knowledge.answer import NOT_FOUND_REPLY, SUGGEST_REPLY, suggestion_label
from knowledge.http import install
from knowledge.service import KnowledgeService, UnknownPassageError

DOC = (
    "## 1 低保公示\n\n低保申请经审核后，在申请人所在村（社区）公示7天。公示有异议的，重新调查。\n\n"
    "## 2 高龄津贴\n\n年满80周岁的老年人按月领取高龄津贴。\n\n"
    "## 专栏1 入户调查\n\n乡镇（街道）受理后组织入户调查，调查人员不少于2人。\n"
)


@pytest.fixture
def service(fake_service: KnowledgeService, write_doc: Callable[..., Path]) -> KnowledgeService:
    write_doc("dibao.md", DOC, id="db", title="低保办理要点")
    write_doc(
        "staff.md",
        "## 内部核查口径\n\n低保公示期间的举报由工作人员核查。\n",
        id="staff",
        title="内部口径",
        audience="[staff]",
    )
    fake_service.ingest()
    # a threshold no question here reaches, so every question gets the refusal path
    fake_service.params = replace(fake_service.params, min_confidence=0.99, suggest_floor=0.1)
    fake_service.reload()
    return fake_service


def test_an_uncertain_question_is_refused_with_the_closest_sections_to_pick(
    service: KnowledgeService,
) -> None:
    answer = service.ask("低保名单公示要挂几天")
    assert answer.confident is False
    assert answer.answer == SUGGEST_REPLY
    assert answer.suggestions[0].section == "1 低保公示"
    assert answer.suggestions[0].label == "低保公示"  # numbering dropped
    assert len({s.section for s in answer.suggestions}) == len(answer.suggestions) <= 3
    # staff-only passages are never offered to residents
    assert all(s.title != "内部口径" for s in answer.suggestions)


def test_a_picked_passage_answers_from_that_passage_alone(service: KnowledgeService) -> None:
    offered = service.ask("低保名单公示要挂几天").suggestions[0]
    answer = service.ask("低保名单公示要挂几天", passage=offered.passage)
    assert answer.confident is True
    assert "公示7天" in answer.answer
    assert [c.section for c in answer.citations] == ["1 低保公示"]


def test_an_unknown_or_forbidden_passage_is_refused(service: KnowledgeService) -> None:
    with pytest.raises(UnknownPassageError):
        service.ask("公示几天", passage="no-such-chunk")
    staff_only = next(
        c.id for c in service.retriever.index.chunks if c.meta.get("doc_id") == "staff"
    )
    with pytest.raises(UnknownPassageError):
        service.ask("公示几天", passage=staff_only)
    assert service.ask("公示几天", audience="staff", passage=staff_only).confident


def test_nothing_is_offered_for_a_covered_nothing_or_an_excluded_subject(
    service: KnowledgeService,
) -> None:
    weather = service.ask("明天会下雨吗")
    assert weather.suggestions == []
    assert weather.answer == NOT_FOUND_REPLY
    # the not-covered list (长期护理保险) refuses outright, without suggestions
    ltc = service.ask("长期护理保险的公示要几天")
    assert ltc.confident is False
    assert ltc.suggestions == []


def test_labels_are_short_button_titles() -> None:
    assert suggestion_label("专栏1 流浪乞讨人员救助", "规划") == "流浪乞讨人员救助"
    assert suggestion_label("", "低保办理要点") == "低保办理要点"
    long = suggestion_label("一件事联办的办理时限：总共不超过23个工作日，其中公示7天不计入", "t")
    assert len(long) == 26
    assert long.endswith("…")


def test_http_offers_suggestions_and_answers_a_pick(service: KnowledgeService) -> None:
    app = FastAPI()
    install(app, service.settings, service=service, warm_up=False)
    client = TestClient(app)
    refused = client.post("/api/knowledge/ask", json={"question": "低保名单公示要挂几天"}).json()
    assert refused["confident"] is False
    pick = refused["suggestions"][0]
    assert set(pick) == {"passage", "label", "title", "section"}
    answer = client.post(
        "/api/knowledge/ask", json={"question": "低保名单公示要挂几天", "passage": pick["passage"]}
    ).json()
    assert answer["confident"] is True
    assert answer["suggestions"] == []
    gone = client.post("/api/knowledge/ask", json={"question": "公示", "passage": "gone-0001"})
    assert gone.status_code == 422
    assert gone.json()["detail"][0]["loc"] == ["body", "passage"]
    assert "重新提问" in gone.json()["detail"][0]["msg"]
    bad = client.post("/api/knowledge/ask", json={"question": "公示", "passage": "../../etc"})
    assert bad.status_code == 422
