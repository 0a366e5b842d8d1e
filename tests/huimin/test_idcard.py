"""Resident ID numbers: check digit, birth date, region prefixes that existed, masking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huimin import idcard

TODAY = dt.date(2026, 11, 28)


def test_known_valid_number_decodes_birth_date_and_sex() -> None:
    # The GB 11643 worked example: 11010519491231002X
    info = idcard.parse("11010519491231002X", today=TODAY)
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "女"
    assert info.region_code == "110105"


def test_old_fuyang_prefix_is_accepted_for_an_adult() -> None:
    # Registered in 富阳市 (330183) before 2014: stdnum's validate() would reject this real shape.
    number = idcard.make_number("330183", dt.date(1975, 3, 2), 123)
    info = idcard.parse(number, today=TODAY)
    assert info.registered_in_fuyang
    assert info.age_on(TODAY) == 51


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("33011119800101123", "18位"),
        ("3301111980010112AX", "前17位"),
        ("990111198001011234", "地区代码"),
        ("330111198002301234", "出生日期"),
        ("330111203001011234", "晚于今天"),
    ],
)
def test_malformed_numbers_are_refused_with_a_chinese_reason(raw: str, reason: str) -> None:
    with pytest.raises(idcard.InvalidIdNumber, match=reason):
        idcard.parse(raw, today=TODAY)


def test_wrong_check_digit_is_refused() -> None:
    number = idcard.make_number("330111", dt.date(1960, 5, 6), 41)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(idcard.InvalidIdNumber, match="校验位"):
        idcard.parse(wrong, today=TODAY)


def test_full_width_digits_spaces_and_lower_x_are_normalised() -> None:
    assert idcard.parse("１１０１０５ 1949-1231 002x", today=TODAY).number == "11010519491231002X"


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
    st.sampled_from(idcard.FUYANG_PREFIXES),
)
def test_every_made_number_parses_and_any_single_digit_change_is_caught(
    birth: dt.date, sequence: int, region: str
) -> None:
    number = idcard.make_number(region, birth, sequence)
    assert idcard.parse(number, today=TODAY).birth_date == birth
    altered = number[:14] + str((int(number[14]) + 1) % 10) + number[15:]
    assert not idcard.is_valid(altered)


def test_mask_keeps_only_region_and_last_four() -> None:
    assert idcard.mask("11010519491231002X") == "110105********002X"
