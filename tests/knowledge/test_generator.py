"""The optional generator may reword an answer but never add a figure or drop the citations."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from knowledge.generator import GroundedGenerator, acceptable, load_local_generator
from knowledge.models import Answer, Citation

CITATION = Citation(
    n=1,
    title="最低生活保障审核确认办法（要点）",
    source="national-dibao-shenhe-queren.md",
    section="第十九条 公示7天与民主评议",
    issuer="民政部",
    effective_date="2021-07-01",
    text="乡镇（街道）提出审核意见，并在申请家庭所在村（社区）公示，公示期为7天。",
    score=1.0,
)
EXTRACTIVE = Answer(
    "低保要公示几天",
    "公示期为7天。[1]\n来源：[1]《最低生活保障审核确认办法（要点）》第十九条（民政部，2021-07-01）",
    True,
    [CITATION],
    0.9,
)


def test_a_grounded_rewording_is_used_with_the_sources_kept() -> None:
    generator = GroundedGenerator(
        FakeListChatModel(responses=["低保审核意见要在村（社区）公示7天。[1]"])
    )
    answer = generator.rewrite(EXTRACTIVE)
    assert answer.answer.startswith("低保审核意见要在村（社区）公示7天。[1]")
    assert "\n来源：[1]《最低生活保障审核确认办法（要点）》" in answer.answer
    assert answer.citations == [CITATION]


@pytest.mark.parametrize(
    "reply",
    [
        "低保要公示15天。[1]",  # a figure not in the passage
        "低保要公示7天。",  # no citation
        "低保要公示7天。[2]",  # a passage that does not exist
    ],
)
def test_unsupported_text_falls_back_to_the_extractive_answer(reply: str) -> None:
    generator = GroundedGenerator(FakeListChatModel(responses=[reply]))
    assert generator.rewrite(EXTRACTIVE) is EXTRACTIVE


def test_generator_errors_keep_the_extractive_answer() -> None:
    class Broken:
        def invoke(self, messages: object) -> object:
            raise RuntimeError("model crashed")

    assert GroundedGenerator(Broken()).rewrite(EXTRACTIVE) is EXTRACTIVE


def test_refusals_are_never_sent_to_the_generator() -> None:
    refusal = Answer("房贷利率多少", "抱歉……转人工", False)
    generator = GroundedGenerator(FakeListChatModel(responses=["利率是3%。[1]"]))
    assert generator.rewrite(refusal) is refusal


def test_acceptable_checks_figures_against_cited_text() -> None:
    assert acceptable("公示期7天[1]", EXTRACTIVE)
    assert not acceptable("公示期7天，补贴800元[1]", EXTRACTIVE)


def test_missing_generator_folder_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="HUIMIN_KNOWLEDGE_GENERATOR_MODEL"):
        load_local_generator(tmp_path / "nope")


def test_service_uses_a_configured_generator(tmp_path: Path) -> None:
    from knowledge.retrieval import RetrievalParams
    from knowledge.service import KnowledgeService
    from tests.knowledge.conftest import FakeEmbedder, make_settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("---\nid: a\n---\n## 公示\n低保审核意见公示期为7天。\n", "utf-8")
    service = KnowledgeService(
        make_settings(tmp_path),
        embedder=FakeEmbedder(),
        params=RetrievalParams(dense_weight=0.0, min_confidence=0.3),
        generator=GroundedGenerator(FakeListChatModel(responses=["要公示7天。[1]"])),
    )
    service.ingest()
    answer = service.ask("低保公示几天")
    assert answer.confident
    assert answer.answer.startswith("要公示7天。[1]\n来源：[1]")
