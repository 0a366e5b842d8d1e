"""Retrieval and answer quality with the real embedding model on the project's documents."""

from __future__ import annotations

import json
import re

import pytest

from knowledge.service import KnowledgeService
from tests.knowledge.conftest import PROJECT_ROOT

EVAL = [
    json.loads(line)
    for line in (PROJECT_ROOT / "knowledge" / "eval" / "questions.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
]
SMOKE_IDS = ["a001", "a002", "a011", "a018", "a083", "a136", "a144", "a148", "a170", "a190"]
SMOKE = [row for row in EVAL if row["id"] in SMOKE_IDS]
UNANSWERABLE = [row for row in EVAL if not row["answerable"]][:8]


def _answers(meta: dict[str, str], expected: list[str]) -> bool:
    return any(
        meta["doc_id"] == ref.partition("#")[0]
        and meta["section"].startswith(ref.partition("#")[2])
        for ref in expected
    )


def test_smoke_set_is_what_it_claims() -> None:
    assert len(SMOKE) == len(SMOKE_IDS)
    assert {"低保怎么申请", "db怎么申请啊", "我妈82岁有啥补贴"} <= {r["question"] for r in SMOKE}


@pytest.mark.parametrize("row", SMOKE, ids=[r["id"] for r in SMOKE])
def test_answerable_questions_find_their_section_in_top3(
    real_service: KnowledgeService, row: dict
) -> None:
    result = real_service.search(row["question"], audience=row["audience"], k=3)
    assert any(_answers(h.chunk.meta, row["expected"]) for h in result.hits), [
        (h.chunk.meta["doc_id"], h.chunk.meta["section"]) for h in result.hits
    ]
    answer = real_service.ask(row["question"], audience=row["audience"])
    assert answer.confident
    assert answer.citations


@pytest.mark.parametrize("row", UNANSWERABLE, ids=[r["id"] for r in UNANSWERABLE])
def test_unanswerable_questions_are_not_answered(real_service: KnowledgeService, row: dict) -> None:
    answer = real_service.ask(row["question"])
    assert not answer.confident
    assert answer.citations == []
    assert "转人工" in answer.answer


def test_answer_is_extractive_with_numbered_citations(real_service: KnowledgeService) -> None:
    answer = real_service.ask("低保要公示几天")
    assert answer.confident
    cited = "".join(c.text for c in answer.citations)
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    body, _, sources = answer.answer.partition("\n来源：")
    for n, sentence in re.findall(r"([^\[\]]+?)\[(\d+)\]", body):
        assert int(sentence) <= len(answer.citations)
        assert n.strip() in answer.citations[int(sentence) - 1].text
    assert "7天" in body
    assert "7天" in cited
    first = answer.citations[0]
    assert f"《{first.title}》" in sources
    assert first.section in sources
    assert first.issuer
    assert first.effective_date


@pytest.mark.parametrize(
    "question",
    [
        "低保标准多少钱一个月",
        "高龄津贴多少钱",
        "老人吃饭有补贴吗",
        "临时救助能给多少钱",
        "残疾人两项补贴每个月多少钱",
    ],
)
def test_every_figure_in_an_answer_is_in_a_cited_passage(
    real_service: KnowledgeService, question: str
) -> None:
    answer = real_service.ask(question)
    cited = "".join(c.text for c in answer.citations)
    body = answer.answer.partition("\n来源：")[0]
    for figure in re.findall(r"\d+(?:\.\d+)?", re.sub(r"\[\d+\]", "", body)):
        assert figure in cited, figure


@pytest.mark.parametrize(
    ("question", "confident", "says"),
    [
        ("低保标准多少钱一个月", True, r"以(富阳)?区民政局(最新)?公布为准"),
        # formerly a known retrieval gap (refused); now answered from the amounts note,
        # which points to the bureau and invents no amount
        ("富阳低保一个月能拿多少钱", True, r"以(富阳)?区民政局(最新)?公布为准"),
        ("高龄津贴多少钱", True, r"以(富阳)?区民政局(最新)?公布为准"),
    ],
)
def test_unknown_amounts_are_not_invented(
    real_service: KnowledgeService, question: str, confident: bool, says: str
) -> None:
    answer = real_service.ask(question)
    assert not re.search(r"\d+\s*元", answer.answer)
    assert answer.confident is confident, answer.answer
    assert re.search(says, answer.answer), answer.answer


def test_audience_filter_hides_adviser_only_documents(real_service: KnowledgeService) -> None:
    question = "杭州低保边缘是低保标准的2倍吗"
    adviser = real_service.search(question, audience="adviser", k=3)
    resident = real_service.search(question, audience="resident", k=10)
    assert adviser.hits[0].chunk.meta["doc_id"] == "hzdb"
    assert all(h.chunk.meta["doc_id"] != "hzdb" for h in resident.hits)


def test_region_filter_keeps_levels_at_and_above(real_service: KnowledgeService) -> None:
    national = real_service.search("低保标准怎么定", region="national", k=10)
    zhejiang = real_service.search("低保标准怎么定", region="zhejiang", k=10)
    assert {h.chunk.meta["region"] for h in national.hits} == {"national"}
    assert {h.chunk.meta["region"] for h in zhejiang.hits} <= {"national", "zhejiang"}
    assert "zhejiang" in {h.chunk.meta["region"] for h in zhejiang.hits}


@pytest.mark.parametrize(
    "question",
    ["", "   ", "😀🙏🎉", "？？？！！！", "<script>alert(1)</script>", "a" * 10_000],
)
def test_hostile_questions_get_a_clear_chinese_reply(
    real_service: KnowledgeService, question: str
) -> None:
    answer = real_service.ask(question)
    assert not answer.confident
    assert re.search(r"[\u4e00-\u9fff]", answer.answer)
    assert len(answer.question) <= 500


def test_markup_around_a_real_question_is_ignored(real_service: KnowledgeService) -> None:
    answer = real_service.ask("<p><b>低保</b>要公示几天？</p> [链接](http://example.com)")
    assert answer.confident
    assert "7天" in answer.answer


def test_very_long_question_is_truncated_and_answered(real_service: KnowledgeService) -> None:
    answer = real_service.ask("低保要公示几天？" + "请尽快回复。" * 2000)
    assert answer.confident
    assert "7天" in answer.answer


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        # issue #12's examples (everyday words, Chinese numerals, traditional characters)
        ("低保要挂出来给大家看几天", "7天"),
        ("帮老人擦洗身子的服务有没有", "助浴"),
        ("白天托管老人的地方有吗", "日间照料"),
        ("家里着火了，能不能先给钱后补材料", "先行救助"),
        ("看病自己贴了不少钱，家里快揭不开锅了，有啥救助", "自付"),
        ("十五分钟养老服务圈是啥意思", "15分钟"),
        ("長壽金怎麼申請", "80周岁"),
        ("我爸82了，每个月能领点啥钱不？", "80周岁"),
    ],
)
def test_residents_words_find_the_fact(
    real_service: KnowledgeService, question: str, fact: str
) -> None:
    answer = real_service.ask(question)
    assert answer.confident, answer.answer
    assert fact in answer.answer.partition("\n来源：")[0], answer.answer


def test_an_elder_care_answer_does_not_append_a_tekun_sentence(
    real_service: KnowledgeService,
) -> None:
    answer = real_service.ask("我爸82了，每个月能领点啥钱不？")
    assert "特困" not in answer.answer.partition("\n来源：")[0], answer.answer


@pytest.mark.parametrize("question", ["长期护理保险怎么申请", "养老金今年怎么涨", "公积金怎么提取"])
def test_subjects_the_documents_do_not_cover_are_refused(
    real_service: KnowledgeService, question: str
) -> None:
    answer = real_service.ask(question)
    assert not answer.confident, answer.answer
    assert answer.citations == []
    assert "转人工" in answer.answer
