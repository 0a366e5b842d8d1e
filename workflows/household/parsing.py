"""A resident's Chinese text -> household facts (amounts, members, incomes, property, spending).

Pure functions without I/O, next to the eligibility engine that judges the facts; the dialogue
calls them through ``POST /api/household/parse`` (:mod:`workflows.household.views`).

- Amounts: digits (half- or full-width), Chinese numerals (两千五, 一万二, 八十二, 一百零五),
  formal numerals (贰仟伍佰), units (2.5万, 3k, 三千块), a period (每月, 一年, 一天).
  A number followed by a measure word (一套, 两辆, 一个月, 三口人, 二级) is a count, not money.
- Incomes: the kind from the words (工资/打工 wage, 退休金/养老金 pension, 低保金 relief …),
  per month, each on the member the clause names ("老公打工,一个月两千五" -> the spouse's wage).
  An income the household gives as one figure without naming whose ("全家一个月三千") is put
  on the applicant and marked ``household``; :func:`who` reads the answer to "whose is it?".
- Property: deposit/house/vehicle/other; "只有一套自住房" is the only home (value 0), not 1 yuan.
- Expenditures: medical/education/disability/basic living, per year.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from huimin import names
from huimin.idcard import normalise
from workflows.household.bounds import CENT, MAX_AMOUNT
from workflows.household.enums import (
    DisabilityCategory,
    ExpenditureKind,
    IncomeKind,
    PropertyKind,
    Relation,
)

# Formal and traditional numerals, and the typos residents make, to the plain ones.
_TYPOS = str.maketrans(
    {
        "壹": "一", "贰": "二", "貳": "二", "叁": "三", "參": "三", "肆": "四", "伍": "五",
        "陆": "六", "陸": "六", "柒": "七", "捌": "八", "玖": "九", "拾": "十", "佰": "百",
        "仟": "千", "萬": "万", "兩": "两", "〇": "零", "o": "0", "O": "0", "l": "1",
        "，": ",", "。": ".", "；": ";", "：": ":",
    }
)
_CN_DIGITS = {
    "零": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_CHARS = "零一幺二两俩三四五六七八九十百千万"
_TOKEN = re.compile(rf"[0-9][0-9.]*[{_CN_CHARS}0-9.]*|[{_CN_CHARS}][{_CN_CHARS}0-9.]*")
_SUFFIX_UNIT = re.compile(r"\s*([kKwW])")
# After a number, these make it a count, an age, a grade or a period: never money.
_MEASURE = re.compile(
    r"\s*(个|套|辆|部|台|间|处|口|位|名|人|岁|周岁|级|年|月|天|日|号|次|亩|头|只|间|层|栋|室|平|号)"
)
ID_LIKE = re.compile(r"[0-9]{15,17}[0-9Xx]|[0-9]{6,}")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_NOTHING = re.compile(
    r"(没有|没|无|不)(任何)?(收入|存款|车|房|财产|开销|开支|支出|残疾|花销|工作|钱)"
    r"|^(没有?|无|没了|没啥|没什么|都没有|啥也没有|什么都没有)[.!！]?$"
)
_NEGATED = re.compile(r"没有?|无|不|都没")


def normalise_text(text: str) -> str:
    """Full-width to half-width (NFKC), formal numerals and common typos to plain ones."""
    return unicodedata.normalize("NFKC", text or "").translate(_TYPOS)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_number(token: str) -> Decimal | None:
    """'三千五' 3500, '一万二' 12000, '2.5万' 25000, '一百零五' 105, '八十二' 82, '1万5' 15000."""
    total, section = Decimal(0), Decimal(0)
    current: Decimal | None = None
    single = False  # the pending digit is one character (so "三千五" means 3500)
    zero = False  # a 零 since the last unit: the pending digit is a unit digit
    last_unit = 1
    index = 0
    while index < len(token):
        char = token[index]
        if char.isdigit():
            match = re.match(r"[0-9]+(?:\.[0-9]+)?", token[index:])
            assert match is not None
            current = Decimal(match.group(0))
            single = len(match.group(0)) == 1
            index += len(match.group(0))
            continue
        if char == ".":
            return None
        if char in _CN_DIGITS:
            if char == "零":
                zero = True
            elif current is not None and current not in (0,) and not zero:
                return None  # "二三": two digits side by side, not a number
            else:
                current, single = Decimal(_CN_DIGITS[char]), True
        elif char in _CN_UNITS:
            unit = _CN_UNITS[char]
            if unit == 10000:
                section = (section + (current or 0)) * unit
                total += section
                section = Decimal(0)
            else:
                section += (Decimal(1) if current is None else current) * unit
            current, single, zero, last_unit = None, False, False, unit
        index += 1
    if current is not None:
        if single and not zero and last_unit >= 100:
            current *= last_unit // 10  # a trailing digit counts in the next lower unit
        section += current
    return total + section


@dataclass(frozen=True)
class Amount:
    value: Decimal
    start: int
    end: int


def amounts(text: str) -> list[Amount]:
    """Every money amount in normalised text (counts, ages, grades, periods left out)."""
    found: list[Amount] = []
    position = 0
    while True:
        match = _TOKEN.search(text, position)
        if match is None:
            return found
        start, end = match.span()
        value = parse_number(text[start:end])
        while value is None and end - start > 1:
            end -= 1  # "两千五一个月": the number is 两千五, then 一个月
            value = parse_number(text[start:end])
        position = end
        rest = text[end:]
        if value is None or _MEASURE.match(rest):
            continue
        unit = _SUFFIX_UNIT.match(rest)
        if unit:
            value *= 10000 if unit.group(1) in "wW" else 1000
            end += unit.end()
            position = end
        found.append(Amount(value, start, end))


def numbers(text: str) -> list[Decimal]:
    """The money amounts of a message, IDs and phone numbers left out."""
    return [amount.value for amount in amounts(_strip_ids(normalise_text(text)))]


def _strip_ids(text: str) -> str:
    return ID_LIKE.sub(" ", PHONE.sub(" ", text))


def says_nothing(text: str) -> bool:
    """'没有' / '没有收入' / '无': the resident has none of what was asked."""
    value = normalise_text(text).strip()
    return bool(_NOTHING.search(value)) and not numbers(value)


def clauses(text: str) -> list[str]:
    return [
        part
        for part in re.split(r"(?:[,;、!?\s]|(?<!\d)\.|\.(?!\d))+|还有|另外|以及", text)
        if part
    ]


# Relation words, longest first where one contains another.
RELATION_WORDS: tuple[tuple[str, Relation], ...] = (
    ("本人", Relation.SELF),
    ("自己", Relation.SELF),
    ("我", Relation.SELF),
    ("配偶", Relation.SPOUSE),
    ("老伴儿", Relation.SPOUSE),
    ("老伴", Relation.SPOUSE),
    ("老婆", Relation.SPOUSE),
    ("老公", Relation.SPOUSE),
    ("妻子", Relation.SPOUSE),
    ("丈夫", Relation.SPOUSE),
    ("爱人", Relation.SPOUSE),
    ("媳妇儿", Relation.SPOUSE),
    ("媳妇", Relation.SPOUSE),
    ("老头子", Relation.SPOUSE),
    ("老太婆", Relation.SPOUSE),
    ("儿媳妇", Relation.OTHER),
    ("儿媳", Relation.OTHER),
    ("女婿", Relation.OTHER),
    ("外孙女", Relation.OTHER),
    ("外孙", Relation.OTHER),
    ("孙女", Relation.OTHER),
    ("孙子", Relation.OTHER),
    ("儿子", Relation.CHILD),
    ("女儿", Relation.CHILD),
    ("闺女", Relation.CHILD),
    ("子女", Relation.CHILD),
    ("孩子", Relation.CHILD),
    ("小孩", Relation.CHILD),
    ("父亲", Relation.PARENT),
    ("母亲", Relation.PARENT),
    ("父母", Relation.PARENT),
    ("爸爸", Relation.PARENT),
    ("妈妈", Relation.PARENT),
    ("老爸", Relation.PARENT),
    ("老妈", Relation.PARENT),
    ("爸", Relation.PARENT),
    ("妈", Relation.PARENT),
    ("哥哥", Relation.OTHER),
    ("弟弟", Relation.OTHER),
    ("姐姐", Relation.OTHER),
    ("妹妹", Relation.OTHER),
    ("兄", Relation.OTHER),
    ("弟", Relation.OTHER),
    ("姐", Relation.OTHER),
    ("妹", Relation.OTHER),
)
_BY_LENGTH = sorted(RELATION_WORDS, key=lambda pair: -len(pair[0]))


def relation_word(text: str) -> tuple[str, Relation] | None:
    """The first relation word of the text (longest match at the earliest position)."""
    best: tuple[int, str, Relation] | None = None
    for word, value in _BY_LENGTH:
        position = text.find(word)
        if position >= 0 and value is not Relation.SELF and (best is None or position < best[0]):
            best = (position, word, value)
    if best is None and ("本人" in text or "自己" in text or "我" in text):
        return ("我", Relation.SELF)  # "我老公": the husband; "我": the applicant
    return (best[1], best[2]) if best else None


def relation(text: str) -> Relation | None:
    """A member's relation named in the text ("我" alone is not a member's relation)."""
    found = relation_word(normalise_text(text).replace("我的", "").replace("我家", ""))
    if found is None or found[0] == "我":
        return None
    return found[1]


INCOME_WORDS: tuple[tuple[str, IncomeKind], ...] = (
    ("基础养老金", IncomeKind.PENSION_BASIC),
    ("农村养老金", IncomeKind.PENSION_BASIC),
    ("城乡居民养老", IncomeKind.PENSION_BASIC),
    ("高龄津贴", IncomeKind.PENSION_ALLOWANCE_EXEMPT),
    ("高龄补贴", IncomeKind.PENSION_ALLOWANCE_EXEMPT),
    ("养老金", IncomeKind.PENSION),
    ("养老钱", IncomeKind.PENSION),
    ("退休", IncomeKind.PENSION),
    ("抚恤", IncomeKind.FUXU),
    ("低保金", IncomeKind.RELIEF),
    ("低保", IncomeKind.RELIEF),
    ("救助", IncomeKind.RELIEF),
    ("困难补助", IncomeKind.RELIEF),
    ("房租", IncomeKind.PROPERTY),
    ("租金", IncomeKind.PROPERTY),
    ("利息", IncomeKind.PROPERTY),
    ("出租", IncomeKind.PROPERTY),
    ("生意", IncomeKind.BUSINESS),
    ("开店", IncomeKind.BUSINESS),
    ("小店", IncomeKind.BUSINESS),
    ("摆摊", IncomeKind.BUSINESS),
    ("经营", IncomeKind.BUSINESS),
    ("种地", IncomeKind.BUSINESS),
    ("种田", IncomeKind.BUSINESS),
    ("种茶", IncomeKind.BUSINESS),
    ("养殖", IncomeKind.BUSINESS),
    ("赡养", IncomeKind.TRANSFER),
    ("生活费", IncomeKind.TRANSFER),
    ("补贴", IncomeKind.TRANSFER),
    ("工资", IncomeKind.WAGE),
    ("上班", IncomeKind.WAGE),
    ("打工", IncomeKind.WAGE),
    ("零工", IncomeKind.WAGE),
    ("做工", IncomeKind.WAGE),
    ("干活", IncomeKind.WAGE),
    ("挣", IncomeKind.WAGE),
    ("赚", IncomeKind.WAGE),
    ("给", IncomeKind.TRANSFER),
)
EXPENSE_WORDS: tuple[tuple[str, ExpenditureKind], ...] = (
    ("康复", ExpenditureKind.DISABILITY),
    ("残疾", ExpenditureKind.DISABILITY),
    ("看病", ExpenditureKind.MEDICAL),
    ("医", ExpenditureKind.MEDICAL),
    ("药", ExpenditureKind.MEDICAL),
    ("住院", ExpenditureKind.MEDICAL),
    ("病", ExpenditureKind.MEDICAL),
    ("手术", ExpenditureKind.MEDICAL),
    ("透析", ExpenditureKind.MEDICAL),
    ("化疗", ExpenditureKind.MEDICAL),
    ("学费", ExpenditureKind.EDUCATION),
    ("读书", ExpenditureKind.EDUCATION),
    ("上学", ExpenditureKind.EDUCATION),
    ("学", ExpenditureKind.EDUCATION),
)


def _kind_of(text: str, words: tuple[tuple[str, Any], ...]) -> Any:
    return next((kind for word, kind in words if word in text), None)


def _per_month(text: str, amount: Decimal) -> Decimal:
    """The monthly amount: a year's figure /12, a day's x30; a month's (or none) as it is."""
    if re.search(r"年", text) and not re.search(r"月", text):
        return _money(amount / 12)
    if re.search(r"(每|一)?(天|日)", text) and not re.search(r"月|年", text):
        return _money(amount * 30)
    return _money(amount)


