"""低保, 低保边缘, 刚性支出 and the income rules, at and around every boundary.

Test figures (conftest): 低保 1,000 元/人·月, 边缘 1.5× = 1,500, 可支配收入 3,000 元/月,
财产 24 个月, 刚性支出 50%.
"""

from __future__ import annotations

import pytest

from workflows.eligibility.rules import parse_rules
from workflows.eligibility.standards import StandardsRepository


def _one(member, run, **household):
    return run({"members": [member], **household})


# 低保 / 低保边缘 by per-capita income ----------------------------
@pytest.mark.parametrize(
    ("wage", "dibao", "edge"),
    [
        (0, "likely", "unlikely"),
        (999, "likely", "unlikely"),
        (999.99, "likely", "unlikely"),
        (1000, "unlikely", "likely"),  # exactly at the standard: not "below"
        (1001, "unlikely", "likely"),
        (1499, "unlikely", "likely"),
        (1499.99, "unlikely", "likely"),
        (1500, "unlikely", "unlikely"),  # exactly at 1.5×
        (1501, "unlikely", "unlikely"),
    ],
)
def test_single_adult_income_boundaries(run, member, wage, dibao, edge):
    verdicts = _one(member(wage=wage), run)
    assert verdicts["dibao"].verdict == dibao
    assert verdicts["dibao_edge"].verdict == edge


@pytest.mark.parametrize(
    ("total", "dibao"),
    [(2999, "likely"), (3000, "unlikely"), (3001, "unlikely")],
)
def test_per_capita_over_three_members(run, member, total, dibao):
    household = {
        "members": [member(wage=total), member("配偶", wage=0), member("子女", age=10)],
    }
    verdicts = run(household)
    assert verdicts["dibao"].verdict == dibao


def test_reason_line_shows_figures_and_citation(run, member):
    reasons = _one(member(wage=1050), run)["dibao_edge"].reasons
    income = next(r for r in reasons if "人均月收入" in r.text)
    assert "1,050 元" in income.text
    assert "1,000 元" in income.text
    assert "1,500 元" in income.text
    assert "第八条" in income.citation


def test_dibao_reason_cites_article(run, member):
    reasons = _one(member(wage=900), run)["dibao"].reasons
    line = next(r for r in reasons if "人均月收入" in r.text)
    assert line.text.startswith("家庭人均月收入 900 元,低于低保标准 1,000 元")
    assert "《社会救助暂行办法》" in line.citation
    assert "第九条" in line.citation
    assert line.outcome == "met"


def test_sample_figures_are_marked(run, member, mapping):
    repo = StandardsRepository.from_mapping(
        mapping(
            dibao_standard=[
                {
                    "region": "330111",
                    "effective_from": "2020-01-01",
                    "monthly_per_person": 1000,
                    "sample": True,
                }
            ]
        )
    )
    line = next(
        r
        for r in run({"members": [member(wage=900)]}, repo=repo)["dibao"].reasons
        if "人均月收入" in r.text
    )
    assert "(示例值)" in line.text


# Income kinds ----------------------------------------------
@pytest.mark.parametrize("kind", ["fuxu", "relief", "pension_basic"])
def test_excluded_income_kinds_do_not_count(run, member, kind):
    m = member(wage=900, incomes=[{"kind": kind, "monthly_amount": 5000}])
    assert _one(m, run)["dibao"].verdict == "likely"


@pytest.mark.parametrize("kind", ["wage", "business", "property", "transfer", "pension"])
def test_counted_income_kinds(run, member, kind):
    m = member(wage=0, incomes=[{"kind": kind, "monthly_amount": 1000}])
    assert _one(m, run)["dibao"].verdict == "unlikely"


def test_elderly_allowance_counts_for_dibao_but_not_for_tekun(run, member):
    m = member(age=85, incomes=[{"kind": "pension_allowance_exempt", "monthly_amount": 1000}])
    verdicts = run({"members": [m], "has_supporter_able": False})
    assert verdicts["dibao"].verdict == "unlikely"
    assert verdicts["tekun"].verdict == "likely"


def test_rigid_costs_of_illness_are_deducted(run, member):
    # 1,500 wage − 12,000/12 medical = 500 per month
    household = {
        "members": [member(wage=1500, serious_illness=True)],
        "expenditures": [{"kind": "medical", "annual_amount": 12000}],
    }
    verdicts = run(household)
    assert verdicts["dibao"].verdict == "likely"
    assert "已扣除" in next(r.text for r in verdicts["dibao"].reasons if "人均" in r.text)


def test_education_spending_is_not_deducted(run, member):
    household = {
        "members": [member(wage=1500)],
        "expenditures": [{"kind": "education", "annual_amount": 12000}],
    }
    assert run(household)["dibao"].verdict == "unlikely"


