"""Typo tolerance by pinyin and the cross-validated refusal model."""

from __future__ import annotations

import pytest

from knowledge.calibration import Scored, _folds, _threshold, cross_validate
from knowledge.tokenizer import Tokenizer
from knowledge.tuning import DATA_DIR
from knowledge.typos import PinyinCorrector, pinyin_key

CORPUS = {"低保": 40, "申请": 30, "高龄": 5, "高龄津贴": 4, "特困": 20, "公示": 12, "工商": 1}
CORPUS |= {"老年": 30, "老年食堂": 3, "有劳": 2, "达到": 2, "评估": 6, "补贴": 9}


@pytest.fixture(scope="module")
def corrector() -> PinyinCorrector:
    tokenizer = Tokenizer(DATA_DIR / "userdict.txt", DATA_DIR / "stopwords.txt")
    return PinyinCorrector(CORPUS, tokenizer.is_dictionary_word)


def test_pinyin_key_ignores_tones() -> None:
    assert pinyin_key("申情") == pinyin_key("申请") == "shen qing"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("低宝怎么申情", "低保怎么申请"),
        ("我妈八十一了高令津贴咋领", "我妈八十一了高龄津贴咋领"),
        ("特昆要什么条件", "特困要什么条件"),
        ("需求平估", "需求评估"),
    ],
)
def test_one_character_homophone_typos_become_corpus_words(
    corrector: PinyinCorrector, typed: str, meant: str
) -> None:
    assert corrector.correct(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "工伤认定去哪里办",  # 工伤 is a word (not a typo of the corpus word 工商)
        "低保的钱是打到卡里吗",  # 打到 is a word (not a typo of 达到)
        "有没有老年食堂",  # 有 + 老年: a window touching a corpus word is not a typo of 有劳
        "低保公示几天",  # corpus words are never touched
        "今天天气怎么样",
    ],
)
def test_real_words_and_corpus_words_are_left_alone(corrector: PinyinCorrector, text: str) -> None:
    assert corrector.correct(text) == text


def test_an_empty_corpus_corrects_nothing() -> None:
    assert PinyinCorrector({}).correct("低宝怎么申情") == "低宝怎么申情"
    assert PinyinCorrector.from_words(["低保", "低保"]).correct("低宝") == "低保"


def test_folds_are_stratified_and_cover_every_row() -> None:
    scored: list[Scored] = [(0.5, i % 3 != 0, True) for i in range(30)]
    folds = _folds(scored, 5)
    assert sorted(i for f in folds for i in f) == list(range(30))
    for fold in folds:
        assert sum(not scored[i][1] for i in fold) == 2  # 10 unanswerable over 5 folds


def test_threshold_meets_the_target_and_cross_validation_scores_left_out_rows() -> None:
    # answerable questions score 0.6-0.9 (right section), unanswerable 0.1-0.5
    answerable: list[Scored] = [(0.6 + 0.01 * i, True, True) for i in range(30)]
    unanswerable: list[Scored] = [(0.1 + 0.04 * i, False, False) for i in range(10)]
    scored = answerable + unanswerable
    threshold = _threshold(scored, 0.9)
    assert threshold == 0.44  # the lowest threshold refusing 9 of the 10 (0.10 ... 0.46)
    refused, answered_right = cross_validate(scored, 0.9, 5)
    assert refused >= 0.9
    assert answered_right == 1.0
    # an unanswerable question scoring like the answerable ones cannot be separated
    noisy = [*scored, (0.95, False, False)]
    assert cross_validate(noisy, 1.0, 5)[1] < 1.0
