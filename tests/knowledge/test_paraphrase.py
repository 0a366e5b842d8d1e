"""Paraphrase support: numerals, traditional characters, the colloquial thesaurus, bigrams."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.evalset import chosen, load_questions, matches
from knowledge.numerals import arabic_numerals, simplified
from knowledge.service import KnowledgeService
from knowledge.textnorm import Normaliser, SynonymTable, load_thesaurus, source_questions
from knowledge.tokenizer import Tokenizer
from knowledge.tuning import DATA_DIR

THESAURUS = DATA_DIR / "thesaurus.csv"


@pytest.fixture(scope="module")
def normaliser() -> Normaliser:
    return Normaliser(SynonymTable.load(DATA_DIR / "synonyms.txt"), load_thesaurus(THESAURUS))


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(DATA_DIR / "userdict.txt", DATA_DIR / "stopwords.txt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("走路十五分钟", "走路15分钟"),
        ("奶奶八十五岁", "奶奶85岁"),
        ("三三零一八三开头", "330183开头"),
        ("一点五倍", "1.5倍"),
        ("二十三个工作日", "23个工作日"),
        ("推掉三次工作", "推掉3次工作"),
        ("百分之六十五", "65%"),
        ("第十九条", "第19条"),
        ("一级残疾", "1级残疾"),
        ("七十多了", "70多了"),
    ],
)
def test_chinese_numerals_become_digits(text: str, expected: str) -> None:
    assert arabic_numerals(text) == expected


@pytest.mark.parametrize(
    "word", ["一件事", "一次性告知", "十四五", "五保户", "一般", "一个人住", "万市镇", "一点"]
)
def test_words_made_of_numeral_characters_are_kept(word: str) -> None:
    assert arabic_numerals(word) == word


def test_digits_and_numerals_meet_on_both_sides(normaliser: Normaliser) -> None:
    assert "15分钟" in normaliser.question("十五分钟养老服务圈是啥意思")
    assert "15分钟" in normaliser.passage("建立“十五分钟养老服务圈”")
    assert "80周岁" in normaliser.passage("老人满八十周岁以上")


def test_traditional_characters_are_simplified(normaliser: Normaliser) -> None:
    assert simplified("長壽金怎麼申請") == "长寿金怎么申请"
    assert "高龄津贴" in normaliser.question("長壽金怎麼申請")
    assert "身份证" in normaliser.question("身份證最後一位是X能用嗎")


@pytest.mark.parametrize(
    ("question", "official"),
    [
        ("低保名单要挂出来给大家看几天？", "公示"),
        ("帮老人擦洗身子的服务有没有", "助浴"),
        ("白天托管老人的地方有吗", "睦邻点"),  # 日间照料, then synonyms.txt's canonical word
        ("家里着火了，能不能先给钱后补材料", "先行救助"),
        ("看病自己贴了不少钱", "自付"),
        ("特困共养申请后村里公示多少天", "特困"),
    ],
)
def test_thesaurus_turns_everyday_words_into_official_terms(
    normaliser: Normaliser, question: str, official: str
) -> None:
    assert official in normaliser.question(question)


def test_thesaurus_applies_to_questions_not_passages(normaliser: Normaliser) -> None:
    assert "挂出来" in normaliser.passage("名单挂出来")
    assert "公示" in normaliser.question("名单挂出来")


def test_thesaurus_file_rows_are_complete_and_consistent() -> None:
    table = load_thesaurus(THESAURUS)
    assert table.canonical["挂出来给大家看"] == "公示"
    assert len(table.canonical) >= 40


def test_thesaurus_rejects_incomplete_or_conflicting_rows(tmp_path: Path) -> None:
    path = tmp_path / "thesaurus.csv"
    path.write_text("colloquial,official,source\n# comment\n挂出来,,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 2"):
        load_thesaurus(path)
    path.write_text("colloquial,official,source\n挂出来,公示,a\n挂出来,公告,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="twice"):
        load_thesaurus(path)


def test_thesaurus_is_grown_from_the_dev_half_only() -> None:
    """Every source it names is an issue example or a dev question of paraphrase.jsonl."""
    rows = {r["id"]: r for r in load_questions() if r["set"] in ("new", "new2", "new4")}
    for line in THESAURUS.read_text(encoding="utf-8").splitlines()[1:]:
        if line.startswith("#") or not line.strip():
            continue
        source = line.split(",")[2]
        for word in source.replace("/", " ").split():
            if word[:1] in ("p", "r", "d") and word[1:].isdigit():
                assert rows[word]["split"] == "dev", line


def test_bigrams_skip_stop_pairs_and_cover_each_han_run(tokenizer: Tokenizer) -> None:
    assert tokenizer.bigrams("助浴服务，什么") == ["助浴", "浴服", "服务"]
    assert tokenizer.bigrams("ab 老人") == ["老人"]


def test_eval_sets_have_splits_facts_and_refusals() -> None:
    rows = load_questions()
    new = [r for r in rows if r["set"] == "new"]
    answerable = [r for r in new if r["answerable"]]
    assert len(answerable) >= 100
    assert sum(r["topic"] == "eldercare" for r in answerable) * 3 >= len(answerable)
    assert all(r["fact"] for r in answerable)
    assert {r["split"] for r in new} == {"dev", "heldout"}
    assert abs(len(chosen(new, "new", "dev")) - len(chosen(new, "new", "heldout"))) <= 2
    assert any("长期护理保险" in r["question"] for r in new if not r["answerable"])
    assert matches({"doc_id": "db", "section": "第十九条 公示7天"}, ["db#第十九条"])


def test_not_covered_subjects_are_listed_as_expressions(tmp_path: Path) -> None:
    from knowledge.scope import NotCovered

    table = NotCovered.load(DATA_DIR / "not_covered.txt")
    assert table.match("长期护理保险怎么申请") == "长期护理保险"
    assert table.match("养老金今年怎么涨")
    assert table.match("基础养老金算不算收入") is None
    assert table.match("护理补贴给谁") is None
    bad = tmp_path / "not_covered.txt"
    bad.write_text("# c\n(unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        NotCovered.load(bad)
    assert NotCovered.load(tmp_path / "missing.txt").match("公积金") is None


def test_thesaurus_words_are_width_folded_like_questions(normaliser: Normaliser) -> None:
    assert "村(社区)" in normaliser.question("特困申请后村里公示多少天")


def test_every_expected_section_and_fact_is_in_the_documents() -> None:
    """Guards the eval set against document edits: refs resolve, facts are in those sections."""
    import re

    from tests.knowledge.conftest import DOCS_DIR

    sections: dict[str, list[tuple[str, str]]] = {}
    for path in DOCS_DIR.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        found = re.search(r"^id: (\S+)", text, re.M)
        if found:
            sections[found.group(1)] = re.findall(
                r"^## ([^\n]+)\n(.*?)(?=^## |\Z)", text, re.M | re.S
            )
    for row in load_questions():
        if row["set"] not in ("new", "new2", "new3", "new4") or not row["answerable"]:
            continue
        texts = []
        for ref in row["expected"]:
            doc, _, prefix = ref.partition("#")
            hit = [h + b for h, b in sections.get(doc, []) if h.startswith(prefix)]
            assert hit, (row["id"], ref)
            texts += hit
        assert any(f in t for f in row["fact"] for t in texts), (row["id"], row["fact"])


@pytest.mark.parametrize(
    ("qset", "split"),
    [
        ("new2", "dev"),  # residents-dev.jsonl: grown into the thesaurus
        ("new3", "heldout"),  # residents-heldout.jsonl: written blind, never used for choices
        ("new4", "dev"),  # residents-dev2.jsonl: written blind, for calibration
    ],
)
def test_later_sets_have_one_split_facts_refusals_and_a_third_elder_care(
    qset: str, split: str
) -> None:
    rows = [r for r in load_questions() if r["set"] == qset]
    answerable = [r for r in rows if r["answerable"]]
    assert len(answerable) >= 80
    assert len(rows) - len(answerable) >= 20
    assert {r["split"] for r in rows} == {split}
    assert sum(r["topic"] == "eldercare" for r in answerable) * 3 >= len(answerable)
    assert all(r["fact"] and r["expected"] for r in answerable)


def test_question_ids_are_unique_across_the_residents_sets() -> None:
    ids = [r["id"] for r in load_questions() if r["set"] in ("new", "new2", "new3", "new4")]
    assert len(ids) == len(set(ids))


def test_blind_held_out_set_never_feeds_the_thesaurus() -> None:
    """Set new3 (residents-heldout.jsonl) was written blind and is never used for choices."""
    new3 = [r for r in load_questions() if r["set"] == "new3"]
    ids = {r["id"] for r in new3}
    for line in THESAURUS.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip() and not line.startswith("#"):
            assert not ids & set(line.split(",")[2].replace("/", " ").split()), line


@pytest.mark.parametrize(
    ("question", "official"),
    [
        ("家门口走一刻钟能找到养老服务吗", "15分钟"),
        ("低保的钱是给现金还是打到卡里", "银行"),
        ("社区有没有上门帮老人打扫卫生的", "助洁"),
        ("工作日包括星期六星期天吗", "周六"),
    ],
)
def test_thesaurus_grown_from_the_second_dev_set(
    normaliser: Normaliser, question: str, official: str
) -> None:
    assert official in normaliser.question(question)


def test_not_covered_subjects_grown_from_the_second_dev_set() -> None:
    from knowledge.scope import NotCovered

    table = NotCovered.load(DATA_DIR / "not_covered.txt")
    assert table.match("个人所得税怎么退")
    assert table.match("工伤认定去哪里办")
    assert table.match("家庭收入扣除个人所得税吗")  # a known limit of a subject list, kept visible
    assert table.match("残疾证怎么办理")
    assert table.match("退休人员去世后的抚恤金怎么领")
    assert table.match("抚恤金算不算家庭收入") is None  # covered: not counted as income
    assert table.match("残疾人生活补贴谁能领") is None


@pytest.mark.parametrize(
    ("question", "official"),
    [("公式期七天里有人举报会怎样", "公示期"), ("找到工作后低保减退期有几个月", "渐退")],
)
def test_real_word_typos_are_thesaurus_entries(
    normaliser: Normaliser, question: str, official: str
) -> None:
    assert official in normaliser.question(question)


def test_not_covered_subjects_are_found_in_the_residents_own_words(
    real_service: KnowledgeService,
) -> None:
    """残疾证 is read as 残疾人证 after synonyms; the list still recognises it."""
    retriever = real_service.retriever
    assert retriever.outside_scope("残疾证怎么办理")
    assert real_service.ask("残疾证怎么办理").confident is False
    assert retriever.outside_scope("重度残疾人护理补贴怎么申请") is None


def test_a_thesaurus_row_can_be_left_out_by_the_question_it_was_grown_from() -> None:
    full = load_thesaurus(THESAURUS)
    blind = load_thesaurus(THESAURUS, leave_out=frozenset({"p043"}))
    assert full.canonical["挂出来"] == "公示"
    assert "挂出来" not in blind.canonical  # grown from p043
    assert blind.canonical["帮老人擦洗"] == "助浴"  # grown from the issue, kept
    assert source_questions("issue #12 / p043 (variant)") == {"p043"}


def test_the_fact_check_folds_numerals_and_width_but_is_not_lenient() -> None:
    from knowledge.evalset import contains_fact

    assert contains_fact("老人满八十周岁以上可以领。", ["80周岁"])
    assert contains_fact("公示期为７天。", ["7天"])
    assert contains_fact("公示 7 天", ["7天"])
    assert not contains_fact("满60周岁的老人。", ["80周岁"])
    assert not contains_fact("高龄补贴", ["高龄津贴"])  # a synonym is not the fact
