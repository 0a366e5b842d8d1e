"""Bad input is refused with per-field Chinese messages, in-process (no HTTP involved)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pydantic import ValidationError

from huimin.idcard import make_number
from workflows.eligibility.schemas import HouseholdIn
from workflows.validation import validation_context

CJK = re.compile(r"[\u4e00-\u9fff]")
VALID_ID = make_number("330111", dt.date(1980, 5, 17), 33)
TODAY = dt.date(2026, 11, 2)


def _validate(body: dict, today: dt.date = TODAY) -> HouseholdIn:
    return HouseholdIn.model_validate(body, context=validation_context(today))


def _errors(body: dict) -> dict[tuple, str]:
    with pytest.raises(ValidationError) as caught:
        _validate(body)
    return {tuple(e["loc"]): e["msg"] for e in caught.value.errors()}


def _member(**fields) -> dict:
    return {"relation": "本人", **fields}


@pytest.mark.parametrize(
    ("body", "loc", "fragment"),
    [
        ({"members": []}, ("members",), "至少"),
        ({}, ("members",), "必填"),
        (
            {"members": [_member(incomes=[{"kind": "wage", "monthly_amount": -1}])]},
            ("members", 0, "incomes", 0, "monthly_amount"),
            "负数",
        ),
        (
            {"members": [_member(incomes=[{"kind": "wage", "monthly_amount": 10_000_001}])]},
            ("members", 0, "incomes", 0, "monthly_amount"),
            "10,000,000",
        ),
        (
            {"members": [_member(incomes=[{"kind": "lottery", "monthly_amount": 1}])]},
            ("members", 0, "incomes", 0, "kind"),
            "未知的收入类型",
        ),
        (
            {"members": [_member(incomes=[{"kind": "wage", "monthly_amount": "abc"}])]},
            ("members", 0, "incomes", 0, "monthly_amount"),
            "数字",
        ),
        (
            {"members": [_member()], "property": [{"kind": "deposit", "value": -5}]},
            ("property", 0, "value"),
            "负数",
        ),
        (
            {"members": [_member()], "expenditures": [{"kind": "medical", "annual_amount": 2e7}]},
            ("expenditures", 0, "annual_amount"),
            "10,000,000",
        ),
        (
            {"members": [_member()], "programs": ["dibao", "lottery"]},
            ("programs", 1),
            "未知的救助项目",
        ),
        ({"members": [_member(birth_date="2999-01-01")]}, ("members", 0, "birth_date"), "晚于今天"),
        (
            {"members": [_member(id_number=VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1"))]},
            ("members", 0, "id_number"),
            "校验位",
        ),
        ({"members": [_member(id_number="12345")]}, ("members", 0, "id_number"), "18位"),
        ({"members": [_member(age=131)]}, ("members", 0, "age"), "0到130"),
        (
            {"members": [_member(disability_category="肢体", disability_grade=5)]},
            ("members", 0, "disability_grade"),
            "1、2、3或4级",
        ),
        ({"members": [_member(relation="邻居")]}, ("members", 0, "relation"), "取值无效"),
        (
            {"members": [_member(needs_assessment_level=7)]},
            ("members", 0, "needs_assessment_level"),
            "能力完好",
        ),
        (
            {"members": [_member(excluded_reason="vacation")]},
            ("members", 0, "excluded_reason"),
            "取值无效",
        ),
        (
            {"members": [_member()], "hukou_township_code": "330111999000"},
            ("hukou_township_code",),
            "富阳区",
        ),
    ],
)
def test_bad_input_has_chinese_field_message(body, loc, fragment):
    errors = _errors(body)
    assert loc in errors, errors
    assert fragment in errors[loc]
    assert all(CJK.search(message) for message in errors.values())


def test_partial_disability_is_accepted():
    # the dialogue may learn the category before the grade: pre-screening must not refuse it
    household = _validate(
        {
            "members": [
                _member(disability_category="肢体"),
                _member(relation="配偶", disability_grade=2),
            ]
        }
    )
    assert household.members[0].disability_grade is None
    assert household.members[1].disability_category is None


def test_birth_date_must_match_id_number():
    errors = _errors({"members": [_member(id_number=VALID_ID, birth_date="1980-05-18")]})
    assert "不一致" in errors[("members", 0)]


def test_every_error_is_reported_at_once():
    errors = _errors({"members": [_member(age=-1, incomes=[{"kind": "x", "monthly_amount": -1}])]})
    assert len(errors) == 3


def test_application_body_is_accepted_as_is():
    body = {
        "channel": "counter",
        "channel_user_id": "123",
        "entered_by_staff": "li",
        "consent_verification": True,
        "consent_at": "2026-11-28T10:00:00+08:00",
        "applicant": {"name": "张三", "id_number": VALID_ID, "phone": "13800000000"},
        "hukou_township_code": "330111001000",
        "hukou_region_text": None,
        "residence_township_code": "330111002000",
        "has_residence_permit": False,
        "programs": ["dibao", "medical"],
        "members": [
            {
                "relation": "本人",
                "name": "张三",
                "id_number": VALID_ID,
                "disability_category": None,
                "disability_grade": None,
                "serious_illness": False,
                "in_school": False,
                "incomes": [{"kind": "wage", "monthly_amount": 1200.0}],
            },
        ],
        "property": [{"kind": "deposit", "value": 0, "note": ""}],
        "expenditures": [{"kind": "medical", "annual_amount": 0}],
        "documents_later": True,
    }
    household = _validate(body)
    assert household.members[0].age_on(dt.date(2026, 11, 28)) == 46


def test_repr_hides_id_numbers_and_incomes():
    household = _validate(
        {
            "members": [
                _member(id_number=VALID_ID, incomes=[{"kind": "wage", "monthly_amount": 4321}])
            ]
        }
    )
    text = repr(household) + str(household)
    assert VALID_ID not in text
    assert "4321" not in text


def test_kind_labels_cover_exactly_the_accepted_kinds(rules):
    from workflows.household.enums import (
        EXCLUDED_REASON_LABELS,
        EXEMPT_INCOME_KINDS,
        EXPENDITURE_LABELS,
        INCOME_LABELS,
        PROPERTY_LABELS,
        ExcludedReason,
        ExpenditureKind,
        IncomeKind,
        PropertyKind,
    )

    assert set(INCOME_LABELS) == set(IncomeKind) == set(rules.income.kinds)
    assert set(PROPERTY_LABELS) == set(PropertyKind)
    assert set(EXPENDITURE_LABELS) == set(ExpenditureKind)
    assert set(EXCLUDED_REASON_LABELS) == set(ExcludedReason)
    # what an application marks exempt is what the rule table leaves out of 特困 income, and the
    # 低保 table leaves out no kind that is not exempt
    assert rules.income.excluded_tekun == EXEMPT_INCOME_KINDS
    assert rules.income.excluded <= EXEMPT_INCOME_KINDS


def test_today_comes_from_the_validation_context_not_the_wall_clock():
    born = dt.date(2026, 11, 20)
    body = {
        "members": [_member(id_number=make_number("330111", born, 12), birth_date="2026-11-20")]
    }
    with pytest.raises(ValidationError) as caught:
        _validate(body, today=dt.date(2026, 11, 19))
    messages = {tuple(e["loc"]): e["msg"] for e in caught.value.errors()}
    assert "晚于今天" in messages[("members", 0, "id_number")]
    assert "晚于今天" in messages[("members", 0, "birth_date")]
    assert _validate(body, today=born).members[0].age_on(born) == 0


def test_a_day_is_required_where_a_date_is_judged():
    # no context and no request: validating an ID number is a programming error, not a guess
    with pytest.raises(RuntimeError, match="validation_context"):
        HouseholdIn.model_validate({"members": [_member(id_number=VALID_ID)]})
    # nothing to judge against today: no day needed
    assert HouseholdIn.model_validate({"members": [_member(age=40)]}).members[0].age == 40


def test_amounts_are_decimal_yuan_to_the_fen():
    from decimal import Decimal

    household = _validate(
        {
            "members": [
                _member(incomes=[{"kind": "wage", "monthly_amount": 0.1 + 0.2}]),
            ],
            "property": [{"kind": "deposit", "value": "10000000"}],
        }
    )
    assert household.members[0].incomes[0].monthly_amount == Decimal("0.30")
    assert household.property[0].value == Decimal("10000000.00")


@pytest.mark.parametrize(
    ("body", "loc", "fragment"),
    [
        (
            {"members": [_member()], "property": [{"kind": "gold", "value": 1}]},
            ("property", 0, "kind"),
            "未知的财产类型“gold”",
        ),
        (
            {"members": [_member()], "expenditures": [{"kind": "travel", "annual_amount": 1}]},
            ("expenditures", 0, "kind"),
            "未知的支出类型“travel”",
        ),
    ],
)
def test_unknown_kinds_list_the_choices_in_chinese(body, loc, fragment):
    message = _errors(body)[loc]
    assert fragment in message
    assert "(" in message