# Household members ([DB] art. 7) ---------------------------
@pytest.mark.parametrize("reason", ["clergy", "prison", "missing", "other"])
def test_excluded_member_and_income_not_counted(run, member, reason):
    household = {
        "members": [member(wage=900), member("子女", age=30, wage=9000, excluded_reason=reason)]
    }
    verdicts = run(household)
    assert verdicts["dibao"].verdict == "likely"
    first = verdicts["dibao"].reasons[0].text
    assert "计入共同生活的家庭成员1人" in first
    assert "1人不计入" in first


def test_excluded_member_still_divides_nothing(run, member):
    # a 0-income excluded member does not halve the per-capita income
    household = {"members": [member(wage=1800), member("配偶", wage=0, excluded_reason="prison")]}
    assert run(household)["dibao"].verdict == "unlikely"


def test_all_members_excluded(run, member):
    verdicts = run({"members": [member(excluded_reason="missing")]})
    assert verdicts["dibao"].verdict == "unlikely"
    assert verdicts["tekun"].verdict == "unlikely"


@pytest.mark.parametrize(
    ("own", "other", "dibao"),
    [
        (0, 0, "likely"),  # counting the "其他" member or not: below the line either way
        (3000, 0, "unlikely"),  # above the line either way
        (1500, 0, "possible"),  # 750 with, 1,500 without: membership decides
        (0, 3000, "possible"),  # 1,500 with, 0 without: membership decides
    ],
)
def test_relation_other_matters_only_when_it_decides(run, member, own, other, dibao):
    household = {"members": [member(wage=own), member("其他", age=50, wage=other)]}
    verdict = run(household)["dibao"]
    assert verdict.verdict == dibao
    if dibao == "possible":
        assert any("其他" in r.text and r.outcome == "unknown" for r in verdict.reasons)


# Where to apply --------------------------------------------
def test_residence_only_is_possible(run, member):
    household = {
        "members": [member(wage=0)],
        "hukou_township_code": None,
        "residence_township_code": "330111002000",
        "has_residence_permit": True,
    }
    verdicts = run(household)
    assert verdicts["dibao"].verdict == "possible"
    assert any("异地申请" in r.text for r in verdicts["dibao"].reasons)


# Property ([DB] art. 14) -----------------------------------
@pytest.mark.parametrize(
    ("deposit", "dibao"),
    [(47999, "likely"), (48000, "likely"), (48001, "unlikely")],  # 2 × 24 × 1,000
)
def test_deposit_limit_boundaries(run, member, deposit, dibao):
    household = {
        "members": [member(wage=0), member("配偶", wage=0)],
        "property": [{"kind": "deposit", "value": deposit}],
    }
    assert run(household)["dibao"].verdict == dibao


def test_vehicle_needs_verification(run, member):
    household = {"members": [member(wage=0)], "property": [{"kind": "vehicle", "value": 30000}]}
    verdicts = run(household)
    assert verdicts["dibao"].verdict == "possible"
    assert any("机动车" in r.text for r in verdicts["dibao"].reasons)


# 单人保 ([DB] art. 8; [22-83]) --------------------------------
@pytest.mark.parametrize(
    ("category", "grade", "illness", "dibao"),
    [
        ("肢体", 1, False, "possible"),
        ("肢体", 2, False, "possible"),
        ("肢体", 3, False, "unlikely"),
        ("智力", 3, False, "possible"),
        ("精神", 3, False, "possible"),
        ("精神", 4, False, "unlikely"),
        (None, None, True, "possible"),
        (None, None, False, "unlikely"),
    ],
)
def test_single_person_case_in_edge_family(run, member, category, grade, illness, dibao):
    # household per capita 1,200: in the 低保边缘 band
    special = member(
        "子女",
        age=30,
        disability_category=category,
        disability_grade=grade,
        serious_illness=illness,
        wage=0,
    )
    special["incomes"] = [{"kind": "transfer", "monthly_amount": 300}] if grade == 3 else []
    household = {"members": [member(wage=2400 - (300 if grade == 3 else 0)), special]}
    verdicts = run(household)
    assert verdicts["dibao_edge"].verdict == "likely"
    assert verdicts["dibao"].verdict == dibao


def test_adult_unemployed_severely_disabled_is_single_household(run, member):
    # the family is well above the edge line, the disabled adult has no work income
    household = {
        "members": [
            member(wage=8000),
            member("子女", age=25, disability_category="肢体", disability_grade=1),
        ]
    }
    verdicts = run(household)
    assert verdicts["dibao_edge"].verdict == "unlikely"
    assert verdicts["dibao"].verdict == "possible"
    assert any("单人户" in r.text for r in verdicts["dibao"].reasons)


def test_disabled_adult_with_a_job_is_not_single_household(run, member):
    household = {
        "members": [
            member(wage=8000),
            member("子女", age=25, disability_category="肢体", disability_grade=1, wage=500),
        ]
    }
    assert run(household)["dibao"].verdict == "unlikely"