def _per_year(text: str, amount: Decimal) -> Decimal:
    if re.search(r"月", text) and not re.search(r"年", text):
        return _money(amount * 12)
    return _money(amount)


@dataclass
class Parsed:
    """What the text said, and the parts that could not be understood (Chinese)."""

    members: list[dict[str, Any]] = field(default_factory=list)
    property: list[dict[str, Any]] = field(default_factory=list)
    expenditures: list[dict[str, Any]] = field(default_factory=list)
    nothing: bool = False
    not_understood: list[str] = field(default_factory=list)

    def understood(self) -> bool:
        return self.nothing or bool(
            self.property
            or self.expenditures
            or any(
                m.get("incomes") or m.get("serious_illness") or m.get("named") for m in self.members
            )
        )


def blank_member(relation_value: Relation, name: str | None = None) -> dict[str, Any]:
    return {
        "relation": relation_value.value,
        "name": name,
        "id_number": None,
        "age": None,
        "disability_category": None,
        "disability_grade": None,
        "serious_illness": False,
        "in_school": False,
        "incomes": [],
    }


def _member_index(members: list[dict[str, Any]], text: str) -> int | None:
    """The member the clause speaks about: by name, else by relation word; None: nobody named."""
    for index, member in enumerate(members):
        name = member.get("name")
        if name and (name in text or (len(name) == 3 and name[1:] in text)):
            return index
    found = relation_word(text)
    if found is None:
        return None
    word, value = found
    if value is Relation.SELF:
        return next((i for i, m in enumerate(members) if m.get("relation") == "本人"), None)
    for index, member in enumerate(members):
        if member.get("relation") == value.value and member.get("relation_word") in (None, word):
            return index
    return -1  # a relation word for somebody not (yet) in the household


