"""Reading residents' free-text answers: numbers in either script, incomes, property, members.

Pure functions without I/O. They only turn words into the API's shapes; whether the values
qualify for anything is decided by the API.
"""

from __future__ import annotations

import re
from typing import Any

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


def _clauses(text: str) -> list[str]:
    return [part for part in re.split(r"[，,；;。.、\s]+|和|还有|另外", text) if part]


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


INCOME_KINDS: tuple[tuple[str, str], ...] = (
    ("基础养老金", "pension_basic"),
    ("养老金", "pension"),
    ("退休", "pension"),
    ("抚恤", "fuxu"),
    ("救助", "relief"),
    ("低保金", "relief"),
    ("房租", "property"),
    ("租金", "property"),
    ("利息", "property"),
    ("出租", "property"),
    ("生意", "business"),
    ("开店", "business"),
    ("小店", "business"),
    ("经营", "business"),
    ("种地", "business"),
    ("种田", "business"),
    ("养殖", "business"),
    ("给", "transfer"),
    ("赡养", "transfer"),
    ("补贴", "transfer"),
    ("工资", "wage"),
    ("上班", "wage"),
    ("打工", "wage"),
    ("零工", "wage"),
    ("挣", "wage"),
)


def _per_month(clause: str, amount: float) -> float:
    if re.search(r"(一|每)?年|年收入", clause) and "月" not in clause:
        return round(amount / 12, 2)
    return amount


def _amounts_by_kind(
    text: str, kinds: tuple[tuple[str, str], ...], default: str
) -> list[tuple[str, str, float]]:
    """(kind, clause, amount) for each clause that names a number; the kind from its words."""
    found = []
    for clause in _clauses(_strip_ids(text)):
        values = numbers(clause)
        if values:
            kind = next((k for word, k in kinds if word in clause), default)
            found.append((kind, clause, values[-1]))
    return found


def incomes(text: str) -> list[dict[str, Any]] | None:
    """Monthly incomes by kind; [] for "no income"; None if nothing could be read."""
    if says_nothing(text) and not numbers(text):
        return []
    found = _amounts_by_kind(text, INCOME_KINDS, "wage")
    result = [{"kind": kind, "monthly_amount": _per_month(clause, amount)}
              for kind, clause, amount in found]
    return result or None


def property_items(text: str) -> list[dict[str, Any]] | None:
    """Property (deposit, house, vehicle, other) with values; [] for none; None if unreadable."""
    items: list[dict[str, Any]] = []
    for clause in _clauses(_strip_ids(text)):
        values = numbers(clause)
        value = values[-1] if values else 0.0
        negated = bool(re.search(r"没有?|无", clause))
        if any(word in clause for word in ("存款", "存折", "银行", "存了", "积蓄", "钱")):
            if not negated or values:
                items.append({"kind": "deposit", "value": value, "note": clause})
        elif "车" in clause:
            if not negated:
                items.append({"kind": "vehicle", "value": value, "note": clause})
        elif "房" in clause:
            if not negated:
                items.append({"kind": "house", "value": value, "note": clause})
        elif values:
            items.append({"kind": "other", "value": value, "note": clause})
    if items:
        return items
    if says_nothing(text) or re.search(r"没有?|无|都没", text):
        return []
    return None


EXPENSE_KINDS: tuple[tuple[str, str], ...] = (
    ("康复", "disability"),
    ("残疾", "disability"),
    ("看病", "medical"),
    ("医", "medical"),
    ("药", "medical"),
    ("住院", "medical"),
    ("病", "medical"),
    ("手术", "medical"),
    ("学", "education"),
    ("读书", "education"),
    ("上学", "education"),
)


def expenditures(text: str) -> list[dict[str, Any]] | None:
    """Yearly rigid spending by kind; [] for none; None if unreadable."""
    if says_nothing(text) and not numbers(text):
        return []
    found = _amounts_by_kind(text, EXPENSE_KINDS, "basic_living")
    result = [
        {"kind": kind, "annual_amount": amount * 12 if "月" in clause and "年" not in clause
         else amount}
        for kind, clause, amount in found
    ]
    if result:
        return result
    return [] if re.search(r"没有?|无|不多|没什么", text) else None


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
_NOT_A_NAME = re.compile(
    r"身份证号?码?|号码|电话|手机|"
    r"(" + "|".join(DISABILITY_CATEGORIES) + r")?残疾证?([一二三四1-4]级)?|[一二三四1-4]级|"
    r"重病|大病|在读|上学|读书"
)
_NAME_PREFIX = re.compile(r"^(我|他|她)?(的)?(名字|姓名)?(是|叫做|叫)?")


def relation(text: str) -> str | None:
    # Longest words first so that 儿媳 is not read as 儿子-like, 外孙 before 孙.
    for word, value in sorted(RELATIONS, key=lambda pair: -len(pair[0])):
        if word in text:
            return value
    return None


def person_name(text: str) -> str | None:
    """The 2–4 Chinese characters of a name once IDs, relation words and other facts are removed."""
    remaining = _strip_ids(text)
    for word, _ in sorted(RELATIONS, key=lambda pair: -len(pair[0])):
        remaining = remaining.replace(word, " ")
    remaining = _NOT_A_NAME.sub(" ", remaining)
    for chunk in re.findall(r"[\u4e00-\u9fff]+", remaining):
        candidate = _NAME_PREFIX.sub("", chunk)
        if candidate.startswith("姓") and len(candidate) <= 2:
            continue  # "我姓刘": the surname alone, the full name follows
        if 2 <= len(candidate) <= 4:
            return candidate
    return None


def member(text: str) -> dict[str, Any]:
    """Relation, name, ID and disability named in one message (missing parts are None)."""
    category, grade = disability(text)
    return {
        "relation": relation(text),
        "name": person_name(text),
        "id_number": find_id_number(text),
        "disability_category": category,
        "disability_grade": grade,
        "serious_illness": bool(re.search(r"重病|大病|癌|尿毒症|白血病", text)),
        "in_school": bool(re.search(r"在读|上学|读书|学生", text)),
    }
