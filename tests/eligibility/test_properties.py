"""Property-based checks of the engine (hypothesis): monotone in income and in the standard,
blind to excluded income kinds, independent of member order."""

from __future__ import annotations

import copy
import datetime as dt
import functools
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huimin.townships import all_townships
from workflows.eligibility.engine import prescreen
from workflows.eligibility.rules import load_rules
from workflows.eligibility.schemas import HouseholdIn
from workflows.eligibility.standards import (
    DEFAULT_STANDARDS_FILE,
    StandardsRepository,
    load_standards,
)
from workflows.validation import validation_context

ON = dt.date(2026, 6, 1)
RANK = {"unlikely": 0, "possible": 1, "likely": 2}
EXCLUDED_KINDS = ("fuxu", "relief", "pension_basic")
PROFILE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

amounts = st.integers(min_value=0, max_value=6000)
income = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(
            [
                "wage",
                "business",
                "property",
                "transfer",
                "pension",
                "pension_basic",
                "pension_allowance_exempt",
                "relief",
                "fuxu",
            ]
        ),
        "monthly_amount": amounts,
    }
)


@st.composite
def members(draw: st.DrawFn) -> dict[str, Any]:
    member: dict[str, Any] = {
        "relation": draw(st.sampled_from(["本人", "配偶", "子女", "父母", "其他"])),
        "age": draw(st.integers(min_value=0, max_value=100)),
        "serious_illness": draw(st.booleans()),
        "incomes": draw(st.lists(income, max_size=3)),
        "needs_assessment_level": draw(st.none() | st.integers(min_value=0, max_value=4)),
        "excluded_reason": draw(st.sampled_from([None, None, None, None, "prison", "clergy"])),
    }
    # category and grade each optional: the dialogue may know only one of them
    if draw(st.booleans()):
        member["disability_category"] = draw(
            st.sampled_from(["肢体", "视力", "听力", "言语", "智力", "精神", "多重"])
        )
    if draw(st.booleans()):
        member["disability_grade"] = draw(st.integers(min_value=1, max_value=4))
    return member


@st.composite
def households(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "members": draw(st.lists(members(), min_size=1, max_size=5)),
        "property": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "kind": st.sampled_from(["deposit", "house", "vehicle", "other"]),
                        "value": st.integers(min_value=0, max_value=80000),
                    }
                ),
                max_size=2,
            )
        ),
        "expenditures": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "kind": st.sampled_from(
                            ["medical", "education", "disability", "basic_living"]
                        ),
                        "annual_amount": st.integers(min_value=0, max_value=60000),
                    }
                ),
                max_size=2,
            )
        ),
        "hukou_township_code": draw(st.none() | st.sampled_from([t.code for t in all_townships()])),
        "has_supporter_able": draw(st.none() | st.booleans()),
        "emergency": draw(st.booleans()),
    }


def verdicts(body: dict[str, Any]) -> dict[str, str]:
    result = prescreen(
        HouseholdIn.model_validate(body, context=validation_context(ON)),
        on=ON,
        standards=load_standards(),
        rules=load_rules(),
    )
    return {v.program.value: v.verdict for v in result.verdicts}


@PROFILE
@given(households(), st.data(), st.integers(min_value=1, max_value=5000))
def test_more_income_never_makes_dibao_more_likely(body, data, extra):
    before = verdicts(body)["dibao"]
    index = data.draw(st.integers(min_value=0, max_value=len(body["members"]) - 1))
    kind = data.draw(st.sampled_from(["wage", "business", "property", "transfer", "pension"]))
    richer = {**body, "members": [dict(m) for m in body["members"]]}
    richer["members"][index]["incomes"] = [
        *richer["members"][index]["incomes"],
        {"kind": kind, "monthly_amount": extra},
    ]
    after = verdicts(richer)["dibao"]
    assert RANK[after] <= RANK[before]


@PROFILE
@given(households(), st.data(), st.sampled_from(EXCLUDED_KINDS), st.integers(1, 9_000_000))
def test_excluded_income_kind_changes_nothing(body, data, kind, amount):
    before = verdicts(body)
    index = data.draw(st.integers(min_value=0, max_value=len(body["members"]) - 1))
    changed = {**body, "members": [dict(m) for m in body["members"]]}
    changed["members"][index]["incomes"] = [
        *changed["members"][index]["incomes"],
        {"kind": kind, "monthly_amount": amount},
    ]
    assert verdicts(changed) == before


@PROFILE
@given(households(), st.randoms(use_true_random=False))
def test_verdicts_do_not_depend_on_member_order(body, rng):
    shuffled = list(body["members"])
    rng.shuffle(shuffled)
    assert verdicts({**body, "members": shuffled}) == verdicts(body)


@PROFILE
@given(households())
def test_every_verdict_is_explained(body):
    result = prescreen(
        HouseholdIn.model_validate(body, context=validation_context(ON)),
        on=ON,
        standards=load_standards(),
        rules=load_rules(),
    )
    for verdict in result.verdicts:
        assert verdict.verdict in RANK
        assert verdict.reasons
        assert all(reason.citation.startswith("《") for reason in verdict.reasons)
        if verdict.verdict == "unlikely":
            assert any(reason.outcome == "not_met" for reason in verdict.reasons)
            # residents read why: the explanation names every unmet condition
            assert verdict.explanation.startswith("暂不符合的原因:")
            for reason in verdict.reasons:
                if reason.outcome == "not_met":
                    assert reason.text.rstrip("。") in verdict.explanation
        # the shipped standards are samples: every verdict says so
        assert verdict.sample is True
        assert "示例标准,以民政部门公布为准" in verdict.explanation


@functools.cache
def _repository(dibao: int) -> StandardsRepository:
    raw = copy.deepcopy(_shipped())
    raw["dibao_standard"] = [
        {
            "region": "330111",
            "effective_from": "2020-01-01",
            "monthly_per_person": dibao,
            "sample": True,
        }
    ]
    return StandardsRepository.from_mapping(raw)


@functools.cache
def _shipped() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(DEFAULT_STANDARDS_FILE.read_text(encoding="utf-8"))
    return raw


@PROFILE
@given(households(), st.integers(500, 2000), st.integers(1, 800))
def test_a_higher_standard_never_makes_dibao_less_likely(body, dibao, raise_by):
    household = HouseholdIn.model_validate(body, context=validation_context(ON))
    low = prescreen(household, on=ON, standards=_repository(dibao), rules=load_rules())
    high = prescreen(household, on=ON, standards=_repository(dibao + raise_by), rules=load_rules())
    verdict = {v.program.value: v.verdict for v in low.verdicts}["dibao"]
    raised = {v.program.value: v.verdict for v in high.verdicts}["dibao"]
    assert RANK[raised] >= RANK[verdict]