# The whole household's income in one figure ("全家一个月三千", "我们家加起来两千").
_HOUSEHOLD = re.compile(r"全家|一家|我们家|我家|家里|家庭|总共|一共|加起来|合计|总收入|全部")


def _shared_income(members: list[dict[str, Any]], context: str) -> bool:
    """The clause gives the household's income without naming whose it is."""
    if not _HOUSEHOLD.search(context) or re.search(r"他|她", context):
        return False
    rest = _HOUSEHOLD.sub("", context)
    return _member_index(members, rest) is None


def incomes(text: str, members: list[dict[str, Any]] | None = None) -> Parsed:
    """Monthly incomes by kind, each on the member named (the applicant when nobody is)."""
    result = Parsed(members=[dict(m, incomes=[], added=False) for m in members or []])
    if not any(m.get("relation") == "本人" for m in result.members):
        result.members.append(dict(blank_member(Relation.SELF), added=True))
    applicant = next(i for i, m in enumerate(result.members) if m.get("relation") == "本人")
    normal = _strip_ids(normalise_text(text))
    if says_nothing(normal):
        result.nothing = True
        return result
    pending = ""  # a clause without an amount ("老公打工") that the next amount belongs to
    last: int | None = None  # the member the previous clause spoke about ("他" refers to them)
    for clause in clauses(normal):
        found = amounts(clause)
        if not found:
            if _NEGATED.search(clause):
                pending = ""  # "老伴没收入": nothing to carry
            elif relation_word(clause) or _kind_of(clause, INCOME_WORDS):
                pending = clause
            else:
                result.not_understood.append(clause)
            continue
        # the clause's own words first; "老公打工,一个月两千五": the words of the clause before
        own = relation_word(clause) is not None or _member_index(result.members, clause) is not None
        kind = _kind_of(clause, INCOME_WORDS) or _kind_of(pending, INCOME_WORDS)
        kind = kind or IncomeKind.WAGE
        context = clause if own else pending + clause
        pending = ""
        index = _member_index(result.members, context)
        named = relation_word(context)
        if re.search(r"他|她", context) and (named is None or named[1] is Relation.SELF):
            index = last  # "他自己打工": the member of the clause before
        if index == -1:
            assert named is not None
            new = dict(blank_member(named[1]), added=True, relation_word=named[0])
            result.members.append(new)
            index = len(result.members) - 1
        last = index
        if kind is IncomeKind.TRANSFER and re.search(r"给|赡养|生活费", context):
            index = None  # "儿子每月给五百": the applicant receives it, the son does not earn it
        shared = _shared_income(result.members, context)
        target = result.members[applicant if index is None or shared else index]
        target["incomes"].append(
            {
                "kind": kind.value,
                "monthly_amount": _per_month(context, found[-1].value),
                "text": context[:200],
                "household": shared,
            }
        )
    for member in result.members:
        member.pop("relation_word", None)
    return result


