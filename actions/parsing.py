"""Pattern matching for the dialogue: ID numbers, phones, names, counts and ages in a message.

Pure functions without I/O. Amounts, incomes (per member), property, spending and household
members are read by the API (``POST /api/household/parse``, workflows/household/parsing.py);
what stays here only decides what the dialogue asks next.
"""

from __future__ import annotations

import re
import unicodedata

from huimin.idcard import normalise

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUMBER = re.compile(
    r"(\d+(?:\.\d+)?)\s*([十百千万kKwW]?)|([零〇一幺二两俩三四五六七八九十百千万]+)"
)
ID_LIKE = re.compile(r"[0-9０-９]{6,}[0-9０-９Xxｘ]*")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_NOTHING = re.compile(
    r"(没有|没|无|不)(收入|存款|车|房|财产|开销|开支|支出|残疾|花销)"
    r"|^(没有?|无|没了|没啥|没什么|都没有)[。!！]?$"
)


def cn_to_number(text: str) -> float | None:
    """'三千五' -> 3500, '两万' -> 20000, '八十二' -> 82, '十' -> 10."""
    if not text:
        return None
    total, section, digit = 0, 0, None
    last_unit = 1
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            unit = _CN_UNITS[char]
            if unit == 10000:
                section = (section + (digit or 0)) * unit
                total += section
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
            last_unit = unit
        else:
            return None
    if digit is not None:
        # "三千五" means 3500: a trailing digit counts in the next lower unit.
        section += digit * (last_unit // 10 if last_unit >= 100 and last_unit != 10000 else 1)
    return float(total + section)


def numbers(text: str) -> list[float]:
    """Every number in the text, Arabic or Chinese, with 千/万 multipliers applied."""
    found: list[float] = []
    for match in _NUMBER.finditer(text):
        if match.group(1):
            value = float(match.group(1))
            unit = match.group(2)
            if unit in ("万", "w", "W"):
                value *= 10000
            elif unit in ("千", "k", "K"):
                value *= 1000
            elif unit == "百":
                value *= 100
            elif unit == "十":
                value *= 10
            found.append(value)
        else:
            value_cn = cn_to_number(match.group(3))
            if value_cn is not None:
                found.append(value_cn)
    return found


def says_nothing(text: str) -> bool:
    """'没有' / '没有收入' / '无': the resident has none of what was asked."""
    value = text.strip()
    return bool(_NOTHING.search(value)) and not numbers(_strip_ids(value))


def _strip_ids(text: str) -> str:
    return ID_LIKE.sub(" ", text)


def find_id_number(text: str) -> str | None:
    """The ID-like run of characters in a message, normalised (not yet validated)."""
    match = ID_LIKE.search(text)
    return normalise(match.group(0)) if match else None


def find_phone(text: str) -> str | None:
    digits = re.sub(r"[\s\-]", "", normalise(text))
    match = PHONE.search(digits)
    return match.group(0) if match else None


def household_size(text: str) -> int | None:
    if re.search(r"(就|只有)?我?一个人|独居|就我自己|单身", text):
        return 1
    if "两口子" in text or "老两口" in text:
        return 2
    values = [int(v) for v in numbers(_strip_ids(text)) if 1 <= v <= 20 and v == int(v)]
    return values[0] if values else None


def ages(text: str) -> list[int]:
    return [int(v) for v in numbers(_strip_ids(text)) if 0 <= v <= 120 and v == int(v)]


DISABILITY_CATEGORIES = ("肢体", "视力", "听力", "言语", "智力", "精神", "多重")
_GRADE = re.compile(r"([一二三四1-4])\s*级")
_GRADE_VALUES = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def disability(text: str) -> tuple[str | None, int | None]:
    """(category, grade) named in the text; (None, None) if none."""
    category = next((c for c in DISABILITY_CATEGORIES if c in text), None)
    if category is None and re.search(r"眼睛|看不见|盲", text):
        category = "视力"
    if category is None and re.search(r"耳朵|听不见|聋", text):
        category = "听力"
    match = _GRADE.search(text)
    grade = _GRADE_VALUES[match.group(1)] if match else None
    return category, grade


RELATIONS: tuple[tuple[str, str], ...] = (
    ("本人", "本人"),
    ("配偶", "配偶"),
    ("老伴", "配偶"),
    ("老婆", "配偶"),
    ("老公", "配偶"),
    ("妻子", "配偶"),
    ("丈夫", "配偶"),
    ("爱人", "配偶"),
    ("媳妇", "配偶"),
    ("儿子", "子女"),
    ("女儿", "子女"),
    ("子女", "子女"),
    ("孩子", "子女"),
    ("父亲", "父母"),
    ("母亲", "父母"),
    ("爸", "父母"),
    ("妈", "父母"),
    ("父母", "父母"),
    ("孙", "其他"),
    ("外孙", "其他"),
    ("儿媳", "其他"),
    ("女婿", "其他"),
    ("兄", "其他"),
    ("弟", "其他"),
    ("姐", "其他"),
    ("妹", "其他"),
)


def relation(text: str) -> str | None:
    # Longest words first so that 儿媳 is not read as 儿子-like, 外孙 before 孙.
    for word, value in sorted(RELATIONS, key=lambda pair: -len(pair[0])):
        if word in text:
            return value
    return None


_CJK = re.compile(r"[\u4e00-\u9fff]")


def is_nonsense(text: str) -> bool:
    """Keyboard noise: no Chinese character ("aaaa", full-width "ａｓｄｆ", "!!!", emoji). An ID or
    phone number (digits) is not noise; Chinese words never are ("呜呜呜" may be distress)."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    if not value or value.startswith("/") or re.search(r"[0-9]{3,}", value):
        return False
    return not _CJK.search(value)
