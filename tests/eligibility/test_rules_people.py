"""特困, 临时救助, 医疗救助, the disability subsidies and the elder-care programs, table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from huimin.idcard import make_number
from workflows.eligibility.rules import parse_rules

ALONE = {"has_supporter_able": False}


def _tekun(run, member, **fields):
    return run({"members": [member(**fields)], **ALONE})["tekun"]


# 特困: 无劳动能力 ([TK] art. 5) -----------------------------------
@pytest.mark.parametrize(
    ("age", "verdict"),
    [
        (15, "likely"),
        (16, "likely"),
        (17, "likely"),
        (18, "unlikely"),
        (59, "unlikely"),
        (60, "likely"),
        (61, "likely"),
    ],
)
def test_tekun_age_boundaries_minor_age_18(run, member, age, verdict):
    assert _tekun(run, member, age=age).verdict == verdict


@pytest.mark.parametrize(("age", "verdict"), [(15, "likely"), (16, "unlikely"), (17, "unlikely")])
def test_tekun_minor_age_16_by_configuration(run, member, rules, age, verdict):
    raw = rules.model_dump(mode="json")
    tekun = next(p for p in raw["programs"] if p["program"] == "tekun")
    tekun["criteria"][0]["params"]["minor_age"] = 16
    table = parse_rules(raw)
    verdicts = run({"members": [member(age=age)], **ALONE}, table=table)
    assert verdicts["tekun"].verdict == verdict


@pytest.mark.parametrize(
    ("category", "grade", "verdict"),
    [
        ("智力", 1, "likely"),
        ("智力", 2, "likely"),
        ("智力", 3, "likely"),
        ("智力", 4, "unlikely"),
        ("精神", 1, "likely"),
        ("精神", 3, "likely"),
        ("精神", 4, "unlikely"),
        ("肢体", 1, "likely"),
        ("肢体", 2, "likely"),
        ("肢体", 3, "unlikely"),
        ("肢体", 4, "unlikely"),
        ("视力", 1, "likely"),
        ("视力", 2, "unlikely"),
        ("听力", 1, "unlikely"),
        ("言语", 1, "unlikely"),
    ],
)
def test_tekun_disability_grades(run, member, category, grade, verdict):
    result = _tekun(run, member, age=40, disability_category=category, disability_grade=grade)
    assert result.verdict == verdict


@pytest.mark.parametrize(
    ("able", "verdict"), [(False, "likely"), (None, "possible"), (True, "unlikely")]
)
def test_tekun_supporter(run, member, able, verdict):
    household = {"members": [member(age=70)], "has_supporter_able": able}
    assert run(household)["tekun"].verdict == verdict


@pytest.mark.parametrize(
    ("wage", "verdict"), [(999, "likely"), (1000, "unlikely"), (1001, "unlikely")]
)
def test_tekun_own_income_boundary(run, member, wage, verdict):
    assert _tekun(run, member, age=70, wage=wage).verdict == verdict


def test_tekun_ignores_basic_pension_and_elderly_allowance(run, member):
    incomes = [
        {"kind": "pension_basic", "monthly_amount": 3000},
        {"kind": "pension_allowance_exempt", "monthly_amount": 3000},
    ]
    assert _tekun(run, member, age=82, incomes=incomes).verdict == "likely"


def test_tekun_age_from_id_number(run, member):
    born_60_years_ago = dt.date(1966, 6, 1)  # 60 on 2026-06-01 exactly
    number = make_number("330183", born_60_years_ago, 21)
    verdicts = run({"members": [member(age=None, id_number=number)], **ALONE})
    assert verdicts["tekun"].verdict == "likely"
    one_day_later = make_number("330183", dt.date(1966, 6, 2), 21)
    verdicts = run({"members": [member(age=None, id_number=one_day_later)], **ALONE})
    assert verdicts["tekun"].verdict == "unlikely"


def test_tekun_age_unknown_is_possible(run, member):
    assert _tekun(run, member, age=None).verdict == "possible"


def test_tekun_best_member_wins_and_is_named(run, member):
    household = {"members": [member(age=40), member("父母", age=75)], **ALONE}
    result = run(household)["tekun"]
    assert result.verdict == "likely"
    texts = " ".join(r.text for r in result.reasons)
    assert "父母(75岁)年满60周岁" in texts
    assert "本人(40岁)" not in texts


# 临时救助 ([LS]; [ZJ] art. 39) ---------------------------------
def test_emergency_is_likely_without_hukou(run, member):
    household = {"members": [member(wage=20000)], "emergency": True, "hukou_township_code": None}
    result = run(household)["temporary"]
    assert result.verdict == "likely"
    caps = next(r for r in result.reasons if r.outcome == "info")
    assert "6个月" in caps.text
    assert "6,000 元" in caps.text
    assert "12,000 元" in caps.text
    assert "第三十九条" in caps.citation


def test_no_emergency_no_spending_is_unlikely(run, member):
    result = run({"members": [member(wage=2000)]})["temporary"]
    assert result.verdict == "unlikely"
    assert all(r.outcome != "info" for r in result.reasons)


@pytest.mark.parametrize(("wage", "verdict"), [(2999, "likely"), (3000, "unlikely")])
def test_expenditure_type_temporary(run, member, wage, verdict):
    household = {
        "members": [member(wage=wage)],
        "expenditures": [{"kind": "medical", "annual_amount": 40000}],
    }
    assert run(household)["temporary"].verdict == verdict


# 医疗救助 ------------------------------------------------------
@pytest.mark.parametrize(
    ("household_extra", "wage", "verdict"),
    [
        ({}, 500, "likely"),  # 低保
        ({}, 1200, "likely"),  # 低保边缘
        ({"expenditures": [{"kind": "medical", "annual_amount": 6000}]}, 2500, "possible"),
        ({}, 2500, "unlikely"),
    ],
)
def test_medical_by_status(run, member, household_extra, wage, verdict):
    household = {"members": [member(wage=wage, serious_illness=True)], **household_extra}
    assert run(household)["medical"].verdict == verdict


# 残疾人两项补贴 ---------------------------------------------------
@pytest.mark.parametrize("grade", [1, 2, 3, 4])
def test_disability_living_in_dibao_family(run, member, grade):
    household = {"members": [member(wage=500, disability_category="肢体", disability_grade=grade)]}
    assert run(household)["disability_living"].verdict == "likely"


def test_disability_living_needs_disability(run, member):
    assert run({"members": [member(wage=500)]})["disability_living"].verdict == "unlikely"


def test_disability_living_edge_family_is_possible(run, member):
    household = {"members": [member(wage=1200, disability_category="听力", disability_grade=4)]}
    assert run(household)["disability_living"].verdict == "possible"


def test_disability_living_not_low_income(run, member):
    household = {"members": [member(wage=5000, disability_category="听力", disability_grade=4)]}
    assert run(household)["disability_living"].verdict == "unlikely"


@pytest.mark.parametrize(
    ("category", "grade", "verdict"),
    [
        ("肢体", 1, "likely"),
        ("肢体", 2, "likely"),
        ("肢体", 3, "unlikely"),
        ("肢体", 4, "unlikely"),
        ("智力", 3, "possible"),
        ("精神", 4, "possible"),
        ("视力", 3, "unlikely"),
    ],
)
def test_disability_care_grades(run, member, category, grade, verdict):
    household = {
        "members": [member(wage=9000, disability_category=category, disability_grade=grade)]
    }
    assert run(household)["disability_care"].verdict == verdict


# 养老服务补贴 (GB/T 42195-2022 levels) ---------------------------
@pytest.mark.parametrize(
    ("age", "level", "wage", "verdict"),
    [
        (59, 3, 500, "unlikely"),
        (60, 3, 500, "likely"),
        (70, 0, 500, "unlikely"),
        (70, 1, 500, "likely"),
        (70, 4, 500, "likely"),
        (70, None, 500, "possible"),
        (80, 0, 500, "likely"),  # very old
        (79, 0, 500, "unlikely"),
        (70, 2, 2500, "possible"),  # not 低保/边缘 but below disposable income: local decision
        (70, 2, 3000, "unlikely"),
    ],
)
def test_elder_care_subsidy(run, member, age, level, wage, verdict):
    m = member(age=age, wage=wage, needs_assessment_level=level)
    assert run({"members": [m]})["elder_care_subsidy"].verdict == verdict


def test_elder_care_level_by_label_and_amount(run, member):
    m = member(age=75, wage=500, needs_assessment_level="重度失能")
    result = run({"members": [m]})["elder_care_subsidy"]
    assert result.verdict == "likely"
    assert any("重度失能" in r.text and "300 元" in r.text for r in result.reasons)


# 高龄津贴 ------------------------------------------------------
@pytest.mark.parametrize(
    ("age", "wage", "verdict"),
    [(79, 500, "unlikely"), (80, 500, "likely"), (81, 500, "likely"), (80, 5000, "possible")],
)
def test_elderly_allowance(run, member, age, wage, verdict):
    assert run({"members": [member(age=age, wage=wage)]})["elderly_allowance"].verdict == verdict


@pytest.mark.parametrize(("age", "amount"), [(80, "50 元"), (89, "50 元"), (90, "100 元")])
def test_elderly_allowance_amount_band(run, member, age, amount):
    result = run({"members": [member(age=age, wage=500)]})["elderly_allowance"]
    assert any(r.outcome == "info" and amount in r.text for r in result.reasons)


# Materials and the program filter --------------------------
def test_every_verdict_has_materials_and_reasons(run, member):
    for verdict in run({"members": [member(age=70, wage=500)], **ALONE}).values():
        assert verdict.materials
        assert verdict.reasons
        assert verdict.program_label


def test_program_filter_and_unruled_program(run, member):
    verdicts = run({"members": [member(wage=500)], "programs": ["housing", "dibao"]})
    assert list(verdicts) == ["housing", "dibao"]
    assert verdicts["housing"].verdict == "possible"
    assert verdicts["dibao"].verdict == "likely"


# The reviewer's case page ------------------------------------------------------------------
def test_explain_for_case_puts_declared_beside_computed(standards, member):
    from workflows.eligibility.engine import explain_for_case
    from workflows.eligibility.schemas import HouseholdIn
    from workflows.validation import validation_context

    stored = {  # as an application is stored: the body, including the programs asked for
        "programs": ["dibao_edge"],
        "hukou_township_code": "330111001000",
        "has_supporter_able": True,
        "members": [member(wage=800, disability_category="肢体", disability_grade=1)],
    }
    explained = explain_for_case(
        HouseholdIn.model_validate(stored, context=validation_context(dt.date(2026, 6, 1))),
        declared_programs=["dibao_edge"],
        on=dt.date(2026, 6, 1),
        standards=standards,
    )
    declared = explained["declared"]
    assert [v.program for v in declared] == ["dibao_edge"]
    assert declared[0].verdict == "unlikely"  # income is below the 低保 line: 低保 instead
    also = {v.program for v in explained["also_consider"]}
    assert {"dibao", "disability_living", "disability_care", "medical"} <= also
    assert len(explained["result"].verdicts) >= 10  # the filter is ignored for the full picture


@pytest.mark.parametrize(
    ("program", "text"),
    [
        ("tekun", "家庭成员都已满18周岁、未满60周岁,且没有符合条件的残疾等级,不属于无劳动能力"),
        ("disability_living", "家庭成员中没有填写残疾类别和等级的人"),
        ("elder_care_subsidy", "家庭成员中没有年满60周岁的老人"),
        ("elderly_allowance", "家庭成员中没有年满80周岁的老人"),
    ],
)
def test_nobody_passes_the_gate_is_said_once(run, member, program, text):
    household = {"members": [member(age=40), member("配偶", age=38), member("子女", age=19)]}
    result = run(household)[program]
    assert result.verdict == "unlikely"
    assert [r.text for r in result.reasons] == [text]


def test_gate_text_follows_the_configured_age(run, member, rules):
    raw = rules.model_dump(mode="json")
    tekun = next(p for p in raw["programs"] if p["program"] == "tekun")
    tekun["criteria"][0]["params"]["minor_age"] = 16
    result = run({"members": [member(age=40)]}, table=parse_rules(raw))["tekun"]
    assert result.reasons[0].text.startswith("家庭成员都已满16周岁")


def test_unlikely_members_failing_later_keep_their_own_reasons(run, member):
    household = {"members": [member(age=70, wage=5000), member("配偶", age=40)], **ALONE}
    result = run(household)["tekun"]
    assert result.verdict == "unlikely"
    assert any("本人(70岁)本人月收入 5,000 元" in r.text for r in result.reasons)


def test_local_decision_reasons_are_marked_unknown(run, member):
    result = run({"members": [member(age=85, wage=5000)]})["elderly_allowance"]
    assert result.verdict == "possible"
    income = next(r for r in result.reasons if "人均月收入" in r.text)
    assert income.outcome == "unknown"
    assert next(r for r in result.reasons if "年满80周岁" in r.text).outcome == "met"


@pytest.mark.parametrize(
    ("category", "grade", "tekun", "care", "living"),
    [
        ("肢体", None, "possible", "possible", "likely"),
        ("听力", None, "unlikely", "possible", "likely"),  # 听力 is not listed in [TK] art. 5
        (None, 1, "possible", "likely", "likely"),  # grade 1 of an unknown category
        (None, 3, "possible", "unlikely", "likely"),  # 智力/精神 grade 3 would qualify
        (None, 4, "unlikely", "unlikely", "likely"),
    ],
)
def test_partial_disability_information(run, member, category, grade, tekun, care, living):
    m = member(age=40, wage=500, disability_category=category, disability_grade=grade)
    verdicts = run({"members": [m], **ALONE})
    assert verdicts["tekun"].verdict == tekun
    assert verdicts["disability_care"].verdict == care
    assert verdicts["disability_living"].verdict == living


def test_tekun_uses_the_own_income_given_for_the_person(run, member):
    """A household's one-figure income sits on the applicant; the own income given for 特困
    (``own_income_monthly``) is what the 无生活来源 line looks at, not that figure."""
    shared = {"kind": "wage", "monthly_amount": 2000, "note": "全家收入,未说明是哪位成员的"}
    without = member(age=70, incomes=[shared])
    household = {"members": [without, member("配偶", age=45)], **ALONE}
    assert run(household)["tekun"].verdict == "unlikely"
    household["members"][0] = {**without, "own_income_monthly": 300}
    tekun = run(household)["tekun"]
    assert tekun.verdict == "likely"
    assert any("本人月收入 300 元" in reason.text for reason in tekun.reasons)
    # the household's income still counts for 低保's per-capita line
    assert run(household)["dibao"].verdict == "unlikely"


def test_own_income_is_checked_like_any_amount(run, member):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="不能为负数"):
        run({"members": [member(age=70, own_income_monthly=-1)], **ALONE})