_DEPOSIT = re.compile(r"存款|存折|银行|存了|积蓄|钱|理财|现金")
_ONLY_HOME = re.compile(r"只有|唯一|自住|自己住|住的|一套|老房|祖屋")


def _names_property(clause: str) -> bool:
    return bool(_DEPOSIT.search(clause)) or any(word in clause for word in ("车", "房", "屋"))


def property_items(text: str) -> Parsed:
    """Property (deposit, house, vehicle, other) with values; the only home is worth 0."""
    result = Parsed()
    normal = _strip_ids(normalise_text(text))
    if re.match(r"^(都|也)?(没有?|无)", normal) and not amounts(normal):
        result.nothing = True  # "没有存款、车和其他房产": the whole list is denied
        return result
    for clause in clauses(normal):
        found = amounts(clause)
        value = _money(found[-1].value) if found else Decimal("0.00")
        last = result.property[-1] if result.property else None
        if found and last and not last["value"] and not _names_property(clause):
            last.update(value=value, only_home=False, note=f"{last['note']},{clause}"[:200])
            continue  # "一套房出租,值80万": the value of the item before
        negated = bool(_NEGATED.search(clause))
        item: dict[str, Any] | None = None
        if _DEPOSIT.search(clause) and "房" not in clause and "车" not in clause:
            if not negated or found:
                item = {"kind": PropertyKind.DEPOSIT.value, "value": value}
        elif "车" in clause:
            if not negated:
                item = {"kind": PropertyKind.VEHICLE.value, "value": value}
        elif "房" in clause or "屋" in clause:
            if not negated:
                only = bool(_ONLY_HOME.search(clause)) and not found
                item = {"kind": PropertyKind.HOUSE.value, "value": value, "only_home": only}
        elif found:
            item = {"kind": PropertyKind.OTHER.value, "value": value}
        elif not negated:
            result.not_understood.append(clause)
        if item is not None:
            item["note"] = clause[:200]
            item.setdefault("only_home", False)
            result.property.append(item)
    if not result.property and (says_nothing(normal) or _NEGATED.search(normal)):
        result.nothing = True
        result.not_understood = []
    return result


