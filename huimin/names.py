"""People's names in residents' messages: finding one, and refusing words that are not names.

Standard library plus the township and program vocabularies of ``huimin`` only, so the API
(workflows/household/parsing.py) and the dialogue (actions/) read names the same way.
"""

from __future__ import annotations

import re
import unicodedata

from huimin.programs import program_from_text
from huimin.townships import all_townships

# Words for family members (longest first when matched); "我" is the resident.
RELATION_WORDS: tuple[str, ...] = (
    "本人", "自己", "我", "配偶", "老伴儿", "老伴", "老婆", "老公", "妻子", "丈夫", "爱人",
    "媳妇儿", "媳妇", "老头子", "老太婆", "儿媳妇", "儿媳", "女婿", "外孙女", "外孙", "孙女",
    "孙子", "儿子", "女儿", "闺女", "子女", "孩子", "小孩", "父亲", "母亲", "父母", "爸爸",
    "妈妈", "老爸", "老妈", "爸", "妈", "爷爷", "奶奶", "外公", "外婆", "哥哥", "弟弟", "姐姐",
    "妹妹", "兄", "弟", "姐", "妹",
)  # fmt: skip
_BY_LENGTH = sorted(RELATION_WORDS, key=len, reverse=True)
# A member's relation, not the resident: two characters or more (a name may hold 妹 or 兄).
MEMBER_WORDS = tuple(word for word in _BY_LENGTH if len(word) >= 2 and word not in ("本人", "自己"))
DISABILITY_WORDS = ("肢体", "视力", "听力", "言语", "智力", "精神", "多重")

_NOT_A_NAME = re.compile(
    r"身份证号?码?|号码|电话|手机|今年|"
    r"(" + "|".join(DISABILITY_WORDS) + r")?残疾证?([一二三四1-4]级)?|"
    r"[一二三四1-4]级|重病|大病|在读|上学|读书|学生|得了|患了|患有|尿毒症|癌症?|白血病|"
    r"[零一二两三四五六七八九十]+周?岁"
)
_NAME_PREFIX = re.compile(r"^(我|他|她)?(的)?(名字|姓名)?(是|叫做|叫)?")
_ID_LIKE = re.compile(r"[0-9]{15,17}[0-9Xx]|[0-9]{6,}")
_PLACE_SUFFIX = re.compile(r"(街道|社区|村委会?|居委会?|[省市县区])$")


def normalise_text(text: str) -> str:
    """Full-width to half-width (NFKC)."""
    return unicodedata.normalize("NFKC", text or "")


def person_name(text: str) -> str | None:
    """The 2-4 Chinese characters of a name once IDs, relation words and other facts are removed."""
    remaining = _ID_LIKE.sub(" ", normalise_text(text))
    for word in _BY_LENGTH:
        if word != "我":
            remaining = remaining.replace(word, " ")
    remaining = _NOT_A_NAME.sub(" ", remaining)
    for chunk in re.findall(r"[\u4e00-\u9fff]+", remaining):
        candidate = _NAME_PREFIX.sub("", chunk)
        if candidate.startswith("姓") and len(candidate) <= 2:
            continue  # "我姓刘": the surname alone, the full name follows
        if 2 <= len(candidate) <= 4:
            return candidate
    return None


def member_word(text: str) -> str | None:
    """The first word for a family member in the text ("妻子 李秀英 …" -> 妻子), else None."""
    normal = normalise_text(text)
    found = [(normal.find(word), word) for word in MEMBER_WORDS if word in normal]
    return min(found)[1] if found else None


def name_problem(text: str) -> str | None:
    """Why the words cannot be a person's name (Chinese, for the resident), or None.

    A place (a township of the district, or a word ending in 街道/社区/省/市/县/区), a program
    word (低保, 医疗救助 …), a relation word (老伴, 儿子 …) or anything with a digit.
    """
    value = normalise_text(text).strip()
    if not value:
        return "没有看到姓名"
    if re.search(r"[0-9]", value):
        return "姓名里不应有数字"
    for township in all_townships():
        if township.name in value or value == township.short_name:
            return f"“{township.name}”是乡镇(街道)名称"
    if _PLACE_SUFFIX.search(value):
        return f"“{value}”像是地名"
    program = program_from_text(value)
    if program is not None:
        return f"“{value}”是救助项目名称"
    if value in RELATION_WORDS or any(word in value for word in MEMBER_WORDS):
        return f"“{value}”是家人的称呼"
    return None