# 低保边缘 multiplier is configuration --------------------------
@pytest.mark.parametrize(("wage", "edge"), [(1999, "likely"), (2000, "unlikely")])
def test_edge_multiplier_two(run, member, mapping, wage, edge):
    repo = StandardsRepository.from_mapping(
        mapping(
            edge_multiplier=[
                {"region": "330111", "effective_from": "2020-01-01", "value": 2, "sample": False}
            ]
        )
    )
    assert run({"members": [member(wage=wage)]}, repo=repo)["dibao_edge"].verdict == edge


def test_edge_line_capped_by_minimum_wage(run, member, mapping):
    repo = StandardsRepository.from_mapping(
        mapping(
            edge_multiplier=[{"region": "330111", "effective_from": "2020-01-01", "value": 2}],
            edge_income_cap_monthly=[
                {"region": "330111", "effective_from": "2020-01-01", "value": 1800}
            ],
        )
    )
    assert run({"members": [member(wage=1799)]}, repo=repo)["dibao_edge"].verdict == "likely"
    assert run({"members": [member(wage=1800)]}, repo=repo)["dibao_edge"].verdict == "unlikely"


# 刚性支出困难 ([GX]) ---------------------------------------------
@pytest.mark.parametrize(
    ("spending", "verdict"),
    [(0, "unlikely"), (23999, "unlikely"), (24000, "unlikely"), (24001, "likely")],
)
def test_rigid_expenditure_share_boundaries(run, member, spending, verdict):
    # wage 2,000 ×2 members: per capita 2,000 (above edge 1,500, below 3,000); annual 48,000 × 50%
    household = {
        "members": [member(wage=2000), member("配偶", wage=2000)],
        "expenditures": [{"kind": "basic_living", "annual_amount": spending}],
    }
    assert run(household)["rigid_expenditure"].verdict == verdict


@pytest.mark.parametrize(("wage", "verdict"), [(2999, "likely"), (3000, "unlikely")])
def test_rigid_expenditure_needs_income_below_disposable(run, member, wage, verdict):
    household = {
        "members": [member(wage=wage)],
        "expenditures": [{"kind": "education", "annual_amount": 30000}],
    }
    assert run(household)["rigid_expenditure"].verdict == verdict


def test_rigid_expenditure_not_for_dibao_families(run, member):
    household = {
        "members": [member(wage=500)],
        "expenditures": [{"kind": "education", "annual_amount": 30000}],
    }
    verdicts = run(household)
    assert verdicts["dibao"].verdict == "likely"
    assert verdicts["rigid_expenditure"].verdict == "unlikely"


# Rule tables are data --------------------------------------
def test_rule_without_citation_is_refused(rules):
    raw = rules.model_dump(mode="json")
    raw["programs"][0]["criteria"][0].pop("citation")
    with pytest.raises(ValueError, match="citation"):
        parse_rules(raw)


def test_unknown_predicate_is_refused(rules):
    raw = rules.model_dump(mode="json")
    raw["programs"][0]["criteria"][0]["predicate"] = "no_such_check"
    with pytest.raises(ValueError, match="no_such_check"):
        parse_rules(raw)


def test_every_program_rule_cites_a_source(rules):
    for rule in rules.programs:
        for criterion in rule.criteria:
            for leaf in criterion.any_of or [criterion]:
                assert leaf.citation is not None
                assert rules.cite(leaf.citation).startswith("《")
        assert rule.materials, rule.program


def test_the_only_home_is_not_counted_and_says_so(run, member):
    """[DB] art. 14: property essential to living may be exempted; the only self-occupied home
    is not counted, whatever value was given for it, and the reason line says so."""
    home = {"kind": "house", "value": 900000, "only_home": True}
    verdicts = run({"members": [member(wage=0)], "property": [home]})
    assert verdicts["dibao"].verdict == "likely"
    line = next(r.text for r in verdicts["dibao"].reasons if "金融资产" in r.text)
    assert "唯一自住房" in line
    assert "第十四条" in line
    plain = run({"members": [member(wage=0)], "property": [{"kind": "deposit", "value": 100}]})
    assert "唯一自住房" not in next(r.text for r in plain["dibao"].reasons if "金融资产" in r.text)


def test_house_value_leaves_out_the_only_home(standards, rules):
    import datetime as dt

    from workflows.eligibility.facts import household_facts
    from workflows.eligibility.schemas import HouseholdIn
    from workflows.validation import validation_context

    body = {
        "members": [{"relation": "本人", "age": 50}],
        "property": [
            {"kind": "house", "value": 900000, "only_home": True},
            {"kind": "house", "value": 300000},
        ],
    }
    household = HouseholdIn.model_validate(body, context=validation_context(dt.date(2026, 6, 1)))
    facts = household_facts(household, on=dt.date(2026, 6, 1), rules=rules)
    assert facts.house_value == 300000
    assert facts.only_home is True
