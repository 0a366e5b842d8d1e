"""Elder-care rules (data/eldercare_rules.yaml): boundaries of age, ability level and income, the
dated consumption subsidy, 兜底 priority by confirmed status, and a citation on every reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workflows.eligibility.elder_rules import ELDER_RESULTS, load_eldercare_rules
from workflows.eligibility.rules import RulesError, RuleTable
from workflows.eligibility.schemas import Verdict
from workflows.eligibility.standards import StandardsRepository

from .conftest import dated, person, standards_mapping

CONSUMPTION = [
    {
        "region": "330111",
        "effective_from": "2026-01-01",
        "effective_to": "2026-12-31",
        "value": {"max_monthly": 800, "home_share": 0.5, "institution_share": 0.4},
        "sample": True,
    }
]


@pytest.fixture(scope="module")
def elder_table() -> RuleTable:
    return load_eldercare_rules()


@pytest.fixture(scope="module")
def repo() -> StandardsRepository:
    return StandardsRepository.from_mapping(
        standards_mapping(
            elder_meal_subsidy=dated({"special_per_meal": 3, "other_per_meal": 1}, sample=True),
            care_consumption_subsidy=CONSUMPTION,
        )
    )


@pytest.fixture
def elder(run: Any, elder_table: RuleTable, repo: StandardsRepository) -> Any:
    def go(*members: dict[str, Any], on: dt.date = dt.date(2026, 6, 1), **household: Any) -> Any:
        body = {"members": list(members), **household}
        return run(body, table=elder_table, repo=repo, on=on)

    return go


def texts(verdict: Verdict) -> str:
    return " | ".join(r.text for r in verdict.reasons)


def test_every_elder_reason_carries_a_citation(elder: Any) -> None:
    verdicts = elder(person(age=82, wage=500, needs_assessment_level=3, lives_alone=True))
    for code in ELDER_RESULTS:
        verdict = verdicts[code.value]
        assert verdict.reasons, code
        assert all(r.citation for r in verdict.reasons), code


# 高龄津贴: 79 / 80 ([LR] art. 33) ------------------------------------------------------------
@pytest.mark.parametrize(("age", "verdict"), [(79, "unlikely"), (80, "likely")])
def test_elderly_allowance_age_boundary(elder: Any, age: int, verdict: str) -> None:
    result = elder(person(age=age, wage=500))["elderly_allowance"]
    assert result.verdict == verdict
    assert "《中华人民共和国老年人权益保障法》第三十三条" in result.reasons[0].citation


# 养老服务消费补贴: each GB/T 42195-2022 level ([XFBT]) -------------------------------------------
@pytest.mark.parametrize(
    ("level", "verdict"),
    [
        (0, "unlikely"),
        (1, "unlikely"),
        (2, "likely"),
        (3, "likely"),
        (4, "likely"),
        (None, "possible"),
    ],
)
def test_consumption_subsidy_by_ability_level(elder: Any, level: int | None, verdict: str) -> None:
    result = elder(person(age=70, wage=5000, needs_assessment_level=level))
    subsidy = result["care_consumption_subsidy"]
    assert subsidy.verdict == verdict
    assert "民办函〔2025〕49号" in subsidy.reasons[-1].citation
    if verdict == "likely":
        assert "每人每月最高 800 元" in texts(subsidy)
        assert "(示例值)" in texts(subsidy)  # the offset shares are sample configuration


def test_consumption_subsidy_is_dated(elder: Any) -> None:
    elder_70 = person(age=70, needs_assessment_level=3)
    assert "care_consumption_subsidy" not in elder(elder_70, on=dt.date(2025, 12, 31))
    assert elder(elder_70, on=dt.date(2026, 1, 1))["care_consumption_subsidy"].verdict == "likely"
    assert elder(elder_70, on=dt.date(2026, 12, 31))["care_consumption_subsidy"].verdict == "likely"
    assert "care_consumption_subsidy" not in elder(elder_70, on=dt.date(2027, 1, 1))


def test_consumption_subsidy_age_gate(elder: Any) -> None:
    result = elder(person(age=59, needs_assessment_level=4))["care_consumption_subsidy"]
    assert result.verdict == "unlikely"
    assert texts(result) == "家庭成员中没有年满60周岁的老人"


# 助餐补贴 ([ZC]) ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "verdict", "phrase"),
    [
        ({"age": 59, "lives_alone": True}, "unlikely", "没有年满60周岁"),
        ({"age": 60, "lives_alone": True}, "likely", "独居或空巢"),
        ({"age": 65, "needs_assessment_level": 1}, "likely", "轻度失能"),
        ({"age": 79}, "possible", "可在老年食堂按普通老人价格就餐"),
        ({"age": 80}, "likely", "高龄(80岁)"),
    ],
)
def test_meal_subsidy_groups(elder: Any, fields: dict[str, Any], verdict: str, phrase: str) -> None:
    result = elder(person(wage=5000, **fields))["meal_subsidy"]
    assert result.verdict == verdict
    assert phrase in texts(result)


def test_meal_subsidy_for_confirmed_dibao(elder: Any) -> None:
    result = elder(person(age=66, wage=5000), confirmed_programs=["dibao"])["meal_subsidy"]
    assert result.verdict == "likely"
    assert "已认定为最低生活保障(低保)" in texts(result)
    assert "每餐约补 3 元" in texts(result)
    assert "民发〔2023〕58号" in result.reasons[1].citation


# 家庭养老床位: income exactly at the line ---------------------------------------------------
@pytest.mark.parametrize(
    ("wage", "verdict", "phrase"),
    [
        (999, "possible", "可能符合最低生活保障"),  # below the 低保 line (1,000)
        (1000, "possible", "可能符合低保边缘"),  # at the 低保 line: 低保边缘 band
        (2999, "possible", "低于上年度当地居民人均可支配收入"),  # 3,000 a month: local decision
        (3000, "unlikely", "家庭暂不属于特困人员救助供养"),  # at the line: neither route
    ],
)
def test_home_care_bed_income_at_the_line(elder: Any, wage: int, verdict: str, phrase: str) -> None:
    result = elder(person(age=75, wage=wage, needs_assessment_level=2))["home_care_bed"]
    assert result.verdict == verdict
    assert phrase in texts(result)


def test_home_care_bed_needs_loss_of_ability_and_stays_possible(elder: Any) -> None:
    intact = elder(person(age=75, wage=500, needs_assessment_level=0))["home_care_bed"]
    assert intact.verdict == "unlikely"
    assert "未达到轻度失能" in texts(intact)
    confirmed = elder(person(age=75, needs_assessment_level=4), confirmed_programs=["tekun"])
    bed = confirmed["home_care_bed"]
    assert bed.verdict == "possible"  # the district's scheme is still being set up ([PLAN])
    assert "探索" in texts(bed)


# 适老化改造 ([SLH]/[SLH22]) ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "status", "verdict", "phrase"),
    [
        ({"age": 80}, ["tekun"], "possible", "属于分散供养特困人员的适老化改造对象"),
        ({"age": 79}, ["tekun"], "unlikely", "未见高龄、失能、残疾或独居空巢情形"),
        ({"age": 70, "lives_alone": True}, ["dibao"], "possible", "需当地确认"),
        ({"age": 85, "wage": 5000}, [], "unlikely", "可自愿自费改造"),
    ],
)
def test_home_adaptation_groups(
    elder: Any, fields: dict[str, Any], status: list[str], verdict: str, phrase: str
) -> None:
    result = elder(person(**fields), confirmed_programs=status)["home_adaptation"]
    assert result.verdict == verdict
    assert phrase in texts(result)


# 养老机构兜底入住 --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "wage", "verdict", "phrase"),
    [
        (["tekun"], 0, "likely", "集中供养"),
        (["dibao"], 0, "possible", "优先保障的特殊困难老人"),
        (["dibao_edge"], 1200, "possible", "已认定为低保边缘家庭救助"),
        ([], 5000, "unlikely", "自费入住"),
    ],
)
def test_care_home_admission_priority(
    elder: Any, status: list[str], wage: int, verdict: str, phrase: str
) -> None:
    result = elder(person(age=78, wage=wage, needs_assessment_level=3), confirmed_programs=status)[
        "care_home_admission"
    ]
    assert result.verdict == verdict
    assert phrase in texts(result)
    if verdict == "likely":
        assert "第十九条" in result.reasons[1].citation


# 能力评估 and 失智 as an input --------------------------------------------------------------
def test_assessment_and_dementia(elder: Any) -> None:
    assert elder(person(age=59))["ability_assessment"].verdict == "unlikely"
    result = elder(person(age=60, dementia=True, wage=500))
    assessment = result["ability_assessment"]
    assert assessment.verdict == "likely"
    assert "精神状态" in texts(assessment)
    assert "能力完好、轻度失能、中度失能、重度失能、完全失能" in texts(assessment)
    # [ZJYL] arts. 35–36 name 失智 beside 失能: the 养老服务补贴 counts it without a level
    assert result["elder_care_subsidy"].verdict == "likely"
    assert "有失智情况" in texts(result["elder_care_subsidy"])
    consumption = result["care_consumption_subsidy"]
    assert consumption.verdict == "possible"
    assert "评估时会计入精神状态" in texts(consumption)


def test_elder_table_refuses_a_clash(tmp_path: Any) -> None:
    path = tmp_path / "elder.yaml"
    path.write_text(
        "schema_version: 1\nprograms:\n  - program: dibao\n    effective_from: 2020-01-01\n"
        "    criteria:\n      - predicate: has_counted_members\n"
        "        citation: {source: DB, article: x}\n",
        encoding="utf-8",
    )

    class Configured:
        eldercare_rules_file = path
        eligibility_rules_file = None

    with pytest.raises(RulesError, match="重复定义"):
        load_eldercare_rules(Configured())  # type: ignore[arg-type]
