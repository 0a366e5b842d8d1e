"""Shared vocabulary: program words and township names."""

from __future__ import annotations

import pytest

from huimin import townships
from huimin.programs import PROGRAM_LABELS, Program, program_from_text


def test_every_program_has_a_label() -> None:
    assert set(PROGRAM_LABELS) == set(Program)


@pytest.mark.parametrize(
    ("text", "program"),
    [
        ("我想申请低保", Program.DIBAO),
        ("低保边缘户能不能办", Program.DIBAO_EDGE),
        ("低边", Program.DIBAO_EDGE),
        ("medical", Program.MEDICAL),
        ("重度残疾人护理补贴", Program.DISABILITY_CARE),
        ("今天天气", None),
    ],
)
def test_program_from_text_prefers_the_longest_alias(text: str, program: Program | None) -> None:
    assert program_from_text(text) == program


def test_district_has_24_townships_5_subdistricts_13_towns_6_townships() -> None:
    kinds = [t.kind for t in townships.all_townships()]
    assert len(kinds) == 24
    assert (kinds.count("街道"), kinds.count("镇"), kinds.count("乡")) == (5, 13, 6)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("富春街道", "330111001000"),
        ("我住在新登", "330111115000"),
        ("330111207000", "330111207000"),
        ("西湖区", None),
    ],
)
def test_township_from_text(text: str, code: str | None) -> None:
    found = townships.from_text(text)
    assert (found.code if found else None) == code
