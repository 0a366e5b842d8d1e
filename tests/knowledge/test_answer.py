"""Answers use only sentences that match the question; another topic's passage is not appended."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from knowledge.answer import compose
from knowledge.index import IndexedChunk
from knowledge.retrieval import Hit, SearchResult
from knowledge.service import KnowledgeService
from tests.knowledge.conftest import FakeEmbedder

IDF = {"高龄津贴": 4.0, "老年人": 1.0, "特困": 3.0, "80周岁": 3.5}


def _hit(doc: str, text: str, score: float) -> Hit:
    meta = {"doc_id": doc, "title": doc, "section": "s", "issuer": "i", "effective_date": "d"}
    return Hit(IndexedChunk(doc, text, meta, frozenset()), score, score, 0.0)


def test_a_passage_about_another_topic_is_not_appended() -> None:
    elder = _hit("lnr", "80周岁以上老年人可以领高龄津贴。高龄津贴金额以区民政局公布为准。", 1.0)
    tekun = _hit("tk", "特困人员中60周岁以上的老年人算无劳动能力。", 0.95)
    result = SearchResult([elder, tekun], ["高龄津贴", "老年人", "80周岁"], 0.9)
    answer = compose("我爸82岁有高龄津贴吗", result, confident=True, idf=IDF, normalise=str)
    assert "特困" not in answer.answer
    assert [c.title for c in answer.citations] == ["lnr"]
    assert "高龄津贴" in answer.answer.partition("\n来源：")[0]


def test_a_second_passage_on_the_same_topic_is_still_cited() -> None:
    first = _hit("lnr", "80周岁以上老年人可以领高龄津贴。", 1.0)
    second = _hit("fybz", "富阳区老年人高龄津贴的金额以区民政局公布为准。", 0.95)
    result = SearchResult([first, second], ["高龄津贴", "老年人"], 0.9)
    answer = compose("高龄津贴", result, confident=True, idf=IDF, normalise=str)
    assert [c.title for c in answer.citations] == ["lnr", "fybz"]


def test_sentences_that_do_not_match_the_question_are_left_out() -> None:
    hit = _hit("lnr", "高龄津贴面向80周岁以上老人。本条与其他事项无关。", 1.0)
    result = SearchResult([hit], ["高龄津贴"], 0.9)
    answer = compose("高龄津贴", result, confident=True, idf=IDF, normalise=str)
    assert "无关" not in answer.answer


def test_ingestion_embeds_and_writes_in_batches_across_files(
    tmp_path: Path, write_doc: Callable[..., Path]
) -> None:
    class CountingEmbedder(FakeEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.calls: list[int] = []

        def encode(self, texts):  # type: ignore[no-untyped-def]
            self.calls.append(len(texts))
            return super().encode(texts)

    from tests.knowledge.conftest import make_settings

    (tmp_path / "docs").mkdir(exist_ok=True)
    for n in range(5):
        write_doc(
            f"d{n}.md", f"## 第{n}条 标题\n第{n}份文件的内容。\n\n## 其他\n更多内容。\n", id=f"d{n}"
        )
    embedder = CountingEmbedder()
    service = KnowledgeService(make_settings(tmp_path), embedder=embedder)
    report = service.ingest()
    assert report.chunks_embedded == 10
    assert embedder.calls == [10]  # one encode call for all five files
    assert service.collection.count() == 10


def test_the_sentence_after_a_passages_own_question_answers_it() -> None:
    idf = {"刚性支出": 3.0, "多久": 1.0, "结果": 1.0}
    hit = _hit(
        "gx",
        "申请后多久出结果？县级民政部门应当在30个工作日内作出认定决定。"
        "刚性支出困难家庭的认定有效期最长为12个月。",
        1.0,
    )
    result = SearchResult([hit], ["刚性支出", "多久", "结果"], 0.9)
    answer = compose("刚性支出多久出结果", result, confident=True, idf=idf, normalise=str)
    body = answer.answer.partition("\n来源：")[0]
    assert "30个工作日" in body
    assert "出结果？" not in body  # the passage's question itself is not quoted


def test_a_neighbouring_sentence_that_matches_a_question_word_brings_the_fact() -> None:
    idf = {"低保": 3.0, "申请": 1.0, "乡镇": 2.0}
    hit = _hit(
        "db",
        "申请低保以家庭为单位。由一名家庭成员向户籍所在地的乡镇人民政府提出书面申请。"
        "审核时限另有规定。一般是到户口所在的乡镇去申请低保。",
        1.0,
    )
    result = SearchResult([hit], ["低保", "申请"], 0.9)
    answer = compose("低保怎么申请", result, confident=True, idf=idf, normalise=str)
    body = answer.answer.partition("\n来源：")[0]
    # the middle sentence matches only 申请 (below half the best score) but sits next to a
    # chosen sentence of the same passage: the window keeps it, and with it the fact
    assert "乡镇人民政府提出书面申请" in body
    assert "审核时限" not in body  # a neighbour with no question word stays out
    assert body.index("以家庭为单位") < body.index("书面申请") < body.index("户口所在")


def test_the_window_stays_inside_the_best_passage() -> None:
    elder = _hit("lnr", "80周岁以上老年人可以领高龄津贴。发放标准另定。", 1.0)
    tekun = _hit("tk", "特困老年人另有规定。高龄津贴之外还有特困供养。", 0.95)
    result = SearchResult([elder, tekun], ["高龄津贴", "老年人"], 0.9)
    answer = compose("高龄津贴", result, confident=True, idf=IDF, normalise=str)
    assert "特困" not in answer.answer
