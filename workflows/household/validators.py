"""The household's field types, each with one validator and a Chinese message.

- ``Money``: a ``Decimal`` amount in yuan, finite, 0 … ``MAX_AMOUNT``, kept to the fen.
- ``IdNumber`` / ``OptionalIdNumber``: GB 11643 via :mod:`huimin.idcard`; the birth date must not
  be after the validation day (the app clock's today, see :func:`workflows.validation.today_of`).
- ``TownshipCode`` / ``OptionalTownshipCode``: one of the district's townships
  (:mod:`huimin.townships`).
- ``DisabilityGrade``: 1 … 4.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from huimin import idcard, townships
from workflows.household.bounds import CENT, DISABILITY_GRADES, MAX_AMOUNT
from workflows.validation import today_of


def _empty_is_none(value: object) -> object:
    return None if value == "" else value


def check_amount(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise PydanticCustomError("value_error", "金额应为有效数字")
    if value < 0:
        raise PydanticCustomError("value_error", "不能为负数")
    if value > MAX_AMOUNT:
        raise PydanticCustomError("value_error", f"金额超过{MAX_AMOUNT:,.0f}元,明显不合理,请核对")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def check_id_number(value: str, info: ValidationInfo) -> str:
    """The canonical number; its birth date may not be after the validation day."""
    try:
        return idcard.parse(value, today=today_of(info)).number
    except idcard.InvalidIdNumber as exc:
        raise PydanticCustomError("value_error", str(exc)) from None


def _optional_id_number(value: str | None, info: ValidationInfo) -> str | None:
    return None if value is None else check_id_number(value, info)


def check_township_code(value: str) -> str:
    if townships.by_code(value) is None:
        raise PydanticCustomError(
            "value_error",
            "乡镇(街道)代码不存在:{code}(应为{district}乡镇(街道)的12位统计代码,如330111001000)",
            {"code": value[:20], "district": townships.DISTRICT_NAME},
        )
    return value


def _optional_township_code(value: str | None) -> str | None:
    return None if value is None else check_township_code(value)


def _disability_grade(value: int) -> int:
    if value not in DISABILITY_GRADES:
        raise PydanticCustomError("value_error", "残疾等级应为1、2、3或4级")
    return value


_AMOUNT_SCHEMA: dict[str, Any] = {"minimum": 0, "maximum": int(MAX_AMOUNT)}

Money = Annotated[Decimal, AfterValidator(check_amount), Field(json_schema_extra=_AMOUNT_SCHEMA)]
IdNumber = Annotated[str, AfterValidator(check_id_number)]
OptionalIdNumber = Annotated[
    str | None, BeforeValidator(_empty_is_none), AfterValidator(_optional_id_number)
]
TownshipCode = Annotated[str, AfterValidator(check_township_code)]
OptionalTownshipCode = Annotated[
    str | None, BeforeValidator(_empty_is_none), AfterValidator(_optional_township_code)
]
DisabilityGrade = Annotated[
    int, AfterValidator(_disability_grade), Field(json_schema_extra={"minimum": 1, "maximum": 4})
]
