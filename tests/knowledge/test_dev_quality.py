"""Regression guard on the dev halves (the held-out halves are measured by the bench only)."""

from __future__ import annotations

from knowledge.evalset import chosen, load_questions
from knowledge.service import KnowledgeService


def test_second_dev_set_answers_with_the_fact_and_refuses(real_service: KnowledgeService) -> None:
    rows = chosen(load_questions(), "new2", "dev")
    with_fact = refused = 0
    answerable = [r for r in rows if r["answerable"]]
    outside = [r for r in rows if not r["answerable"]]
    for row in answerable:
        answer = real_service.ask(row["question"], audience=row["audience"])
        body = answer.answer.partition("\n来源：")[0]
        with_fact += answer.confident and any(f in body for f in row["fact"])
    for row in outside:
        refused += not real_service.ask(row["question"], audience=row["audience"]).confident
    assert with_fact / len(answerable) >= 0.9
    assert refused / len(outside) >= 0.9


def test_a_typed_homophone_still_finds_the_passage(real_service: KnowledgeService) -> None:
    answer = real_service.ask("特昆申情后村里公示几天")  # 特困, 申请
    assert answer.confident
    assert "7天" in answer.answer
