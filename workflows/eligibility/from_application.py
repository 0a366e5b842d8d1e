"""A stored application as the household to pre-screen (the case page's eligibility box).

The application and the pre-screening share one household vocabulary
(:mod:`workflows.household`), so this is a field-for-field copy; validating it again checks that
what was stored still fits the shared bounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from huimin.programs import Program
from workflows.applications.models import Application
from workflows.eligibility.schemas import HouseholdIn
from workflows.validation import validation_context


def _money(value: float | Decimal) -> Decimal:
    """The stored NUMERIC(14, 2) amount (read as a float) as the exact Decimal it was."""
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def household_from_application(
    application: Application,
    *,
    today: dt.date,
    programs: Iterable[Program | str] | None = None,
) -> HouseholdIn:
    """The application's household; ``programs`` limits the verdicts (None: every program).

    Members, their incomes, the property and the expenditures must be loaded (or loadable);
    ``today`` is the validation day (the app clock's, e.g. ``CaseEnv.today``).
    """
    body: dict[str, Any] = {
        "members": [
            {
                "relation": member.relation,
                "name": member.name,
                "id_number": member.id_number,
                "birth_date": member.birth_date,
                "disability_category": member.disability_category,
                "disability_grade": member.disability_grade,
                "serious_illness": member.serious_illness,
                "in_school": member.in_school,
                "incomes": [
                    {
                        "kind": income.kind,
                        "monthly_amount": _money(income.monthly_amount),
                        "note": income.note,
                    }
                    for income in member.incomes
                ],
                "own_income_monthly": (
                    None if member.own_income_monthly is None else _money(member.own_income_monthly)
                ),
            }
            for member in application.members
        ],
        "property": [
            {
                "kind": item.kind,
                "value": _money(item.value),
                "note": item.note,
                "only_home": item.only_home,
            }
            for item in application.property_items
        ],
        "expenditures": [
            {"kind": item.kind, "annual_amount": _money(item.annual_amount)}
            for item in application.expenditures
        ],
        "hukou_township_code": application.hukou_township_code,
        "residence_township_code": application.residence_township_code,
        "has_residence_permit": application.has_residence_permit,
        "programs": None if programs is None else [Program(p) for p in programs],
    }
    return HouseholdIn.model_validate(body, context=validation_context(today))
