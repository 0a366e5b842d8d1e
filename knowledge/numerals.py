"""Chinese numerals and traditional characters, put in the index's form (digits, simplified).

Residents write "十五分钟", "八十五岁", "三三零一八三开头", "一点五倍"; the documents write
"15分钟", "80周岁", "330183", "1.5倍" (and sometimes the other way round: "八十周岁").
:func:`arabic_numerals` rewrites numerals to digits on both sides (questions and passages), so
the two spellings meet whichever side used which. Conversion of a numeral span uses ``cn2an``.

Only spans that are clearly quantities are rewritten, so words such as 一件事, 一次性, 一般,
十四五, 五保户 keep their characters: a span of two or more numeral characters (except a few
fixed words), or a single character other than 一 directly before a unit (天, 岁, 倍, 项, …).
"""

from __future__ import annotations

import re
from functools import lru_cache

import cn2an

_DIGITS = "零〇一二两三四五六七八九"
_NUMERAL = f"[{_DIGITS}十百千万点]"
# A unit after a single numeral character makes it a quantity ("三天", "两项", "五个工作日").
_UNITS = (
    "周岁|岁|天|个工作日|工作日|个月|月|年|倍|次|项|级|人|名|家|位|个|分钟|小时|成|多|块|元|开头"
)
_SPAN_RE = re.compile(rf"(百分之)?({_NUMERAL}+)(?=({_UNITS})?)")
# 一 alone is a quantity only before these (一次性, 一个人, 一家人, 一名 stay words).
_ONE_UNITS = frozenset({"级", "岁", "周岁", "倍", "项", "个工作日", "工作日"})
# Fixed words made of numeral characters that are not quantities.
_KEEP = frozenset({"十四五", "一一", "万一", "一五一十", "三三两两", "一点", "一点点"})


@lru_cache(maxsize=4096)
def _value(span: str) -> str | None:
    try:
        value = cn2an.cn2an(span, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _replace(match: re.Match[str]) -> str:
    percent, span, unit = match.group(1), match.group(2), match.group(3)
    whole = match.group(0)
    if span in _KEEP or span.startswith("点") or span.endswith("点"):
        return whole
    single = len(span) == 1
    if not percent and single and (not unit or span in "点百千万"):
        return whole
    if not percent and span == "一" and unit not in _ONE_UNITS:
        return whole
    value = _value(span)
    if value is None:
        return whole
    return f"{value}%" if percent else value


def arabic_numerals(text: str) -> str:
    """``text`` with quantity numerals in digits ("十五分钟" -> "15分钟")."""
    return _SPAN_RE.sub(_replace, text)


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters converted to simplified (OpenCC ``t2s``)."""
    if text.isascii():
        return text
    return str(_t2s().convert(text))  # type: ignore[attr-defined]
