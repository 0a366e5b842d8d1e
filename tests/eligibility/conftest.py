"""Fixtures for the eligibility tests: fixed test standards (not the shipped sample file)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from workflows.eligibility.engine import prescreen
from workflows.eligibility.rules import RuleTable, load_rules
from workflows.eligibility.schemas import HouseholdIn, Verdict
from workflows.eligibility.standards import StandardsRepository
from workflows.validation import validation_context

ON = dt.date(2026, 6, 1)
FUCHUN = "330111001000"  # 富春街道
XINDENG = "330111115000"  # 新登镇


def dated(value: Any, *, sample: bool = False, region: str = "330111") -> list[dict[str, Any]]:
    return [
        {
            "region": region,
            "effective_from": "2020-01-01",
            "effective_to": None,
            "value": value,
            "sample": sample,
        }
    ]


def standards_mapping(**overrides: Any) -> dict[str, Any]:
    """Round test figures: 低保 1,000; 边缘 1.5×; 可支配收入 36,000/年; 24 months; 50%."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "district_code": "330111",
        "dibao_standard": [
            {
                "region": "330111",
                "effective_from": "2020-01-01",
                "effective_to": None,
                "monthly_per_person": 1000,
                "sample": False,
            }
        ],
        "edge_multiplier": dated(1.5),
        "disposable_income_annual": dated(36000),
        "urban_consumption_annual": dated(30000),
        "property_limits": dated({"monetary_months_per_capita": 24, "vehicle_value_max": None}),
        "rigid_expenditure_share": dated(0.5),
        "temporary_caps_months": dated({"usual": 6, "max": 12}),
        "elderly_allowance_monthly": dated(
            [{"min_age": 80, "amount": 50}, {"min_age": 90, "amount": 100}]
        ),
        "elder_care_subsidy_monthly": dated({"0": 0, "1": 100, "2": 200, "3": 300, "4": 400}),
    }
    data.update(overrides)
    return data


@pytest.fixture(scope="session")
def mapping() -> Callable[..., dict[str, Any]]:
    """Build a standards mapping with some entries replaced."""
    return standards_mapping


@pytest.fixture(scope="session")
def standards() -> StandardsRepository:
    return StandardsRepository.from_mapping(standards_mapping())


@pytest.fixture(scope="session")
def rules() -> RuleTable:
    return load_rules()


Run = Callable[..., dict[str, Verdict]]


@pytest.fixture(scope="session")
def run(standards: StandardsRepository, rules: RuleTable) -> Run:
    """Pre-screen a household dict; verdicts by program code."""

    def _run(
        household: dict[str, Any],
        *,
        on: dt.date = ON,
        repo: StandardsRepository | None = None,
        table: RuleTable | None = None,
    ) -> dict[str, Verdict]:
        body = {"hukou_township_code": FUCHUN, **household}
        result = prescreen(
            HouseholdIn.model_validate(body, context=validation_context(on)),
            on=on,
            standards=repo or standards,
            rules=table or rules,
        )
        return {v.program.value: v for v in result.verdicts}

    return _run


def person(
    relation: str = "本人",
    *,
    age: int | None = 40,
    wage: float = 0,
    **fields: Any,
) -> dict[str, Any]:
    incomes = list(fields.pop("incomes", []))
    if wage:
        incomes.append({"kind": "wage", "monthly_amount": wage})
    member: dict[str, Any] = {"relation": relation, "incomes": incomes, **fields}
    if age is not None:
        member["age"] = age
    return member


@pytest.fixture(scope="session")
def member() -> Callable[..., dict[str, Any]]:
    return person
