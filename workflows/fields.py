"""Validated field types shared by request schemas (Chinese messages on failure).

ID numbers and township codes are the household vocabulary's (:mod:`workflows.household.
validators`: one validator each, "today" from the app clock); the phone number is here.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from workflows.household.validators import IdNumber, OptionalTownshipCode, TownshipCode

__all__ = ["IdNumber", "OptionalTownshipCode", "PhoneNumber", "TownshipCode"]

_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def _empty_is_none(value: object) -> object:
    return None if value == "" else value


def _phone(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.replace(" ", "")
    if not _PHONE.match(value):
        raise ValueError("联系电话格式不正确(11位手机号或带区号的固定电话)")
    return value


PhoneNumber = Annotated[str | None, BeforeValidator(_empty_is_none), AfterValidator(_phone)]