def expenditures(text: str) -> Parsed:
    """Yearly rigid spending by kind (a month's figure x12)."""
    result = Parsed()
    normal = _strip_ids(normalise_text(text))
    if says_nothing(normal):
        result.nothing = True
        return result
    for clause in clauses(normal):
        found = amounts(clause)
        if not found:
            if not _NEGATED.search(clause):
                result.not_understood.append(clause)
            continue
        kind = _kind_of(clause, EXPENSE_WORDS) or ExpenditureKind.BASIC_LIVING
        result.expenditures.append(
            {"kind": kind.value, "annual_amount": _per_year(clause, found[-1].value)}
        )
    if not result.expenditures and re.search(r"没有?|无|不多|没什么", normal):
        result.nothing = True
        result.not_understood = []
    return result


_ILLNESS = re.compile(
    r"病|癌|肿瘤|高血压|慢性|尿毒症|透析|白血病|化疗|放疗|住院|手术|中风|脑梗|瘫痪|偏瘫|心脏|肾衰|肝硬化|植物人"
)


def illnesses(text: str, members: list[dict[str, Any]] | None = None) -> Parsed:
    """Which members have a serious or long illness ("老伴有尿毒症"); "他/她" is the member the
    clause before named, else the spouse or the only other member; nobody named: the applicant."""
    result = Parsed(members=[dict(m, serious_illness=False, added=False) for m in members or []])
    if not any(m.get("relation") == "本人" for m in result.members):
        result.members.append(dict(blank_member(Relation.SELF), added=True))
    normal = _strip_ids(normalise_text(text))
    if says_nothing(normal) or re.fullmatch(
        r"(都|也)?(没有?|无)(人)?(生病|得病|大病|重病)?[.!]?", normal
    ):
        result.nothing = True
        return result
    others = [i for i, m in enumerate(result.members) if m.get("relation") != "本人"]
    last: int | None = None
    for clause in clauses(normal):
        index = _member_index(result.members, clause)
        if index is None and re.search(r"他|她", clause) and last is None and others:
            # "她有病" with nobody named before: the spouse if there is one, else the only other
            spouse = [i for i in others if result.members[i].get("relation") == "配偶"]
            index = spouse[0] if spouse else (others[0] if len(others) == 1 else None)
        elif index is None:
            index = last  # "老伴尿毒症,每周透析": the clause goes on about the same member
        if not _ILLNESS.search(clause) or _NEGATED.match(clause):
            last = index if index is not None and index >= 0 else last
            if not _ILLNESS.search(clause) and index is None:
                result.not_understood.append(clause)
            continue
        if index == -1:
            named = relation_word(clause)
            assert named is not None
            result.members.append(dict(blank_member(named[1]), added=True))
            index = len(result.members) - 1
        if index is None:
            index = next(i for i, m in enumerate(result.members) if m.get("relation") == "本人")
        result.members[index]["serious_illness"] = True
        last = index
    if any(m["serious_illness"] for m in result.members):
        result.not_understood = []
    return result


