"""Query normalisation: resident words meet document words."""

from __future__ import annotations

import pytest

from knowledge.service import prepare_question
from knowledge.textnorm import Normaliser, SynonymTable, clean_markup, has_meaningful_text
from knowledge.tokenizer import Tokenizer
from knowledge.tuning import DATA_DIR


@pytest.fixture(scope="module")
def normaliser() -> Normaliser:
    return Normaliser(SynonymTable.load(DATA_DIR / "synonyms.txt"))


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(DATA_DIR / "userdict.txt", DATA_DIR / "stopwords.txt")


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("户口不在这边能申请吗", "户籍不在本地"),
        ("DB怎么申请", "低保"),
        ("最低生活保障标准", "低保标准"),
        ("低边户有什么待遇", "低保边缘"),
        ("特困供养人员", "特困"),
        ("老人吃饭有补贴吗", "老年食堂"),
        ("我妈身体不好", "老年人"),
        ("吃饭补贴多少", "助餐补贴"),
        ("附近有助餐点吗", "老年食堂"),
        ("ｄｂ　怎么办", "低保"),  # full-width letters and space
    ],
)
def test_synonyms_map_to_canonical_words(normaliser: Normaliser, question: str, word: str) -> None:
    assert word in normaliser.question(question)


def test_ascii_synonyms_need_word_boundaries(normaliser: Normaliser) -> None:
    assert "低保" not in normaliser.question("dbx 是什么")


def test_canonical_words_are_not_rewritten_twice(normaliser: Normaliser) -> None:
    assert normaliser.passage("老年食堂") == "老年食堂"
    assert normaliser.passage("老年人") == "老年人"


def test_age_in_question_adds_the_matching_programme(normaliser: Normaliser) -> None:
    assert "高龄津贴" in normaliser.question("我妈82岁有啥补贴")
    assert "高龄津贴" in normaliser.question("我爷爷八十多岁了")
    assert "高龄津贴" not in normaliser.question("我妈65岁")


def test_domain_words_stay_whole(normaliser: Normaliser, tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokens(normaliser.question("低保边缘家庭能申请养老服务补贴吗？"))
    assert "低保边缘" in tokens
    assert "养老服务补贴" in tokens
    assert "吗" not in tokens


def test_markup_is_removed() -> None:
    assert clean_markup("<script>alert(1)</script><b>低保</b>怎么**申请**") == "低保 怎么 申请"
    assert clean_markup("[低保](http://x.example/a) &amp; 特困") == "低保 & 特困"


def test_meaningful_text() -> None:
    assert not has_meaningful_text("😀🙏🎉 ！？")
    assert has_meaningful_text("😀 低保")


def test_long_questions_are_truncated_not_refused() -> None:
    assert len(prepare_question("低保" * 5000)) == 200
