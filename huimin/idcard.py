"""Resident ID numbers (居民身份证号码, GB 11643-1999).

The check character is ISO 7064 MOD 11-2. The region prefix is checked against codes that exist
or existed, without tying it to the birth year (codes are given at registration, not at birth:
an adult born in 1975 and registered in 富阳市 carries 330183, which ``stdnum.cn.ric.validate``
would wrongly reject).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from huimin.masking import mask_id_number

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")

# Province-level prefixes of GB/T 2260 (two digits); the full county list is not needed to
# reject typos, and a county code that no longer exists is still a real person's number.
_PROVINCE_TABLE = (
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 "
    "65 71 81 82 83"
)
_PROVINCE_PREFIXES = frozenset(_PROVINCE_TABLE.split())
FUYANG_PREFIXES = ("330111", "330183", "330123")  # 富阳区 (2014–), 富阳市 (1994–2014), 富阳县


class InvalidIdNumber(ValueError):  # noqa: N818 - reads better at call sites
    """Carries a resident-readable Chinese reason."""


@dataclass(frozen=True)
class IdInfo:
    number: str
    region_code: str
    birth_date: dt.date
    sex: str  # "男" / "女"

    @property
    def registered_in_fuyang(self) -> bool:
        return self.region_code in FUYANG_PREFIXES

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def normalise(raw: str) -> str:
    """Strip spaces and dashes; full-width digits and a lower-case x become canonical."""
    table = str.maketrans("０１２３４５６７８９ｘＸx", "0123456789XXX")
    return re.sub(r"[\s\-]", "", raw).translate(table)


def check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse(raw: str, *, today: dt.date | None = None) -> IdInfo:
    """Validate and decode an 18-character ID number (InvalidIdNumber carries a Chinese reason)."""
    number = normalise(raw)
    if len(number) != 18:
        raise InvalidIdNumber(f"身份证号码应为18位,您输入的是{len(number)}位")
    if not _SHAPE.match(number):
        raise InvalidIdNumber("身份证号码前17位应为数字,最后一位为数字或X")
    if number[:2] not in _PROVINCE_PREFIXES:
        raise InvalidIdNumber("身份证号码开头的地区代码不存在,请核对前6位")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("身份证号码中的出生日期(第7–14位)不是有效日期") from None
    today = today or dt.date.today()
    if birth > today:
        raise InvalidIdNumber("身份证号码中的出生日期晚于今天,请核对第7–14位")
    if birth.year < 1890:
        raise InvalidIdNumber("身份证号码中的出生年份不合理,请核对第7–10位")
    expected = check_char(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber("身份证号码校验位不正确(最后一位),请逐位核对后重新输入")
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number, region_code=number[:6], birth_date=birth, sex=sex)


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except InvalidIdNumber:
        return False
    return True


def mask(raw: str) -> str:
    """Mask an ID number for logs and views that don't need it: 330111********123X."""
    return mask_id_number(normalise(raw))


def make_number(region_code: str, birth: dt.date, sequence: int) -> str:
    """Build a valid number (for fictitious test and demo households only)."""
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