_GRADE = re.compile(r"([一二三四1-4])\s*级")
_GRADE_VALUES = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def disability(text: str) -> tuple[DisabilityCategory | None, int | None]:
    """(category, grade) named in the text; (None, None) if none."""
    normal = normalise_text(text)
    category = next((c for c in DisabilityCategory if c.value in normal), None)
    if category is None and re.search(r"眼睛|看不见|盲", normal):
        category = DisabilityCategory.VISUAL
    if category is None and re.search(r"耳朵|听不见|聋", normal):
        category = DisabilityCategory.HEARING
    if category is None and re.search(r"腿|瘫|截肢", normal) and "残" in normal:
        category = DisabilityCategory.PHYSICAL
    match = _GRADE.search(normal)
    grade = _GRADE_VALUES[match.group(1)] if match and "残" in normal else None
    return category, grade


def person_name(text: str) -> str | None:
    """The 2-4 Chinese characters of a name (:func:`huimin.names.person_name`, one reader)."""
    return names.person_name(normalise_text(text))


def find_id_number(text: str) -> str | None:
    match = re.search(r"[0-9]{17}[0-9Xx]|[0-9]{15}", normalise_text(text))
    return normalise(match.group(0)) if match else None


def age(text: str) -> int | None:
    match = re.search(r"([0-9]+|[一二两三四五六七八九十]+)\s*(周岁|岁)", normalise_text(text))
    if not match:
        return None
    value = parse_number(match.group(1))
    return int(value) if value is not None and value == int(value) and value <= 130 else None


def member(text: str) -> Parsed:
    """Relation, name, ID, age and disability of one member named in a message."""
    result = Parsed()
    found = relation(text)
    category, grade = disability(text)
    normal = normalise_text(text)
    entry = blank_member(found or Relation.OTHER, person_name(text))
    entry.update(
        {
            "relation": found.value if found else None,
            "id_number": find_id_number(text),
            "age": age(text),
            "disability_category": category.value if category else None,
            "disability_grade": grade,
            "serious_illness": bool(re.search(r"重病|大病|癌|尿毒症|白血病", normal)),
            "in_school": bool(re.search(r"在读|上学|读书|学生", normal)),
        }
    )
    result.members.append(entry)
    if found is None:
        result.not_understood.append("没有看出是哪位家人(如:老伴、儿子、女儿)")
    if entry["name"] is None:
        result.not_understood.append("没有看出姓名")
    return result


_EVERYONE = re.compile(r"都有|大家|一起|共同|合起来|全家|两个人|几个人|每个人|都是")
_AND = re.compile(r"和|跟|与|及|还有")


def who(text: str, members: list[dict[str, Any]] | None = None) -> Parsed:
    """The member(s) an answer to "这份收入是谁的?" names ("老伴的", "李秀英", "我自己的"):
    the members sent, each with ``named``; "都有", "大家的" or several named: every one named."""
    result = Parsed(members=[dict(m, named=False, added=False) for m in members or []])
    normal = _strip_ids(normalise_text(text))
    if _EVERYONE.search(normal):
        for entry in result.members:
            entry["named"] = True
        return result
    for part in clauses(normal):
        for piece in _AND.split(part):
            index = _member_index(result.members, piece) if piece else None
            if index is not None and index >= 0:
                result.members[index]["named"] = True
    if not any(m["named"] for m in result.members):
        result.not_understood.append(normal[:50])
    return result


def within_bounds(value: Decimal) -> bool:
    return Decimal(0) <= value <= MAX_AMOUNT
