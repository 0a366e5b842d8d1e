"""Validated field types shared by request schemas (Chinese messages on failure)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from huimin import idcard, townships

_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def _id_number(value: str) -> str:
    try:
        return idcard.parse(value).number
    except idcard.InvalidIdNumber as exc:
        raise ValueError(str(exc)) from None


def _township(value: str) -> str:
    if townships.by_code(value) is None:
        raise ValueError(f"乡镇(街道)代码不存在:{value}(请使用本区24个乡镇街道的12位代码)")
    return value


def _optional_township(value: str | None) -> str | None:
    return None if value is None else _township(value)


def _empty_is_none(value: object) -> object:
    return None if value == "" else value


def _phone(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.replace(" ", "")
    if not _PHONE.match(value):
        raise ValueError("联系电话格式不正确(11位手机号或带区号的固定电话)")
    return value


IdNumber = Annotated[str, AfterValidator(_id_number)]
TownshipCode = Annotated[str, AfterValidator(_township)]
OptionalTownshipCode = Annotated[
    str | None, BeforeValidator(_empty_is_none), AfterValidator(_optional_township)
]
PhoneNumber = Annotated[str | None, BeforeValidator(_empty_is_none), AfterValidator(_phone)]
