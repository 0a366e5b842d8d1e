"""The four elder-care programs join the "一件事" bundle: one case each, the existing machine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from huimin.programs import PROGRAM_LABELS, Program, program_from_text

ELDER_PROGRAMS = ["home_care_bed", "home_adaptation", "care_home_admission", "ability_assessment"]


def test_codes_and_words() -> None:
    assert [Program(code).value for code in ELDER_PROGRAMS] == ELDER_PROGRAMS
    assert {Program(code) for code in ELDER_PROGRAMS} <= set(PROGRAM_LABELS)
    assert program_from_text("我想申请家庭照护床位") is Program.HOME_CARE_BED
    assert program_from_text("家里想做适老化改造") is Program.HOME_ADAPTATION
    assert program_from_text("老人想进养老院") is Program.CARE_HOME_ADMISSION
    assert program_from_text("做个能力评估") is Program.ABILITY_ASSESSMENT
    assert program_from_text("特困供养") is Program.TEKUN  # unchanged


@pytest.mark.parametrize("code", ELDER_PROGRAMS)
def test_elder_program_application_opens_a_case(
    client: TestClient,
    submit: Callable[..., dict[str, Any]],
    login: Callable[[str], dict[str, str]],
    code: str,
) -> None:
    application = submit(programs=[code, "elderly_allowance"])
    cases = {case["program"]: case for case in application["cases"]}
    assert set(cases) == {code, "elderly_allowance"}
    case = cases[code]
    answer = client.get(f"/api/cases/{case['id']}", headers=login("rev_fuchun"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["program"] == code
    assert "accept" in [a["action"] for a in answer.json()["allowed_actions"]]
