"""Every figure a knowledge document states is traceable (docs/sources/) or labelled a sample.

A yuan amount, a percentage or a day count in ``knowledge/docs/*.md`` must appear in the
project's copy of the research notes (FACTS.md, FACTS-eldercare.md) or the district plan, unless
its sentence says it is a sample (示例). Dates (2021年7月1日, 2021-07-01) are not day counts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "knowledge" / "docs"
SOURCES = ROOT / "docs" / "sources"
SOURCE_FILES = ("FACTS.md", "FACTS-eldercare.md", "district-plan-section3.txt")

_CN_DIGITS = dict(zip("一二两三四五六七八九", (1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CN_NUMBER = "[一二两三四五六七八九十]+"
_NUMBER = r"\d+(?:\.\d+)?"
_YUAN = re.compile(rf"({_NUMBER})\s*(万)?元")
_PERCENT = re.compile(rf"({_NUMBER})\s*[%％]")
_DAYS = re.compile(
    rf"(?<![月\d年/-])({_NUMBER}|{_CN_NUMBER})\s*(?:个)?(?:工作日|天|日)(?![期内前后]?[起施])"
)
_EN_DAYS = r"(\d+)(?:\s*(?:–|-|to|or)\s*(\d+))?[\s-]*(?:working[\s-]+)?days?\b"
_SENTENCE = re.compile(r"[^。！？；\n]+")


def cn_number(text: str) -> str:
    """一..九十九 as digits; digits unchanged."""
    if text[0].isdigit():
        return text
    if "十" not in text:
        return str(_CN_DIGITS.get(text, 0))
    tens, _, ones = text.partition("十")
    value = (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return str(value)


def _numbers(pattern: str, text: str) -> set[str]:
    return {m.group(1) for m in re.finditer(pattern, text, flags=re.IGNORECASE)}


def allowed() -> dict[str, set[str]]:
    """Numbers the sources give, per kind (English notes and the Chinese plan)."""
    text = "\n".join((SOURCES / name).read_text(encoding="utf-8") for name in SOURCE_FILES)
    day_numbers: set[str] = set()
    for match in re.finditer(_EN_DAYS, text, flags=re.IGNORECASE):
        day_numbers |= {g for g in match.groups() if g}
    day_numbers |= _numbers(r"(?:extendable|extended) to (\d+)", text)
    day_numbers |= _numbers(r"(?<![月年\d])(\d+)\s*(?:个)?(?:工作日|天)", text)
    yuan_numbers = {
        n.replace(",", "") for n in _numbers(r"(\d[\d,]*(?:\.\d+)?)\s*(?:yuan|元)", text)
    }
    return {
        "percent": _numbers(r"(\d+(?:\.\d+)?)\s*%", text),
        "days": day_numbers,
        "yuan": yuan_numbers,
    }


def figures(text: str) -> list[tuple[str, str, str]]:
    """(kind, number, sentence) for every figure not in a sentence marked as a sample."""
    found = []
    for sentence in _SENTENCE.findall(text):
        if "示例" in sentence:
            continue
        for kind, pattern in (("yuan", _YUAN), ("percent", _PERCENT), ("days", _DAYS)):
            for match in pattern.finditer(sentence):
                number = cn_number(match.group(1))
                if kind == "yuan" and match.group(2):
                    number = str(int(float(number) * 10000))
                found.append((kind, number.removesuffix(".0"), sentence.strip()))
    return found


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("---", 2)[2] if text.startswith("---") else text


DOC_FILES = sorted(p for p in DOCS.glob("*.md") if p.name != "README.md")


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: p.name)
def test_every_figure_is_in_the_sources_or_labelled_sample(path: Path) -> None:
    sources = allowed()
    unknown = [
        f"{kind} {number}: {sentence}"
        for kind, number, sentence in figures(_body(path))
        if number not in sources[kind]
    ]
    assert unknown == [], "\n".join(unknown)


def test_the_check_catches_an_invented_figure() -> None:
    sources = allowed()
    invented = figures("富阳低保标准每月1130元。审批需要17个工作日。补贴比例为37%。")
    assert {(k, n) for k, n, _ in invented} == {("yuan", "1130"), ("days", "17"), ("percent", "37")}
    assert all(n not in sources[k] for k, n, _ in invented)
    assert figures("示例:每月1130元,以民政部门公布为准。") == []
    assert {(k, n) for k, n, _ in figures("公示七天;3个工作日内;2021年7月1日起施行")} == {
        ("days", "7"),
        ("days", "3"),
    }


def test_materials_document_lists_what_the_rules_list() -> None:
    """The knowledge base's materials per program are the eligibility rules' lists."""
    from huimin.settings import Settings
    from workflows.eligibility.rules import load_rules

    text = (DOCS / "fuyang-shenqing-cailiao.md").read_text(encoding="utf-8")
    rules = load_rules(Settings(_env_file=None))  # type: ignore[call-arg]
    missing = [
        f"{rule.program.value}: {item}"
        for rule in rules.programs
        for item in rule.materials
        if item not in text
    ]
    assert missing == []
