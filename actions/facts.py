"""Facts a resident gives inside a question ("我爸今年82,高龄补贴能领吗").

Pure functions without I/O: who the question is about and their age, the household size,
living alone, a township, disability, serious illness, and whether the message speaks of
income or spending (the amounts are read by the API, ``POST /api/household/parse``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from actions import parsing
from huimin.programs import program_from_text
from huimin.townships import Township
from huimin.townships import from_text as township_from_text

_CN = "零一二两三四五六七八九十百"
_AGE = re.compile(
    rf"(?:今年|年纪|已经|都)?\s*([0-9]{{2,3}}|[{_CN}]{{2,4}})\s*(?:周岁|岁|多岁|了|来岁)"
    rf"|(?:今年|年纪|已经|都)\s*([0-9]{{2,3}}|[{_CN}]{{2,4}})"
    rf"|^(?:我|他|她|本人|自己|老伴|老公|老婆|我爸|我妈|父亲|母亲)?\s*([0-9]{{2}})$"
)
_SIZE = re.compile(rf"([0-9]{{1,2}}|[{_CN}]{{1,3}})\s*(?:口人|口|个人)")
_ALONE = re.compile(
    r"一个人(过|住|生活)|独居|独自|孤寡|孤身|无儿无女|"
    r"老伴(走了|去世|过世|不在|没了)|(丈夫|老公|老婆|妻子)(去世|过世|走了|不在了)|就我一个"
)
_INCOME = re.compile(r"收入|工资|退休金|养老金|低保金|挣|赚|打工|月入")
_SPENDING = re.compile(r"花了?|自付|医药费|看病.*[0-9一二两三四五六七八九十]|学费|住院费")
_ILLNESS = re.compile(r"癌|尿毒症|透析|白血病|重病|大病|化疗|中风|瘫痪")
# A member whose age is given first is who the question is about ("我爸今年82").
_SUBJECT_WORDS = (
    ("我爸", "父亲"), ("我妈", "母亲"), ("爸爸", "父亲"), ("妈妈", "母亲"), ("父亲", "父亲"),
    ("母亲", "母亲"), ("老爸", "父亲"), ("老妈", "母亲"), ("爷爷", "爷爷"), ("奶奶", "奶奶"),
    ("外公", "外公"), ("外婆", "外婆"),
)  # fmt: skip


@dataclass
class QuestionFacts:
    """What a question says about the household; empty when it says nothing."""

    ages: list[int] = field(default_factory=list)
    subject: str | None = None  # "父亲" when the question is about the resident's father
    household_size: int | None = None
    alone: bool = False
    township: Township | None = None
    disability_category: str | None = None
    disability_grade: int | None = None
    disability_relation: str | None = None
    ill: bool = False
    ill_relation: str | None = None
    mentions_income: bool = False
    mentions_spending: bool = False
    programs: list[str] = field(default_factory=list)

    def any(self) -> bool:
        return bool(
            self.ages
            or self.household_size
            or self.alone
            or self.township
            or self.disability_category
            or self.disability_grade
            or self.ill
            or self.mentions_income
            or self.mentions_spending
        )


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    value = parsing.cn_to_number(token)
    return int(value) if value is not None else None


def ages(text: str) -> list[int]:
    """Ages said in the text, in order ("我70,老伴68" -> [70, 68]; "82了" -> [82])."""
    found = []
    for clause in re.split(r"[,，;；、。!！?？]", text):
        for match in _AGE.finditer(clause.strip()):
            token = next(group for group in match.groups() if group)
            value = _number(token)
            if value is not None and 1 <= value <= 120:
                found.append(value)
                break
    return found


def household_size(text: str) -> int | None:
    if _ALONE.search(text):
        return 1
    if "两口子" in text or "老两口" in text:
        return 2
    match = _SIZE.search(text)
    value = _number(match.group(1)) if match else None
    return value if value is not None and 1 <= value <= 20 else None


def read(text: str, entities: list[dict[str, Any]] | None = None) -> QuestionFacts:
    """The facts of one message: its words, helped by the entities NLU extracted."""
    normal = unicodedata.normalize("NFKC", text or "")
    entities = entities or []
    facts = QuestionFacts()
    facts.ages = ages(normal)
    if not facts.ages:
        facts.ages = [
            int(item["value"])
            for item in entities
            if item.get("entity") == "age" and str(item.get("value", "")).isdigit()
        ][:4]
    facts.subject = next((label for word, label in _SUBJECT_WORDS if word in normal), None)
    facts.alone = bool(_ALONE.search(normal))
    facts.household_size = household_size(normal)
    facts.township = township_from_text(normal)
    if facts.township is None:
        named = [str(e.get("value")) for e in entities if e.get("entity") == "township"]
        facts.township = next((t for t in map(township_from_text, named) if t), None)
    category, grade = parsing.disability(normal)
    if "残" in normal or category:
        facts.disability_category, facts.disability_grade = category, grade
        facts.disability_relation = parsing.relation(normal)
    facts.ill = bool(_ILLNESS.search(normal))
    facts.ill_relation = parsing.relation(normal) if facts.ill else None
    facts.mentions_income = bool(_INCOME.search(normal)) and bool(parsing.numbers(normal))
    facts.mentions_spending = bool(_SPENDING.search(normal)) and bool(parsing.numbers(normal))
    for item in entities:
        if item.get("entity") == "program":
            program = program_from_text(str(item.get("value") or ""))
            if program and program.value not in facts.programs:
                facts.programs.append(program.value)
    if not facts.programs:
        program = program_from_text(normal)
        if program:
            facts.programs.append(program.value)
    return facts


def without_ages(text: str) -> str:
    """The text with its ages removed, so that "我72岁,退休金1500" reads only 1500 as money."""
    return _AGE.sub(" ", unicodedata.normalize("NFKC", text or ""))
